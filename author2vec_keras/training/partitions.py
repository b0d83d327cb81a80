"""Partitions and buckets on disk, PyTorch-BigGraph's scheme (numpy only).

The nodes are split at random into `P` partitions of nearly equal size; the edges into `P x P`
buckets, bucket `(i, j)` holding the edges from partition `i` to partition `j`. Training a
bucket needs the rows of partitions `i` and `j` only (and their optimizer slots), so a table of
two partitions' rows is in memory while the others wait on disk as `.npy` files. This module
holds everything about that scheme that is not Keras:

- `PartitionLayout`: node -> (partition, offset), seeded;
- `write_buckets`: the edges of each bucket as `.npy` files of local offsets;
- `BucketPairs`: a bucket's training batches (edge, then sampled non-edges) as rows of the
  two-partition table; negatives are drawn among the nodes of the bucket's partitions, as PBG
  draws them (and, like `sampling.NegativeSampler`, never an edge nor the source itself);
- `bucket_order`: one pass's buckets in an order that keeps a partition in memory from one
  bucket to the next when it can (PBG's affinity order);
- `BucketScheduler`: PBG's lock-server rule for concurrent trainers: no two running buckets
  share a partition;
- `PartitionStore`: the working directory: partition and slot files by generation, the
  checkpoint written atomically after every bucket, and the final `(n, d)` embeddings as a
  memory-mapped `.npy`;
- what every executor of the buckets shares (`bucket_training.train_buckets`, here or on
  Ray): `pass_order` (a pass's buckets), `after_bucket` (the checkpoint after a bucket),
  `save_dense` / `load_dense` (the dense weights' file).

Batches of bucket `(i, j)` in epoch `e` are a pure function of `(seed, e, i, j)`, so a run
killed after any bucket resumes from the checkpoint to the same result.

# References
    - A. Lerer et al., "PyTorch-BigGraph: A Large-scale Graph Embedding System", SysML 2019.
"""
import json
import os
import re

import numpy as np

from author2vec_keras.data.graph import isin_sorted, pair_keys
from author2vec_keras.data.negatives import draw_by_cdf, labelled_pairs
from author2vec_keras.fileio import atomic_open, atomic_path, temporary_target

__all__ = ['PartitionLayout', 'write_buckets', 'read_bucket', 'BucketPairs', 'bucket_pairs',
           'bucket_order', 'pass_order', 'BucketScheduler', 'PartitionStore', 'read_rows_into',
           'referenced_files', 'after_bucket', 'save_dense', 'load_dense']


class PartitionLayout(object):
    """Nodes split at random into `num_partitions` parts of nearly equal size.

    Node `perm[k]` goes to partition `k % P` at offset `k // P`, for a seeded random
    permutation `perm`: every partition is a uniform sample of the nodes (hubs spread evenly)
    and sizes differ by at most one.

    # Arguments
        num_nodes: number of nodes.
        num_partitions: `P`, 1 <= P <= num_nodes.
        seed: int.

    # Attributes
        partition: int32 `(n,)`, partition of each node.
        offset: int64 `(n,)`, row of each node within its partition.
        sizes: int64 `(P,)`, nodes per partition.
        table_rows: rows of the in-memory table: two partitions (one when `P == 1`).
    """

    def __init__(self, num_nodes, num_partitions, seed=0):
        n, p = int(num_nodes), int(num_partitions)
        if not 1 <= p <= n:
            raise ValueError('partitions must be between 1 and the number of nodes (%d), got %r'
                             % (n, num_partitions))
        self.num_nodes, self.num_partitions, self.seed = n, p, int(seed)
        self._perm = np.random.default_rng([self.seed, 0x9a27]).permutation(n)
        k = np.empty(n, dtype=np.int64)
        k[self._perm] = np.arange(n, dtype=np.int64)
        self.partition = (k % p).astype(np.int32)
        self.offset = k // p
        self.sizes = np.array([len(range(i, n, p)) for i in range(p)], dtype=np.int64)
        self.table_rows = int(self.sizes[0]) * min(p, 2)

    def members(self, part):
        """Node indices of partition `part`, in offset order (row r is node `members[r]`)."""
        return self._perm[part::self.num_partitions]

    @property
    def buckets(self):
        """All `(i, j)` pairs, row-major."""
        return [(i, j) for i in range(self.num_partitions) for j in range(self.num_partitions)]


def _bucket_path(directory, i, j):
    return os.path.join(directory, 'bucket_%d_%d.npy' % (i, j))


def write_buckets(graph, layout, directory):
    """Write each bucket's edges as `bucket_I_J.npy`: int32 `(m_ij, 2)` partition offsets.

    Also `degrees_I.npy` (float64 degree of each node of partition I, offset order) for
    degree-proportional negatives. Each file is written atomically.

    # Returns
        int64 `(P, P)` array of edges per bucket.
    """
    p = layout.num_partitions
    os.makedirs(directory, exist_ok=True)
    e = graph.edges
    pu, pv = layout.partition[e[:, 0]], layout.partition[e[:, 1]]
    bucket = pu.astype(np.int64) * p + pv
    order = np.argsort(bucket, kind='stable')
    counts = np.bincount(bucket, minlength=p * p)
    starts = np.concatenate([[0], np.cumsum(counts)])
    for b in range(p * p):
        ids = order[starts[b]:starts[b + 1]]
        local = np.stack([layout.offset[e[ids, 0]], layout.offset[e[ids, 1]]], axis=1)
        _save(_bucket_path(directory, b // p, b % p), local.astype(np.int32))
    degrees = graph.degrees.astype(np.float64)
    for i in range(p):
        _save(os.path.join(directory, 'degrees_%d.npy' % i), degrees[layout.members(i)])
    return counts.reshape(p, p)


def read_bucket(directory, i, j):
    """The `(m_ij, 2)` int32 offsets of bucket `(i, j)`, as written by `write_buckets`."""
    return np.load(_bucket_path(directory, i, j))


def _save(path, array):
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            np.save(f, array)


def _write_npy(path, shape, chunks):
    """Write a float32 `.npy` of `shape` from an iterable of arrays (in order), atomically;
    what the chunks do not cover stays zero (a sparse file)."""
    header = {'descr': np.lib.format.dtype_to_descr(np.dtype(np.float32)),
              'fortran_order': False, 'shape': tuple(int(x) for x in shape)}
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            np.lib.format.write_array_header_1_0(f, header)
            end = f.tell() + int(np.prod(shape)) * 4
            for chunk in chunks:
                f.write(np.ascontiguousarray(chunk, dtype=np.float32))
            f.truncate(end)


def read_rows_into(path, out):
    """Read a `.npy` file straight into the C-contiguous array `out` (same shape and dtype).

    No temporary copy and no mapping: peak memory stays at the table's size.
    """
    with open(path, 'rb') as f:
        version = np.lib.format.read_magic(f)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}[version]
        shape, fortran, dtype = read_header(f)
        if shape != out.shape or dtype != out.dtype or fortran:
            raise ValueError('%s holds %s %s, expected %s %s' % (path, shape, dtype, out.shape,
                                                                 out.dtype))
        if not out.flags.c_contiguous:
            raise ValueError('read_rows_into needs a C-contiguous target')
        view = memoryview(out.reshape(-1).view(np.uint8))
        got = 0
        while got < len(view):
            n = f.readinto(view[got:])
            if not n:
                raise ValueError('%s is truncated' % path)
            got += n
    return out


class BucketPairs(object):
    """Training batches of one bucket, as rows of the two-partition table.

    Partition `i` sits at table rows `base_i .. base_i + S_i`, partition `j` at `base_j ..`.
    Every edge of the bucket once per epoch, in a random order (undirected edges in a random
    orientation), each followed by `negatives` sampled targets: nodes of partitions `i` and
    `j` (uniform, or by degree**0.75), never the source itself nor one of its neighbours in
    these partitions (redrawn; after `max_rounds` a rare leftover is kept).

    # Arguments
        edges: `(m, 2)` offsets of the bucket's edges (from partition i to partition j).
        known: list of `(offsets (k, 2), part_a, part_b)`: every edge among the bucket's
            partitions (buckets (i,i), (i,j), (j,i), (j,j)), for the negatives to avoid.
        sizes: `{partition: size}` for i and j; base: `{partition: first table row}`.
        i, j: the bucket.
        negatives, batch_size: as `sequences.PairSequence`.
        directed: keep edge orientation (else flip at random each epoch).
        degrees: None (uniform) or `{partition: degrees}` (degree**0.75 negatives).
        seed: int. Batch `b` of epoch `e` depends only on (seed, e, i, j, b).
    """

    def __init__(self, edges, known, sizes, base, i, j, negatives=5, batch_size=512,
                 directed=False, degrees=None, seed=0, power=0.75, max_rounds=20):
        self.i, self.j = int(i), int(j)
        self.edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        self.negatives = int(negatives)
        self.positives_per_batch = max(1, int(batch_size) // (1 + self.negatives))
        self.directed = bool(directed)
        self.seed = int(seed)
        self.max_rounds = int(max_rounds)
        self.src_rows = self.edges[:, 0] + base[self.i]
        self.dst_rows = self.edges[:, 1] + base[self.j]
        parts = [self.i] if self.i == self.j else [self.i, self.j]
        # candidate targets: concatenated partitions -> table rows
        self._cand_start = np.cumsum([0] + [int(sizes[q]) for q in parts])
        self._cand_base = np.array([base[q] for q in parts], dtype=np.int64)
        if degrees is None:
            self._cdf = None
        else:
            w = np.concatenate([np.asarray(degrees[q], dtype=np.float64) ** power
                                for q in parts])
            if w.sum() <= 0:
                w = np.ones_like(w)
            self._cdf = np.cumsum(w) / w.sum()
        rows = max(base[q] + int(sizes[q]) for q in parts)
        self._rows = int(rows)
        keys = []
        for offsets, a, b in known:  # table-row pairs, keyed as `Graph` keys its pairs
            offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
            keys.append(pair_keys(offsets + [base[a], base[b]], rows,
                                  directed=self.directed))
        self._known = np.unique(np.concatenate(keys)) if keys else np.zeros(0, np.int64)

    def __len__(self):
        return -(-len(self.edges) // self.positives_per_batch)

    @property
    def num_pairs(self):
        return len(self.edges) * (1 + self.negatives)

    def _draw(self, size, rng):
        if self._cdf is None:
            k = rng.integers(0, self._cand_start[-1], size=size, dtype=np.int64)
        else:
            k = draw_by_cdf(self._cdf, rng.random(size))
        part = np.searchsorted(self._cand_start, k, side='right') - 1
        return self._cand_base[part] + (k - self._cand_start[part])

    def _rejected(self, src, tgt):
        keys = pair_keys(np.stack([src, tgt], axis=1), self._rows, directed=self.directed)
        return (src == tgt) | isin_sorted(keys, self._known)

    def epoch(self, epoch):
        """The `(X int32 (B, 2), y float32 (B, 1))` batches of one epoch: a sequence (`len`,
        `[b]`, iteration), as `workers.train_epoch` takes it."""
        return _BucketEpoch(self, epoch)

    def batch(self, epoch, b, order, flip):
        """Batch `b` of `epoch` (`_BucketEpoch` draws its `order` and `flip`)."""
        ids = order[b * self.positives_per_batch:(b + 1) * self.positives_per_batch]
        src, dst = self.src_rows[ids], self.dst_rows[ids]
        if flip is not None:
            f = flip[ids]
            src, dst = np.where(f, dst, src), np.where(f, src, dst)
        p = len(ids)
        neg = np.empty((p, 0), dtype=np.int64)
        if self.negatives:
            brng = np.random.default_rng([self.seed, int(epoch), self.i, self.j, b + 1])
            s = np.repeat(src, self.negatives)
            t = self._draw(len(s), brng)
            todo = np.flatnonzero(self._rejected(s, t))
            for _ in range(self.max_rounds):
                if not len(todo):
                    break
                t[todo] = self._draw(len(todo), brng)
                todo = todo[self._rejected(s[todo], t[todo])]
            neg = t.reshape(p, self.negatives)
        return labelled_pairs(src, dst, neg)


class _BucketEpoch(object):
    """One epoch of a `BucketPairs`: the edges' order and orientation drawn once, each batch
    made when asked for (by any process: a batch is a pure function of its number)."""

    def __init__(self, pairs, epoch):
        self.pairs, self.epoch = pairs, int(epoch)
        rng = np.random.default_rng([pairs.seed, self.epoch, pairs.i, pairs.j, 0x5eed])
        m = len(pairs.edges)
        self.order = rng.permutation(m)
        self.flip = None if pairs.directed else rng.random(m) < 0.5
        self.num_pairs = pairs.num_pairs

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, b):
        if not 0 <= b < len(self):
            raise IndexError(b)
        return self.pairs.batch(self.epoch, b, self.order, self.flip)


def bucket_pairs(store, i, j, base, sizes, negatives=5, batch_size=512, directed=False,
                 sampling='uniform', seed=0):
    """The `BucketPairs` of bucket `(i, j)` from `store`'s bucket files, with partition `p`
    at table rows `base[p] ..` and `sizes[p]` rows."""
    parts = sorted({int(i), int(j)})
    known = [(read_bucket(store.buckets, a, b), a, b) for a in parts for b in parts]
    degrees = None
    if sampling == 'degree':
        degrees = {p: np.load(os.path.join(store.buckets, 'degrees_%d.npy' % p)) for p in parts}
    edges = next(k for k, a, b in known if (a, b) == (i, j))
    return BucketPairs(edges, known, {p: sizes[p] for p in parts}, base, i, j,
                       negatives=negatives, batch_size=batch_size, directed=directed,
                       degrees=degrees, seed=seed)


def bucket_order(num_partitions, epoch, seed=0, buckets=None):
    """The buckets of one pass in a seeded order that changes one partition at a time when it
    can (PyTorch-BigGraph's affinity order): after a random first bucket, the next is the first
    bucket of a random permutation sharing a partition with the current one.

    # Arguments
        num_partitions: `P`.
        epoch, seed: ints; the order is a pure function of (P, epoch, seed, buckets).
        buckets: the buckets to order (default all `P * P`; pass the non-empty ones).

    # Returns
        list of `(i, j)`.
    """
    p = int(num_partitions)
    todo = [(i, j) for i in range(p) for j in range(p)] if buckets is None else \
        [tuple(int(x) for x in b) for b in buckets]
    rng = np.random.default_rng([int(seed), int(epoch), 0x0bd])
    todo = [todo[k] for k in rng.permutation(len(todo))]
    order = []
    while todo:
        k = 0
        if order:
            held = set(order[-1])
            k = next((n for n, b in enumerate(todo) if held & set(b)), 0)
        order.append(todo.pop(k))
    return order


def pass_order(state, epoch, seed=0):
    """`bucket_order` of the buckets with edges (`state['bucket_edges']`, a checkpoint's)."""
    counts = np.asarray(state['bucket_edges'])
    buckets = [(i, j) for i, j in zip(*np.nonzero(counts))]
    return bucket_order(len(counts), epoch, seed, buckets)


class BucketScheduler(object):
    """PBG's lock server: hands out buckets so that no two running buckets share a partition.

    # Arguments
        buckets: the buckets still to train this pass, in preference order.

    `acquire(previous)` returns the first free bucket that shares a partition with the
    trainer's `previous` bucket (so it can keep one partition), else the first free one, else
    None (every remaining bucket touches a locked partition: wait for a `release`).
    """

    def __init__(self, buckets):
        self.remaining = [tuple(b) for b in buckets]
        self.running = set()
        self.locked = set()

    def __len__(self):
        return len(self.remaining)

    def acquire(self, previous=None):
        free = [b for b in self.remaining if not self.locked & set(b)]
        if not free:
            return None
        choice = free[0]
        if previous is not None:
            choice = next((b for b in free if set(previous) & set(b)), choice)
        self.remaining.remove(choice)
        self.running.add(choice)
        self.locked |= set(choice)
        return choice

    def release(self, bucket):
        bucket = tuple(bucket)
        self.running.remove(bucket)
        self.locked -= set(bucket)

    @property
    def done(self):
        return not self.remaining and not self.running


_GENERATION = re.compile(r'^(emb|slots)_(\d+)\.g(\d+)\.npy$|^dense\.g(\d+)\.npz$')


class PartitionStore(object):
    """The working directory of a partitioned run.

    Layout::

        checkpoint.json          position, generation of every file, loss so far (atomic)
        buckets/                 bucket_I_J.npy, degrees_I.npy (write_buckets)
        emb_I.gG.npy             rows of partition I after generation G, float32 (S_I, d)
        slots_I.gG.npy           its optimizer slots, (S_I, d) or (S_I, 2, d)
        dense.gG.npz             the dense weights (and their optimizer state)
        embeddings.npy           the final (n, d) table in node order (memory-mapped)

    A bucket's new files get a new generation; `commit` writes `checkpoint.json` naming the
    current generation of every file, then deletes what no checkpoint names. A run killed at
    any moment leaves a consistent checkpoint (the last committed one).
    """

    CHECKPOINT = 'checkpoint.json'

    def __init__(self, directory):
        self.directory = os.fspath(directory)
        self.buckets = os.path.join(self.directory, 'buckets')

    def path(self, kind, part=None, generation=0):
        if kind == 'dense':
            return os.path.join(self.directory, 'dense.g%d.npz' % generation)
        return os.path.join(self.directory, '%s_%d.g%d.npy' % (kind, part, generation))

    def create(self, path, shape, seed=None, scale=0.05, chunk=1 << 20):
        """Write a float32 `.npy` of `shape` atomically: zeros (a sparse file), or
        uniform(-scale, scale) drawn with `seed` (Keras' default embedding initialiser),
        written chunk by chunk (never the whole array in memory)."""
        size = int(np.prod(shape))

        def chunks():
            rng = np.random.default_rng(seed)
            for start in range(0, size, chunk):
                part = rng.random(min(chunk, size - start), dtype=np.float32)
                yield (part * 2 - 1) * np.float32(scale)
        _write_npy(path, shape, chunks() if seed is not None else ())
        return path

    def write(self, path, rows):
        _save(path, rows)
        return path

    def read(self):
        """The last committed checkpoint (dict), or None."""
        path = os.path.join(self.directory, self.CHECKPOINT)
        if not os.path.exists(path):
            return None
        with open(path, encoding='utf8') as f:
            return json.load(f)

    def commit(self, state):
        """Write `state` as the checkpoint, then delete the files it supersedes."""
        os.makedirs(self.directory, exist_ok=True)
        with atomic_open(os.path.join(self.directory, self.CHECKPOINT), 'w',
                         encoding='utf8') as f:
            json.dump(state, f, indent=1)
        self.collect(state)

    def collect(self, state, stale_only=True):
        """Delete the files a checkpoint `state` does not name: with `stale_only`, only older
        generations of each partition (newer ones may belong to a bucket still running on
        another worker), and every dense file but its own. Without `stale_only` (on resume,
        before any worker starts), also the temporaries a killed run left half written."""
        keep = {os.path.basename(p) for p in referenced_files(self, state)}
        for name in os.listdir(self.directory):
            target = temporary_target(name)
            if target and not stale_only and (_GENERATION.match(target) or
                                              target == self.CHECKPOINT):
                os.remove(os.path.join(self.directory, name))
                continue
            match = _GENERATION.match(name)
            if not match or name in keep:
                continue
            if stale_only and match.group(1) and \
                    int(match.group(3)) > state['generations'][int(match.group(2))]:
                continue
            os.remove(os.path.join(self.directory, name))

    def clear(self):
        """Remove this store's files (and only those) for a fresh start."""
        if not os.path.isdir(self.directory):
            return
        for name in os.listdir(self.directory):
            if _GENERATION.match(name) or name in (self.CHECKPOINT, 'embeddings.npy'):
                os.remove(os.path.join(self.directory, name))
        if os.path.isdir(self.buckets):
            for name in os.listdir(self.buckets):
                if name.startswith(('bucket_', 'degrees_')) and name.endswith('.npy'):
                    os.remove(os.path.join(self.buckets, name))

    def export(self, layout, state, dim, chunk=1 << 16):
        """Assemble the final `(n, dim)` embeddings in node order as `embeddings.npy`.

        Node order is a permutation of the partitions' rows: it is gathered `chunk` nodes at a
        time from the partition files, each mapped only while read, so memory stays small.

        # Returns
            The table opened read-only as a `numpy.memmap` (it need not fit in memory).
        """
        path = os.path.join(self.directory, 'embeddings.npy')
        files = [self.path('emb', p, g) for p, g in enumerate(state['generations'])]
        n, dim = layout.num_nodes, int(dim)

        def chunks():
            for start in range(0, n, chunk):
                part = layout.partition[start:start + chunk]
                offset = layout.offset[start:start + chunk]
                out = np.empty((len(part), dim), dtype=np.float32)
                for p, name in enumerate(files):
                    sel = np.flatnonzero(part == p)
                    if len(sel):
                        rows = np.load(name, mmap_mode='r')
                        out[sel] = rows[offset[sel]]
                        del rows
                yield out
        _write_npy(path, (n, dim), chunks())
        return np.load(path, mmap_mode='r')


def referenced_files(store, state):
    """Paths of the files a checkpoint `state` names."""
    gens = state['generations']
    paths = [store.path('emb', p, g) for p, g in enumerate(gens)]
    if state.get('slots'):
        paths += [store.path('slots', p, g) for p, g in enumerate(gens)]
    paths.append(store.path('dense', generation=state['dense']))
    return paths


def after_bucket(state, bucket, generation, loss, count, buckets_per_epoch):
    """The checkpoint state after `bucket` finished as `generation` (a new dict).

    # Arguments
        state: the checkpoint before (unchanged).
        bucket: `(i, j)`; generation: the generation its partitions and the dense weights
            were written as.
        loss, count: the bucket's loss summed over its pairs, and the pairs.
        buckets_per_epoch: buckets in the pass; the last one closes the epoch (its mean loss
            goes to `history`).
    """
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


def save_dense(path, params, state=()):
    """Write the dense weights `params` and their optimizer `state` (lists of arrays) as one
    `.npz`, atomically."""
    arrays = {'param_%d' % k: v for k, v in enumerate(params)}
    arrays.update({'state_%d' % k: v for k, v in enumerate(state)})
    with atomic_path(path) as tmp:
        with open(tmp, 'wb') as f:
            np.savez(f, **arrays)


def load_dense(path):
    """`(params, state)` as `save_dense` wrote them."""
    with np.load(path) as f:
        params = [f['param_%d' % k] for k in range(sum(1 for n in f.files if n[0] == 'p'))]
        state = [f['state_%d' % k] for k in range(sum(1 for n in f.files if n[0] == 's'))]
    return params, state
