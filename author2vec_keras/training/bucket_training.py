"""Training the buckets: PyTorch-BigGraph's coordinator loop, with the buckets run here or on Ray.

- `BucketTrainer`: the paper's link model compiled once over a two-partition table; a
  bucket's partitions are swapped into that table in place and trained with
  `models.train_step`;
- `train_buckets`: the one loop over the passes and their buckets (PBG's coordinator): it hands
  an executor buckets that share no partition with a running one (`partitions.BucketScheduler`,
  the lock server) and after each bucket records it (`partitions.after_bucket`), commits the
  checkpoint and drives the callbacks (the progress bar: `loop.Progress`);
- `LocalExecutor`: one `BucketTrainer` in this process, one bucket at a time
  (`distributed.RayExecutor`: Ray workers, several at a time).

An executor has `workers` (how many buckets may run at once), `submit(worker, job)`, `close()`
and `wait()`: the `(worker, result)` of buckets that finished, their partitions and the dense
weights written as the job's generation. A job is `{'bucket', 'epoch', 'generation',
'generations', 'running'}` (`running`: the buckets the lock server had out when it handed this
one out); a result has at least `bucket`, `generation`, `loss` (summed over the pairs) and
`pairs`.
"""
import contextlib
import time

import numpy as np

from author2vec_keras.checks import finite_loss
from author2vec_keras.nn import models
from author2vec_keras.nn.backend import K, collected_trainable_weights
from author2vec_keras.nn.optimizers import ROW_WISE, resolve
from author2vec_keras.training.checkpoints import TrainingInterrupted
from author2vec_keras.training.partitions import (
    BucketScheduler,
    after_bucket,
    bucket_pairs,
    load_dense,
    pass_order,
    read_rows_into,
    save_dense,
)

__all__ = ['BucketTrainer', 'LocalExecutor', 'train_buckets', 'timed']


def _zeros(shape, dtype=None):
    """float32 zeros for the table: Keras' 'zeros' builds float64 ones times 0 first (three
    tables' worth of memory at once); these pages are not even touched until rows arrive."""
    return np.zeros(shape, dtype=dtype or K.floatx())


def _cpu_buffer(var):
    """The numpy array behind a shared variable (no copy), or None off the CPU."""
    value = var.get_value(borrow=True, return_internal_type=True)
    return value if isinstance(value, np.ndarray) else None


@contextlib.contextmanager
def timed(timings, key):
    """Add the seconds the block takes to `timings[key]`."""
    started = time.time()
    try:
        yield
    finally:
        timings[key] += time.time() - started


class BucketTrainer(object):
    """The paper's link model, compiled once over a two-partition table.

    # Arguments
        half_rows: rows of the largest partition; the table has `halves * half_rows` rows.
        halves: partitions held at once (2, or 1 when there is a single partition).
        dim, hidden_dim: as `Author2Vec`.
        optimizer, lr: as `Author2Vec` (`optimizers.resolve`); it must have a row-wise
            version (`optimizers.ROW_WISE`).
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
        optimizer = resolve(optimizer, lr=lr)
        if not isinstance(optimizer, tuple(ROW_WISE.values())):
            raise ValueError('partitioned training needs a row-wise optimizer (%s), got %s'
                             % (', '.join(ROW_WISE), type(optimizer).__name__))
        self.half_rows, self.halves = int(half_rows), int(halves)
        np.random.seed(random_state)  # keras 2.0.9 seeds its initialisers from numpy
        self.model = models.paper_model(self.half_rows * self.halves, dim, hidden_dim,
                                        optimizer=optimizer, embeddings_initializer=_zeros)
        self.optimizer = optimizer
        inner = self.model.model
        self._step = None
        if compile:
            self._step = models.train_step(self.model)  # Theano compiles here, once
        else:
            optimizer.get_updates(params=collected_trainable_weights(inner),
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
    def train(self, batches, where='', workers=1):
        """Train on `(X, y)` batches; returns `(loss sum, pairs)`. With `workers > 1`,
        `batches` is a sequence with `num_pairs` (`BucketPairs.epoch`) trained by that many
        forked processes at once (Hogwild, `workers.train_epoch`) over the table, its slots
        and the dense weights in shared memory."""
        if workers > 1:
            from author2vec_keras.training.workers import train_epoch
            count = batches.num_pairs
            mean = np.ravel(train_epoch(self.model, batches, int(workers)))[0]
            return finite_loss(float(mean), where) * count, count
        total, count = 0.0, 0
        for step, (x, y) in enumerate(batches):
            loss = finite_loss(self._step(x, y), '%s, batch %d' % (where, step + 1))
            total += loss * len(x)
            count += len(x)
        return total, count

    def train_bucket(self, job, store, sizes, pair_options, workers=1):
        """Train one bucket: hold its partitions, train on its batches, write them back.

        # Arguments
            job: `{'bucket': (i, j), 'epoch', 'generation': to write, 'generations': to read}`.
            store: the `PartitionStore`; sizes: the partitions' sizes.
            pair_options: `partitions.bucket_pairs`' options.
            workers: processes training the bucket at once (`train`).

        # Returns
            `{'bucket', 'generation', 'loss', 'pairs'}` and the seconds spent reading
            (`swap_seconds`), training (`train_seconds`) and writing (`save_seconds`).
        """
        i, j = job['bucket']
        seconds = dict.fromkeys(('swap', 'train', 'save'), 0.0)
        with timed(seconds, 'swap'):
            base = self.hold((i, j), store, job['generations'], sizes)
            pairs = bucket_pairs(store, i, j, base, sizes, **pair_options)
        with timed(seconds, 'train'):
            loss, count = self.train(pairs.epoch(job['epoch']), 'epoch %d, bucket (%d, %d)'
                                     % (job['epoch'] + 1, i, j), workers)
        with timed(seconds, 'save'):
            self.save(base, store, sizes, job['generation'])
        result = {'bucket': (i, j), 'generation': job['generation'], 'loss': loss,
                  'pairs': count}
        result.update(('%s_seconds' % k, v) for k, v in seconds.items())
        return result


class LocalExecutor(object):
    """Runs the buckets here, one at a time, on one `BucketTrainer`.

    # Arguments
        trainer: the compiled `BucketTrainer`; store: the `PartitionStore`.
        sizes: the partitions' sizes; pair_options: `partitions.bucket_pairs`' options.
        dense: the generation of the dense weights to start from.
        timings: dict to add the seconds of 'swap', 'train' and 'checkpoint' to.
        processes: Hogwild processes training each bucket (`BucketTrainer.train`).
    """

    workers = 1  # buckets at once

    def __init__(self, trainer, store, sizes, pair_options, dense, timings, processes=1):
        self.trainer, self.store, self.sizes = trainer, store, sizes
        self.pair_options, self.timings = pair_options, timings
        self.processes = int(processes)
        self._jobs = []
        trainer.load_dense(store.path('dense', generation=dense))

    def submit(self, worker, job):
        self._jobs.append((worker, job))

    def wait(self):
        worker, job = self._jobs.pop(0)
        result = self.trainer.train_bucket(job, self.store, self.sizes, self.pair_options,
                                           self.processes)
        with timed(self.timings, 'checkpoint'):
            self.trainer.save_dense(self.store.path('dense', generation=job['generation']))
        for key, seconds in (('swap', 'swap'), ('train', 'train'), ('checkpoint', 'save')):
            self.timings[key] += result[seconds + '_seconds']
        return [(worker, result)]

    def close(self):
        """Free the trainer's table (`BucketTrainer.release`)."""
        self.trainer.release()


def train_buckets(executor, store, state, epochs, seed=0, verbose=1, timings=None,
                  callbacks=None, model=None):
    """Train the buckets of the passes `state['epoch'] .. epochs - 1` that `state` has not done.

    Each pass is `partitions.pass_order`; the lock server hands each idle worker of `executor`
    the first bucket that shares no partition with a running one, preferring one that shares
    a partition with the worker's previous bucket. After each bucket the checkpoint is
    committed, so a run killed at any moment resumes from the last finished bucket.

    # Arguments
        executor: `LocalExecutor` or `distributed.RayExecutor`.
        store: the `PartitionStore`; state: the checkpoint to continue from.
        epochs: passes in all; seed: of the bucket order.
        verbose: a progress bar per pass on stderr (`loop.Progress`).
        timings: dict to add the 'checkpoint' seconds (commits) to.
        callbacks: Keras callbacks, driven as `loop.EpochLoop` drives them, a bucket for a
            batch (`on_batch_begin` when it is handed out, `on_batch_end` with its mean loss
            when it is done), `on_epoch_end` with the pass's `{'loss'}`;
            `model.stop_training` ends training after a pass.
        model: the model the callbacks get.

    # Returns
        `(state, pairs)`: the last checkpoint, and the pairs trained in this call.
    """
    from author2vec_keras.training.loop import Progress, batch_hooks, callback_list, stopped
    timings = {'checkpoint': 0.0} if timings is None else timings
    generation, trained = state['generation'], 0
    progress = Progress((state['epoch'], len(state['done'])), unit='bucket') if verbose else None
    callbacks = callback_list(([progress] if progress else []) + list(callbacks or []), model,
                              {'epochs': epochs, 'steps': len(pass_order(state, 0, seed)),
                               'verbose': verbose})
    begin, end = batch_hooks(callbacks)
    callbacks.on_train_begin()
    try:
        for epoch in range(state['epoch'], epochs):
            order = pass_order(state, epoch, seed)
            done = {tuple(b) for b in state['done']}
            scheduler = BucketScheduler([b for b in order if b not in done])
            callbacks.on_epoch_begin(epoch)
            idle, last, handed = list(range(executor.workers)), {}, len(done)
            while not scheduler.done:
                for worker in list(idle):
                    bucket = scheduler.acquire(last.get(worker))
                    if bucket is None:
                        break
                    for hook in begin:
                        hook(handed, {'batch': handed, 'bucket': bucket})
                    handed += 1
                    generation += 1
                    executor.submit(worker, {
                        'bucket': bucket, 'epoch': epoch, 'generation': generation,
                        'generations': list(state['generations']),
                        'running': sorted(scheduler.running)})
                    idle.remove(worker)
                for worker, result in executor.wait():
                    bucket = tuple(result['bucket'])
                    scheduler.release(bucket)
                    idle.append(worker)
                    last[worker] = bucket
                    with timed(timings, 'checkpoint'):
                        state = after_bucket(state, bucket, result['generation'],
                                             result['loss'], result['pairs'], len(order))
                        state['generation'] = max(state['generation'], generation)
                        store.commit(state)
                    trained += result['pairs']
                    index = len(state['done']) - 1 if state['done'] else len(order) - 1
                    for hook in end:
                        hook(index, {'batch': index, 'bucket': bucket, 'size': result['pairs'],
                                     'loss': result['loss'] / max(result['pairs'], 1)})
            callbacks.on_epoch_end(epoch, {'loss': state['history'][-1]})
            if stopped(model):
                break
    except KeyboardInterrupt:
        raise TrainingInterrupted(store.directory, state['epoch'] + 1, len(state['done']),
                                  unit='bucket') from None
    finally:
        if progress is not None:
            progress.close()
    callbacks.on_train_end()
    return state, trained
