"""The house (ARCHITECTURE.md): four wings imported in the order the data flows, the numpy
floor, one pair key, one pipeline, one source of defaults, custom objects registered once."""
import ast
import json
import subprocess
import sys

import numpy as np
import pytest

from author2vec_keras import Author2Vec, ContentLinkAuthor2Vec, cli
from author2vec_keras.data.graph import Graph, pair_keys
from author2vec_keras.evaluation import pipeline
from author2vec_keras.fileio import load_word2vec, save_word2vec
from author2vec_keras.training.estimator import MODELS

#: modules that must load without Theano or Keras (a DeepWalk-only benchmark never configures
#: the 2017 stack); the estimators load it when they build a model.
NUMPY_FLOOR = ['data.graph', 'data.readers', 'data.negatives', 'data.walks', 'data.splits',
               'data.datasets', 'data.datasets.aan', 'data.text', 'data.generators', 'nn.slots',
               'training.estimator', 'training.pair_embedding', 'training.content_link',
               'training.checkpoints', 'training.partitions', 'training.memory',
               'training.presets', 'evaluation.protocols', 'evaluation.baselines',
               'evaluation.pipeline', 'evaluation.reporting', 'evaluation.methods',
               'evaluation.benchmark', 'fileio',
               'cli', 'checks']
#: the wings in the order the data flows: each imports only those before it (and the floor)
WINGS = ('data', 'nn', 'training', 'evaluation')


def _floor_modules():
    import importlib.util
    return [m for m in NUMPY_FLOOR
            if importlib.util.find_spec('author2vec_keras.' + m) is not None]


def test_numpy_floor_imports_no_theano_or_keras():
    mods = _floor_modules()
    assert mods == NUMPY_FLOOR
    code = ('import sys\n' + ''.join('import author2vec_keras.%s\n' % m for m in mods) +
            'print(sorted({m.split(".")[0] for m in sys.modules} & {"theano", "keras"}))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == '[]', out.stdout


def test_a_deepwalk_benchmark_never_loads_theano(tmp_path):
    code = ('import sys\nfrom author2vec_keras.evaluation.benchmark import run_benchmark\n'
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
    assert train.seed == defaults['random_state']
    # every parameter flag is unset, so the estimator's defaults (or a --preset's) fill it, in
    # one place (`from_preset`)
    assert all(getattr(train, name) is None for name in cli.PARAMETER_FLAGS)
    estimator, _ = cli._estimator(train, None)
    assert estimator.get_params() == defaults
    bench = cli.build_parser().parse_args(['benchmark'])
    # unset there too: the benchmark's settings take the estimator's (or quick mode's small ones)
    from author2vec_keras.evaluation.benchmark import method_settings
    assert (bench.dim, bench.epochs) == (None, None)
    full = method_settings(False, defaults['dim'])
    assert (full['dim'], full['a2v_epochs']) == (defaults['dim'], defaults['epochs'])
    # the two estimators share their common defaults
    content = ContentLinkAuthor2Vec().get_params()
    for k, v in defaults.items():
        if k in content:
            assert content[k] == v, k
    assert set(MODELS) == set(__import__('author2vec_keras.nn.models',
                                         fromlist=['BUILDERS']).BUILDERS)


def test_pipeline_scores_a_heuristic_and_records_versions():
    from author2vec_keras.data import datasets
    from author2vec_keras.evaluation.baselines import adamic_adar
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
    assert ('author2vec_keras.training.partitioned_training',
            'author2vec_keras.training.distributed') in graph.edges
    assert ('author2vec_keras.training.distributed',
            'author2vec_keras.training.bucket_training') in graph.edges
    assert list(nx.simple_cycles(graph)) == []


def test_a_wing_imports_only_the_wings_before_it():
    """data <- nn <- training <- evaluation; `cli` on top; the floor (`checks`, `fileio`) imports
    no wing. Every import counts, in a function too."""
    graph = _imports_between_modules()

    def rank(module):
        part = module.split('.')[1] if '.' in module else ''
        if part in WINGS:
            return WINGS.index(part)
        return len(WINGS) if part == 'cli' else (-1 if part in ('checks', 'fileio') else None)
    back = [(a, b) for a, b in graph.edges
            if rank(a) is not None and rank(b) is not None and rank(b) > rank(a)]
    assert back == []
    wings = {m.split('.')[1] for m in graph if m.count('.') >= 2}
    assert wings == set(WINGS)
    top = sorted(m for m in graph if m.count('.') == 1 and m.split('.')[1] not in WINGS)
    assert top == ['author2vec_keras.checks', 'author2vec_keras.cli', 'author2vec_keras.fileio']


def test_the_command_lines_row_wise_names_are_the_optimizers():
    """cli.py stays on the numpy floor, so it reads the row-wise names from slots.SLOTS: the
    same names as optimizers.ROW_WISE, the classes themselves."""
    from author2vec_keras.nn.optimizers import ROW_WISE
    assert sorted(cli.ROW_WISE) == sorted(ROW_WISE)


#: private attributes another module's code may read, each with its reason (keep it short:
#: a Keras or Theano internal belongs behind a named function in nn/backend.py)
PRIVATE_READS_ALLOWED = {
    # namedtuple's public methods (the underscore keeps them apart from the field names)
    '_replace': 'namedtuple', '_asdict': 'namedtuple', '_fields': 'namedtuple',
    '_exit': 'os._exit, the way out of a forked worker process (training/workers.py)',
}


def _private_attributes(tree, own):
    """(line, name) of every attribute `x._name` (read or set; also `getattr(x, '_name')`,
    `hasattr`, `setattr`) on anything but `self`, `cls` or `super()`, unless `_name` is in
    `own`. Dunder names are not private."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner, name = node.value, node.attr
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ('getattr', 'hasattr', 'setattr') and len(node.args) > 1 \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            owner, name = node.args[0], node.args[1].value
        else:
            continue
        if not name.startswith('_') or name.startswith('__') or name in own:
            continue
        if isinstance(owner, ast.Name) and owner.id in ('self', 'cls'):
            continue
        if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) \
                and owner.func.id == 'super':
            continue
        found.append((node.lineno, name))
    return found


def _own_private_names(tree):
    """The private names a module defines: its functions, classes and methods, its module
    names, and the attributes its code sets on `self` or `cls`."""
    own = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            own.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            own.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                and isinstance(node.value, ast.Name) and node.value.id in ('self', 'cls'):
            own.add(node.attr)
    return {n for n in own if n.startswith('_')}


def test_keras_internals_are_read_only_in_the_backend():
    """Keras 2.0.9 has no public API for some of what the package needs of it (a model's train
    function, its feed variables, ...): nn/backend.py names each (`backend.feed_variables`,
    ...), and no other module reads or sets a private attribute of an object that is not its
    own. The benchmark scripts may use the package's own private names, not Keras'."""
    import pathlib

    import author2vec_keras
    root = pathlib.Path(author2vec_keras.__file__).parent
    trees = {path: ast.parse(path.read_text(encoding='utf8')) for path in sorted(root.rglob('*.py'))
             if path != root / 'nn' / 'backend.py'}
    package_own = set().union(*(_own_private_names(t) for t in trees.values()))
    found = []
    for path, tree in trees.items():
        own = _own_private_names(tree) | set(PRIVATE_READS_ALLOWED)
        found += ['%s:%d: %s' % (path.relative_to(root.parent), line, name)
                  for line, name in _private_attributes(tree, own)]
    for path in sorted((root.parent / 'benchmarks').glob('*.py')):
        tree = ast.parse(path.read_text(encoding='utf8'))
        own = package_own | _own_private_names(tree) | set(PRIVATE_READS_ALLOWED)
        found += ['%s:%d: %s' % (path.relative_to(root.parent), line, name)
                  for line, name in _private_attributes(tree, own)]
    assert found == []
