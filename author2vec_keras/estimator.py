"""`Author2Vec`: a scikit-learn style estimator around the Keras pair models."""
import os

import numpy as np
from sklearn.base import BaseEstimator

from .backend import keras
from . import models
from .graph import Graph, read_edgelist
from .io import save_word2vec


def as_graph(graph):
    """A `Graph` from a `Graph`, a networkx graph, or the path of an edge list."""
    if isinstance(graph, Graph):
        return graph
    if isinstance(graph, (str, os.PathLike)):
        return read_edgelist(graph)
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover
        nx = None
    if nx is not None and isinstance(graph, nx.Graph):
        return Graph.from_networkx(graph)
    raise TypeError('Author2Vec.fit expects a Graph, a networkx graph or an edge list path, '
                    'got %s' % type(graph).__name__)


class Author2Vec(BaseEstimator):
    """Node embeddings from the Author2Vec link model, trained on edges vs sampled non-edges.

    # Arguments
        dim: size of a node vector.
        hidden_dim: size of the pair representation `h`.
        negatives: sampled non-edges per edge.
        epochs: passes over the edges.
        batch_size: pairs per gradient step (edges and their negatives).
        model: 'paper' (softmax link model) or 'blog' (the blog's Sequential stack).
        optimizer: a Keras optimizer name or instance.
        sampling: 'uniform' or 'degree' (degree^0.75, as word2vec) for negatives.
        random_state: seed for initialisation, sampling and dropout.
        verbose: 0 silent, 1 Keras progress bar per epoch.

    # Attributes
        graph_: the `Graph` fitted on (node ids <-> rows).
        model_: the trained Keras model.
        embeddings_: `(num_nodes, dim)` array, row i for `graph_.nodes[i]`.
        history_: mean training loss per epoch.

    # Example

    ```python
        import networkx as nx
        est = Author2Vec(dim=16, epochs=5).fit(nx.karate_club_graph())
        est.predict_proba([(0, 1), (0, 33)])
    ```
    """

    def __init__(self, dim=128, hidden_dim=32, negatives=5, epochs=10, batch_size=512,
                 model='paper', optimizer='adam', sampling='uniform', random_state=0,
                 verbose=1):
        self.dim = dim
        self.hidden_dim = hidden_dim
        self.negatives = negatives
        self.epochs = epochs
        self.batch_size = batch_size
        self.model = model
        self.optimizer = optimizer
        self.sampling = sampling
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self):
        if self.model not in models.BUILDERS:
            raise ValueError('model must be one of %s, got %r'
                             % (sorted(models.BUILDERS), self.model))
        for name in ('dim', 'hidden_dim', 'negatives', 'epochs', 'batch_size'):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ValueError('%s must be a positive integer, got %r' % (name, value))

    def _build(self, num_nodes):
        np.random.seed(self.random_state)  # keras 2.0.9 seeds initialisers and dropout from numpy
        return models.BUILDERS[self.model](num_nodes, self.dim, self.hidden_dim,
                                           optimizer=self.optimizer)

    def fit(self, graph, y=None):
        """Train on a `Graph`, a networkx graph, or an edge list path. Returns `self`."""
        from .sampling import PairSequence
        self._check_params()
        self.graph_ = as_graph(graph)
        if self.graph_.num_edges == 0:
            raise ValueError('Author2Vec.fit: the graph has no edges')
        self.model_ = self._build(self.graph_.num_nodes)
        pairs = PairSequence(self.graph_, negatives=self.negatives, batch_size=self.batch_size,
                             distribution=self.sampling, seed=self.random_state)
        self.history_ = []
        for epoch in range(self.epochs):
            self.history_.append(self._train_epoch(pairs, epoch))
        self.embeddings_ = models.node_embeddings(self.model_)
        return self

    def _train_epoch(self, pairs, epoch):
        pairs.set_epoch(epoch)
        steps = len(pairs)
        if self.verbose:
            print('Epoch %d/%d' % (epoch + 1, self.epochs))
            progbar = keras.utils.generic_utils.Progbar(steps)
        total, count = 0.0, 0
        for step in range(steps):
            x, y = pairs[step]
            loss = float(self.model_.train_on_batch(x, y))
            if not np.isfinite(loss):
                raise FloatingPointError('training loss became %s at epoch %d, batch %d; lower '
                                         'the learning rate' % (loss, epoch + 1, step + 1))
            total += loss * len(x)
            count += len(x)
            if self.verbose:
                progbar.update(step + 1, [('loss', loss)])
        return total / count

    def _check_fitted(self):
        if not hasattr(self, 'embeddings_'):
            raise AttributeError('this Author2Vec instance is not fitted yet; call fit(graph) first')

    def get_embedding(self):
        """The node embeddings, `(num_nodes, dim)`, rows in `graph_.nodes` order."""
        self._check_fitted()
        return self.embeddings_

    def edge_probability(self, index_pairs):
        """Edge probability for `(k, 2)` pairs of node *indices* (rows of `embeddings_`)."""
        self._check_fitted()
        return models.edge_probability(self.model_, index_pairs)

    def predict_proba(self, pairs):
        """Edge probability for pairs of node *ids* (as in the fitted graph), a `(k,)` array."""
        self._check_fitted()
        pairs = list(pairs)
        if not pairs:
            return np.zeros(0)
        sources, targets = zip(*pairs)
        index_pairs = np.stack([self.graph_.indices(list(sources)),
                                self.graph_.indices(list(targets))], axis=1)
        return self.edge_probability(index_pairs)

    def save_embeddings(self, path):
        """Write the embeddings in word2vec text format (gensim reads it)."""
        self._check_fitted()
        save_word2vec(path, self.graph_.nodes, self.embeddings_)
        return path
