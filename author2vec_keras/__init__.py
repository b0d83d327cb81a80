"""author2vec_keras: the Author2Vec link model as a custom Keras layer (keras 2.0.9 on Theano).

Four wings in the order the data flows, each importing only the wings before it:
`data` (files -> Graph -> split -> pairs), `nn` (the Keras/Theano layer: backend and its fixes,
layers, models, ops, optimizers), `training` (estimators, checkpoints, memory guard, presets,
partitions), `evaluation` (protocols, baselines, benchmark, reports); `cli`, `checks` and
`fileio` stand on the floor. ARCHITECTURE.md maps them.

Heavy modules (Theano, Keras) load on first use, so `author2vec --help` and the data wing start
fast: importing anything of `nn` but `nn.slots` configures Theano through `nn.backend` first;
the estimators do when they build a model. The names below import from here.
"""
import importlib

__version__ = '0.1.0'

_LAZY = {
    'NodeEmbeddingLayer': 'nn.layers',
    'blog_model': 'nn.models',
    'paper_model': 'nn.models',
    'Author2Vec': 'training.estimator',
    'ContentLinkAuthor2Vec': 'training.content_link',
    'PartitionedAuthor2Vec': 'training.partitioned_training',
    'power_law_graph': 'data.generators',
    'Graph': 'data.graph',
    'read_edgelist': 'data.readers',
}
_MODULES = {'datasets': 'data.datasets'}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module('.' + _LAZY[name], __name__), name)
    if name in _MODULES:
        return importlib.import_module('.' + _MODULES[name], __name__)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))


__all__ = sorted(_LAZY) + sorted(_MODULES) + ['__version__']
