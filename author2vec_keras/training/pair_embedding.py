"""`PairEmbedding`, the base of the estimators (`Author2Vec`, `ContentLinkAuthor2Vec`).

The parameters they have in common and their defaults (the one source of defaults: the command
line reads them from `get_params()`), the parameter checks, the optimizer resolution, the epoch
loop with its NaN guard and Ctrl-C handling, and the outputs (embeddings, edge probabilities,
word2vec files). Importing it is cheap: Theano and Keras are configured and loaded (`backend`)
when a model is first built or scored.
"""
import inspect
import sys
import time

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from author2vec_keras.checks import ParameterError, finite_loss, one_of, positive_int
from author2vec_keras.data.graph import GraphError
from author2vec_keras.data.negatives import SAMPLING, check_negatives
from author2vec_keras.fileio import save_word2vec
from author2vec_keras.training.checkpoints import (
    check_within,
    digest,
    interrupt_between_steps,
)
from author2vec_keras.training.memory import check_table_fits
from author2vec_keras.training.presets import preset_settings

__all__ = ['PairEmbedding', 'MAX_SEED', 'weights_digest']

#: the largest seed: numpy's global `np.random.seed` (Keras' initialisers) takes 0 .. 2**32 - 1
MAX_SEED = 2 ** 32 - 1


def weights_digest(graph):
    """The digest of a graph's edge weights where they draw the pairs (not all equal), else
    None: a checkpoint made with other weights is refused, an unweighted one still read."""
    w = graph.weights
    return digest(w) if len(w) and np.ptp(w) > 0 else None


class PairEmbedding(BaseEstimator):
    """Base of the estimators: common parameters, checks, optimizer, epoch loop, outputs.

    # Arguments
        dim: size of a node vector.
        hidden_dim: size of the pair representation `h`.
        negatives: sampled non-edges per edge.
        epochs: passes over the training pairs.
        batch_size: pairs per gradient step (positives and their negatives).
        optimizer: a Keras optimizer name ('adam', 'sgd', 'adagrad', ...), instance, or a
            callable returning one.
        lr: learning rate; None keeps the optimizer's default.
        dense_updates: True for Keras' stock optimizer, which updates the whole embedding table
            every batch; False (default) updates only the rows a batch touches
            (`optimizers.RowSGD`, `RowAdagrad`, `RowAdam`), so a step costs the same at 1k or
            1M nodes.
        sampling: 'uniform' or 'degree' (degree^0.75, as word2vec) for the negatives; None:
            the training pairs' default (`Author2Vec`: uniform for edges, as the paper; degree
            for walk pairs, as word2vec and DeepWalk).
        random_state: seed of initialisation, sampling and dropout.
        verbose: 0 silent, 1 a progress bar per epoch (tqdm, on stderr).
    """
    _pair_model = 'model_'  # the trained model that scores node pairs

    @classmethod
    def from_preset(cls, name, **params):
        """An estimator with the named configuration of `presets.PRESETS`, `params` overriding
        it: a parameter in neither takes the estimator's default. The one place the command
        line resolves its flags (`author2vec train --preset`).

        # Arguments
            name: a preset of this estimator (`presets.presets_of`), or None: the defaults.
            params: parameters of this estimator.

        # Example

        ```python
            Author2Vec.from_preset('walks', random_state=1)   # the tables' best setting
            ContentLinkAuthor2Vec.from_preset('a2v-lua', epochs=30)  # the authors' settings
        ```

        # Raises
            `checks.ParameterError` (a ValueError) for an unknown name, a preset of another
            estimator, or a parameter this estimator does not have.
        """
        known = cls._get_param_names()
        for key in params:
            if key not in known:
                raise ParameterError('%s is not a parameter of %s' % (key, cls.__name__), [key])
        settings = {} if name is None else preset_settings(name, cls.__name__)
        return cls(**dict(settings, **params))

    def _defaults(self):
        """The constructor's default of each parameter."""
        signature = inspect.signature(type(self).__init__)
        return {name: signature.parameters[name].default for name in self._get_param_names()}

    def _keep_params(self, arguments):
        """Keep `__init__`'s `arguments` (its `locals()`) as they are, one attribute per
        parameter (scikit-learn's rule: the constructor only stores its parameters)."""
        for name in self._get_param_names():
            setattr(self, name, arguments[name])

    def check_params(self):
        """Check every parameter and the rules between them, before any work (`fit` does).

        # Raises
            `checks.ParameterError` (a ValueError) naming the parameters at fault.
        """
        for name in ('dim', 'hidden_dim', 'negatives', 'epochs', 'batch_size'):
            positive_int(name, getattr(self, name))
        if self.sampling is not None:
            one_of('sampling', self.sampling, SAMPLING)
        if self.lr is not None and not self.lr > 0:
            raise ParameterError('lr must be positive, got %r' % (self.lr,), ['lr'])
        seed = self.random_state
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or \
                not 0 <= seed <= MAX_SEED:
            raise ParameterError('random_state must be an integer from 0 to %d, got %r'
                                 % (MAX_SEED, seed), ['random_state'])

    def check_fit(self, graph, extra_rows=0):
        """Everything that can be checked before a model is built: the parameters, that the
        graph has edges and a possible negative for each, and that training fits in memory
        (`memory.check_table_fits`). Raises ValueError, `GraphError` or `MemoryError`.

        # Arguments
            graph: the `Graph` to be fitted.
            extra_rows: rows of further tables sharing the model (the content model's papers).
        """
        self.check_params()
        if graph.num_edges == 0:
            raise GraphError('the graph has no edges')
        check_negatives(graph, self._sampling())
        self._check_memory(graph, self._tables() * graph.num_nodes + extra_rows)

    def _check_memory(self, graph, rows, advice=None):
        """`memory.check_table_fits` for a table of `rows` rows trained on `graph`."""
        return check_table_fits(rows, self.dim, optimizer=self.optimizer,
                                dense_updates=self.dense_updates, hidden_dim=self.hidden_dim,
                                batch_size=self.batch_size, num_edges=graph.num_edges,
                                negatives=self.negatives, walks=self._walk_sizes(),
                                advice=advice)

    def _walk_sizes(self):
        """The walk-pair parameters that size allocations (`memory.estimate_training_memory`'s
        `walks`), or None when the pairs are edges."""
        return None

    def _tables(self):
        """How many node tables the model holds."""
        return 1

    def _make_optimizer(self):
        """A fresh optimizer (one per compiled model)."""
        from author2vec_keras.nn.optimizers import resolve
        return resolve(self.optimizer, lr=self._learning_rate(), dense=self.dense_updates)

    def _learning_rate(self):
        """`lr`, or None for the optimizer's default."""
        return self.lr

    def _sampling(self):
        """The negative distribution used: `sampling`, or the default of the training pairs."""
        return 'uniform' if self.sampling is None else self.sampling

    def _fit_epoch(self, model, batches, epoch, first=0, sums=None):
        """One pass of `model.train_on_batch` (as `models.train_step`) over `batches` from `first`.

        Returns the mean loss (an array: total then per output for multi-output models) of the
        epoch: `sums`, (the losses times rows, the rows) of its batches before `first` (a
        resumed epoch, from the checkpoint), count too. On Ctrl-C the sums so far are left in
        `_epoch_sums` for the checkpoint. Raises `FloatingPointError` naming the epoch and
        batch when the loss is not finite.
        """
        from tqdm import tqdm

        from author2vec_keras.nn.models import train_step
        train = train_step(model)
        steps = len(batches)
        bar = tqdm(total=steps, initial=first, unit='batch', file=sys.stderr,
                   desc='epoch %d/%d' % (epoch + 1, self.epochs), disable=not self.verbose)
        total, count = (0.0, 0) if not sums else (np.asarray(sums[0], dtype=np.float64),
                                                  int(sums[1]))
        step = first
        try:
            with interrupt_between_steps() as check_interrupt:
                for step in range(first, steps):
                    check_interrupt()
                    x, y = batches[step]
                    out = np.atleast_1d(train(x, y)).astype(np.float64)
                    finite_loss(out[0], 'epoch %d, batch %d' % (epoch + 1, step + 1))
                    rows = len(y[0] if isinstance(y, list) else y)
                    total = total + out * rows
                    count += rows
                    bar.set_postfix(loss='%.4f' % out[0], refresh=False)
                    bar.update(1)
        except KeyboardInterrupt:
            self._epoch_sums = (np.atleast_1d(total).tolist(), count)
            saved = self._interrupted(epoch, step)
            if saved is None:
                raise
            raise saved from None
        finally:
            bar.close()
        return total / max(count, 1)

    def _interrupted(self, epoch, step):
        """Called on Ctrl-C in the middle of epoch `epoch`, before batch `step` is trained:
        the `TrainingInterrupted` to raise once the position is saved, or None (no saving)."""

    def _read_checkpoint(self, resume, into=None):
        """The last checkpoint (`Checkpoints.read`) when `resume`, else None; says when
        `resume` finds none (verbose), as it then starts from scratch. One beyond `epochs` is
        refused (`checkpoints.check_within`). Sets `seconds_before_`: the training seconds of
        the runs a resumed fit continues (0 without a checkpoint)."""
        found = self._checkpoints.read(into) if resume else None
        if resume and found is None and self.verbose:
            print('no checkpoint in %s yet: training from scratch' % self.checkpoint_dir)
        self.seconds_before_ = 0.0
        if found is not None:
            meta = found[1]
            check_within(self.checkpoint_dir, meta['epoch'], meta['batch'] > 0, self.epochs)
            self.seconds_before_ = float((meta.get('state') or {}).get('seconds', 0.0))
        return found

    def _state(self, started, **more):
        """The JSON state a checkpoint keeps beside its position: the training seconds so far
        (those of the runs before, `seconds_before_`, and of this one since `started`)."""
        return dict(more, seconds=round(self.seconds_before_ + time.time() - started, 3))

    # -- outputs -------------------------------------------------------------------------------
    def get_embedding(self):
        """The node embeddings, `(num_nodes, dim)`, rows in `graph_.nodes` order."""
        check_is_fitted(self, 'embeddings_')
        return self.embeddings_

    def edge_probability(self, index_pairs):
        """Edge probability for `(k, 2)` pairs of node *indices* (rows of `embeddings_`).

        With a separate context table on an undirected graph, the mean of both orders.
        """
        from author2vec_keras.nn.models import edge_probability
        check_is_fitted(self, 'embeddings_')
        return edge_probability(getattr(self, self._pair_model), index_pairs,
                                batch_size=self.batch_size, symmetric=not self.graph_.directed)

    def predict_proba(self, pairs):
        """Edge probability for pairs of node *ids* (as in the fitted graph), a `(k,)` array."""
        check_is_fitted(self, 'embeddings_')
        pairs = list(pairs)
        if not pairs:
            return np.zeros(0)
        sources, targets = zip(*pairs)
        index_pairs = np.stack([self.graph_.indices(list(sources)),
                                self.graph_.indices(list(targets))], axis=1)
        return self.edge_probability(index_pairs)

    def save_embeddings(self, path):
        """Write the embeddings in word2vec text format (gensim reads it)."""
        check_is_fitted(self, 'embeddings_')
        save_word2vec(path, self.graph_.nodes, self.embeddings_)
        return path
