"""`run_benchmark` quick mode on small graphs: files, JSON fields, table, flags."""
import json
import os

import networkx as nx
import pytest

from author2vec_keras import cli
from author2vec_keras.data.graph import Graph
from author2vec_keras.evaluation import baselines, benchmark
from author2vec_keras.training.estimator import Author2Vec

FAST = 'common-neighbours,adamic-adar,deepwalk,line,spectral,random'


def test_quick_link_prediction_on_karate(tmp_path, capsys):
    path = benchmark.run_benchmark('karate', 'link-prediction', methods=FAST, seeds=2,
                                   quick=True, output_dir=str(tmp_path), command='test',
                                   progress=False)
    assert os.path.basename(path) == 'link-prediction_karate_quick.json'
    res = json.load(open(path))
    assert res['command'] == 'test' and res['seeds'] == [0, 1] and res['quick']
    assert res['versions']['numpy'] and res['versions']['gensim']
    assert set(res['runs']) == set(FAST.split(','))
    for m, runs in res['runs'].items():
        assert len(runs) == 2 and all('error' not in r for r in runs), runs
        assert all(r['timings'] for r in runs)
        assert all(len(r['loadavg']) == 2 and r['loadavg'][0] >= 0 for r in runs)
        assert all(r['cpu_seconds'] >= 0 for r in runs)
    mean, std, n = res['summary']['deepwalk']['hadamard/auc']
    assert 0 <= mean <= 1 and n == 2
    assert 'own/auc' in res['summary']['adamic-adar']
    assert os.path.exists(str(tmp_path / 'link-prediction_karate_quick.md'))
    assert os.path.getsize(str(tmp_path / 'link-prediction_karate_quick.png')) > 1000
    out = capsys.readouterr().out
    assert '| deepwalk |' in out and '+/-' in out


@pytest.mark.parametrize('task', ['node-classification', 'clustering', 'outliers'])
def test_quick_other_tasks_on_karate(tmp_path, task):
    path = benchmark.run_benchmark('karate', task, methods='spectral,random', quick=True,
                                   output_dir=str(tmp_path), progress=False)
    res = json.load(open(path))
    for runs in res['runs'].values():
        assert all('error' not in r for r in runs), runs
    s = res['summary']['spectral']
    key = {'node-classification': '0.5/micro', 'clustering': 'labels/nmi',
           'outliers': 'knn/auc'}[task]
    assert key in s
    md = open(path[:-5] + '.md').read()
    assert '| spectral |' in md


def test_graph_input_and_errors(tmp_path):
    g = Graph.from_networkx(nx.connected_caveman_graph(5, 6))
    path = benchmark.run_benchmark(g, 'clustering', methods=['random'], quick=True,
                                   output_dir=str(tmp_path), progress=False)
    assert 'louvain/nmi' in json.load(open(path))['summary']['random']
    with pytest.raises(ValueError, match='unknown method'):
        benchmark.run_benchmark(g, 'clustering', methods='nope', output_dir=str(tmp_path))
    with pytest.raises(ValueError, match='no labels'):
        benchmark.run_benchmark(g, 'node-classification', methods='random',
                                output_dir=str(tmp_path))
    with pytest.raises(ValueError, match='link heuristic'):
        benchmark.run_benchmark(g, 'clustering', methods='jaccard', output_dir=str(tmp_path))


def test_a_failing_method_is_recorded_not_fatal(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError('kaput')
    monkeypatch.setattr(baselines.SpectralEmbedding, 'fit', boom)
    path = benchmark.run_benchmark('karate', 'clustering', methods='spectral,random',
                                   quick=True, output_dir=str(tmp_path), progress=False)
    res = json.load(open(path))
    assert res['runs']['spectral'][0]['error'] == 'RuntimeError: kaput'
    assert 'random' in res['summary'] and 'kaput' in open(path[:-5] + '.md').read()


def test_benchmark_arguments_in_the_cli():
    p = cli.build_parser()
    args = p.parse_args(['benchmark', '--dataset', 'cora', '--task', 'clustering', '--methods',
                         'deepwalk,line', '--seeds', '3', '--quick', '--output-dir', 'x'])
    assert (args.dataset, args.task, args.methods, args.seeds, args.quick, args.output_dir) == \
        ('cora', 'clustering', 'deepwalk,line', 3, True, 'x')
    assert (args.dim, args.epochs) == (None, None)  # unset: the benchmark's settings decide
    assert (benchmark.method_settings(False, 128)['a2v_epochs'],
            benchmark.method_settings(True, 128)['dim']) == (Author2Vec().epochs, 16)
    for bad in (['--task', 'nope'], ['--dim', '-5'], ['--epochs', '0'], ['--seeds', '0'],
                ['--p', '0']):
        with pytest.raises(SystemExit):
            p.parse_args(['benchmark'] + bad)


def test_quick_mode_trains_enough_on_a_small_graph():
    """A small graph's one quick epoch is a few gradient steps: the budget is raised."""
    import networkx as nx

    from author2vec_keras.data.readers import as_graph
    small = as_graph(nx.les_miserables_graph())  # 77 nodes, 254 edges
    s = benchmark.method_settings(True, 128, small)
    assert s['a2v_epochs'] * small.num_edges >= benchmark.QUICK_PAIRS
    assert s['num_walks'] * 20 * small.num_nodes >= benchmark.QUICK_WALK_TOKENS
    big = benchmark.method_settings(True, 128, as_graph(nx.barabasi_albert_graph(20000, 3, seed=0)))
    assert (big['a2v_epochs'], big['num_walks']) == (1, 2)  # a large graph: the small budget


def test_resume_keeps_finished_methods(tmp_path):
    out = str(tmp_path)
    path = benchmark.run_benchmark('karate', 'clustering', methods='random', quick=True,
                                   output_dir=out, progress=False)
    first = json.load(open(path))['runs']['random']
    path = benchmark.run_benchmark('karate', 'clustering', methods='random,spectral', quick=True,
                                   output_dir=out, resume=True, epochs=2, progress=False)
    res = json.load(open(path))
    assert res['runs']['random'] == first and 'random' in res['resumed']
    assert res['runs']['spectral'] and res['settings']['a2v_epochs'] == 2
    assert 'kept from the earlier run' in open(path[:-5] + '.md').read()


def test_resume_keeps_the_finished_seeds_of_a_stopped_run(tmp_path):
    # issue 33: a 5-seed table stopped after 3 seeds goes on at seed 3, not from seed 0
    out = str(tmp_path)
    kw = dict(methods='random', quick=True, output_dir=out, progress=False)
    first = json.load(open(benchmark.run_benchmark('karate', 'clustering', **kw)))['runs']
    res = json.load(open(benchmark.run_benchmark('karate', 'clustering', seeds=2, resume=True,
                                                 **kw)))
    assert [r['seed'] for r in res['runs']['random']] == [0, 1]
    assert res['runs']['random'][0] == first['random'][0] and 'resumed' not in res
    other = json.load(open(benchmark.run_benchmark('karate', 'clustering', seeds=3, resume=True,
                                                   epochs=2, **kw)))  # other settings: all again
    assert [r['seed'] for r in other['runs']['random']] == [0, 1, 2]
    assert other['runs']['random'][0] != first['random'][0]


def test_rerun_replaces_a_finished_methods_rows_and_keeps_the_others(tmp_path, capsys):
    # issue 35 (10): after a change to a method (spectral standardised), its committed rows are
    # run again without losing the others'; bad uses are one line, exit 2, before any run
    out = str(tmp_path)
    common = ['benchmark', '--dataset', 'karate', '--task', 'clustering', '--quick',
              '--output-dir', out, '--no-progress']
    assert cli.main(common + ['--methods', 'random,spectral']) == 0
    path = tmp_path / 'clustering_karate_quick.json'
    first = json.load(open(path))['runs']
    first['spectral'][0]['metrics'] = 'a row of the old method'
    json.dump(dict(json.load(open(path)), runs=first), open(path, 'w'))
    assert cli.main(common + ['--methods', 'random,spectral', '--resume',
                              '--rerun', 'spectral']) == 0
    res = json.load(open(path))
    assert res['runs']['random'] == first['random']
    assert res['runs']['spectral'][0]['metrics'] != 'a row of the old method'
    assert 'spectral' not in res.get('resumed', {}) and 'random' in res['resumed']
    capsys.readouterr()
    for bad, message in [(['--methods', 'random', '--resume', '--rerun', 'spectral'],
                          'spectral is not among the methods'),
                         (['--methods', 'spectral', '--rerun', 'spectral'],
                          '--rerun goes with --resume'),
                         (['--resume', '--rerun', 'nope'], '--rerun: ')]:
        assert cli.main(common + bad) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err, err


def test_resume_with_other_methods_merges_never_drops(tmp_path, capsys):
    # issue 26 (3): resuming with some methods rewrote the files with those methods only
    out = str(tmp_path)
    common = ['benchmark', '--dataset', 'karate', '--task', 'clustering', '--quick',
              '--output-dir', out, '--no-progress']
    assert cli.main(common + ['--methods', 'random,spectral']) == 0
    first = json.load(open(tmp_path / 'clustering_karate_quick.json'))['runs']
    capsys.readouterr()
    assert cli.main(common + ['--methods', 'line', '--resume']) == 0
    assert capsys.readouterr().err == ''
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'clustering_karate_quick.%s' % ext for ext in ('json', 'md', 'png')]
    res = json.load(open(tmp_path / 'clustering_karate_quick.json'))
    assert res['methods'] == ['random', 'spectral', 'line']
    assert res['runs']['random'] == first['random'] and res['runs']['spectral'] == first['spectral']
    assert set(res['summary']) == {'random', 'spectral', 'line'}
    table = open(tmp_path / 'clustering_karate_quick.md').read()
    assert all('| %s ' % m in table for m in ('random', 'spectral', 'line')), table


def test_line_on_karate_is_finite(tmp_path, capsys):
    # issue 26 (10): LINE's summed hub updates overflowed to NaN vectors on karate
    code = cli.main(['benchmark', '--dataset', 'karate', '--task', 'link-prediction',
                     '--seeds', '1', '--methods', 'line', '--output-dir', str(tmp_path),
                     '--no-progress'])
    assert (code, capsys.readouterr().err) == (0, '')
    run, = json.load(open(tmp_path / 'link-prediction_karate.json'))['runs']['line']
    assert 0.5 < run['metrics']['hadamard']['auc'] <= 1


def test_quick_line_is_above_chance():
    # issue 26 (10): two quick epochs of LINE were at chance (AUC 0.50)
    from author2vec_keras.data import datasets
    from author2vec_keras.evaluation import pipeline
    setup = pipeline.prepare('link-prediction', datasets.load('cora').graph, seed=0,
                             test_fraction=0.5)
    metrics, _ = pipeline.fit_and_score(benchmark.make_method('line', quick=True), setup,
                                        seed=0)
    assert metrics['own']['auc'] > 0.58 and metrics['hadamard']['auc'] > 0.58, metrics


def test_a_diverging_baseline_fails_in_one_line(tmp_path, capsys, monkeypatch):
    # issue 26 (10): a NaN table ended in scikit-learn's many-line message
    make = benchmark.make_method

    def diverging_line(name, **kw):
        if name == 'line':
            return baselines.LINE(dim=8, learning_rate=1e300, min_samples=5000)
        return make(name, **kw)
    monkeypatch.setattr(benchmark, 'make_method', diverging_line)
    code = cli.main(['benchmark', '--dataset', 'karate', '--task', 'link-prediction',
                     '--quick', '--methods', 'line,jaccard', '--output-dir', str(tmp_path),
                     '--no-progress'])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count('\n') == 1 and err.startswith(
        'author2vec: error: 1 of 2 methods failed (line: FloatingPointError: '), err
    assert 'vectors are not finite' in err and str(tmp_path) in err
    res = json.load(open(tmp_path / 'link-prediction_karate_quick.json'))
    assert res['runs']['jaccard'][0]['metrics']['own']['auc'] > 0.5
    assert sorted(p.suffix for p in tmp_path.iterdir()) == ['.json', '.md', '.png']


def test_one_method_registry_for_the_benchmark_the_cli_and_the_reports(capsys):
    from author2vec_keras.evaluation import methods
    from author2vec_keras.evaluation.reporting import PUBLISHED
    assert benchmark.METHODS == methods.METHODS == tuple(methods.REGISTRY)
    assert benchmark.DEFAULT_METHODS['clustering'] == (
        'spectral', 'deepwalk', 'node2vec', 'line', 'random', 'author2vec', 'author2vec-walks')
    assert benchmark.DEFAULT_METHODS['link-prediction'][:4] == tuple(baselines.HEURISTICS)
    assert methods.names(kind='heuristic') == tuple(baselines.HEURISTICS)
    for m in methods.REGISTRY.values():
        assert m.kind in methods.KINDS and m.label and set(m.default_tasks) <= set(m.tasks)
        made = benchmark.make_method(m.name, quick=True, seed=3)
        if m.kind == 'heuristic':
            assert made is baselines.HEURISTICS[m.name]
        else:
            assert made.get_params()['random_state'] == 3, m.name
    assert benchmark.make_method('line-2', quick=True).order == 2
    assert benchmark.make_method('author2vec-blog', quick=True).model == 'blog'
    assert benchmark.make_method('author2vec-walks', quick=True).context == 'shared'
    # the published numbers are keyed by the registry's names
    assert {m for p in PUBLISHED.values() for m in p['values']} <= set(methods.METHODS)
    # the command line lists them all
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(['benchmark', '--help'])
    help_text = ''.join(capsys.readouterr().out.split())  # argparse wraps at '-' too
    assert ','.join(methods.METHODS) in help_text
    assert benchmark.parse_methods('line-1, deepwalk,line-1', 'outliers') == ['line-1', 'deepwalk']
    with pytest.raises(ValueError, match=r'^adamic-adar is a link heuristic: only for --task '
                                         r'link-prediction$'):
        benchmark.parse_methods('adamic-adar', 'clustering')


def test_the_plots_leave_the_users_matplotlib_backend_alone(tmp_path):
    # a library has no side effects: the benchmark's PNGs are drawn without pyplot, so a user's
    # backend (a notebook's inline one; here svg) is the same after a benchmark as before
    import subprocess
    import sys
    code = ('import matplotlib, sys\n'
            'from author2vec_keras.evaluation import benchmark\n'
            'benchmark.run_benchmark("karate", "clustering", methods="random", quick=True, '
            'output_dir=sys.argv[1], progress=False)\n'
            'print(matplotlib.get_backend())\n')
    env = dict(os.environ, MPLBACKEND='svg')
    out = subprocess.run([sys.executable, '-c', code, str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == 'svg'
    assert (tmp_path / 'clustering_karate_quick.png').stat().st_size > 1000
