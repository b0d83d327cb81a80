"""The one pipeline: split -> fit -> score -> record.

`author2vec train`, `author2vec benchmark` and `benchmarks/author2vec_vs_paper.py` all run
through it, so a method is fitted and scored the same way wherever its numbers come from:

    setup = pipeline.prepare('link-prediction', graph, seed=0, test_fraction=0.5)
    metrics, timings = pipeline.fit_and_score(Author2Vec(), setup)
    record = pipeline.record(command, seed=0, metrics=metrics)

- `prepare`: what a task evaluates on, for one seed: the link-prediction hold-out (node2vec's
  protocol) and its classifier training pairs, planted outliers, or the whole graph.
- `fit_and_score`: fit an estimator on the set-up's training graph and score its embeddings
  (and its own pair score, `own_score`); a link heuristic is scored without fitting.
- `record`: the versions, seed and command that produced a result.

numpy and scikit-learn only: Theano and Keras load when an Author2Vec estimator is built.
"""
import collections
import importlib.metadata
import platform
import sys
import time

import numpy as np

from author2vec_keras.checks import one_of
from author2vec_keras.data.splits import link_prediction_split
from author2vec_keras.evaluation import protocols

__all__ = ['TASKS', 'Setup', 'prepare', 'fit_and_score', 'score', 'own_score', 'record',
           'versions']

TASKS = ('link-prediction', 'node-classification', 'clustering', 'outliers')

#: node classification: DeepWalk's training ratios and shuffles per ratio
RATIOS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
SHUFFLES = 10


class Setup(collections.namedtuple('Setup', ['task', 'graph', 'fit_graph', 'labels', 'split',
                                             'train_pairs', 'planted'])):
    """What one task evaluates on, for one seed.

    # Fields
        task: one of `TASKS`.
        graph: the whole `Graph`.
        fit_graph: the graph methods are fitted on (the training graph of a split, the graph
            with planted outliers, or `graph`).
        labels: node labels (node classification, clustering) or None.
        split: the `LinkSplit` / `TemporalSplit` of link prediction, or None.
        train_pairs: the edge-feature classifier's training pairs
            (`protocols.training_pairs`), or None (own score only).
        planted: bool mask of planted outliers, or None.
    """
    __slots__ = ()


def prepare(task, graph, labels=None, seed=0, test_fraction=0.5, split=None,
            classifier=True, outlier_fraction=0.05):
    """The `Setup` of `task` on `graph` for one seed.

    # Arguments
        task: one of `TASKS`.
        graph: a `Graph`.
        labels: node labels, needed by node classification.
        seed: seed of the split, the classifier pairs or the planted outliers.
        test_fraction: link prediction: fraction of the edges held out (0: none, the methods
            are fitted on the whole graph and not scored).
        split: link prediction: an existing split (e.g. `splits.temporal_split`) instead.
        classifier: link prediction: also sample the training pairs of node2vec's
            edge-feature classifiers (False: the methods' own scores only).
        outlier_fraction: outliers: fraction of nodes planted.
    """
    one_of('task', task, TASKS)
    fit_graph, train_pairs, planted = graph, None, None
    if task == 'node-classification' and labels is None:
        raise ValueError('node classification needs labels')
    if task == 'link-prediction':
        if split is None and test_fraction > 0:
            split = link_prediction_split(graph, test_fraction=test_fraction, seed=seed)
        if split is not None:
            fit_graph = split.train_graph
            if classifier and len(split.test_edges):
                train_pairs = protocols.training_pairs(split, seed=seed)
    elif task == 'outliers':
        fit_graph, planted = protocols.plant_outliers(graph, outlier_fraction, seed=seed)
    return Setup(task, graph, fit_graph, labels, split, train_pairs, planted)


def own_score(estimator):
    """The estimator's own pair scorer (index pairs -> scores), or None (the inner product).

    Author2Vec's is its edge probability; a content-only model has no trained link head.
    """
    if not getattr(estimator, 'uses_link', True):
        return None
    return getattr(estimator, 'edge_probability', None)


def score(setup, embeddings, own=None, seed=0, operators=None, ratios=RATIOS,
          shuffles=SHUFFLES):
    """Evaluate embeddings (or, for link prediction, only a pair scorer) on a `Setup`.

    # Arguments
        embeddings: `(n, d)` array, or None for a method without embeddings (a heuristic).
        own: link prediction: the method's own scorer (default the inner product).
        operators: link prediction: node2vec's edge operators (default all four when the
            set-up has classifier training pairs, none otherwise).

    # Returns
        The metrics of the task's evaluation function in `evaluation` (link prediction with
        nothing held out: `{}`).
    """
    task = setup.task
    if task == 'link-prediction':
        if setup.split is None or not len(setup.split.test_edges):
            return {}  # nothing held out: nothing to score
        if operators is None:
            operators = list(protocols.EDGE_OPERATORS) if setup.train_pairs is not None else []
        return protocols.evaluate_link_prediction(
            embeddings if operators else None, setup.split,
            own_score=own if own is not None or embeddings is None else
            (lambda pairs: protocols.inner_product_scores(embeddings, pairs)),
            operators=operators, seed=seed, train=setup.train_pairs)
    if embeddings is None:
        raise ValueError('%s needs embeddings' % task)
    if task == 'node-classification':
        res = protocols.evaluate_node_classification(embeddings, setup.labels,
                                                      train_ratios=ratios, shuffles=shuffles,
                                                      seed=seed)
        return {('%g' % r): v for r, v in res.items()}
    if task == 'clustering':
        return protocols.evaluate_clustering(embeddings, setup.labels, setup.graph, seed=seed)
    return protocols.evaluate_outliers(embeddings, setup.planted, seed=seed)


def fit_and_score(method, setup, seed=0, fit_params=None, **score_kwargs):
    """Fit `method` on `setup.fit_graph` and score it; returns `(metrics, timings)`.

    # Arguments
        method: an estimator (`fit(graph, **fit_params)`, `get_embedding()`, optionally
            `edge_probability`), or a link heuristic `f(graph, pairs) -> scores`, which is scored
            on the training graph without fitting.
        setup: a `Setup` from `prepare`.
        seed: seed of the evaluation (classifiers, k-means).
        fit_params: extra arguments of `fit` (e.g. the content model's authorship pairs).
        score_kwargs: passed to `score` (operators, ratios, shuffles).
    """
    timings = {}
    if not hasattr(method, 'fit'):
        if setup.task != 'link-prediction':
            raise ValueError('a link heuristic can only score link prediction')
        t0 = time.time()
        metrics = score(setup, None, own=lambda pairs: method(setup.fit_graph, pairs),
                        seed=seed, **score_kwargs)
        timings['evaluate'] = time.time() - t0
        return metrics, timings
    t0 = time.time()
    method.fit(setup.fit_graph, **(fit_params or {}))
    embeddings = method.get_embedding()  # as it is: no float64 copy of a large table
    timings['fit'] = time.time() - t0
    bad = ~np.isfinite(embeddings).all(axis=1)
    if bad.any():
        raise FloatingPointError('%d of its %d vectors are not finite (NaN or inf): training '
                                 'diverged' % (bad.sum(), len(bad)))
    t0 = time.time()
    metrics = score(setup, embeddings, own=own_score(method), seed=seed, **score_kwargs)
    timings['evaluate'] = time.time() - t0
    return metrics, timings


def versions():
    """Versions of the stack that produced a result (Theano and Keras only when loaded)."""
    out = {'python': platform.python_version(), 'platform': platform.platform()}
    for dist in ('author2vec_keras', 'numpy', 'scipy', 'scikit-learn', 'networkx', 'gensim',
                 'matplotlib'):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    for mod in ('theano', 'keras'):
        m = sys.modules.get(mod)  # only if a method imported it
        out[mod] = getattr(m, '__version__', None) if m else None
    backend = sys.modules.get('author2vec_keras.nn.backend')
    if backend is not None:  # the Theano distribution (theano-pymc or Theano) and the device
        stack = backend.info()
        out.update(theano=stack['theano'], device=stack['device'])
    return out


def record(command, seed, **fields):
    """A results record: the command, the seed, the versions, then `fields`."""
    return dict({'command': command, 'seed': seed, 'versions': versions()}, **fields)
