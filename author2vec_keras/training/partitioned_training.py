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
import os
import sys

import numpy as np
from sklearn.utils.validation import check_is_fitted

from author2vec_keras.checks import ParameterError, one_of, positive_int
from author2vec_keras.data.readers import as_graph
from author2vec_keras.nn.optimizers import ROW_WISE
from author2vec_keras.training.bucket_training import (
    BucketTrainer,
    LocalExecutor,
    timed,
    train_buckets,
)
from author2vec_keras.training.checkpoints import (
    CheckpointMismatch,
    check_within,
    describe_differences,
    fingerprint,
)
from author2vec_keras.training.pair_embedding import PairEmbedding
from author2vec_keras.training.partitions import (
    PartitionLayout,
    PartitionStore,
    load_dense,
    referenced_files,
    write_buckets,
)

__all__ = ['PartitionedAuthor2Vec', 'link_probability']


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
        workers: with `ray_address`, Ray workers (default: as many buckets as can run at once,
            `P // 2`); without, processes training each bucket at once, Hogwild, over the
            table in shared memory (`workers.train_epoch`; default 1, as `Author2Vec`'s).
        The others: see `PairEmbedding` (the paper's link model; the optimizer must have a
            row-wise version, `optimizers.ROW_WISE`, and `dense_updates` stay False).

    # Attributes
        graph_, history_: as `Author2Vec`.
        embeddings_: `(num_nodes, dim)` read-only memory map of `workdir/embeddings.npy`.
        dense_weights_: the dense weights (`W_p, W_m, b`, softmax kernel and bias).
        layout_: the `PartitionLayout`.
        timings_: seconds spent in this `fit`: 'compile', 'start' (buckets, initial files),
            'swap' (reading partitions in), 'train', 'checkpoint' (after every bucket), 'export';
            with Ray, 'train' is the wall time from the first bucket handed out to the last
            one's end and 'checkpoint' the driver's commits within it.
        pairs_trained_: training pairs (edges and negatives) in this `fit`.
        ray_workers_, ray_stats_: with Ray, each worker's process id and compile time, and one
            record per bucket trained (bucket, epoch, worker, loss, pairs, timings, and
            `running`: the buckets the lock server had out at once, `RayExecutor.stats`).

    # Example

    ```python
        est = PartitionedAuthor2Vec(partitions=8, workdir='runs/big').fit(graph)
        est.embeddings_          # a memory map: the table need not fit in memory
    ```
    """
    _weighted = False  # every edge alike (the command line says so)

    @property
    def _forks_workers(self):
        """`workers` are Ray's with `ray_address`, Hogwild processes per bucket without."""
        return not self.ray_address

    def __init__(self, partitions=4, workdir=None, dim=128, hidden_dim=32, negatives=5,
                 epochs=10, batch_size=512, optimizer='adam', lr=None, dense_updates=False,
                 sampling=None, random_state=0, verbose=1, ray_address=None,
                 workers=None):
        self._keep_params(locals())

    # -- checks and set-up -------------------------------------------------------------------
    def _check_memory(self, graph, rows, advice=None):
        """The memory guard for the rows held in memory: two partitions, not the table."""
        layout = PartitionLayout(graph.num_nodes, self.partitions, self.random_state)
        return super(PartitionedAuthor2Vec, self)._check_memory(
            graph, layout.table_rows, advice or 'use more --partitions or a lower --dim')

    def check_params(self):
        super(PartitionedAuthor2Vec, self).check_params()
        positive_int('partitions', self.partitions)
        if self.workers is not None:
            positive_int('workers', self.workers)
        if not self.workdir:
            raise ParameterError('partitioned training needs a workdir for the partitions',
                                 ['workdir'])
        if self.dense_updates:
            raise ParameterError('dense_updates updates the whole table: partitioned training '
                                 'updates rows', ['dense_updates'])
        if isinstance(self.optimizer, str):
            one_of('partitioned training updates rows: optimizer', self.optimizer.lower(),
                   ROW_WISE)

    def _fingerprint(self):
        params = {k: v for k, v in self.get_params().items()
                  if k not in ('verbose', 'workdir', 'epochs', 'ray_address', 'workers')}
        return fingerprint(params, self.graph_)

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
        differences = describe_differences(state, self._fingerprint())
        if differences:
            raise CheckpointMismatch('the checkpoint in %s was made with %s; use another '
                                     '--workdir or drop --resume'
                                     % (store.directory, differences))
        missing = [f for f in referenced_files(store, state) if not os.path.exists(f)]
        if missing:
            raise CheckpointMismatch('the checkpoint in %s names %s, which is missing'
                                     % (store.directory, missing[0]))
        check_within(store.directory, state['epoch'], bool(state['done']), self.epochs,
                     where='workdir')
        store.collect(state, stale_only=False)  # also files of an uncommitted bucket
        return state

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, graph, y=None, resume=False, callbacks=None):
        """Train on a graph (as `Author2Vec.fit`). Returns `self`.

        # Arguments
            graph: a `Graph`, a networkx graph or an edge list path.
            resume: continue from the checkpoint in `workdir` (same graph and parameters), or
                start afresh when there is none.
            callbacks: Keras callbacks (not with `ray_address`), a bucket for a batch
                (`bucket_training.train_buckets`): `self.model` is the model over the two
                partitions in memory, `on_epoch_end` gets the pass's `{'loss'}`, and
                `model.stop_training` ends training after a pass.
        """
        if callbacks and self.ray_address:
            raise ParameterError('callbacks run in this process, with its model: not with '
                                 'ray_address', ['ray_address'])
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
        trainer = None
        if not self.ray_address:  # the Ray workers compile their own
            with timed(timings, 'compile'):
                trainer = BucketTrainer(**self._trainer_options())
        if state is None:
            with timed(timings, 'start'):
                state = self._start(store, trainer or BucketTrainer(compile=False,
                                                                    **self._trainer_options()))
        elif self.verbose:
            print('resuming from %s: epoch %d, bucket %d' % (
                self.workdir, state['epoch'] + 1, len(state['done'])), file=sys.stderr)
        executor = self._executor(store, state, trainer)
        try:
            state, self.pairs_trained_ = train_buckets(
                executor, store, state, self.epochs, self.random_state, self.verbose, timings,
                callbacks=callbacks, model=trainer.model if trainer is not None else None)
        finally:
            executor.close()  # before the export reads the partition files
        self.history_ = list(state['history'])
        self.dense_weights_ = load_dense(store.path('dense', generation=state['dense']))[0]
        with timed(timings, 'export'):
            self.embeddings_ = store.export(layout, state, self.dim)
        return self

    def _trainer_options(self):
        """`BucketTrainer`'s arguments (a Ray worker gets them too)."""
        return dict(half_rows=self.layout_.sizes[0], halves=min(self.layout_.num_partitions, 2),
                    dim=self.dim, hidden_dim=self.hidden_dim, optimizer=self.optimizer,
                    lr=self.lr, random_state=self.random_state)

    def _executor(self, store, state, trainer):
        """Where the buckets run: here on `trainer` (`LocalExecutor`) or on Ray."""
        pair_options = dict(negatives=self.negatives, batch_size=self.batch_size,
                            directed=self.graph_.directed, sampling=self._sampling(),
                            seed=self.random_state)
        sizes = self.layout_.sizes
        if self.ray_address:
            from author2vec_keras.training.distributed import RayExecutor
            most = max(1, self.layout_.num_partitions // 2)
            executor = RayExecutor(self.ray_address, int(self.workers or most), store, state,
                                   sizes, pair_options, self._trainer_options(),
                                   self.timings_)
            self.ray_workers_, self.ray_stats_ = executor.workers_info, executor.stats
            return executor
        return LocalExecutor(trainer, store, sizes, pair_options, state['dense'], self.timings_,
                             processes=self.workers or 1)

    # -- outputs -------------------------------------------------------------------------------
    def edge_probability(self, index_pairs):
        """Edge probability for `(k, 2)` pairs of node indices (numpy, any size of graph)."""
        check_is_fitted(self, 'embeddings_')
        return link_probability(self.embeddings_, self.dense_weights_, index_pairs)
