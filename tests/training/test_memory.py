"""The memory guard against what the process can get: the address-space limit (`RLIMIT_AS`),
the cgroup's limit, `MemAvailable`; each sizing flag of `train` and `benchmark` named."""
import os
import re
import resource
import subprocess
import sys

import networkx as nx
import pytest
from helpers import ROOT

from author2vec_keras import cli
from author2vec_keras.training import memory


def limited(limit):
    """A `preexec_fn`: the child's address space limited to `limit` bytes (`prlimit --as`)."""
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def one_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('author2vec: error: '), err
    return lines[0]


def test_train_under_an_address_space_limit_is_refused_before_training(tmp_path):
    """`prlimit --as=4G author2vec train ...` needing 5.2 GiB, which MemAvailable would let
    through: refused by the guard, naming the limit and --dim, exit 2, nothing written (it
    trained a whole epoch and failed at the end when only MemAvailable was read)."""
    graph = str(tmp_path / 'flor.txt')
    nx.write_edgelist(nx.florentine_families_graph(), graph, data=False)
    proc = subprocess.run(
        [sys.executable, '-m', 'author2vec_keras.cli', 'train', '--edgelist', graph,
         '--dim', '10000000', '--hidden-dim', '2', '--negatives', '1', '--batch-size', '2',
         '--epochs', '1', '--quiet', '--output', str(tmp_path / 'flor.emb')],
        cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=ROOT),
        preexec_fn=limited(4 * 2 ** 30), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr
    assert re.fullmatch(r'author2vec: error: training 15 nodes x 10000000 dimensions needs '
                        r'about \d\.\d GiB \(table 3\.\d GiB, .*\), but only [\d.]+ GiB is '
                        r'available \(the address-space limit, RLIMIT_AS\); lower --dim '
                        r'\(10000000\), or train out of core with --partitions',
                        one_line(proc.stderr)), proc.stderr
    assert 'Epoch' not in proc.stdout and sorted(os.listdir(str(tmp_path))) == ['flor.txt']


def test_the_address_space_limit_counts_less_the_process_size(tmp_path):
    """A child limited to its size now plus 100 MiB gets about 100 MiB, named as that limit."""
    code = ('import resource\n'
            'from author2vec_keras.training import memory\n'
            'size = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0])\n'
            'resource.setrlimit(resource.RLIMIT_AS, (size * 1024 + 100 * 2 ** 20, '
            'resource.RLIM_INFINITY))\n'
            'print(memory.memory_limits()["the address-space limit, RLIMIT_AS"] // 2 ** 20,\n'
            '      memory.available_memory() // 2 ** 20)\n')
    proc = subprocess.run([sys.executable, '-c', code], env=dict(os.environ, PYTHONPATH=ROOT),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    limit, available = map(int, proc.stdout.split())
    assert 90 <= limit <= 100 and available == limit


@pytest.mark.parametrize('version', [1, 2])
def test_the_cgroup_limit_is_read_from_the_tightest_cgroup(tmp_path, version):
    """A cgroup tree as the kernel lays it out (v2: memory.max, memory.current; v1:
    memory.limit_in_bytes, memory.usage_in_bytes), the process in /user/job: the least
    headroom of the job's cgroup and those above it; 'max' (v2) or 2^63 (v1) is no limit."""
    if version == 2:
        base, limit, usage, none = tmp_path, 'memory.max', 'memory.current', 'max'
        membership = '0::/user/job\n'
    else:
        base, limit, usage = tmp_path / 'memory', 'memory.limit_in_bytes', 'memory.usage_in_bytes'
        none, membership = str(2 ** 63 - 4096), '4:memory:/user/job\n1:cpu:/\n'
    for path, (cap, used) in {'': (none, 5 * 2 ** 30), 'user': (str(3 * 2 ** 30), 2 ** 30),
                              'user/job': (str(8 * 2 ** 30), 2 ** 29)}.items():
        (base / path).mkdir(parents=True, exist_ok=True)
        (base / path / limit).write_text(cap + '\n')
        (base / path / usage).write_text('%d\n' % used)
    (tmp_path / 'cgroup').write_text(membership)
    assert memory._cgroup_headroom(str(tmp_path), str(tmp_path / 'cgroup')) == 2 * 2 ** 30
    (base / 'user' / limit).write_text(none + '\n')
    assert memory._cgroup_headroom(str(tmp_path), str(tmp_path / 'cgroup')) == \
        8 * 2 ** 30 - 2 ** 29
    (base / 'user/job' / limit).write_text(none + '\n')
    assert memory._cgroup_headroom(str(tmp_path), str(tmp_path / 'cgroup')) is None


@pytest.mark.parametrize('method', ['deepwalk', 'spectral', 'line', 'random'])
def test_benchmark_dim_beyond_memory_is_refused_up_front_naming_dim(capsys, tmp_path, method):
    """`benchmark --dim 100000000` with a baseline: refused before any method runs (each
    failed with MemoryError, exit 1), naming --dim; no output folder made."""
    out_dir = tmp_path / 'results'
    code = cli.main(['benchmark', '--dataset', 'karate', '--methods', method, '--dim',
                     '100000000', '--no-progress', '--output-dir', str(out_dir)])
    assert code == 2
    line = one_line(capsys.readouterr().err)
    assert re.fullmatch(r'author2vec: error: %s on 34 nodes x 100000000 dimensions needs about '
                        r'[\d.]+ GiB \(.*\), but only [\d.]+ GiB is available \(.*\); lower '
                        r'--dim \(100000000\)' % method, line), line
    assert not out_dir.exists()
