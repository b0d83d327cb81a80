"""`PairEmbedding`, the base of the estimators (`Author2Vec`, `ContentLinkAuthor2Vec`).

The parameters they have in common and their defaults (the one source of defaults: the command
line reads them from `get_params()`), the parameter checks, the optimizer resolution, one
model's pass over its batches (`_fit_epoch`, the seam of `loop.EpochLoop`) with its NaN guard
and Ctrl-C handling, and the outputs (embeddings, edge probabilities,
word2vec files). Importing it is cheap: Theano and Keras are configured and loaded (`backend`)
when a model is first built or scored.
"""
import inspect
import time

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from author2vec_keras.checks import ParameterError, finite_loss, one_of, positive_int
from author2vec_keras.data.graph import GraphError, check_weights
from author2vec_keras.data.negatives import SAMPLING, check_negatives
from author2vec_keras.fileio import save_word2vec
from author2vec_keras.training.checkpoints import (
    check_within,
    digest,
    interrupt_between_steps,
)
from author2vec_keras.training.memory import check_table_fits
from author2vec_keras.training.presets import preset_settings
from author2vec_keras.training.workers import check_fork, train_epoch

__all__ = ['PairEmbedding', 'MAX_SEED', 'weights_digest']

#: the largest seed: numpy's global `np.random.seed` (Keras' initialisers) takes 0 .. 2**32 - 1
MAX_SEED = 2 ** 32 - 1


def weights_digest(graph):
    """The digest of a graph's edge weights where they draw the pairs (not all equal), else
    None: a checkpoint made with other weights is refused, an unweighted one still read."""
    w = graph.weights
    return digest(w) if len(w) and np.ptp(w) > 0 else None


class PairEmbedding(BaseEstimator):
    """Base of the estimators: common parameters, checks, optimizer, a model's pass, outputs.

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
        verbose: 0 silent, 1 a progress bar per epoch (tqdm, on stderr) and a line with its
            losses (`loop.Progress`).
        workers: processes training each epoch at once, Hogwild, over tables in shared memory
            (`workers.train_epoch`; needs `os.fork`): up to the number of cores. 1 (default)
            trains in this process, bit-reproducibly; with more, results are not
            bit-reproducible and checkpoints are written at epoch ends only (Ctrl-C keeps the
            last one).
    """
    _pair_model = 'model_'  # the trained model that scores node pairs
    _loop = None  # the running `loop.EpochLoop`
    _weighted = True  # the edge weights draw the training pairs (`graph.check_weights`)
    #: `workers` counts Hogwild processes (`PartitionedAuthor2Vec`'s are Ray's with Ray)
    _forks_workers = True

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
        workers = getattr(self, 'workers', 1)
        if workers is not None:  # None: PartitionedAuthor2Vec's Ray workers, as many as fit
            positive_int('workers', workers)
            if self._forks_workers:
                check_fork(workers)
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
        (`memory.check_table_fits`). Raises ValueError, `GraphError` or `MemoryError`; weights
        that overflow are a `GraphError`, degenerate ones a `DataWarning` (`check_weights`).

        # Arguments
            graph: the `Graph` to be fitted.
            extra_rows: rows of further tables sharing the model (the content model's papers).
        """
        self.check_params()
        if graph.num_edges == 0:
            raise GraphError('the graph has no edges')
        if self._weighted:
            check_weights(graph)
        check_negatives(graph, self._sampling())
        self._check_memory(graph, self._tables() * graph.num_nodes + extra_rows)

    def _check_memory(self, graph, rows, advice=None):
        """`memory.check_table_fits` for a table of `rows` rows trained on `graph`."""
        return check_table_fits(rows, self.dim, optimizer=self.optimizer,
                                dense_updates=self.dense_updates, hidden_dim=self.hidden_dim,
                                batch_size=self.batch_size, num_edges=graph.num_edges,
                                negatives=self.negatives, walks=self._walk_sizes(),
                                workers=self._processes(), advice=advice)

    def _processes(self):
        """Processes training at once here: `workers` when they are forked, else 1."""
        return int(getattr(self, 'workers', None) or 1) if self._forks_workers else 1

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

        The seam of the epoch loop (`loop.EpochLoop`): the running loop's per-batch callbacks
        are called around each step. Returns the mean loss (an array: total then per output for
        multi-output models) of the epoch: `sums`, (the losses times rows, the rows) of its
        batches before `first` (a resumed epoch, from the checkpoint), count too; on Ctrl-C the
        sums so far are left in `_epoch_sums` for the checkpoint. Raises `FloatingPointError`
        naming the epoch and batch when the loss is not finite. With `workers > 1`,
        `workers.train_epoch` trains them in worker processes (checkpoints at epoch ends only),
        and the callbacks' `on_batch_end` follow the workers' batches as they finish (the loss
        the workers' running mean).
        """
        begin, end = self._loop.batch_hooks if self._loop is not None else ((), ())
        if self._processes() > 1:
            def finished(step, logs):
                for hook in end:
                    hook(step, logs)
            return train_epoch(model, batches, self._processes(), epoch, first,
                               on_batch_end=finished if end else None,
                               checkpoints=getattr(self, '_checkpoints', None))
        from author2vec_keras.nn.models import train_step
        train = train_step(model)
        total, count = (0.0, 0) if not sums else (np.asarray(sums[0], dtype=np.float64),
                                                  int(sums[1]))
        step = first
        try:
            with interrupt_between_steps() as check_interrupt:
                for step in range(first, len(batches)):
                    check_interrupt()
                    x, y = batches[step]
                    rows = len(y[0] if isinstance(y, list) else y)
                    for hook in begin:
                        hook(step, {'batch': step, 'size': rows})
                    out = np.atleast_1d(train(x, y)).astype(np.float64)
                    finite_loss(out[0], 'epoch %d, batch %d' % (epoch + 1, step + 1))
                    total = total + out * rows
                    count += rows
                    for hook in end:
                        hook(step, {'batch': step, 'size': rows, 'loss': out[0]})
        except KeyboardInterrupt:
            self._epoch_sums = (np.atleast_1d(total).tolist(), count)
            saved = self._interrupted(epoch, step)
            if saved is None:
                raise
            raise saved from None
        return total / max(count, 1)

    def _interrupted(self, epoch, step):
        """Called on Ctrl-C in the middle of epoch `epoch`, before batch `step` is trained:
        the `TrainingInterrupted` to raise once the position is saved (by the running loop's
        checkpoint, `loop.EpochLoop.interrupted`), or None (no saving)."""
        if self._loop is None:
            return None
        return self._loop.interrupted(epoch, step, sums=getattr(self, '_epoch_sums', None))

    def _epoch_end(self, losses):
        """The history entry and the callbacks' logs of an epoch whose phases gave `losses`
        (a dict, `loop.Phase`); called by the loop before the callbacks' `on_epoch_end`."""
        return losses['loss'], dict(losses)

    def _train(self, phases, history, start, partial=None, sums=None, callbacks=None,
               model=None, checkpointed=None, started=None):
        """Run the epochs (`loop.EpochLoop`) from `start` (`partial`, `sums`: a resumed
        epoch's, from its checkpoint); `checkpointed`: what the checkpoints save (with
        `checkpoint_dir`), beside the seconds trained since `started` and before. Returns the
        loop."""
        from author2vec_keras.training.loop import Checkpoint, EpochLoop
        started = time.time() if started is None else started
        checkpoint = Checkpoint(self._checkpoints, checkpointed, history,
                                state=lambda: self._state(started)) \
            if self._checkpoints is not None else None
        self._loop = EpochLoop(phases, self.epochs, self._fit_epoch, self._epoch_end, history,
                               callbacks=callbacks, model=model, checkpoint=checkpoint,
                               verbose=self.verbose)
        try:
            return self._loop.run(start, partial, sums)
        finally:
            self._loop = None

    def _read_checkpoint(self, resume, into=None):
        """`(model, start, history, state)` of the last checkpoint (`Checkpoints.read`,
        `start` its `(epoch, batch)`, `state` what it keeps beside: `partial`, the losses of that
        epoch's phases done, `sums` of the phase it stopped in, `seconds` trained) when
        `resume`, else None; says where it resumes, or that `resume` finds none and training
        starts from scratch (verbose). One beyond `epochs` is refused
        (`checkpoints.check_within`). Sets `seconds_before_`: the training seconds of the runs
        a resumed fit continues (0 without a checkpoint)."""
        found = self._checkpoints.read(into) if resume else None
        self.seconds_before_ = 0.0
        if found is None:
            if resume and self.verbose:
                print('no checkpoint in %s yet: training from scratch' % self.checkpoint_dir)
            return None
        model, meta = found
        start = (meta['epoch'], meta['batch'])
        check_within(self.checkpoint_dir, meta['epoch'], meta['batch'] > 0, self.epochs)
        state = meta.get('state') or {}
        self.seconds_before_ = float(state.get('seconds', 0.0))
        if self.verbose:
            print('resuming from %s: epoch %d, batch %d'
                  % (self.checkpoint_dir, start[0] + 1, start[1]))
        return model, start, meta['history'], state

    def _state(self, started, **more):
        """The JSON state a checkpoint keeps beside its position: the training seconds so far
        (those of the runs before, `seconds_before_`, and of this one since `started`)."""
        return dict(more, seconds=round(self.seconds_before_ + time.time() - started, 3))

    # -- outputs -------------------------------------------------------------------------------
    def get_embedding(self):
        """The node embeddings, `(num_nodes, dim)`, rows in `graph_.nodes` order."""
        check_is_fitted(self, 'embeddings_')
        return self.embeddings_

    def edge_probability(self, index_pairs, batch_size=None):
        """Edge probability for `(k, 2)` pairs of node *indices* (rows of `embeddings_`).

        With a separate context table on an undirected graph, the mean of both orders.
        `batch_size`: pairs per prediction step (default the training batch; larger is faster
        for millions of pairs).
        """
        from author2vec_keras.nn.models import edge_probability
        check_is_fitted(self, 'embeddings_')
        return edge_probability(getattr(self, self._pair_model), index_pairs,
                                batch_size=batch_size or self.batch_size,
                                symmetric=not self.graph_.directed)

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
