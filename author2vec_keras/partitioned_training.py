"""Training the link model bucket by bucket, out of core (PyTorch-BigGraph's scheme).

`PartitionedAuthor2Vec` is `Author2Vec` for graphs whose table (and optimizer slots) do not fit
in memory: the nodes are split into `partitions` parts and the edges into `P x P` buckets
(`partitions.py`); one pass trains every bucket, holding only the bucket's two partitions (and
their optimizer slots) in memory, the others on disk in `workdir`. The Keras model is built and
compiled once, for a table of two partitions' rows; each bucket's rows are swapped into that
table in place (and its optimizer slots into the optimizer's), so Theano compiles once. The dense
weights (`W_p`, `W_m`, `b` and the softmax) are one set shared by every bucket.

After every bucket the two partitions, their slots, the dense weights and the position are
checkpointed (`PartitionStore`), so a killed run resumes with `fit(graph, resume=True)` and
ends with the same embeddings as an uninterrupted one.

With `ray_address` set the buckets run on a Ray cluster instead (`distributed.py`).

What differs from `Author2Vec` (see `results/scale.md`): negatives are drawn among the nodes of
the bucket's two partitions (PBG's choice), and a pass visits the edges bucket by bucket
rather than in one global shuffle.
"""
import contextlib
import json
import os
import sys
import time

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .backend import K
from . import models
from .checkpoints import CheckpointMismatch, fingerprint
from .estimator import PairEmbedding
from .fileio import atomic_path
from .readers import as_graph
from .partitions import (PartitionLayout, PartitionStore, bucket_order, bucket_pairs,
                         read_rows_into, write_buckets)

__all__ = ['PartitionedAuthor2Vec', 'BucketTrainer', 'link_probability']


def _zeros(shape, dtype=None):
    """float32 zeros for the table: Keras' 'zeros' builds float64 ones times 0 first (three
    tables' worth of memory at once); these pages are not even touched until rows arrive."""
    return np.zeros(shape, dtype=dtype or K.floatx())


def _cpu_buffer(var):
    """The numpy array behind a shared variable (no copy), or None off the CPU."""
    value = var.get_value(borrow=True, return_internal_type=True)
    return value if isinstance(value, np.ndarray) else None


class BucketTrainer(object):
    """The paper's link model, compiled once over a two-partition table.

    # Arguments
        half_rows: rows of the largest partition; the table has `halves * half_rows` rows.
        halves: partitions held at once (2, or 1 when there is a single partition).
        dim, hidden_dim: as `Author2Vec`.
        optimizer, lr: as `Author2Vec` (`optimizers.resolve`); it must have a row-wise
            version (sgd, adagrad, adam).
        random_state: seeds the dense weights (as `Author2Vec` seeds them).
        compile: build the Theano train function now (False: only the weights and the
            optimizer's variables, for a coordinator that never trains).

    # Attributes
        model: the Keras model; table: its embedding weight; slots: the optimizer's slots of
            the table; params: the dense weights (all other model weights); state: the
            optimizer's other weights (dense slots and the step counter `iterations`).
    """

    def __init__(self, half_rows, halves, dim, hidden_dim, optimizer='adam', lr=None,
                 random_state=0, compile=True):
        from .optimizers import resolve, _RowOptimizer
        optimizer = resolve(optimizer, lr=lr)
        if not isinstance(optimizer, _RowOptimizer):
            raise ValueError('partitioned training needs a row-wise optimizer (sgd, adagrad or '
                             'adam), got %s' % type(optimizer).__name__)
        self.half_rows, self.halves = int(half_rows), int(halves)
        np.random.seed(random_state)  # keras 2.0.9 seeds its initialisers from numpy
        self.model = models.paper_model(self.half_rows * self.halves, dim, hidden_dim,
                                        optimizer=optimizer, embeddings_initializer=_zeros)
        self.optimizer = optimizer
        inner = self.model.model
        if compile:
            inner._make_train_function()  # Theano compiles here, once
        else:
            optimizer.get_updates(params=inner._collected_trainable_weights,
                                  loss=inner.total_loss)
        self.table = self.model.get_layer(models.EMBEDDING_LAYER).embeddings
        self.slots = list(optimizer.table_slots.get(self.table, []))
        assert len(self.slots) <= 1, 'one slot array per table (RowAdam keeps m, v together)'
        self.params = [w for w in self.model.weights if w is not self.table]
        self.state = [w for w in optimizer.weights if all(w is not s for s in self.slots)]
        self.held = [None] * self.halves  # (partition, generation) in each half of the table

    # -- shapes --------------------------------------------------------------------------
    def slot_shapes(self, rows):
        """Shapes of one partition's slot files for `rows` rows."""
        return [(int(rows),) + K.int_shape(s)[1:] for s in self.slots]

    # -- swapping partitions in and out ---------------------------------------------------
    def _arrays(self):
        """(weight, file kind) of the table and its slots."""
        return list(zip([self.table] + self.slots, ['emb', 'slots']))

    def hold(self, parts, store, generations, sizes):
        """Make the table hold partitions `parts` (their `generations` on disk).

        A partition already held at that generation stays; the others are read into a half
        that holds no partition needed now.

        # Returns
            `{partition: first table row}`.
        """
        parts = list(dict.fromkeys(int(p) for p in parts))
        wanted = {p: int(generations[p]) for p in parts}
        base = {}
        for h, held in enumerate(self.held):
            if held is not None and wanted.get(held[0]) == held[1]:
                base[held[0]] = h * self.half_rows
        free = [h for h in range(self.halves) if h * self.half_rows not in base.values()]
        for p in parts:
            if p in base:
                continue
            h = free.pop(0)
            rows = slice(h * self.half_rows, h * self.half_rows + int(sizes[p]))
            self._read(rows, store, p, wanted[p])
            self.held[h] = (p, wanted[p])
            base[p] = h * self.half_rows
        return base

    def _read(self, rows, store, part, generation):
        for var, kind in self._arrays():
            path = store.path(kind, part, generation)
            buf = _cpu_buffer(var)
            if buf is not None:
                read_rows_into(path, buf[rows])
            else:  # another device: a host copy, changed, and set back
                value = K.get_value(var)
                value[rows] = np.load(path)
                K.set_value(var, value)

    def save(self, base, store, sizes, generation):
        """Write the held partitions (`base` as `hold` returned it) as `generation`."""
        for p, start in base.items():
            rows = slice(start, start + int(sizes[p]))
            for var, kind in self._arrays():
                buf = _cpu_buffer(var)
                store.write(store.path(kind, p, generation),
                            (buf if buf is not None else K.get_value(var))[rows])
            self.held[start // self.half_rows] = (p, int(generation))

    def forget(self):
        """Drop what the table holds (another process may have changed the files)."""
        self.held = [None] * self.halves

    def release(self):
        """Free the table's and the slots' memory (the compiled function keeps their
        containers alive, so dropping the trainer alone would not); `hold` cannot follow."""
        for var, _ in self._arrays():
            shape = K.int_shape(var)
            var.set_value(np.zeros((1,) + tuple(shape[1:]), dtype=K.dtype(var)), borrow=True)
        self.forget()

    # -- dense weights ---------------------------------------------------------------------
    def get_dense(self):
        """`(params, state)`: lists of arrays."""
        return K.batch_get_value(self.params), K.batch_get_value(self.state)

    def set_dense(self, params=None, state=None):
        pairs = []
        if params is not None:
            pairs += list(zip(self.params, params))
        if state is not None:
            pairs += list(zip(self.state, state))
        K.batch_set_value(pairs)

    def save_dense(self, path):
        params, state = self.get_dense()
        save_dense(path, params, state)

    def load_dense(self, path):
        params, state = load_dense(path)
        self.set_dense(params, state if state else None)

    # -- training ----------------------------------------------------------------------------
    def train(self, batches, where=''):
        """Train on `(X, y)` batches; returns `(loss sum, pairs)`."""
        total, count = 0.0, 0
        for step, (x, y) in enumerate(batches):
            loss = float(self.model.train_on_batch(x, y))
            if not np.isfinite(loss):
                raise FloatingPointError(
                    'training loss became %s at %s, batch %d; the last good checkpoint is '
                    'kept; lower the learning rate' % (loss, where, step + 1))
            total += loss * len(x)
            count += len(x)
        return total, count


def save_dense(path, params, state=()):
    arrays = {'param_%d' % k: v for k, v in enumerate(params)}
    arrays.update({'state_%d' % k: v for k, v in enumerate(state)})
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            np.savez(f, **arrays)


def load_dense(path):
    with np.load(path) as f:
        params = [f['param_%d' % k] for k in range(sum(1 for n in f.files if n[0] == 'p'))]
        state = [f['state_%d' % k] for k in range(sum(1 for n in f.files if n[0] == 's'))]
    return params, state


def link_probability(embeddings, params, pairs, batch_size=65536):
    """The paper's link model in numpy: edge probability of `(k, 2)` index pairs.

    # Arguments
        embeddings: `(n, d)` table (a memory map is fine: only the pairs' rows are read).
        params: the dense weights in model order: `W_p, W_m, b` (`NodeEmbeddingLayer`),
            then the softmax kernel `(h, 2)` and bias `(2,)`.
        pairs: `(k, 2)` int node indices.

    # Returns
        float64 `(k,)`: the softmax's edge column, as `models.edge_probability` gives it.
    """
    w_p, w_m, b, kernel, bias = [np.asarray(p, dtype=np.float32) for p in params]
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    out = np.empty(len(pairs), dtype=np.float64)
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start:start + batch_size]
        u = np.asarray(embeddings[chunk[:, 0]], dtype=np.float32)
        v = np.asarray(embeddings[chunk[:, 1]], dtype=np.float32)
        h = np.tanh((u * v) @ w_p + np.abs(u - v) @ w_m + b)
        z = h @ kernel + bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out[start:start + len(chunk)] = e[:, 1] / e.sum(axis=1)
    return out


class PartitionedAuthor2Vec(PairEmbedding):
    """`Author2Vec` trained out of core on `P x P` buckets, PyTorch-BigGraph style.

    # Arguments
        partitions: `P`, the number of node partitions; two are in memory at a time, so the
            table and its slots take about `2 / P` of what `Author2Vec` needs.
        workdir: directory for the partitions, buckets and checkpoints (required).
        ray_address: None (train here), 'local' (start a local Ray cluster) or the address of
            a running one ('auto', 'HOST:PORT'): the buckets then run on Ray workers.
        workers: Ray workers (default: as many buckets as can run at once, `P // 2`).
        The others: see `PairEmbedding` (the paper's link model; the optimizer must have a
            row-wise version, 'sgd', 'adagrad' or 'adam', and `dense_updates` stay False).

    # Attributes
        graph_, history_: as `Author2Vec`.
        embeddings_: `(num_nodes, dim)` read-only memory map of `workdir/embeddings.npy`.
        dense_weights_: the dense weights (`W_p, W_m, b`, softmax kernel and bias).
        layout_: the `PartitionLayout`.
        timings_: seconds spent in this `fit`: 'compile', 'start' (buckets, initial files),
            'swap' (reading partitions in), 'train', 'checkpoint' (after every bucket), 'export'.
        pairs_trained_: training pairs (edges and negatives) in this `fit`.
        ray_workers_, ray_stats_: with Ray, each worker's process id and compile time, and one
            record per bucket trained (bucket, epoch, worker, loss, pairs, timings).

    # Example

    ```python
        est = PartitionedAuthor2Vec(partitions=8, workdir='runs/big').fit(graph)
        est.embeddings_          # a memory map: the table need not fit in memory
    ```
    """

    def __init__(self, partitions=4, workdir=None, dim=128, hidden_dim=32, negatives=5,
                 epochs=10, batch_size=512, optimizer='adam', lr=None, dense_updates=False,
                 sampling=None, random_state=0, verbose=1, ray_address=None,
                 workers=None):
        self.partitions = partitions
        self.workdir = workdir
        self.dim = dim
        self.hidden_dim = hidden_dim
        self.negatives = negatives
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.dense_updates = dense_updates
        self.sampling = sampling
        self.random_state = random_state
        self.verbose = verbose
        self.ray_address = ray_address
        self.workers = workers

    # -- checks and set-up -------------------------------------------------------------------
    def _check_memory(self, graph, rows, advice=None):
        """The memory guard for the rows held in memory: two partitions, not the table."""
        layout = PartitionLayout(graph.num_nodes, self.partitions, self.random_state)
        return super(PartitionedAuthor2Vec, self)._check_memory(
            graph, layout.table_rows, advice or 'use more --partitions or a lower --dim')

    def _check_params(self):
        super(PartitionedAuthor2Vec, self)._check_params()
        if isinstance(self.partitions, bool) or int(self.partitions) != self.partitions or \
                self.partitions < 1:
            raise ValueError('partitions must be a positive integer, got %r'
                             % (self.partitions,))
        if self.workers is not None and (int(self.workers) != self.workers or self.workers < 1):
            raise ValueError('workers must be a positive integer, got %r' % (self.workers,))
        if not self.workdir:
            raise ValueError('partitioned training needs a workdir for the partitions')
        if self.dense_updates or (isinstance(self.optimizer, str) and
                                  self.optimizer.lower() not in ('sgd', 'adagrad', 'adam')):
            raise ValueError("partitioned training updates rows: optimizer must be 'sgd', "
                             "'adagrad' or 'adam' (dense_updates=False), got %r"
                             % (self.optimizer,))

    def _fingerprint(self):
        params = {k: v for k, v in self.get_params().items()
                  if k not in ('verbose', 'workdir', 'epochs', 'ray_address', 'workers')}
        return fingerprint(params, self.graph_)

    def _model_options(self):
        """`BucketTrainer`'s arguments besides the table's shape (a Ray worker gets them)."""
        return dict(dim=self.dim, hidden_dim=self.hidden_dim, optimizer=self.optimizer,
                    lr=self.lr, random_state=self.random_state)

    def _trainer(self, compile=True):
        return BucketTrainer(self.layout_.sizes[0], min(self.layout_.num_partitions, 2),
                             compile=compile, **self._model_options())

    def _start(self, store, trainer):
        """A fresh run: buckets, initial partitions (generation 0), dense weights, checkpoint."""
        layout = self.layout_
        store.clear()
        counts = write_buckets(self.graph_, layout, store.buckets)
        for p, size in enumerate(layout.sizes):
            store.create(store.path('emb', p, 0), (int(size), self.dim),
                         seed=[self.random_state, p, 0xe3b])
            for shape in trainer.slot_shapes(size):
                store.create(store.path('slots', p, 0), shape)
        trainer.save_dense(store.path('dense', generation=0))
        state = dict(self._fingerprint(), epoch=0, done=[], generation=0,
                     generations=[0] * layout.num_partitions, dense=0,
                     slots=len(trainer.slots), bucket_edges=counts.tolist(), history=[],
                     epoch_loss=[0.0, 0])
        store.commit(state)
        return state

    def _resume(self, store):
        state = store.read()
        if state is None:
            return None
        expected = self._fingerprint()
        for key in ('version', 'params', 'num_nodes', 'edges_sha256'):
            if state.get(key) != expected[key]:
                what = {'version': 'package version', 'params': 'configuration'}.get(key,
                                                                                 'graph')
                raise CheckpointMismatch('the checkpoint in %s was made with another %s; use '
                                         'another --workdir or drop --resume'
                                         % (store.directory, what))
        missing = [f for f in _referenced(store, state) if not os.path.exists(f)]
        if missing:
            raise CheckpointMismatch('the checkpoint in %s names %s, which is missing'
                                     % (store.directory, missing[0]))
        store.collect(state, stale_only=False)  # also files of an uncommitted bucket
        return state

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, graph, y=None, resume=False):
        """Train on a graph (as `Author2Vec.fit`). Returns `self`.

        # Arguments
            graph: a `Graph`, a networkx graph or an edge list path.
            resume: continue from the checkpoint in `workdir` (same graph and parameters), or
                start afresh when there is none.
        """
        self.graph_ = as_graph(graph)
        self.check_fit(self.graph_)  # parameters, edges, negatives, memory of two partitions
        self.layout_ = layout = PartitionLayout(self.graph_.num_nodes, self.partitions,
                                                self.random_state)
        store = PartitionStore(self.workdir)
        state = self._resume(store) if resume else None
        if state is not None and not os.path.exists(os.path.join(store.buckets,
                                                                 'bucket_0_0.npy')):
            write_buckets(self.graph_, layout, store.buckets)
        self.timings_ = timings = dict.fromkeys(
            ('compile', 'start', 'swap', 'train', 'checkpoint', 'export'), 0.0)
        self.pairs_trained_ = 0
        if self.ray_address:
            from .distributed import train_on_ray
            if state is None:
                with _timed(timings, 'start'):
                    state = self._start(store, self._trainer(compile=False))
            state = train_on_ray(self, store, state)
        else:
            with _timed(timings, 'compile'):
                trainer = self._trainer()
            if state is None:
                with _timed(timings, 'start'):
                    state = self._start(store, trainer)
            elif self.verbose:
                print('resuming from %s: epoch %d, bucket %d' % (
                    self.workdir, state['epoch'] + 1, len(state['done'])), file=sys.stderr)
            state = self._train_here(trainer, store, state)
            trainer.release()  # before the export reads the partition files
        self.history_ = list(state['history'])
        self.dense_weights_ = load_dense(store.path('dense', generation=state['dense']))[0]
        with _timed(timings, 'export'):
            self.embeddings_ = store.export(layout, state, self.dim)
        return self

    def _pair_options(self):
        """What `partitions.bucket_pairs` needs besides the bucket (a worker gets it too)."""
        return dict(negatives=self.negatives, batch_size=self.batch_size,
                    directed=self.graph_.directed, sampling=self._sampling(),
                    seed=self.random_state)

    def _order(self, state, epoch):
        counts = np.asarray(state['bucket_edges'])
        buckets = [(i, j) for i, j in zip(*np.nonzero(counts))]
        return bucket_order(self.layout_.num_partitions, epoch, self.random_state, buckets)

    def _train_here(self, trainer, store, state):
        from tqdm import tqdm
        sizes, timings = self.layout_.sizes, self.timings_
        trainer.load_dense(store.path('dense', generation=state['dense']))
        for epoch in range(state['epoch'], self.epochs):
            order = self._order(state, epoch)
            done = {tuple(b) for b in state['done']}
            bar = tqdm(total=len(order), initial=len(done), unit='bucket', file=sys.stderr,
                       desc='epoch %d/%d' % (epoch + 1, self.epochs), disable=not self.verbose)
            try:
                for i, j in order:
                    if (i, j) in done:
                        continue
                    with _timed(timings, 'swap'):
                        base = trainer.hold((i, j), store, state['generations'], sizes)
                        pairs = bucket_pairs(store, i, j, base, sizes, **self._pair_options())
                    with _timed(timings, 'train'):
                        loss, count = trainer.train(pairs.epoch(epoch), 'epoch %d, bucket '
                                                    '(%d, %d)' % (epoch + 1, i, j))
                    with _timed(timings, 'checkpoint'):
                        gen = state['generation'] + 1
                        trainer.save(base, store, sizes, gen)
                        trainer.save_dense(store.path('dense', generation=gen))
                        state = _after_bucket(state, (i, j), gen, loss, count, len(order))
                        store.commit(state)
                    self.pairs_trained_ += count
                    bar.set_postfix(loss='%.4f' % (loss / max(count, 1)), refresh=False)
                    bar.update(1)
            except KeyboardInterrupt:
                bar.close()
                print('\ninterrupted: the checkpoint after epoch %d, bucket %d is in %s; '
                      'resume continues' % (state['epoch'] + 1, len(state['done']),
                                            self.workdir), file=sys.stderr)
                raise
            bar.close()
        return state

    # -- outputs -------------------------------------------------------------------------------
    def edge_probability(self, index_pairs):
        """Edge probability for `(k, 2)` pairs of node indices (numpy, any size of graph)."""
        check_is_fitted(self, 'embeddings_')
        return link_probability(self.embeddings_, self.dense_weights_, index_pairs)


@contextlib.contextmanager
def _timed(timings, key):
    started = time.time()
    try:
        yield
    finally:
        timings[key] += time.time() - started


def _after_bucket(state, bucket, generation, loss, count, buckets_per_epoch):
    """The checkpoint state after `bucket` finished as `generation` (a new dict)."""
    state = json.loads(json.dumps(state))
    i, j = bucket
    state['generation'] = max(state['generation'], generation)
    state['generations'][i] = state['generations'][j] = generation
    state['dense'] = generation
    state['done'].append([i, j])
    state['epoch_loss'] = [state['epoch_loss'][0] + loss, state['epoch_loss'][1] + count]
    if len(state['done']) == buckets_per_epoch:
        state['history'].append(state['epoch_loss'][0] / max(state['epoch_loss'][1], 1))
        state.update(epoch=state['epoch'] + 1, done=[], epoch_loss=[0.0, 0])
    return state


def _referenced(store, state):
    from .partitions import referenced_files
    return referenced_files(store, state)
