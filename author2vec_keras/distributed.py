"""The partitioned buckets on a Ray cluster: PyTorch-BigGraph's distributed training on Ray.

Three roles, as in PBG (Lerer et al. 2019, section 3.3):

- the driver is the *lock server*: it hands buckets to idle workers so that no two running
  buckets share a partition (`partitions.BucketScheduler`), preferring a bucket that shares a
  partition with the worker's previous one; after each bucket it commits the checkpoint;
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
import sys
import time

import numpy as np

__all__ = ['train_on_ray', 'ParameterServer', 'BucketWorker', 'connect']


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
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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
        from .partitioned_training import BucketTrainer
        from .partitions import PartitionStore
        started = time.time()
        self.sizes = np.asarray(spec['sizes'])
        self.pair_options = spec['pairs']
        self.trainer = BucketTrainer(self.sizes[0], min(len(self.sizes), 2), **spec['model'])
        self.store = PartitionStore(workdir)
        self.compile_seconds = time.time() - started
        self.iterations = self.trainer.optimizer.iterations

    def ready(self):
        return {'pid': os.getpid(), 'compile_seconds': self.compile_seconds}

    def train(self, job, server):
        """Train bucket `job['bucket']`; returns its loss, pairs and timings."""
        from .backend import K
        from .partitions import bucket_pairs
        ray = _ray()
        started = time.time()
        i, j = job['bucket']
        params, step = ray.get(server.pull.remote())
        self.trainer.set_dense(params)
        K.set_value(self.iterations, step)
        base = self.trainer.hold((i, j), self.store, job['generations'], self.sizes)
        pairs = bucket_pairs(self.store, i, j, base, self.sizes, **self.pair_options)
        loaded = time.time()
        loss, count = self.trainer.train(pairs.epoch(job['epoch']),
                                         'epoch %d, bucket (%d, %d)' % (job['epoch'] + 1, i, j))
        trained = time.time()
        self.trainer.save(base, self.store, self.sizes, job['generation'])
        new_params, _ = self.trainer.get_dense()
        steps = int(K.get_value(self.iterations)) - step
        ray.get(server.push.remote([n - p for n, p in zip(new_params, params)], steps))
        finished = time.time()
        return {'bucket': (i, j), 'generation': job['generation'], 'loss': loss,
                'pairs': count, 'pid': os.getpid(), 'started': started, 'finished': finished,
                'io_seconds': loaded - started + finished - trained,
                'train_seconds': trained - loaded}


def train_on_ray(estimator, store, state):
    """Run the remaining buckets of `estimator`'s epochs on Ray; returns the final state.

    # Arguments
        estimator: a `PartitionedAuthor2Vec` with `ray_address` set, `graph_` and `layout_`.
        store: its `PartitionStore` (on a filesystem every worker sees).
        state: the checkpoint to continue from.
    """
    from tqdm import tqdm
    from .partitioned_training import _after_bucket, load_dense, save_dense
    from .partitions import BucketScheduler
    ray = _ray()
    layout = estimator.layout_
    most = max(1, layout.num_partitions // 2)
    workers = int(estimator.workers or most)
    started_here = connect(estimator.ray_address,
                           num_cpus=workers if estimator.ray_address == 'local' else None)
    try:
        params, dense_state = load_dense(store.path('dense', generation=state['dense']))
        step = int(dense_state[0]) if dense_state else 0  # `iterations` is the first state
        server = ray.remote(ParameterServer).options(num_cpus=0).remote(params, step)
        spec = {'sizes': layout.sizes.tolist(), 'pairs': estimator._pair_options(),
                'model': estimator._model_options()}
        actor = ray.remote(num_cpus=1)(BucketWorker)
        pool = [actor.remote(spec, os.path.abspath(store.directory)) for _ in range(workers)]
        started = time.time()
        info = ray.get([w.ready.remote() for w in pool])
        estimator.timings_['compile'] += time.time() - started
        estimator.ray_workers_ = info
        stats = estimator.ray_stats_ = []
        started = time.time()
        generation = state['generation']
        for epoch in range(state['epoch'], estimator.epochs):
            order = estimator._order(state, epoch)
            done = {tuple(b) for b in state['done']}
            scheduler = BucketScheduler([b for b in order if b not in done])
            bar = tqdm(total=len(order), initial=len(done), unit='bucket', file=sys.stderr,
                       desc='epoch %d/%d' % (epoch + 1, estimator.epochs),
                       disable=not estimator.verbose)
            idle, last, running = list(range(workers)), {}, {}
            while not scheduler.done:
                for w in list(idle):
                    bucket = scheduler.acquire(last.get(w))
                    if bucket is None:
                        break
                    generation += 1
                    job = {'bucket': bucket, 'epoch': epoch, 'generation': generation,
                           'generations': list(state['generations'])}
                    running[pool[w].train.remote(job, server)] = (w, bucket)
                    idle.remove(w)
                ready, _ = ray.wait(list(running), num_returns=1)
                for ref in ready:
                    w, bucket = running.pop(ref)
                    result = ray.get(ref)
                    scheduler.release(bucket)
                    idle.append(w)
                    last[w] = bucket
                    params, step = ray.get(server.pull.remote())
                    gen = result['generation']
                    save_dense(store.path('dense', generation=gen), params,
                               [np.array(step, dtype='int64')])
                    state = _after_bucket(state, bucket, gen, result['loss'], result['pairs'],
                                          len(order))
                    state['generation'] = max(state['generation'], generation)
                    store.commit(state)
                    stats.append(dict(result, epoch=epoch, worker=w))
                    estimator.pairs_trained_ += result['pairs']
                    bar.set_postfix(loss='%.4f' % (result['loss'] / max(result['pairs'], 1)),
                                    refresh=False)
                    bar.update(1)
            bar.close()
        estimator.timings_['train'] += time.time() - started
        return state
    finally:
        if started_here:
            ray.shutdown()
