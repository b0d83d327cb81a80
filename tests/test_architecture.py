"""The rooms of the package (ARCHITECTURE.md): the numpy floor, one pair key, one pipeline,
one source of defaults, custom objects registered once."""
import json
import subprocess
import sys

import numpy as np
import pytest

from author2vec_keras import cli, pipeline
from author2vec_keras.estimator import Author2Vec, ContentLinkAuthor2Vec, MODELS
from author2vec_keras.graph import Graph, pair_keys
from author2vec_keras.fileio import load_word2vec, save_word2vec

#: modules that must load without Theano or Keras (a DeepWalk-only benchmark never configures
#: the 2017 stack); the estimators load it when they build a model.
NUMPY_FLOOR = ['graph', 'readers', 'negatives', 'walks', 'splits', 'evaluation', 'baselines',
               'datasets', 'datasets.aan', 'pipeline', 'reporting', 'paper_comparison',
               'goal_check', 'benchmark', 'estimator', 'pair_embedding', 'content_link',
               'checkpoints', 'text', 'fileio', 'cli', 'generators', 'partitions', 'memory',
               'checks', 'presets']


def _floor_modules():
    import importlib.util
    return [m for m in NUMPY_FLOOR
            if importlib.util.find_spec('author2vec_keras.' + m) is not None]


def test_numpy_floor_imports_no_theano_or_keras():
    mods = _floor_modules()
    assert {'graph', 'readers', 'negatives', 'splits', 'evaluation', 'baselines',
            'datasets', 'pipeline', 'benchmark', 'estimator', 'cli', 'memory'} <= set(mods)
    code = ('import sys\n' + ''.join('import author2vec_keras.%s\n' % m for m in mods) +
            'print(sorted({m.split(".")[0] for m in sys.modules} & {"theano", "keras"}))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == '[]', out.stdout


def test_a_deepwalk_benchmark_never_loads_theano(tmp_path):
    code = ('import sys\nfrom author2vec_keras.benchmark import run_benchmark\n'
            'run_benchmark("karate", "link-prediction", methods="deepwalk,adamic-adar", '
            'quick=True, output_dir=%r, progress=False)\n'
            'print(sorted({m.split(".")[0] for m in sys.modules} & {"theano", "keras"}))'
            % str(tmp_path))
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == '[]'


def test_pair_keys_one_integer_per_pair():
    pairs = np.array([[0, 1], [1, 0], [2, 3], [3, 2], [0, 1]])
    keys = pair_keys(pairs, 4)
    assert keys.tolist() == [1, 4, 11, 14, 1]
    und = pair_keys(pairs, 4, directed=False)
    assert und.tolist() == [1, 1, 11, 11, 1]
    g = Graph([[0, 1], [2, 3]], num_nodes=4)
    assert g.has_edges(pairs).all()


def test_cli_defaults_are_the_estimators():
    defaults = Author2Vec().get_params()
    train = cli.build_parser().parse_args(['train'])
    assert (train.seed, train.model) == (defaults['random_state'], defaults['model'])
    # model flags left unset take the estimator's defaults (or a --preset's) in one place
    estimator, _ = cli._estimator(train, None)
    assert estimator.get_params() == defaults
    bench = cli.build_parser().parse_args(['benchmark'])
    # unset there too: the benchmark's settings take the estimator's (or quick mode's small ones)
    from author2vec_keras.benchmark import _settings
    assert (bench.dim, bench.epochs) == (None, None)
    full = _settings(False, defaults['dim'])
    assert (full['dim'], full['a2v_epochs']) == (defaults['dim'], defaults['epochs'])
    # the two estimators share their common defaults
    content = ContentLinkAuthor2Vec().get_params()
    for k, v in defaults.items():
        if k in content:
            assert content[k] == v, k
    assert set(MODELS) == set(__import__('author2vec_keras.models',
                                         fromlist=['BUILDERS']).BUILDERS)


def test_pipeline_scores_a_heuristic_and_records_versions():
    from author2vec_keras import datasets
    from author2vec_keras.baselines import adamic_adar
    g = datasets.load('ca-grqc').graph
    setup = pipeline.prepare('link-prediction', g, seed=0, test_fraction=0.5, classifier=False)
    assert setup.fit_graph is setup.split.train_graph and setup.train_pairs is None
    metrics, timings = pipeline.fit_and_score(adamic_adar, setup)
    assert metrics['own']['auc'] > 0.85 and set(metrics) == {'own'}
    assert 'evaluate' in timings
    nothing = pipeline.prepare('link-prediction', g, test_fraction=0)
    assert nothing.split is None and nothing.fit_graph is g
    assert pipeline.score(nothing, np.zeros((g.num_nodes, 2))) == {}
    rec = pipeline.record('cmd', 3, x=1)
    assert (rec['command'], rec['seed'], rec['x']) == ('cmd', 3, 1)
    assert rec['versions']['numpy'] == np.__version__
    json.dumps(rec)


def test_word2vec_file_by_gensim_keeps_node_order(tmp_path):
    nodes = ['b', 'a c', 10, 'z']
    vectors = np.arange(8, dtype=np.float32).reshape(4, 2) / 7
    save_word2vec(str(tmp_path / 'x.emb'), nodes, vectors)
    tokens, loaded = load_word2vec(str(tmp_path / 'x.emb'))
    assert tokens == ['b', 'a_c', '10', 'z']
    np.testing.assert_array_equal(loaded, vectors)
    with pytest.raises(ValueError, match='same word2vec token'):
        save_word2vec(str(tmp_path / 'y.emb'), ['a b', 'a_b'], vectors[:2])
    assert not (tmp_path / 'y.emb').exists()


def _imports_between_modules():
    """The package's modules and what each imports of the package (at the top or inside a
    function: an import in a function closes a cycle as surely, only later)."""
    import ast
    import pathlib
    import networkx as nx
    import author2vec_keras
    root = pathlib.Path(author2vec_keras.__file__).parent
    names = {}
    for path in root.rglob('*.py'):
        parts = path.relative_to(root.parent).with_suffix('').parts
        names['.'.join(parts[:-1] if parts[-1] == '__init__' else parts)] = path
    graph = nx.DiGraph()
    for name, path in names.items():
        package = name if path.name == '__init__.py' else name.rpartition('.')[0]
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text(encoding='utf8'))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ''
                if node.level:
                    up = package.split('.')[:len(package.split('.')) - node.level + 1]
                    base = '.'.join(up + ([node.module] if node.module else []))
                targets = [base + '.' + a.name if base + '.' + a.name in names else base
                           for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph.add_edges_from((name, t) for t in targets if t in names and t != name)
    return graph


def test_no_import_cycle_in_the_package():
    import networkx as nx
    graph = _imports_between_modules()
    assert ('author2vec_keras.partitioned_training', 'author2vec_keras.distributed') in graph.edges
    assert ('author2vec_keras.distributed', 'author2vec_keras.bucket_training') in graph.edges
    assert list(nx.simple_cycles(graph)) == []


def test_the_command_lines_row_wise_names_are_the_optimizers():
    """cli.py stays on the numpy floor, so it reads the row-wise names from memory.SLOTS: the
    same names as optimizers.ROW_WISE, the classes themselves."""
    from author2vec_keras.optimizers import ROW_WISE
    assert sorted(cli.ROW_WISE) == sorted(ROW_WISE)
