"""The `author2vec` command: a real run, --help, and bad input that exits 2 writing nothing."""
import json
import os
import re
import stat

import networkx as nx
import pytest

from author2vec_keras import cli
from author2vec_keras.evaluation import protocols


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_documents_every_train_flag(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(['train', '--help'])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for flag in ('--dataset', '--edgelist', '--model', '--dim', '--hidden-dim', '--negatives',
                 '--epochs', '--batch-size', '--test-fraction', '--seed', '--output',
                 '--device'):
        assert flag in out


@pytest.mark.parametrize('content, line, problem', [
    ('', None, 'no edges'),
    ('1 2\n3\n', 2, 'column'),
    ('1 2 0.5\n2 3 heavy\n', 2, 'weight'),
    ('source target\nfrom to\n1 2\n', 2, 'one header line'),  # one header line is skipped
])
def test_bad_edge_list_exits_2_naming_file_and_line(capsys, tmp_path, content, line, problem):
    path = tmp_path / 'bad.txt'
    path.write_text(content)
    output = tmp_path / 'out.emb'
    code, out, err = run(capsys, 'train', '--edgelist', str(path), '--output', str(output))
    assert code == 2
    assert str(path) in err
    if line is not None:
        assert '%s:%d:' % (path, line) in err
    assert problem in err
    assert 'Traceback' not in err
    assert not output.exists() and list(tmp_path.iterdir()) == [path]


def test_missing_file_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, 'train', '--edgelist', str(tmp_path / 'nope.txt'))
    assert code == 2 and 'nope.txt' in err


def test_unknown_dataset_exits_2(capsys):
    code, out, err = run(capsys, 'train', '--dataset', 'no-such-graph')
    assert code == 2 and 'no-such-graph' in err


@pytest.mark.parametrize('argv', [['train', '--dim', '0'], ['train', '--test-fraction', '1.5'],
                                  ['train', '--model', 'gnn'], ['frobnicate']])
def test_bad_flags_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2


@pytest.mark.core
def test_train_writes_embeddings_and_prints_auc(capsys, tmp_path):
    path = tmp_path / 'karate.txt'
    nx.write_edgelist(nx.karate_club_graph(), str(path), data=False)
    output = tmp_path / 'karate.emb'
    code, out, err = run(capsys, 'train', '--edgelist', str(path), '--output', str(output),
                         '--dim', '8', '--hidden-dim', '4', '--epochs', '2', '--negatives', '2',
                         '--batch-size', '64', '--test-fraction', '0.2', '--seed', '1', '--quiet')
    assert code == 0, err
    auc_line = out.strip().splitlines()[-1]
    assert auc_line.startswith('link prediction AUC: ')
    auc = float(auc_line.split(':')[1])
    assert 0 <= auc <= 1
    assert output.read_text().splitlines()[0] == '34 8'
    record = json.loads((tmp_path / 'karate.emb.json').read_text())
    assert record['seed'] == 1 and record['versions']['keras'] == '2.0.9'
    assert record['link_prediction']['auc'] == pytest.approx(auc, abs=1e-4)
    assert 'author2vec train' in record['command']
    assert sorted(os.listdir(tmp_path)) == ['karate.emb', 'karate.emb.json', 'karate.txt']


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_the_defaults_learn_on_karate(capsys, tmp_path, seed):
    """`train --dataset karate` with the defaults: 70 training edges make one batch an epoch,
    so 10 epochs were 10 steps and the AUC at or below chance (0.39 / 0.38 / 0.44 for seeds
    0-2); an epoch now has at least `MIN_BATCHES`. Its 8 held-out edges get a warning."""
    output = tmp_path / 'karate.emb'
    code, out, err = run(capsys, 'train', '--dataset', 'karate', '--seed', str(seed),
                         '--output', str(output), '--quiet')
    assert code == 0, err
    auc = json.loads((tmp_path / 'karate.emb.json').read_text())['link_prediction']['auc']
    assert auc > 0.65, auc  # 0.77, 0.88, 0.98
    assert 'author2vec: warning: the link prediction AUC comes from only 8 held-out edges' in err


def test_datasets_lists_the_bundled_graphs(capsys):
    code, out, err = run(capsys, 'datasets')
    assert code == 0
    assert 'ca-grqc' in out and '5242' in out.replace(',', '')


def test_info_prints_the_stack(capsys):
    code, out, err = run(capsys, 'info')
    assert code == 0
    assert 'keras:         2.0.9' in out and 'floatX:        float32' in out
    assert 'device:        cpu' in out


def test_cuda_where_it_cannot_work_is_one_sentence(capsys):
    code, out, err = run(capsys, 'info', '--device', 'cuda')
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and 'CUDA is not available' in lines[0]
    assert 'GPU Docker image' in lines[0] and 'Traceback' not in err


@pytest.mark.parametrize('variable, value, message', [
    ('AUTHOR2VEC_DEVICE', 'cuda', 'CUDA is not available: '),
    ('THEANO_FLAGS', 'device=cuda', 'CUDA is not available: '),  # $AUTHOR2VEC_DEVICE unset
    ('THEANO_FLAGS', 'device=nonsense', "unknown device 'nonsense' "),
])
@pytest.mark.parametrize('command', ['info', 'train'])
def test_cuda_from_the_environment_is_refused_in_one_sentence_too(tmp_path, variable, value,
                                                                  message, command):
    """The GPU image asks for CUDA by $AUTHOR2VEC_DEVICE, not --device (a user by THEANO_FLAGS):
    where CUDA cannot work the command says so in the same one sentence, exit status 2 (not an
    error of the command's own, nor a KeyError for the variable it never set)."""
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {k: v for k, v in os.environ.items() if k != 'AUTHOR2VEC_DEVICE'}
    env.update({variable: value, 'PYTHONPATH': root})
    if variable == 'THEANO_FLAGS' and os.environ.get('THEANO_FLAGS'):
        env[variable] = os.environ['THEANO_FLAGS'] + ',' + value
    proc = subprocess.run([sys.executable, '-m', 'author2vec_keras.cli', command],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('author2vec: error: ' + message), proc.stderr
    assert proc.stdout == '' and os.listdir(str(tmp_path)) == []


def test_opencl_where_it_cannot_work_is_one_sentence(capsys):
    """An OpenCL device is refused as CUDA is (one sentence, exit 2), never trained on the CPU."""
    code, out, err = run(capsys, 'info', '--device', 'opencl0:0')
    assert code == 2 and out == ''
    lines = err.strip().splitlines()
    assert len(lines) == 1 and 'Traceback' not in err, err
    assert lines[0].startswith('author2vec: error: OpenCL is not available: ')
    assert 'pygpu (libgpuarray) is not installed' in lines[0] and 'make venv-gpu' in lines[0]
    assert lines[0].endswith('.') and '. ' not in lines[0]


@pytest.mark.parametrize('how', ['THEANO_FLAGS', 'AUTHOR2VEC_DEVICE'])
def test_opencl_from_the_environment_is_refused_in_one_sentence_too(tmp_path, how):
    """`THEANO_FLAGS=device=opencl1:0` (where Theano 1.0.5 logs its error and goes on on the CPU)
    is refused before anything runs: the same sentence, exit status 2, nothing written. With
    pygpu (the `make venv-gpu` venv) it names libgpuarray's error instead
    (tests/nn/test_opencl.py)."""
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {k: v for k, v in os.environ.items() if k != 'AUTHOR2VEC_DEVICE'}
    env['PYTHONPATH'] = root
    if how == 'THEANO_FLAGS':
        env['THEANO_FLAGS'] = 'device=opencl1:0' + ''.join(
            ',' + f for f in env.get('THEANO_FLAGS', '').split(',') if f and 'device' not in f)
    else:
        env['AUTHOR2VEC_DEVICE'] = 'opencl1:0'
    proc = subprocess.run([sys.executable, '-m', 'author2vec_keras.cli', 'train', '--dataset',
                           'karate', '--epochs', '1', '--output', 'karate.emb'],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith('author2vec: error: OpenCL '), proc.stderr
    assert proc.stdout == '' and list(tmp_path.iterdir()) == []


def test_benchmark_command_writes_table_json_and_plot(capsys, tmp_path):
    code, out, err = run(capsys, 'benchmark', '--dataset', 'karate', '--task', 'link-prediction',
                         '--methods', 'jaccard,adamic-adar,spectral', '--quick',
                         '--output-dir', str(tmp_path), '--no-progress')
    assert code == 0, err
    assert '| jaccard' in out.lower() or 'jaccard' in out.lower()
    written = sorted(p.name for p in tmp_path.iterdir())
    assert [n.rsplit('.', 1)[1] for n in written] == ['json', 'md', 'png']
    record = json.loads(next(tmp_path.glob('*.json')).read_text())
    assert record['command'].startswith('author2vec benchmark --dataset karate')


def test_benchmark_unknown_method_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, 'benchmark', '--dataset', 'karate', '--methods', 'gcn',
                         '--quick', '--output-dir', str(tmp_path))
    assert code == 2 and 'gcn' in err


def test_refused_device_does_not_leak_into_the_environment(capsys, monkeypatch):
    monkeypatch.delenv('AUTHOR2VEC_DEVICE', raising=False)
    assert run(capsys, 'info', '--device', 'cuda')[0] == 2
    assert 'AUTHOR2VEC_DEVICE' not in os.environ


@pytest.mark.parametrize('argv, message', [
    # the rules are the estimators' (`check_params`, `from_preset`): their ValueError, the flags
    # named for the parameters (`cli._flagged`)
    (['--model', 'author2vec', '--batching', 'grouped', '--schedule', 'joint'],
     "--batching grouped steps one model at a time: use --schedule alternating, 'link' or "
     "'content', not 'joint'"),
    (['--model', 'author2vec', '--schedule', 'link', '--preset', 'a2v-lua-as-run'],  # no flag
     "author_tables='per-model' gives each of the alternating models its own author table: "
     "use --schedule alternating, not 'link'"),
    (['--walk-length', '40'], '--walk-length needs --pairs walks'),
    (['--schedule', 'joint'], '--schedule is not a parameter of --model paper or blog'),
    (['--model', 'author2vec', '--context', 'separate'],
     '--context is not a parameter of --model author2vec'),
    (['--preset', 'walks', '--model', 'author2vec'],
     '--preset walks configures --model paper or blog, not --model author2vec; presets of '
     '--model author2vec: a2v-lua, a2v-lua-as-run, content-link'),
])
def test_the_estimators_rules_exit_2_naming_the_flags(capsys, tmp_path, argv, message):
    code, out, err = run(capsys, 'train', '--output', str(tmp_path / 'x.emb'), *argv)
    assert code == 2 and one_line(err) == 'author2vec: error: ' + message
    assert os.listdir(str(tmp_path)) == []


def test_flagged_names_only_the_parameters_an_error_names():
    from author2vec_keras.checks import ParameterError
    error = ParameterError("pairs must be one of 'edges', 'walks'; got 'both'", ['pairs'])
    assert cli._flagged(error) == "--pairs must be one of 'edges', 'walks'; got 'both'"
    error = ParameterError("random_state=3 in one model", ['random_state'])
    assert cli._flagged(error) == '--seed 3 in one model'  # not `model`: not named
    assert cli._flagged(ValueError('the model has no pairs')) == 'the model has no pairs'


def test_author2vec_model_needs_a_dataset_with_text(capsys):
    code, out, err = run(capsys, 'train', '--dataset', 'karate', '--model', 'author2vec')
    assert code == 2 and 'dataset with text' in err


@pytest.mark.slow
def test_train_full_author2vec_on_cane_cora(capsys, tmp_path):
    output = tmp_path / 'cora.emb'
    code, out, err = run(capsys, 'train', '--dataset', 'cane-cora', '--model', 'author2vec',
                         '--dim', '8', '--hidden-dim', '4', '--epochs', '1', '--negatives', '1',
                         '--batch-size', '1024', '--test-fraction', '0.2', '--quiet',
                         '--output', str(output))
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith('link prediction AUC: ')
    assert output.read_text().splitlines()[0].endswith(' 8')


# -- issue 26: bad input is one line, found before any work, leaving nothing behind -------------

def one_line(err):
    """The one stderr line (asserting there is exactly one)."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def flor(tmp_path):
    """networkx's Florentine families (15 nodes, 20 edges) as an edge list file."""
    path = tmp_path / 'flor.txt'
    nx.write_edgelist(nx.florentine_families_graph(), str(path), data=False)
    return path


SMALL = ['--dim', '8', '--hidden-dim', '4', '--negatives', '1', '--batch-size', '64',
         '--test-fraction', '0', '--quiet']


@pytest.mark.parametrize('argv, message', [
    (['train', '--dim', '0'], "argument --dim: expected a positive integer, got '0'"),
    (['train', '--model', 'gnn'], "argument --model: invalid choice: 'gnn'"),
    (['train', '--no-such-flag'], 'unrecognized arguments: --no-such-flag'),
    (['frobnicate'], "argument COMMAND: invalid choice: 'frobnicate'"),
    ([], 'the following arguments are required: COMMAND'),
    (['train', '--header', '--no-header'], 'argument --no-header: not allowed with argument '
                                           '--header'),
    (['benchmark', '--no-header', '--header'], 'argument --header: not allowed with argument '
                                               '--no-header'),
])
def test_usage_error_is_one_line_without_the_usage_block(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == ''
    line = one_line(err)
    assert line.startswith('author2vec: error: ') and message in line


def test_help_still_prints_the_usage(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(['benchmark', '--help'])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith('usage: author2vec benchmark')


@pytest.mark.parametrize('command', ['info', 'train'])
def test_unknown_device_is_one_line(capsys, monkeypatch, tmp_path, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv('AUTHOR2VEC_DEVICE', raising=False)
    code, out, err = run(capsys, command, '--device', 'foo')
    assert code == 2 and out == ''
    assert one_line(err) == ("author2vec: error: unknown device 'foo' (--device, "
                             "$AUTHOR2VEC_DEVICE or THEANO_FLAGS): expected 'cpu', 'cuda', "
                             "'cudaN' or 'openclP:D'")
    assert 'AUTHOR2VEC_DEVICE' not in os.environ and os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize('flag, path, parent', [
    ('--output', '/proc/x.emb', '/proc'),
    ('--output', '/sys/x.emb', '/sys'),
    ('--checkpoint-dir', '/proc/ck', '/proc'),
    ('--output', '{flor}/x.emb', '{flor}'),  # below a file: a directory that cannot be made
    ('--checkpoint-dir', '{flor}/ck/deeper', '{flor}'),
])
def test_unwritable_output_is_refused_before_any_work(capsys, tmp_path, flor, flag, path,
                                                      parent):
    path, parent = path.format(flor=flor), parent.format(flor=flor)
    code, out, err = run(capsys, 'train', '--edgelist', str(flor), flag, path, *SMALL)
    assert code == 2 and out == ''  # not even the graph was read
    assert one_line(err) == 'author2vec: error: %s %s: cannot write in %s' % (flag, path, parent)
    assert os.listdir(str(tmp_path)) == ['flor.txt']


@pytest.mark.parametrize('kind, message', [
    ('fifo', '--output {path} is a FIFO, not a file'),
    ('device', '--output {path} is a character device, not a file'),
    ('link to a device', '--output {path} is a character device, not a file'),
    ('the input', '--output {path} is the input --edgelist {flor}: it would be overwritten'),
    ('a link to the input', '--output {path} is the input --edgelist {flor}: it would be '
                            'overwritten'),
    ('the input less .json', '--output {path}.json is the input --edgelist {flor}: it would '
                             'be overwritten'),
])
def test_an_output_that_is_not_a_file_to_replace_is_refused_before_any_work(
        capsys, tmp_path, flor, kind, message):
    """A FIFO, a device (as root a rename replaces even /dev/full) or the input itself, named
    directly or through a symlink, is refused before the graph is read; nothing changes."""
    path = tmp_path / 'out.emb'
    if kind == 'fifo':
        os.mkfifo(str(path))
    elif kind in ('device', 'link to a device'):
        device = tmp_path / 'null' if kind == 'link to a device' else path
        try:
            os.mknod(str(device), stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip('cannot make a device node here')
        if kind == 'link to a device':
            path.symlink_to(device)
    elif kind == 'the input':
        path = flor
    elif kind == 'a link to the input':
        path.symlink_to(flor)
    else:
        path = tmp_path / 'flor'
        flor.rename(tmp_path / 'flor.json')
        flor = tmp_path / 'flor.json'
    before = {name: os.lstat(str(tmp_path / name)) for name in os.listdir(str(tmp_path))}
    code, out, err = run(capsys, 'train', '--edgelist', str(flor), '--output', str(path), *SMALL)
    assert code == 2 and out == ''  # not even the graph was read
    assert one_line(err) == 'author2vec: error: ' + message.format(path=path, flor=flor)
    after = {name: os.lstat(str(tmp_path / name)) for name in os.listdir(str(tmp_path))}
    assert {n: (s.st_mode, s.st_size, s.st_mtime_ns) for n, s in after.items()} == \
        {n: (s.st_mode, s.st_size, s.st_mtime_ns) for n, s in before.items()}


def test_output_to_its_own_redirected_stdout_is_refused(tmp_path, flor):
    """`--output /dev/stdout > log`: the link leads to `log`, which the write would replace
    (the rest of the output going to a deleted file): refused, `log` kept."""
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    log = tmp_path / 'log.txt'
    with open(str(log), 'w') as out:
        proc = subprocess.run([sys.executable, '-m', 'author2vec_keras.cli', 'train',
                               '--edgelist', str(flor), '--output', '/dev/stdout'] + SMALL,
                              stdout=out, stderr=subprocess.PIPE, text=True, timeout=600,
                              env=dict(os.environ, PYTHONPATH=root))
    assert proc.returncode == 2
    assert one_line(proc.stderr) == ("author2vec: error: --output /dev/stdout is this "
                                     "command's standard output: give a file name")
    assert log.read_text() == '' and sorted(os.listdir(str(tmp_path))) == ['flor.txt', 'log.txt']


@pytest.mark.skipif(os.geteuid() == 0, reason='root writes a read-only file')
def test_a_read_only_output_is_refused_before_any_work(capsys, tmp_path, flor):
    path = tmp_path / 'out.emb'
    path.write_text('old')
    os.chmod(str(path), 0o444)
    code, out, err = run(capsys, 'train', '--edgelist', str(flor), '--output', str(path), *SMALL)
    assert code == 2 and out == ''
    assert one_line(err) == 'author2vec: error: --output %s is read-only' % path
    assert path.read_text() == 'old'


def test_notices_of_created_folders_rewritten_ids_and_a_small_held_out_set(
        capsys, tmp_path, monkeypatch):
    """What the run did that the user did not ask for in words, one line each: the folders it
    made for --output, the ids written otherwise as word2vec tokens (how many, one example),
    and an AUC from a handful of held-out edges (a warning beside the AUC)."""
    graph = nx.relabel_nodes(nx.florentine_families_graph(), {'Medici': 'José García'})
    path = tmp_path / 'flor.csv'
    path.write_text(''.join('"%s","%s"\n' % e for e in graph.edges()), encoding='utf8')
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, 'train', '--edgelist', str(path), '--output',
                         'no/such/dir/x.emb', '--epochs', '1', '--test-fraction', '0.2',
                         *SMALL[:-3], '--quiet')
    assert code == 0, err
    held = int(re.search(r'held out (\d+) edges', out).group(1))
    assert 0 < held < 16 and out.strip().splitlines()[-1].startswith('link prediction AUC: ')
    assert err.splitlines() == [  # the warning of the protocol (evaluation.protocols)
        'author2vec: warning: the link prediction AUC comes from only %d held-out edges and %d '
        'non-edges: a chance-level AUC varies by +-%.2f (one standard error) on so few; hold out '
        'more (--test-fraction) for an AUC that means something'
        % (held, held, protocols.auc_standard_error(held, held)),
        "author2vec: notice: 1 node id written with its whitespace as _ (word2vec tokens are "
        "one word), e.g. 'José García' -> José_García",
        'author2vec: notice: --output: created the folders no/such/dir']
    assert (tmp_path / 'no/such/dir/x.emb').exists()


def test_an_immutable_output_is_refused_before_any_work_even_for_root(capsys, tmp_path, flor):
    """`chattr +i`: read-only for root too (a 0444 file is not, to root): refused before the
    graph is read, naming --output; the file kept."""
    import subprocess
    path = tmp_path / 'out.emb'
    path.write_text('old')
    if subprocess.run(['chattr', '+i', str(path)], capture_output=True).returncode != 0:
        pytest.skip('chattr +i does not work here')
    try:
        code, out, err = run(capsys, 'train', '--edgelist', str(flor), '--output', str(path),
                             *SMALL)
    finally:
        subprocess.run(['chattr', '-i', str(path)], check=True)
    assert code == 2 and out == ''
    assert one_line(err) == 'author2vec: error: --output %s is read-only' % path
    assert path.read_text() == 'old'


def test_a_write_that_fails_after_training_names_the_output(tmp_path, flor):
    """A file size limit (`ulimit -f`, as a full disk: the write fails part way): one line
    naming --output and the error (not the temporary file's name), exit 1, nothing left."""
    import resource
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    def limit():  # 1 MiB: above Theano's compiled modules, below the 1.3 MB embedding file
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 ** 20, 2 ** 20))

    out = tmp_path / 'out.emb'
    proc = subprocess.run(
        [sys.executable, '-m', 'author2vec_keras.cli', 'train', '--edgelist', str(flor),
         '--output', str(out), '--epochs', '1'] + SMALL[:1] + ['8192'] + SMALL[2:],
        cwd=str(tmp_path), env=dict(os.environ, PYTHONPATH=root), preexec_fn=limit,
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert one_line(proc.stderr) == 'author2vec: error: --output %s: cannot write it: File ' \
        'too large' % out
    assert sorted(os.listdir(str(tmp_path))) == ['flor.txt']


def test_an_output_that_is_a_symlink_is_written_through(capsys, tmp_path, flor):
    """The link stays, its target gets the embedding (the record goes beside the link)."""
    (tmp_path / 'real').mkdir()
    target = tmp_path / 'real' / 'vectors.emb'
    target.write_text('old')
    link = tmp_path / 'out.emb'
    link.symlink_to(target)
    code, out, err = run(capsys, 'train', '--edgelist', str(flor), '--output', str(link), *SMALL)
    assert code == 0, err
    assert link.is_symlink() and os.readlink(str(link)) == str(target)
    assert target.read_text().startswith('15 8\n')
    assert sorted(os.listdir(str(tmp_path))) == ['flor.txt', 'out.emb', 'out.emb.json', 'real']


def test_unwritable_benchmark_output_dir_is_refused(capsys, tmp_path):
    code, out, err = run(capsys, 'benchmark', '--dataset', 'karate', '--methods', 'jaccard',
                         '--quick', '--output-dir', '/proc/results')
    assert code == 2 and out == ''
    assert one_line(err) == 'author2vec: error: --output-dir /proc/results: cannot write in /proc'


def test_negatives_beyond_memory_are_refused_before_allocating(tmp_path, flor):
    """`--negatives 1000000000` on 15 nodes: refused by the memory guard, naming the flag and
    the figure. Run under a 4 GiB address-space limit, so that a guard that let it through
    fails on its first 7.45 GiB array instead of taking the machine down."""
    import resource
    import subprocess
    import sys

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (4 * 2 ** 30, 4 * 2 ** 30))

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root)
    proc = subprocess.run(
        [sys.executable, '-m', 'author2vec_keras.cli', 'train', '--edgelist', str(flor),
         '--epochs', '1', '--quiet', '--negatives', '1000000000', '--output',
         str(tmp_path / 'flor.emb')], cwd=str(tmp_path), env=env, preexec_fn=limit,
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr
    line = one_line(proc.stderr)
    assert re.fullmatch(r'author2vec: error: training 15 nodes x 128 dimensions needs about '
                        r'\d+\.\d GiB \(batch \d+\.\d GiB, sampling \d+\.\d GiB, process 0\.\d '
                        r'GiB\), but only [\d.]+ GiB is available \(the address-space limit, '
                        r'RLIMIT_AS\); lower --negatives '
                        r'\(1000000000\)', line), line
    assert sorted(os.listdir(str(tmp_path))) == ['flor.txt']


def test_partitions_with_walk_pairs_names_the_flags(capsys, tmp_path, flor):
    code, out, err = run(capsys, 'train', '--edgelist', str(flor), '--partitions', '2',
                         '--workdir', str(tmp_path / 'work'), '--pairs', 'walks', *SMALL)
    assert code == 2
    assert one_line(err) == ('author2vec: error: --pairs walks is not supported with '
                             '--partitions (out-of-core training trains on the edges, bucket by '
                             'bucket)')
    assert os.listdir(str(tmp_path)) == ['flor.txt']


def test_resume_without_a_checkpoint_starts_afresh_and_another_seed_is_refused(capsys, tmp_path,
                                                                               flor):
    ckpt, output = tmp_path / 'ck', tmp_path / 'flor.emb'
    verbose = [flag for flag in SMALL if flag != '--quiet']
    code, out, err = run(capsys, 'train', '--edgelist', str(flor), '--epochs', '1', *verbose,
                         '--checkpoint-dir', str(ckpt), '--resume', '--output', str(output))
    assert code == 0
    # verbose: the progress bars (tqdm) share stderr; the command's own lines are one notice
    assert [line for line in err.splitlines() if line.startswith('author2vec')] == [
        'author2vec: notice: --resume: no checkpoint in %s yet; training from scratch' % ckpt]
    assert 'no checkpoint in %s yet: training from scratch' % ckpt in out  # the estimator's
    umask = os.umask(0)
    os.umask(umask)
    for written in (output, tmp_path / 'flor.emb.json', ckpt / 'checkpoint.json'):
        assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask, written  # not 0600
    kept = {p.name: p.read_bytes() for p in ckpt.iterdir()}
    other = tmp_path / 'other.emb'
    code, out, err = run(capsys, 'train', '--edgelist', str(flor), '--epochs', '2', *SMALL,
                         '--checkpoint-dir', str(ckpt), '--resume', '--output', str(other),
                         '--seed', '6')
    assert code == 2
    assert one_line(err) == ('author2vec: error: the checkpoint in %s was made with other '
                             'parameters (random_state: 0 in the checkpoint, 6 now); use another '
                             '--checkpoint-dir or drop --resume' % ckpt)
    assert not other.exists() and {p.name: p.read_bytes() for p in ckpt.iterdir()} == kept


def test_resume_without_a_checkpoint_in_the_workdir_starts_afresh(capsys, tmp_path, flor):
    workdir = tmp_path / 'work'
    code, out, err = run(capsys, 'train', '--edgelist', str(flor), '--epochs', '1', *SMALL,
                         '--partitions', '2', '--workdir', str(workdir), '--resume',
                         '--output', str(tmp_path / 'flor.emb'))
    assert code == 0, err
    assert one_line(err) == ('author2vec: notice: --resume: no checkpoint in %s yet; training '
                             'from scratch' % workdir)
    assert (workdir / 'checkpoint.json').exists()
