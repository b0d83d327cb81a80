"""The checks written once (`checks.py`), and every parameter that uses them refusing `bool`."""
import importlib
import re

import numpy as np
import pytest

from author2vec_keras.checks import (
    AUTHOR_TABLES,
    CONTEXTS,
    ParameterError,
    finite_loss,
    one_of,
    positive_int,
)
from author2vec_keras.data import datasets


@pytest.mark.parametrize('value', [1, 7, 3.0, np.int64(4), np.int32(2)])
def test_positive_int_takes_integers(value):
    assert positive_int('dim', value) == int(value) and type(positive_int('dim', value)) is int


@pytest.mark.parametrize('value', [0, -1, 2.5, True, False, np.bool_(True), '3', None,
                                   float('nan'), float('inf')])
def test_positive_int_refuses_the_rest_naming_it(value):
    with pytest.raises(ValueError, match=r'^dim must be a positive integer, got '):
        positive_int('dim', value)


def test_positive_int_with_a_minimum():
    assert positive_int('walk_length', 2, minimum=2) == 2
    with pytest.raises(ValueError, match=r'^walk_length must be an integer >= 2, got 1$'):
        positive_int('walk_length', 1, minimum=2)


def test_one_of_takes_a_choice_and_refuses_the_rest_in_one_shape():
    assert one_of('context', 'shared', CONTEXTS) == 'shared'
    assert one_of('operator', 'hadamard', {'hadamard': None}) == 'hadamard'  # a dict's keys
    with pytest.raises(ParameterError, match=r"^context must be one of 'shared', 'separate'; "
                                             r"got 'x'$") as e:
        one_of('context', 'x', CONTEXTS)
    assert e.value.names == ('context',) and isinstance(e.value, ValueError)
    with pytest.raises(ValueError, match=r"^order must be one of 1, 2, 3; got \[1\]$"):
        one_of('order', [1], (1, 2, 3))  # unhashable
    with pytest.raises(ParameterError, match=r"^RowUpdate: rule must be one of 'sgd'; got 'x'$") \
            as e:
        one_of('RowUpdate: rule', 'x', ('sgd',))
    assert e.value.names == ('rule',)  # the parameter, without where it was checked


def test_finite_loss_names_where():
    assert finite_loss(np.float32(0.5), 'x') == 0.5
    for bad in (float('nan'), float('inf')):
        with pytest.raises(FloatingPointError, match=r'became (nan|inf) at epoch 2, batch 3;'):
            finite_loss(bad, 'epoch 2, batch 3')


def _callers():
    """Each parameter checked by `positive_int`, given `True`: (what to call, its name)."""
    from author2vec_keras import Author2Vec
    from author2vec_keras.data.walks import WalkContextSampler
    from author2vec_keras.evaluation.benchmark import run_benchmark
    from author2vec_keras.training.partitioned_training import PartitionedAuthor2Vec
    graph = datasets.load('karate').graph
    return [
        (lambda: Author2Vec(dim=True).fit(graph), 'dim'),
        (lambda: PartitionedAuthor2Vec(partitions=True, workdir='unused').fit(graph),
         'partitions'),
        (lambda: WalkContextSampler(graph, window=True), 'window'),
        (lambda: run_benchmark('karate', 'link-prediction', methods='deepwalk', dim=True,
                               output_dir='unused'), 'dim'),
        (lambda: _module('nn.layers').NodeEmbeddingLayer(True), 'NodeEmbeddingLayer: hidden_dim'),
        (lambda: _module('nn.layers').NodeContextEmbedding(True, 4),
         'NodeContextEmbedding: input_dim'),
        (lambda: _module('nn.sequences').WalkPairSequence(graph, positives_per_epoch=True),
         'positives_per_epoch'),
    ]


def _module(name):
    """A module that loads Keras, imported only when its check runs."""
    return importlib.import_module('author2vec_keras.' + name)


def test_every_positive_integer_parameter_refuses_bool(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for call, name in _callers():
        with pytest.raises(ValueError, match='^%s must be a positive integer, got True$' % name):
            call()
    assert list(tmp_path.iterdir()) == []  # refused before any file was written


def _choosers():
    """Each parameter checked against a tuple of choices, given 'x': (what to call, the message
    before "got 'x'")."""
    from author2vec_keras import Author2Vec, ContentLinkAuthor2Vec
    from author2vec_keras.data.graph import Graph
    from author2vec_keras.data.negatives import NegativeSampler
    from author2vec_keras.evaluation import baselines, pipeline, protocols
    from author2vec_keras.evaluation.benchmark import run_benchmark
    from author2vec_keras.training.content_link import AUTHOR_INITS
    from author2vec_keras.training.presets import PRESETS, preset_settings
    graph = datasets.load('karate').graph
    emb = np.zeros((graph.num_nodes, 2))

    def choices(values):
        return ', '.join(repr(v) for v in values)
    return [
        (lambda: Author2Vec(model='x').fit(graph), "model must be one of 'paper', 'blog'"),
        (lambda: Author2Vec(pairs='x').fit(graph), "pairs must be one of 'edges', 'walks'"),
        (lambda: Author2Vec(context='x').fit(graph), 'context must be one of ' +
         choices(CONTEXTS)),
        (lambda: Author2Vec(sampling='x').fit(graph),
         "sampling must be one of 'uniform', 'degree'"),
        (lambda: ContentLinkAuthor2Vec(schedule='x').fit(graph),
         "schedule must be one of 'alternating', 'joint', 'link', 'content'"),
        (lambda: ContentLinkAuthor2Vec(batching='x').fit(graph),
         "batching must be one of 'pairs', 'grouped'"),
        (lambda: ContentLinkAuthor2Vec(embedding_init='x').fit(graph),
         'embedding_init must be one of ' + choices(AUTHOR_INITS)),
        (lambda: ContentLinkAuthor2Vec(author_tables='x').fit(graph),
         'author_tables must be one of ' + choices(AUTHOR_TABLES)),
        (lambda: preset_settings('x', 'Author2Vec'), 'preset must be one of ' +
         choices(sorted(PRESETS))),
        (lambda: NegativeSampler(graph, sampling='x'),
         "sampling must be one of 'uniform', 'degree'"),
        (lambda: Graph([[0, 1]], merge='x'), "merge must be one of 'max', 'sum', 'first'"),
        (lambda: pipeline.prepare('x', graph), 'task must be one of ' +
         choices(pipeline.TASKS)),
        (lambda: run_benchmark('karate', 'x', output_dir='unused'),
         'task must be one of ' + choices(pipeline.TASKS)),
        (lambda: protocols.edge_features(emb, [[0, 1]], operator='x'),
         'operator must be one of ' + choices(protocols.EDGE_OPERATORS)),
        (lambda: protocols.outlier_scores(emb, method='x'),
         "method must be one of 'isolation-forest', 'knn'"),
        (lambda: baselines.LINE(order='x').fit(graph), 'order must be one of 1, 2, 3'),
    ]


def test_every_choice_error_has_the_one_shape(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for call, message in _choosers():
        with pytest.raises(ValueError, match='^%s; got .x.$' % re.escape(message)):
            call()
    assert list(tmp_path.iterdir()) == []  # refused before any file was written
