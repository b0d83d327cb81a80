"""A user's own graph through the `author2vec` command, as a new user runs it (issue 14).

Each case runs `python -m author2vec_keras.cli` in a child process (exit status, stdout,
stderr, the files left behind), on files written the way public graphs come: SNAP with a header
line without '#', CSV `id_1,id_2` / `node_1,node_2`, label files `id,target` / `node label`,
made from the bundled real graphs. Bad input exits 2 with one line naming the file, line or flag
and writes nothing; a graph where nothing can be held out still trains.
"""
import json
import os
import subprocess
import sys
import warnings

import networkx as nx
import numpy as np
import pytest

from author2vec_keras import cli
from author2vec_keras.data import datasets
from author2vec_keras.data.graph import DataWarning
from author2vec_keras.training import memory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = ['--dim', '4', '--hidden-dim', '4', '--epochs', '1', '--negatives', '1',
        '--batch-size', '64', '--quiet']


def author2vec(*args, cwd):
    """Run the command in a child process: (exit status, stdout, stderr)."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    env.pop('AUTHOR2VEC_TRACEBACK', None)
    run = subprocess.run([sys.executable, '-m', 'author2vec_keras.cli'] + list(args), cwd=str(cwd),
                         env=env, capture_output=True, text=True, timeout=900)
    return run.returncode, run.stdout, run.stderr


def one_error_line(err):
    """The stderr of a refused run: exactly one line, `author2vec: error: ...`."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith('author2vec: error: ') and 'Traceback' not in err
    return lines[0]


def edges_of(name):
    """The edges of a bundled edge-list file, as written by its source (ids as text)."""
    path = datasets._file_path(name)
    with open(path) as f:
        return [line.split()[:2] for line in f if line.strip() and not line.startswith('#')]


def write(path, header, rows, sep):
    with open(str(path), 'w') as f:
        if header:
            f.write(sep.join(header) + '\n')
        f.writelines(sep.join(map(str, row)) + '\n' for row in rows)
    return str(path)


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """A user's download folder: SNAP TSV with a header, CSV edges and labels with headers."""
    d = tmp_path_factory.mktemp('downloads')
    grqc = edges_of('ca-GrQc/CA-GrQc.txt')
    cora = edges_of('openne_cora/cora_edgelist.txt')
    with open(datasets._file_path('openne_cora/cora_labels.txt')) as f:
        cora_labels = [line.split() for line in f if line.strip()]
    caves = nx.connected_caveman_graph(30, 8)
    return {
        'snap': write(d / 'CA-GrQc.txt', ['FromNodeId', 'ToNodeId'], grqc, '\t'),
        'grqc_csv': write(d / 'grqc_edges.csv', ['id_1', 'id_2'], grqc, ','),
        'cora': write(d / 'cora_edges.csv', ['node_1', 'node_2'], cora, ','),
        'cora_labels': write(d / 'cora_target.csv', ['id', 'target'], cora_labels, ','),
        'caves': write(d / 'caves.csv', ['source', 'target'], caves.edges(), ', '),
        'dir': d,
    }


# -- 1. trees and forests: train, write, one line saying there is no AUC ------------------------

def test_a_tree_trains_writes_embeddings_and_says_no_auc_in_one_line(tmp_path):
    path = write(tmp_path / 'path.txt', None, nx.path_graph(61).edges(), ' ')
    code, out, err = author2vec('train', '--edgelist', path, '--output', 'path.emb', *TINY,
                                cwd=tmp_path)
    assert code == 0, err
    notes = [l for l in out.splitlines() if 'AUC' in l]
    assert notes == ['no edge can be held out without disconnecting the graph (a tree or '
                     'forest): training on all 60 edges, no link prediction AUC']
    assert err == ''  # no warning about 0 held-out edges besides it
    assert (tmp_path / 'path.emb').read_text().splitlines()[0] == '61 4'
    record = json.loads((tmp_path / 'path.emb.json').read_text())
    assert record['link_prediction']['auc'] is None and record['edges'] == 60


def test_a_forest_and_a_three_node_path_train_in_process(tmp_path, capsys):
    # a star's hub is joined to every node: its edges take the leaf as source
    # and a 4-cycle, where --test-fraction 0.1 of 4 edges rounds to none
    for name, edges, n in (('forest', [(0, 1), (1, 2), (3, 4), (5, 6), (6, 7)], 8),
                           ('p3', [(0, 1), (1, 2)], 3), ('c4', nx.cycle_graph(4).edges(), 4)):
        path = write(tmp_path / (name + '.txt'), None, edges, ' ')
        code = cli.main(['train', '--edgelist', path, '--output', str(tmp_path / name) + '.emb']
                        + TINY)
        out, err = capsys.readouterr()
        assert code == 0, err
        assert 'no link prediction AUC' in out and 'link prediction AUC:' not in out
        assert (tmp_path / (name + '.emb')).read_text().splitlines()[0] == '%d 4' % n


def test_two_hubs_joined_to_everyone_train(tmp_path, capsys):
    """Hubs 0 and 1 joined to all 32 nodes (405 non-edges): the edge (0, 1) has no negative
    from either end, and trains against another source's (was refused, exit 2)."""
    ring = [(v, 2 + (v - 1) % 30) for v in range(2, 32)]
    edges = [(0, 1)] + [(h, v) for h in (0, 1) for v in range(2, 32)] + ring
    path = write(tmp_path / 'hubs.txt', None, edges, ' ')
    code = cli.main(['train', '--edgelist', path, '--output', str(tmp_path / 'hubs.emb')] + TINY)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert 'link prediction AUC:' in out
    assert (tmp_path / 'hubs.emb').read_text().splitlines()[0] == '32 4'


# -- 2. graphs too small to train: exit 2, one line, before training ----------------------------

@pytest.mark.parametrize('content, problem', [
    ('0 1\n', {'train': 'no possible negative for the edge (0, 1)',
               'benchmark': 'no edge can be held out'}),  # a tree, for link prediction
    ('a b\nb c\na c\n', 'no possible negative'),  # complete: no non-edge at all
    ('1 1\n2 2\n', 'the graph has no edges'),  # only self-loops
])
@pytest.mark.parametrize('command', [
    ['train', '--output', 'tiny.emb'],
    ['benchmark', '--task', 'link-prediction', '--quick', '--methods', 'line,jaccard',
     '--output-dir', 'out', '--no-progress'],
])
def test_too_small_graphs_exit_2_in_one_line_before_training(tmp_path, content, problem,
                                                             command):
    (tmp_path / 'tiny.txt').write_text(content)
    code, out, err = author2vec(command[0], '--edgelist', 'tiny.txt', *command[1:],
                                cwd=tmp_path)
    assert code == 2
    errors = [l for l in err.splitlines() if not l.startswith('author2vec: warning: ')]
    problem = problem[command[0]] if isinstance(problem, dict) else problem
    assert len(errors) == 1 and problem in one_error_line(errors[0])
    assert errors[0].startswith('author2vec: error: tiny.txt: ')  # issue 26: names the file
    assert 'held out' not in out  # refused before the split and the training
    assert sorted(os.listdir(str(tmp_path))) == ['tiny.txt']


# -- 3. the memory guard refuses with the figure, before allocating -----------------------------

def test_memory_guard_refuses_before_allocating(tmp_path, files):
    code, out, err = author2vec('train', '--edgelist', files['cora'], '--dim', '100000000',
                                '--output', 'big.emb', cwd=tmp_path)
    assert code == 2
    line = [l for l in err.splitlines() if 'error' in l][0]
    need = memory.estimate_training_memory(2708, 10 ** 8, num_edges=5278)
    assert 'needs about %.1f GiB' % (need / 2.0 ** 30) in line and 'lower --dim' in line
    assert os.listdir(str(tmp_path)) == []


def test_memory_estimate_counts_optimizer_slots_per_optimizer():
    table = 4 * 1000 * 64

    def part(optimizer, dense=False):
        return memory.estimate_training_memory(1000, 64, optimizer=optimizer,
                                               dense_updates=dense, parts=True)['table']
    assert part('adagrad') - part('sgd') == table == part('adam') - part('adagrad')
    assert part('RowAdam') == part('adam') and part('Adam', dense=True) > part('adam')
    # Keras' stock SGD: its momentum buffer and the table's dense gradient
    assert part('sgd', dense=True) - part('sgd') == 2 * table
    with pytest.raises(MemoryError, match=r'1000000000 nodes x 128 dimensions needs about '
                                          r'[\d.]+ GiB \(table [\d.]+ GiB'):
        memory.check_table_fits(10 ** 9, 128, available=16 * 2 ** 30)
    assert memory.check_table_fits(1000, 10, available=16 * 2 ** 30) == \
        memory.estimate_training_memory(1000, 10)


def test_memory_estimate_covers_every_measured_peak():
    """results/memory.json (benchmarks/memory.py): real `author2vec train` runs' peak RSS."""
    with open(os.path.join(ROOT, 'results', 'memory.json')) as f:
        runs = json.load(f)['runs']
    assert len(runs) >= 8 and all(r['exit'] == 0 for r in runs)
    for r in runs:
        est = memory.estimate_training_memory(
            r['nodes'], r['dim'], hidden_dim=r['hidden_dim'], batch_size=r['batch_size'],
            optimizer=r['optimizer'], dense_updates=r['dense_updates'], num_edges=r['edges'],
            negatives=r.get('negatives', 1))
        assert r['peak_rss'] <= est <= 2 * r['peak_rss'] + 2 ** 30, r


def test_memory_estimate_covers_the_workers_measured_pss():
    """results/memory_workers.json (`benchmarks/memory.py --workers`): `train --workers N`, the
    summed PSS of the process and its workers under the estimate for N workers, which grows
    with N (each worker's own batches) and by less than a table per worker (shared)."""
    with open(os.path.join(ROOT, 'results', 'memory_workers.json')) as f:
        runs = json.load(f)['runs']
    assert sorted(r['workers'] for r in runs) == [1, 2, 3] and all(r['exit'] == 0 for r in runs)
    for r in runs:
        est = memory.estimate_training_memory(r['nodes'], r['dim'], num_edges=2 * r['nodes'],
                                               negatives=1, workers=r['workers'])
        assert r['peak_pss_total'] <= est <= 2 * r['peak_pss_total'] + 2 ** 30, r
    one, two = (memory.estimate_training_memory(10 ** 6, 128, workers=n) for n in (1, 2))
    assert memory.WORKER_BYTES < two - one < 4.0 * 10 ** 6 * 128


# -- 4. seeds outside numpy's range --------------------------------------------------------------

@pytest.mark.parametrize('seed', ['-1', '99999999999', '4294967296', 'x'])
def test_seed_out_of_range_exits_2_naming_seed(tmp_path, files, seed):
    code, out, err = author2vec('train', '--edgelist', files['caves'], '--seed', seed,
                                cwd=tmp_path)
    assert code == 2
    assert 'argument --seed: expected an integer from 0 to 4294967295' in err
    assert 'Traceback' not in err and os.listdir(str(tmp_path)) == []
    assert cli.build_parser().parse_args(['train', '--seed', '4294967295']).seed == 2 ** 32 - 1


def test_an_output_that_cannot_be_written_is_refused_before_training(tmp_path, files, capsys):
    (tmp_path / 'adir').mkdir()
    code = cli.main(['train', '--edgelist', files['caves'], '--output', str(tmp_path / 'adir')])
    assert code == 2 and 'is a directory, not a file' in capsys.readouterr().err
    assert os.listdir(str(tmp_path)) == ['adir']


# -- 5. benchmark flags: validated as in train, nothing written on refusal ---------------------

@pytest.mark.parametrize('argv, problem', [
    (['--dim', '-5'], 'argument --dim'),
    (['--epochs', '0'], 'argument --epochs'),
    (['--seeds', '0'], 'argument --seeds'),
    (['--shuffles', '0'], 'argument --shuffles'),
    (['--p', '0'], 'argument --p'),
    (['--q', 'inf'], 'argument --q'),
    (['--methods', ''], '--methods: no method given'),
    (['--methods', 'deepwalk,gcn'], "unknown method 'gcn'"),
    (['--methods', 'jaccard', '--task', 'clustering'], 'jaccard is a link heuristic'),
    (['--task', 'node-classification'], 'node classification needs labels: --labels FILE'),
    (['--methods', 'author2vec', '--dim', '100000000'], 'needs about'),
    (['--dataset', 'karate'], 'not allowed with argument --edgelist'),
])
def test_benchmark_refuses_bad_flags_and_writes_nothing(tmp_path, files, capsys, argv, problem):
    out_dir = tmp_path / 'out'
    code = None
    try:
        code = cli.main(['benchmark', '--edgelist', files['caves'], '--output-dir', str(out_dir),
                         '--no-progress'] + argv)
    except SystemExit as e:  # argparse
        code = e.code
    err = capsys.readouterr().err
    assert code == 2 and problem in err and 'Traceback' not in err
    assert not out_dir.exists()


def test_benchmark_refusals_through_the_command(tmp_path, files):
    (tmp_path / 'taken').write_text('a file')
    for argv, problem in ((['--output-dir', 'taken'], '--output-dir taken is a file'),
                          (['--labels', files['cora_labels']], 'go with --edgelist'),
                          (['--edgelist', write(tmp_path / 'tree.txt', None,
                                                nx.balanced_tree(2, 3).edges(), ' '),
                            '--output-dir', 'out'], 'a tree or forest')):
        code, out, err = author2vec('benchmark', '--quick', *argv, cwd=tmp_path)
        assert code == 2 and problem in one_error_line(err)
    assert sorted(os.listdir(str(tmp_path))) == ['taken', 'tree.txt']


# -- 6, 7, 8. header lines, binary files, one-line warnings --------------------------------------

def test_header_lines_through_the_command(tmp_path, files):
    # a header read as such: test_train_on_a_graph_with_clear_structure_... (one training)
    two = write(tmp_path / 'two.csv', ['id_1', 'id_2'], [('from', 'to')] + list(
        nx.connected_caveman_graph(3, 4).edges()), ',')
    for flags, line in (([], 2), (['--header'], 2), (['--no-header'], 1)):
        code, out, err = author2vec('train', '--edgelist', two, '--output', 't.emb', *flags,
                                    cwd=tmp_path)
        assert code == 2
        msg = one_error_line(err)
        assert '%s:%d: not data' % (two, line) in msg and 'one header line' in msg
    code, out, err = author2vec('train', '--edgelist', files['caves'], '--no-header',
                                '--output', 't.emb', cwd=tmp_path)
    assert code == 2 and "%s:1: not data: 'source'" % files['caves'] in one_error_line(err)
    assert sorted(os.listdir(str(tmp_path))) == ['two.csv']


def test_binary_file_is_refused_in_one_line_without_mojibake(tmp_path):
    (tmp_path / 'graph.bin').write_bytes(np.random.default_rng(0).bytes(4000))
    (tmp_path / 'graph.xlsx').write_bytes(b'PK\x03\x04\x14\x00\x06\x00' + bytes(200))
    for name, kind in (('graph.bin', 'binary data'), ('graph.xlsx', 'ZIP archive')):
        code, out, err = author2vec('train', '--edgelist', name, cwd=tmp_path)
        line = one_error_line(err)
        assert code == 2 and line.startswith('author2vec: error: %s: not a text edge list: '
                                             % name) and kind in line
        assert line.isascii() and len(line) < 120
    assert sorted(os.listdir(str(tmp_path))) == ['graph.bin', 'graph.xlsx']


def test_warnings_take_one_line_each(tmp_path):
    path = write(tmp_path / 'g.csv', ['FromNodeId', 'ToNodeId'],
                 [(0, 0)] + list(nx.connected_caveman_graph(4, 5).edges()) + [(1, 2)], ',')
    code, out, err = author2vec('train', '--edgelist', path, '--output', 'g.emb',
                                '--optimizer', 'RMSprop', '--test-fraction', '0.9', *TINY,
                                cwd=tmp_path)
    assert code == 0, err
    lines = err.splitlines()
    assert all(l.startswith('author2vec: warning: ') for l in lines), err
    text = '\n'.join(lines)
    for what in ('skipped header line', 'dropped 1 self-loop', 'merged 1 duplicate edge',
                 'test_fraction=0.9 asks for', 'RMSprop has no row-wise version'):
        assert text.count(what) == 1, err


def test_warnings_are_restored_after_main(capsys):
    before = warnings.showwarning
    cli.main(['datasets'])
    assert warnings.showwarning is before


# -- 9. benchmark on your own files ------------------------------------------------------------

def test_benchmark_own_edge_list_random_near_half_adamic_adar_well_above(tmp_path, files):
    code, out, err = author2vec('benchmark', '--edgelist', files['snap'], '--methods',
                                'random,adamic-adar,common-neighbours', '--no-progress',
                                '--output-dir', 'out', cwd=tmp_path)
    assert code == 0, err
    assert err.splitlines() == ["author2vec: warning: %s:1: skipped header line "
                                "'FromNodeId\\tToNodeId'" % files['snap'],
                                'author2vec: warning: dropped 12 self-loops',  # as SNAP's file
                                'author2vec: warning: merged 14484 duplicate edges (14484 of '
                                'them `v u` after `u v`)']  # SNAP lists both directions
    assert sorted(os.listdir(str(tmp_path / 'out'))) == [
        'link-prediction_CA-GrQc.json', 'link-prediction_CA-GrQc.md',
        'link-prediction_CA-GrQc.png']
    res = json.loads((tmp_path / 'out' / 'link-prediction_CA-GrQc.json').read_text())
    assert res['dataset'] == 'CA-GrQc' and res['published'] == {}
    assert res['graph'] == {'nodes': 5242, 'edges': 14484}  # as the bundled ca-grqc
    auc = {m: s['own/auc'][0] for m, s in res['summary'].items()}
    assert abs(auc['random'] - 0.5) < 0.02, auc
    # measured: random 0.4996, Adamic-Adar 0.8516 (half of the edges held out)
    assert auc['adamic-adar'] > 0.8 and auc['adamic-adar'] > auc['random'] + 0.3, auc
    assert '# link-prediction on CA-GrQc' in out.replace('##', '#')


def test_benchmark_node_classification_with_a_labels_file(tmp_path, files):
    code, out, err = author2vec('benchmark', '--edgelist', files['cora'], '--labels',
                                files['cora_labels'], '--task', 'node-classification',
                                '--methods', 'deepwalk,random', '--quick', '--no-progress',
                                '--output-dir', 'out', cwd=tmp_path)
    assert code == 0, err
    assert len(err.splitlines()) == 3 and err.count('skipped header line') == 2
    assert 'warning: merged 151 duplicate edges (151 of them `v u` after `u v`)' in err  # cites
    res = json.loads((tmp_path / 'out' / 'node-classification_cora_edges_quick.json')
                     .read_text())
    micro = {m: s['0.5/micro'][0] for m, s in res['summary'].items()}
    # Cora: 7 classes, the largest 30% of the papers; DeepWalk (2 short walks per node) well
    # above chance
    assert 0.15 < micro['random'] < 0.4 and micro['deepwalk'] > micro['random'] + 0.2, micro


def test_labels_multi_label_and_unknown_nodes(tmp_path, capsys):
    g = write(tmp_path / 'g.csv', ['node_1', 'node_2'], nx.karate_club_graph().edges(), ',')
    club = nx.get_node_attributes(nx.karate_club_graph(), 'club')
    rows = [(v, c.replace(' ', '_'), 'even' if v % 2 == 0 else 'odd')
            for v, c in club.items()] + [(99, 'x', 'y')]
    labels = write(tmp_path / 'labels.txt', ['node', 'labels'], rows, ' ')
    with pytest.warns(DataWarning) as caught:
        ds = datasets.from_files(g, labels=labels)
    assert ds.name == 'g' and ds.labels.shape == (34, 4) and ds.multilabel
    assert ds.label_names == ['Mr._Hi', 'Officer', 'even', 'odd']
    assert any('1 of its 35 labelled nodes are not in the graph' in str(w.message)
               for w in caught)
    code = cli.main(['benchmark', '--edgelist', g, '--labels', labels, '--task',
                     'node-classification', '--methods', 'spectral', '--quick',
                     '--no-progress', '--output-dir', str(tmp_path / 'out')])
    assert code == 0, capsys.readouterr().err
    bad = write(tmp_path / 'other.txt', None, [('a', 1), ('b', 2)], ' ')
    code = cli.main(['benchmark', '--edgelist', g, '--labels', bad, '--task', 'clustering',
                     '--output-dir', str(tmp_path / 'out2')])
    assert code == 2 and 'none of its 2 labelled nodes' in capsys.readouterr().err
    assert not (tmp_path / 'out2').exists()


@pytest.mark.parametrize('rows, problem', [
    ([(v, 'club') for v in range(34)], 'needs at least 2 classes, the labels have 1'),  # 100.00
    ([(0, 'a'), (1, 'b')], 'at least 2 labelled nodes of each class'),  # was 0.00
])
def test_node_classification_refuses_labels_it_cannot_score(tmp_path, capsys, rows, problem):
    g = write(tmp_path / 'g.txt', None, nx.karate_club_graph().edges(), ' ')
    labels = write(tmp_path / 'labels.txt', None, rows, ' ')
    code = cli.main(['benchmark', '--edgelist', g, '--labels', labels, '--task',
                     'node-classification', '--methods', 'random', '--quick', '--no-progress',
                     '--output-dir', str(tmp_path / 'out')])
    err = capsys.readouterr().err
    assert code == 2 and problem in one_error_line(err) and '%s: ' % labels in err
    assert not (tmp_path / 'out').exists()


def test_a_failing_method_exits_1_after_writing_the_others(tmp_path, files, capsys,
                                                           monkeypatch):
    def boom(self, graph, y=None):
        raise RuntimeError('kaput')
    from author2vec_keras.evaluation import baselines
    monkeypatch.setattr(baselines.SpectralEmbedding, 'fit', boom)
    code = cli.main(['benchmark', '--edgelist', files['caves'], '--task', 'clustering',
                     '--methods', 'spectral,random', '--quick', '--no-progress',
                     '--output-dir', str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    line = err.strip().splitlines()[-1]
    assert line.startswith('author2vec: error: 1 of 2 methods failed (spectral: RuntimeError: '
                           'kaput)')
    res = json.loads((tmp_path / 'clustering_caves_quick.json').read_text())
    assert 'louvain/nmi' in res['summary']['random']


# -- values through the command ---------------------------------------------------------------

@pytest.mark.core
def test_train_on_a_graph_with_clear_structure_reaches_auc_above_0_8(tmp_path, files):
    code, out, err = author2vec('train', '--edgelist', files['caves'], '--output', 'c.emb',
                                '--dim', '16', '--hidden-dim', '8', '--epochs', '20',
                                '--batch-size', '64', '--test-fraction', '0.2', '--quiet',
                                cwd=tmp_path)
    assert code == 0, err
    assert err.splitlines() == ["author2vec: warning: %s:1: skipped header line "
                                "'source, target'" % files['caves']]  # CSV, ', ' separated
    assert (tmp_path / 'c.emb').read_text().splitlines()[0] == '240 16'
    auc = float(out.strip().splitlines()[-1].split('link prediction AUC: ')[1])
    assert auc > 0.8, out  # measured 0.99


# -- fuzz: small edge lists, header variants, separators and flags -----------------------------

from hypothesis import HealthCheck, event, given, settings, strategies as st  # noqa: E402

INT_IDS = st.integers(0, 15)
ANY_IDS = st.one_of(st.integers(0, 15), st.sampled_from(['a', 'b', 'c', 'x_1', '07', '-3']))
HEADERS = ['', 'FromNodeId\tToNodeId\n', 'id_1,id_2\n', 'node_1, node_2\n',
           'source target weight\n', '# comment\n', 'id_1,id_2\nsrc,dst\n', '5\n',
           '1 2 w\n']
SEPARATORS = [' ', '\t', ',', ', ', ' ,\t']
TRAIN_FLAGS = [[], ['--directed'], ['--header'], ['--no-header'], ['--test-fraction', '0'],
               ['--test-fraction', '0.5'], ['--sampling', 'degree'], ['--seed', '7'],
               ['--seed', '-1'], ['--dim', '0'], ['--optimizer', 'sgd']]
BENCH_FLAGS = [[], ['--directed'], ['--header'], ['--no-header'], ['--seeds', '2'],
               ['--task', 'clustering'], ['--task', 'outliers'], ['--methods', 'jaccard'],
               ['--methods', 'nope'], ['--epochs', '0']]


@st.composite
def edge_files(draw):
    ids = draw(st.sampled_from([INT_IDS, INT_IDS, INT_IDS, ANY_IDS]))
    edges = draw(st.lists(st.tuples(ids, ids), max_size=40))
    weighted = draw(st.booleans())
    sep = draw(st.sampled_from(SEPARATORS))
    weights = st.sampled_from(['1', '0.5', '2e1', '3'] * 5 + ['nan'])
    rows = [sep.join(map(str, e + ((draw(weights),) if weighted else ()))) for e in edges]
    newline = draw(st.sampled_from(['\n', '\r\n']))
    return draw(st.sampled_from(HEADERS)) + newline.join(rows) + newline


@settings(max_examples=int(os.environ.get('FUZZ_EXAMPLES', 25)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=edge_files(), command=st.sampled_from(['benchmark', 'benchmark', 'train']),
       flags=st.lists(st.integers(0, 100), max_size=3))
def test_fuzz_own_files_exit_0_or_2_never_a_traceback(tmp_path_factory, capsys, content,
                                                      command, flags):
    d = tmp_path_factory.mktemp('fuzz')
    (d / 'g.txt').write_text(content)
    choices = TRAIN_FLAGS if command == 'train' else BENCH_FLAGS
    extra = [t for k in flags for t in choices[k % len(choices)]]
    if command == 'train':  # one tiny model: the Theano compile cache is reused
        argv = ['train', '--edgelist', str(d / 'g.txt'), '--output', str(d / 'g.emb'),
                '--dim', '2', '--hidden-dim', '2', '--epochs', '1', '--negatives', '1',
                '--batch-size', '16', '--quiet'] + extra
    else:
        methods = 'random,spectral' if '--task' in extra else 'random,adamic-adar,spectral'
        argv = ['benchmark', '--edgelist', str(d / 'g.txt'), '--output-dir', str(d / 'out'),
                '--methods', methods, '--quick', '--no-progress'] + extra
    try:
        code = cli.main(argv)
    except SystemExit as e:  # argparse
        code = e.code
    out, err = capsys.readouterr()
    event('%s exit %s' % (command, code))
    assert code in (0, 2), (argv, content, err)
    assert 'Traceback' not in err
    assert all(l.startswith('author2vec') or l.startswith('usage:') or l.startswith(' ')
               for l in err.splitlines()), err
    written = sorted(os.listdir(str(d)))
    if code == 2:
        assert written == ['g.txt'], (argv, content, err)
    elif command == 'train':
        assert written == ['g.emb', 'g.emb.json', 'g.txt']
    else:
        assert len(os.listdir(str(d / 'out'))) == 3


def test_quoted_csv_ids_with_spaces_and_a_reversed_duplicate_train(tmp_path, capsys):
    # issue 26 (12): quoted CSV was refused; `v u` after `u v` was merged without a word
    edges = [('%s family' % u, '%s family' % v) for u, v in nx.florentine_families_graph().edges()]
    rows = ['"%s","%s"' % e for e in edges] + ['"%s","%s"' % edges[0][::-1]]
    (tmp_path / 'florence.csv').write_text('\n'.join(rows) + '\n')
    code = cli.main(['train', '--edgelist', str(tmp_path / 'florence.csv'), '--output',
                     str(tmp_path / 'florence.emb'), '--test-fraction', '0'] + TINY)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == 'author2vec: warning: merged 1 duplicate edge (1 of them `v u` after `u v`)\n' \
        "author2vec: notice: 15 node ids written with their whitespace as _ (word2vec tokens " \
        "are one word), e.g. 'Acciaiuoli family' -> Acciaiuoli_family\n"
    assert '15 nodes, 20 edges' in out
    words = [l.split()[0] for l in (tmp_path / 'florence.emb').read_text().splitlines()[1:]]
    assert 'Medici_family' in words and len(words) == 15
    assert sorted(os.listdir(str(tmp_path))) == ['florence.csv', 'florence.emb',
                                                 'florence.emb.json']


def test_two_ids_that_write_the_same_word2vec_token_are_refused_before_training(tmp_path,
                                                                                  capsys):
    # issue 35 (6): `"Ana Lopez"` and `Ana_Lopez` both write `Ana_Lopez`; refused after all
    # the epochs before, now before the split and the training
    rows = ['"Ana Lopez",Bea', 'Ana_Lopez,Carl', 'Bea,Carl', 'Carl,Dan', 'Dan,Bea']
    (tmp_path / 'names.csv').write_text('\n'.join(rows) + '\n')
    code = cli.main(['train', '--edgelist', str(tmp_path / 'names.csv'), '--output',
                     str(tmp_path / 'names.emb')] + TINY)
    out, err = capsys.readouterr()
    assert code == 2 and out == ''
    assert one_error_line(err) == ("author2vec: error: %s: node ids 'Ana Lopez' and 'Ana_Lopez' "
                                   "give the same word2vec token 'Ana_Lopez': rename one"
                                   % (tmp_path / 'names.csv'))
    assert os.listdir(str(tmp_path)) == ['names.csv']
