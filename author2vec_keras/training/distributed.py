"""The partitioned buckets on a Ray cluster: PyTorch-BigGraph's distributed training on Ray.

Three roles, as in PBG (Lerer et al. 2019, section 3.3):

- the driver is the *lock server*: it hands buckets to idle workers so that no two running
  buckets share a partition (`partitions.BucketScheduler`), preferring a bucket that shares a
  partition with the worker's previous one; after each bucket it commits the checkpoint (the
  loop of `bucket_training.train_buckets`, the same as for training in one process, with
  `RayExecutor` running the buckets);
- a `ParameterServer` actor holds the dense weights (`W_p`, `W_m`, `b`, the softmax) and the
  global step; each worker pulls them before a bucket and pushes its change (new - pulled)
  after it, which the server adds (so concurrent buckets' updates add up, as in PBG);
- `BucketWorker` actors (one CPU each) build and compile the Keras model once (the Theano
  compile cache is shared by the workers of a machine), then train bucket after bucket: read
  the two partitions and their optimizer slots from the shared `workdir`, train, write them
  back as a new generation.

The dense weights' optimizer slots (Adam's moments of `W_p`, ...) stay with each worker, as
PBG's trainers keep theirs. Ray is optional (`pip install 'author2vec_keras[distributed]'`);
nothing else in the package imports it.
"""
import os
import time

import numpy as np

__all__ = ['RayExecutor', 'ParameterServer', 'BucketWorker', 'connect']


def _ray():
    try:
        import ray
    except ImportError:  # pragma: no cover - the CLI checks first
        raise ImportError("ray_address needs Ray: pip install 'author2vec_keras[distributed]'")
    return ray


def connect(address, num_cpus=None):
    """`ray.init` for `address`: 'local' starts a local cluster of `num_cpus` CPUs; 'auto' or
    'HOST:PORT' joins a running one. Returns True if this call started the connection."""
    ray = _ray()
    if ray.is_initialized():
        return False
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {k: os.environ[k] for k in ('THEANO_FLAGS', 'AUTHOR2VEC_DEVICE', 'KERAS_BACKEND')
           if k in os.environ}
    env.update(OPENBLAS_NUM_THREADS='1', OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
               PYTHONPATH=os.pathsep.join([package_root] + [p for p in os.environ.get(
                   'PYTHONPATH', '').split(os.pathsep) if p]))
    kwargs = dict(runtime_env={'env_vars': env}, logging_level='WARNING', log_to_driver=True)
    if address == 'local':
        ray.init(num_cpus=num_cpus, include_dashboard=False,
                 object_store_memory=256 * 2 ** 20, **kwargs)
    else:
        ray.init(address=address, **kwargs)
    return True


class ParameterServer(object):
    """The dense weights and the global step, shared by the workers (a Ray actor)."""

    def __init__(self, params, step):
        self.params = [np.array(p) for p in params]
        self.step = int(step)
        self.pushes = 0

    def pull(self):
        return self.params, self.step

    def push(self, deltas, steps):
        for p, d in zip(self.params, deltas):
            p += d
        self.step += int(steps)
        self.pushes += 1
        return self.pushes


class BucketWorker(object):
    """Trains buckets on one CPU with a model compiled once (a Ray actor).

    # Arguments
        spec: `{'sizes': partition sizes, 'model': BucketTrainer's arguments, 'pairs':
            bucket_pairs' options}`; workdir: the shared directory.
    """

    def __init__(self, spec, workdir):
        from author2vec_keras.training.bucket_training import BucketTrainer
        from author2vec_keras.training.partitions import PartitionStore
        started = time.time()
        self.sizes = np.asarray(spec['sizes'])
        self.pair_options = spec['pairs']
        self.trainer = BucketTrainer(**spec['model'])
        self.store = PartitionStore(workdir)
        self.compile_seconds = time.time() - started
        self.iterations = self.trainer.optimizer.iterations

    def ready(self):
        return {'pid': os.getpid(), 'compile_seconds': self.compile_seconds}

    def train(self, job, server):
        """Train bucket `job['bucket']` from the server's dense weights and push their change;
        returns `BucketTrainer.train_bucket`'s result, with timings."""
        from author2vec_keras.nn.backend import K
        ray = _ray()
        started = time.time()
        params, step = ray.get(server.pull.remote())
        self.trainer.set_dense(params)
        K.set_value(self.iterations, step)
        result = self.trainer.train_bucket(job, self.store, self.sizes, self.pair_options)
        new_params, _ = self.trainer.get_dense()
        steps = int(K.get_value(self.iterations)) - step
        ray.get(server.push.remote([n - p for n, p in zip(new_params, params)], steps))
        finished = time.time()
        result.update(pid=os.getpid(), started=started, finished=finished,
                      io_seconds=finished - started - result['train_seconds'])
        return result


class RayExecutor(object):
    """Runs the buckets on Ray workers, several at a time (`bucket_training.train_buckets`).

    A `ParameterServer` actor holds the dense weights; after each bucket they are written as
    the bucket's generation (the checkpoint names them).

    # Arguments
        address: `connect`'s address; workers: `BucketWorker` actors (one CPU each).
        store: the `PartitionStore` (on a filesystem every worker sees); state: the checkpoint
            to continue from.
        sizes: the partitions' sizes; pair_options: `partitions.bucket_pairs`' options;
        trainer_options: `BucketTrainer`'s arguments.
        timings: dict to add the seconds of 'compile' and 'train' (from the first bucket
            handed out to `close`) to.

    # Attributes
        workers_info: each worker's process id and compile seconds.
        stats: one record per bucket trained: the result (bucket, generation, loss, pairs,
            pid, timings) with its `epoch`, `worker` and `running` (the buckets the lock server
            had out, this one included, when it handed this one out).
    """

    def __init__(self, address, workers, store, state, sizes, pair_options, trainer_options,
                 timings):
        from author2vec_keras.training.partitions import load_dense
        self._ray = ray = _ray()
        self.workers, self.store, self.timings = int(workers), store, timings
        self._started_here = connect(address, num_cpus=self.workers if address == 'local'
                                     else None)
        try:
            params, dense_state = load_dense(store.path('dense', generation=state['dense']))
            step = int(dense_state[0]) if dense_state else 0  # `iterations` is the first state
            self.server = ray.remote(ParameterServer).options(num_cpus=0).remote(params, step)
            spec = {'sizes': np.asarray(sizes).tolist(), 'pairs': pair_options,
                    'model': trainer_options}
            actor = ray.remote(num_cpus=1)(BucketWorker)
            self.pool = [actor.remote(spec, os.path.abspath(store.directory))
                         for _ in range(self.workers)]
            started = time.time()
            self.workers_info = ray.get([w.ready.remote() for w in self.pool])
            timings['compile'] += time.time() - started
        except BaseException:
            self.close()
            raise
        self.stats, self._running, self._first = [], {}, None

    def submit(self, worker, job):
        self._first = self._first or time.time()
        ref = self.pool[worker].train.remote(job, self.server)
        self._running[ref] = (worker, job)

    def wait(self):
        from author2vec_keras.training.partitions import save_dense
        ray = self._ray
        ready, _ = ray.wait(list(self._running), num_returns=1)
        finished = []
        for ref in ready:
            worker, job = self._running.pop(ref)
            result = ray.get(ref)
            params, step = ray.get(self.server.pull.remote())
            save_dense(self.store.path('dense', generation=result['generation']), params,
                       [np.array(step, dtype='int64')])
            self.stats.append(dict(result, epoch=job['epoch'], worker=worker,
                                   running=job['running']))
            finished.append((worker, result))
        return finished

    def close(self):
        """Shut Ray down if this executor connected it."""
        if getattr(self, '_first', None):
            self.timings['train'] += time.time() - self._first
        if self._started_here:
            self._ray.shutdown()
