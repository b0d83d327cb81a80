"""`Author2Vec`: a scikit-learn style estimator around the Keras pair models."""
import hashlib
import json
import os

import numpy as np
from sklearn.base import BaseEstimator

from . import __version__
from .backend import keras
from . import models
from .graph import Graph, read_edgelist
from .io import CheckpointMismatch, atomic_open, load_model, save_model, save_word2vec

CHECKPOINT_META = 'checkpoint.json'


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


class EmbeddingOutputs(object):
    """What a fitted pair-embedding estimator gives: vectors, edge probabilities, files.

    Needs `graph_`, `embeddings_` and the trained pair model named by `_pair_model`.
    """
    _pair_model = 'model_'

    def _check_fitted(self):
        if not hasattr(self, 'embeddings_'):
            raise AttributeError('this %s instance is not fitted yet; call fit(graph) first'
                                 % type(self).__name__)

    def get_embedding(self):
        """The node embeddings, `(num_nodes, dim)`, rows in `graph_.nodes` order."""
        self._check_fitted()
        return self.embeddings_

    def edge_probability(self, index_pairs):
        """Edge probability for `(k, 2)` pairs of node *indices* (rows of `embeddings_`)."""
        self._check_fitted()
        return models.edge_probability(getattr(self, self._pair_model), index_pairs)

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


class Author2Vec(EmbeddingOutputs, BaseEstimator):
    """Node embeddings from the Author2Vec link model, trained on edges vs sampled non-edges.

    # Arguments
        dim: size of a node vector.
        hidden_dim: size of the pair representation `h`.
        negatives: sampled non-edges per edge.
        epochs: passes over the edges.
        batch_size: pairs per gradient step (edges and their negatives).
        model: 'paper' (softmax link model) or 'blog' (the blog's Sequential stack).
        optimizer: a Keras optimizer name or instance.
        row_wise: update only the embedding rows a batch touches (`optimizers.row_wise`: SGD,
            Adagrad and lazy Adam), so a step costs the same at 1k or 1M nodes; False gives
            Keras' stock optimizer, which updates the whole table every batch.
        sampling: 'uniform' or 'degree' (degree^0.75, as word2vec) for negatives.
        random_state: seed for initialisation, sampling and dropout.
        verbose: 0 silent, 1 Keras progress bar per epoch.
        checkpoint_dir: if set, the model, its optimizer state and the position in training
            are saved there (atomically) after every epoch and on Ctrl-C;
            `fit(graph, resume=True)` continues from the last one.

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
                 model='paper', optimizer='adam', row_wise=True, sampling='uniform',
                 random_state=0, verbose=1, checkpoint_dir=None):
        self.dim = dim
        self.hidden_dim = hidden_dim
        self.negatives = negatives
        self.epochs = epochs
        self.batch_size = batch_size
        self.model = model
        self.optimizer = optimizer
        self.row_wise = row_wise
        self.sampling = sampling
        self.random_state = random_state
        self.verbose = verbose
        self.checkpoint_dir = checkpoint_dir

    def _check_params(self):
        if self.model not in models.BUILDERS:
            raise ValueError('model must be one of %s, got %r'
                             % (sorted(models.BUILDERS), self.model))
        for name in ('dim', 'hidden_dim', 'negatives', 'epochs', 'batch_size'):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ValueError('%s must be a positive integer, got %r' % (name, value))

    def _build(self, num_nodes):
        optimizer = self.optimizer
        if self.row_wise:
            from .optimizers import row_wise
            optimizer = row_wise(optimizer)
        np.random.seed(self.random_state)  # keras 2.0.9 seeds initialisers and dropout from numpy
        return models.BUILDERS[self.model](num_nodes, self.dim, self.hidden_dim,
                                           optimizer=optimizer)

    def fit(self, graph, y=None, resume=False):
        """Train on a `Graph`, a networkx graph, or an edge list path. Returns `self`.

        # Arguments
            graph: the graph to embed.
            y: ignored (scikit-learn convention).
            resume: continue from the checkpoint in `checkpoint_dir` (same graph and
                parameters), or start afresh when there is none.
        """
        from .sampling import PairSequence
        self._check_params()
        self.graph_ = as_graph(graph)
        if self.graph_.num_edges == 0:
            raise ValueError('Author2Vec.fit: the graph has no edges')
        check_table_fits(self.graph_.num_nodes, self.dim)
        start = (0, 0)
        self.history_ = []
        checkpoint = self._read_checkpoint() if resume else None
        if checkpoint is not None:
            self.model_ = load_model(os.path.join(self.checkpoint_dir, checkpoint['model']))
            start = (checkpoint['epoch'], checkpoint['batch'])
            self.history_ = checkpoint['history']
            if self.verbose:
                print('resuming from %s: epoch %d, batch %d'
                      % (self.checkpoint_dir, start[0] + 1, start[1]))
        else:
            self.model_ = self._build(self.graph_.num_nodes)
        pairs = PairSequence(self.graph_, negatives=self.negatives, batch_size=self.batch_size,
                             distribution=self.sampling, seed=self.random_state)
        for epoch in range(start[0], self.epochs):
            first = start[1] if epoch == start[0] else 0
            self.history_.append(self._train_epoch(pairs, epoch, first))
            self._write_checkpoint(epoch + 1, 0)
        self.embeddings_ = models.node_embeddings(self.model_)
        return self

    def _train_epoch(self, pairs, epoch, first=0):
        pairs.set_epoch(epoch)
        steps = len(pairs)
        if self.verbose:
            print('Epoch %d/%d' % (epoch + 1, self.epochs))
            progbar = keras.utils.generic_utils.Progbar(steps)
        total, count = 0.0, 0
        step = first
        try:
            for step in range(first, steps):
                x, y = pairs[step]
                loss = float(self.model_.train_on_batch(x, y))
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        'training loss became %s at epoch %d, batch %d; the last good checkpoint '
                        'is kept; lower the learning rate' % (loss, epoch + 1, step + 1))
                total += loss * len(x)
                count += len(x)
                if self.verbose:
                    progbar.update(step + 1, [('loss', loss)])
        except KeyboardInterrupt:
            if self._write_checkpoint(epoch, step):
                print('\ninterrupted: saved epoch %d, batch %d in %s; fit(..., resume=True) '
                      'continues' % (epoch + 1, step, self.checkpoint_dir))
            raise
        return total / max(count, 1)

    def _fingerprint(self):
        """What a checkpoint must match: package version, parameters and the graph."""
        params = {k: v for k, v in self.get_params().items()
                  if k not in ('verbose', 'checkpoint_dir', 'epochs')}
        edges = hashlib.sha256(np.ascontiguousarray(self.graph_.edges).tobytes()).hexdigest()
        return {'version': __version__, 'params': json.loads(json.dumps(params, default=str)),
                'num_nodes': self.graph_.num_nodes, 'edges_sha256': edges}

    def _write_checkpoint(self, epoch, batch):
        """Save model + optimizer state and the position (epoch, batch); returns True if saved."""
        if not self.checkpoint_dir:
            return False
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        name = 'model-e%04d-b%06d.h5' % (epoch, batch)
        save_model(self.model_, os.path.join(self.checkpoint_dir, name))
        meta_path = os.path.join(self.checkpoint_dir, CHECKPOINT_META)
        previous = _read_json(meta_path)
        meta = dict(self._fingerprint(), epoch=epoch, batch=batch, model=name,
                    history=self.history_)
        with atomic_open(meta_path, 'w', encoding='utf8') as f:
            json.dump(meta, f, indent=1)
        if previous and previous.get('model') not in (None, name):
            old = os.path.join(self.checkpoint_dir, previous['model'])
            if os.path.exists(old):
                os.remove(old)
        return True

    def _read_checkpoint(self):
        if not self.checkpoint_dir:
            raise ValueError('resume=True needs checkpoint_dir')
        meta = _read_json(os.path.join(self.checkpoint_dir, CHECKPOINT_META))
        if meta is None:
            return None
        expected = self._fingerprint()
        for key in ('version', 'params', 'num_nodes', 'edges_sha256'):
            if meta.get(key) != expected[key]:
                raise CheckpointMismatch(
                    'the checkpoint in %s was made with another %s (%s, now %s); use another '
                    '--checkpoint-dir or drop --resume'
                    % (self.checkpoint_dir, 'package version' if key == 'version' else
                       'graph' if key in ('num_nodes', 'edges_sha256') else 'configuration',
                       _short(meta.get(key)), _short(expected[key])))
        if not os.path.exists(os.path.join(self.checkpoint_dir, meta['model'])):
            raise CheckpointMismatch('the checkpoint in %s names %s, which is missing'
                             % (self.checkpoint_dir, meta['model']))
        return meta


def _read_json(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf8') as f:
        return json.load(f)


def _short(value):
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) < 120 else text[:117] + '...'


def available_memory():
    """Bytes of memory available to this process (Linux MemAvailable), or None."""
    try:
        with open('/proc/meminfo') as f:
            for line in f:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_table_fits(num_nodes, dim, copies=4, available=None):
    """Raise `MemoryError` with the figure if an embedding table cannot fit in memory.

    `copies` counts the table, its gradient and two optimizer moments (Adam), float32.
    """
    needed = int(num_nodes) * int(dim) * 4 * copies
    available = available_memory() if available is None else available
    if available is not None and needed > available:
        raise MemoryError(
            'the embedding table for %d nodes x %d dimensions needs about %.1f GiB (table, '
            'gradient and optimizer state), but only %.1f GiB is available; lower --dim or '
            'embed a smaller graph' % (num_nodes, dim, needed / 2.0 ** 30, available / 2.0 ** 30))
    return needed
