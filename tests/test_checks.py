"""The checks written once (`checks.py`), and every parameter that uses them refusing `bool`."""
import importlib

import numpy as np
import pytest

from author2vec_keras.data import datasets
from author2vec_keras.checks import finite_loss, positive_int


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


def test_finite_loss_names_where():
    assert finite_loss(np.float32(0.5), 'x') == 0.5
    for bad in (float('nan'), float('inf')):
        with pytest.raises(FloatingPointError, match=r'became (nan|inf) at epoch 2, batch 3;'):
            finite_loss(bad, 'epoch 2, batch 3')


def _callers():
    """Each parameter checked by `positive_int`, given `True`: (what to call, its name)."""
    from author2vec_keras.evaluation.benchmark import run_benchmark
    from author2vec_keras.training.estimator import Author2Vec
    from author2vec_keras.training.partitioned_training import PartitionedAuthor2Vec
    from author2vec_keras.data.walks import WalkContextSampler
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
