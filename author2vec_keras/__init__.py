"""author2vec_keras: the Author2Vec link model as a custom Keras layer (keras 2.0.9 on Theano).

Heavy modules (Theano, Keras) load on first use, so `author2vec --help` and the data layer
start fast. Importing `author2vec_keras.layers`, `.models`, `.sampling` or `.optimizers`
configures Theano through `author2vec_keras.backend` first; the estimators do when they build
a model. ARCHITECTURE.md maps the modules.
"""
import importlib

__version__ = '0.1.0'

_LAZY = {
    'NodeEmbeddingLayer': 'layers',
    'blog_model': 'models',
    'paper_model': 'models',
    'Author2Vec': 'estimator',
    'ContentLinkAuthor2Vec': 'estimator',
    'PartitionedAuthor2Vec': 'partitioned_training',
    'power_law_graph': 'generators',
    'Graph': 'graph',
    'read_edgelist': 'readers',
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module('.' + _LAZY[name], __name__), name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


__all__ = sorted(_LAZY) + ['__version__']
