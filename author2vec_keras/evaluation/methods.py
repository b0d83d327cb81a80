"""The benchmark's methods, each named once: how it is built, the tasks it serves, its kind.

    methods.REGISTRY['deepwalk'].label            # 'DeepWalk'
    methods.names(default_for='clustering')       # what `author2vec benchmark` runs by default
    methods.names(kind='author2vec-walks')        # the walk variants (the goal check's)

`REGISTRY` maps a method name to its `Method`; `METHODS` is the names in the tables' order.
The benchmark builds from it (`benchmark.make_method`), the command line lists it
(`--methods`), and the goal check (benchmarks/goal_check.py) reads its kinds. numpy and
scikit-learn only: an Author2Vec estimator loads Theano and Keras when it builds its model.
"""
import collections

from author2vec_keras.evaluation import baselines
from author2vec_keras.evaluation.pipeline import TASKS
from author2vec_keras.training.estimator import Author2Vec

__all__ = ['KINDS', 'Method', 'REGISTRY', 'METHODS', 'names', 'get', 'build']

#: what each kind of method is (the words also serve the error of a task it cannot run)
KINDS = collections.OrderedDict([
    ('heuristic', 'link heuristic'),  # a pair score read off the graph, no embedding
    ('embedding', 'baseline embedding'),  # DeepWalk, node2vec, LINE, spectral
    ('chance', 'chance-level embedding'),  # random vectors
    ('author2vec', 'Author2Vec variant trained on the edges'),
    ('author2vec-walks', "Author2Vec variant trained on the walk-context pairs of DeepWalk's "
                         "walks"),
])


class Method(collections.namedtuple('Method', ['name', 'kind', 'label', 'tasks',
                                               'default_tasks', 'build'])):
    """One benchmark method.

    # Arguments
        name: the name in `--methods`, the JSON and the tables.
        kind: one of `KINDS`.
        label: what it is, in words.
        tasks: the tasks it can run.
        default_tasks: the tasks that run it when no `--methods` is given.
        build: `build(settings, seed, p, q)` -> an unfitted estimator, or a heuristic's
            scoring function (`settings` as `benchmark.run_benchmark` makes them).
    """


def _walks(s, seed):
    return dict(dim=s['dim'], num_walks=s['num_walks'], walk_length=s['walk_length'],
                window=s['window'], workers=s['workers'], random_state=seed)


def _line(order):
    def build(s, seed, p, q):
        return baselines.LINE(dim=s['dim'], order=order, epochs=s['line_epochs'],
                              min_samples=s['line_min_samples'], learning_rate=s['line_lr'],
                              batch_size=s['line_batch'], random_state=seed)
    return build


def _heuristic(name):
    return lambda s, seed, p, q: baselines.HEURISTICS[name]


def _author2vec(model):
    return lambda s, seed, p, q: Author2Vec(dim=s['dim'], epochs=s['a2v_epochs'], model=model,
                                            random_state=seed, verbose=0,
                                            workers=s.get('a2v_workers', 1))


def _author2vec_walks(context, sampling=None):
    # author2vec-walks-separate is the 'walks' preset (presets.WALKS) at these settings
    return lambda s, seed, p, q: Author2Vec.from_preset(
        'walks', dim=s['dim'], epochs=s['a2v_epochs'], window=s['window'],
        walks_per_node=s['num_walks'], walk_length=s['walk_length'], context=context,
        sampling=sampling, random_state=seed, verbose=0, workers=s.get('a2v_workers', 1))


_ALL = TASKS
_LP = ('link-prediction',)
_LP_NC = ('link-prediction', 'node-classification')

#: in the order of the tables and of the default runs
REGISTRY = collections.OrderedDict((m.name, m) for m in [
    Method('common-neighbours', 'heuristic', 'Common neighbours', _LP, _LP,
           _heuristic('common-neighbours')),
    Method('jaccard', 'heuristic', "Jaccard's coefficient", _LP, _LP, _heuristic('jaccard')),
    Method('adamic-adar', 'heuristic', 'Adamic-Adar', _LP, _LP, _heuristic('adamic-adar')),
    Method('preferential-attachment', 'heuristic', 'Preferential attachment', _LP, _LP,
           _heuristic('preferential-attachment')),
    Method('spectral', 'embedding', 'Spectral embedding (Laplacian eigenmaps)', _ALL, _ALL,
           lambda s, seed, p, q: baselines.SpectralEmbedding(dim=s['dim'], random_state=seed)),
    Method('deepwalk', 'embedding', 'DeepWalk', _ALL, _ALL,
           lambda s, seed, p, q: baselines.DeepWalk(**_walks(s, seed))),
    Method('node2vec', 'embedding', 'node2vec', _ALL, _ALL,
           lambda s, seed, p, q: baselines.Node2Vec(p=p, q=q, **_walks(s, seed))),
    Method('line', 'embedding', 'LINE (1st + 2nd order)', _ALL, _ALL, _line(3)),
    Method('line-1', 'embedding', 'LINE (1st order)', _ALL, (), _line(1)),
    Method('line-2', 'embedding', 'LINE (2nd order)', _ALL, (), _line(2)),
    Method('random', 'chance', 'Random vectors (chance level)', _ALL, _ALL,
           lambda s, seed, p, q: baselines.RandomEmbedding(dim=s['dim'], random_state=seed)),
    Method('author2vec', 'author2vec', "Author2Vec, the paper's link model, on the edges", _ALL,
           _ALL, _author2vec('paper')),
    Method('author2vec-walks', 'author2vec-walks',
           "Author2Vec on DeepWalk's walk-context pairs, one shared table", _ALL, _ALL,
           _author2vec_walks('shared')),
    Method('author2vec-walks-separate', 'author2vec-walks',
           "Author2Vec on DeepWalk's walk-context pairs, a separate context table (the 'walks' "
           'preset)', _ALL, _LP_NC, _author2vec_walks('separate')),
    Method('author2vec-walks-uniform', 'author2vec-walks',
           "Author2Vec on DeepWalk's walk-context pairs, a separate context table, negatives drawn "
           "uniformly (not by degree^0.75: the degree signal kept, for hub-driven graphs)", _ALL,
           (), _author2vec_walks('separate', 'uniform')),
    Method('author2vec-blog', 'author2vec', "Author2Vec, the blog's model, on the edges", _ALL,
           _LP_NC, _author2vec('blog')),
])
#: every method's name, in the tables' order
METHODS = tuple(REGISTRY)


def names(kind=None, task=None, default_for=None):
    """The names of the methods (in `METHODS` order) of `kind` (one of `KINDS`, or a tuple of
    them), that can run `task`, and that run by default for `default_for`."""
    kinds = (kind,) if isinstance(kind, str) else kind
    return tuple(m.name for m in REGISTRY.values()
                 if (kinds is None or m.kind in kinds) and (task is None or task in m.tasks)
                 and (default_for is None or default_for in m.default_tasks))


def get(name):
    """The `Method` of `name`; ValueError names the known ones."""
    if name not in REGISTRY:
        raise ValueError('unknown method %r; choose from %s' % (name, ', '.join(METHODS)))
    return REGISTRY[name]


def build(name, settings, seed=0, p=1.0, q=1.0):
    """`get(name).build(settings, seed, p, q)`: an unfitted estimator, or a heuristic's
    scoring function."""
    return get(name).build(settings, seed, p, q)
