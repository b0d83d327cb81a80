"""Negative sampling and training-pair batches.

`NegativeSampler` is numpy only: it draws targets uniformly or from word2vec's unigram^0.75
distribution (here degree^0.75) and redraws, vectorised, every draw that hits a known edge or
the source itself.

`PairSequence` is a `keras.utils.Sequence` that makes one epoch of (positive, negatives) pairs
on the fly: every edge once (undirected edges in a random orientation), each followed by
`negatives` sampled non-edges from the same source. Batch `i` of epoch `e` is a pure function of
`(seed, e, i)`; only one epoch's permutation of edge ids is held in memory.

keras 2.0.9's `Sequence` has no `on_epoch_end`, and its `OrderedEnqueuer` prefetches batches of
the next epoch before callbacks run, so a callback that calls `set_epoch` races with the
prefetch. Three ways to get fresh negatives every epoch, all deterministic:
- `PairSequence(..., auto_epoch=True)`: the k-th request of batch `i` belongs to epoch
  `epoch + k` (the enqueuer requests each index once per pass);
- `seq.flow()`: a plain infinite generator over epochs (`fit_generator(seq.flow(), len(seq))`);
- `seq.set_epoch(e)` yourself, e.g. with workers=1 and max_queue_size=1 or in a manual loop.
"""
import threading

import numpy as np

from author2vec_keras.backend import keras

__all__ = ['NegativeSampler', 'PairSequence', 'sample_non_edges']


class NegativeSampler(object):
    """Draws negative targets: pairs (source, target) that are neither edges nor self-pairs.

    # Arguments
        graph: a `Graph`. For a directed graph, (source, target) must not be a directed edge.
        distribution: 'uniform' over all nodes, or 'degree' (probability proportional to
            degree**0.75, word2vec's smoothed unigram distribution; isolated nodes are never
            drawn).
        seed: int or None, or a `numpy.random.Generator`.
        max_rounds: redraw rounds before falling back to an exact per-source computation.
    """

    def __init__(self, graph, distribution='uniform', seed=None, power=0.75, max_rounds=50):
        if distribution not in ('uniform', 'degree'):
            raise ValueError("distribution must be 'uniform' or 'degree', got %r"
                             % (distribution,))
        if graph.num_nodes < 2:
            raise ValueError('negative sampling needs at least 2 nodes')
        self.graph = graph
        self.distribution = distribution
        self.power = power
        self.max_rounds = max_rounds
        self.rng = seed if isinstance(seed, np.random.Generator) else \
            np.random.default_rng(seed)
        n = graph.num_nodes
        if distribution == 'degree':
            p = graph.degrees.astype(np.float64) ** power
            if p.sum() == 0:
                raise ValueError("distribution='degree' on a graph without edges")
            self._cdf = np.cumsum(p)
            self._cdf /= self._cdf[-1]
            self._support = p > 0
        else:
            self._cdf = None
            self._support = np.ones(n, dtype=bool)
        # number of valid targets per source (non-neighbours in the support, not itself)
        adj = graph.adjacency
        support_count = int(self._support.sum())
        nbr_in_support = np.asarray(
            adj.multiply(self._support[None, :].astype(np.float64)).astype(bool).sum(axis=1)
        ).ravel() if adj.nnz else np.zeros(n)
        self._valid = support_count - nbr_in_support - self._support.astype(np.int64)

    def _draw(self, size, rng):
        if self._cdf is None:
            return rng.integers(0, self.graph.num_nodes, size=size, dtype=np.int64)
        idx = np.searchsorted(self._cdf, rng.random(size), side='right')
        return np.minimum(idx, self.graph.num_nodes - 1).astype(np.int64)

    def sample(self, sources, k=1, rng=None):
        """Targets for each source: int64 array (len(sources), k), never an edge nor the source.

        Raises ValueError if some source has no possible negative (it is joined to every node).
        """
        rng = self.rng if rng is None else rng
        sources = np.asarray(sources, dtype=np.int64).reshape(-1)
        if len(sources) and (self._valid[sources] <= 0).any():
            bad = int(sources[np.argmax(self._valid[sources] <= 0)])
            raise ValueError('node %r (index %d) has no possible negative: it is joined to '
                             'every node that can be drawn' % (self.graph.nodes[bad], bad))
        src = np.repeat(sources, k)
        tgt = self._draw(len(src), rng)
        todo = np.nonzero(self._rejected(src, tgt))[0]
        rounds = 0
        while len(todo) and rounds < self.max_rounds:
            tgt[todo] = self._draw(len(todo), rng)
            todo = todo[self._rejected(src[todo], tgt[todo])]
            rounds += 1
        for j in todo.tolist():  # near-complete sources only: exact draw
            tgt[j] = self._exact_one(int(src[j]), rng)
        return tgt.reshape(len(sources), k)

    def _rejected(self, src, tgt):
        pairs = np.stack([src, tgt], axis=1)
        return (src == tgt) | self.graph.has_edges(pairs)

    def _exact_one(self, s, rng):
        ok = self._support.copy()
        ok[s] = False
        ok[self.graph.neighbors(s)] = False
        cand = np.nonzero(ok)[0]
        if self._cdf is None:
            return int(rng.choice(cand))
        p = self.graph.degrees[cand].astype(np.float64) ** self.power
        return int(rng.choice(cand, p=p / p.sum()))


def sample_non_edges(graph, k, seed=0, distribution='uniform', exclude=None):
    """`k` distinct node pairs (k, 2) that are not edges of `graph` nor self-pairs.

    Sources are uniform over nodes; targets per `distribution`. For undirected graphs the pairs
    are distinct as unordered pairs. `exclude`: optional extra (j, 2) pairs to avoid.
    """
    rng = np.random.default_rng(seed)
    n = graph.num_nodes
    total = n * (n - 1) // (1 if graph.directed else 2)
    forbidden = graph.num_edges + (0 if exclude is None else len(exclude))
    if k > total - graph.num_edges:
        raise ValueError('asked for %d non-edges but the graph has only %d'
                         % (k, total - graph.num_edges))
    sampler = NegativeSampler(graph, distribution, seed=rng)
    excl = None
    if exclude is not None and len(exclude):
        ex = np.asarray(exclude, dtype=np.int64).reshape(-1, 2)
        if not graph.directed:
            ex = np.sort(ex, axis=1)
        excl = np.unique(ex[:, 0] * n + ex[:, 1])
    out = np.zeros((0, 2), dtype=np.int64)
    seen = np.zeros(0, dtype=np.int64)
    for _ in range(1000):
        need = k - len(out)
        if need <= 0:
            break
        m = int(need * 1.2) + 16
        src = rng.integers(0, n, size=m)
        src = src[sampler._valid[src] > 0]
        tgt = sampler.sample(src, 1, rng=rng)[:, 0]
        pairs = np.stack([src, tgt], axis=1)
        if not graph.directed:
            pairs = np.sort(pairs, axis=1)
        keys = pairs[:, 0] * n + pairs[:, 1]
        _, first = np.unique(keys, return_index=True)
        first = np.sort(first)
        pairs, keys = pairs[first], keys[first]
        new = ~np.isin(keys, seen)
        if excl is not None:
            new &= ~np.isin(keys, excl)
        pairs, keys = pairs[new][:need], keys[new][:need]
        out = np.concatenate([out, pairs])
        seen = np.concatenate([seen, keys])
    if len(out) < k:
        raise ValueError('could not find %d distinct non-edges (found %d; %d forbidden)'
                         % (k, len(out), forbidden))
    return out


class PairSequence(keras.utils.Sequence):
    """One epoch of labelled node pairs per pass, made on the fly (a `keras.utils.Sequence`).

    # Arguments
        graph: a `Graph` (the training graph).
        negatives: sampled non-edges per positive edge (0 for positives only).
        batch_size: rows per batch; each batch holds `batch_size // (1 + negatives)` positives,
            each followed by its negatives (so a batch has exactly `batch_size` rows when
            `1 + negatives` divides it; the last batch is smaller).
        distribution: 'uniform' or 'degree' (degree**0.75) for the negatives.
        seed: int; batch `i` of epoch `e` depends only on (seed, e, i).
        shuffle: shuffle the edge order each epoch (else edges in stored order).
        auto_epoch: if True, the k-th request for batch `i` is taken from epoch `epoch + k`
            (for keras' OrderedEnqueuer, which requests every index once per pass); if False,
            the epoch only changes through `set_epoch`.

    # Batches
        `seq[i]` -> (X, y): X int32 (B, 2) of node indices (source, target), y float32 (B, 1),
        1 for edges and 0 for sampled non-edges. `len(seq)` is the number of batches per epoch.
    """

    def __init__(self, graph, negatives=1, batch_size=512, distribution='uniform', seed=0,
                 shuffle=True, auto_epoch=False):
        if negatives < 0:
            raise ValueError('negatives must be >= 0')
        if graph.num_edges == 0:
            raise ValueError('the graph has no edges')
        self.graph = graph
        self.negatives = int(negatives)
        self.batch_size = int(batch_size)
        self.positives_per_batch = max(1, self.batch_size // (1 + self.negatives))
        self.distribution = distribution
        self.seed = int(seed)
        self.shuffle = bool(shuffle)
        self.auto_epoch = bool(auto_epoch)
        self.epoch = 0
        self.sampler = NegativeSampler(graph, distribution, seed=0) if self.negatives else None
        self._cache = None
        self._lock = threading.Lock()
        self._calls = {}

    def __len__(self):
        return -(-self.graph.num_edges // self.positives_per_batch)

    @property
    def pairs_per_epoch(self):
        return self.graph.num_edges * (1 + self.negatives)

    def set_epoch(self, epoch):
        """Select the epoch that `seq[i]` draws from (and reset the auto_epoch counters)."""
        with self._lock:
            self.epoch = int(epoch)
            self._calls = {}

    def on_epoch_end(self):  # keras >= 2.1 calls this; harmless on 2.0.9
        self.set_epoch(self.epoch + 1)

    def _epoch_order(self, epoch):
        cache = self._cache or {}  # the last two epochs (auto_epoch threads may straddle two)
        if epoch in cache:
            return cache[epoch]
        rng = np.random.default_rng([self.seed, epoch, 0x5eed])
        m = self.graph.num_edges
        order = rng.permutation(m) if self.shuffle else np.arange(m)
        flip = None if self.graph.directed else rng.random(m) < 0.5
        keep = {e: v for e, v in cache.items() if e == epoch - 1 or e == epoch + 1}
        keep[epoch] = (order, flip)
        self._cache = keep  # replaced whole: readers in other threads see a consistent dict
        return order, flip

    def batch(self, epoch, i):
        """Batch `i` of epoch `epoch`: (X int32 (B, 2), y float32 (B, 1)), pure in (seed, epoch, i)."""
        n_batches = len(self)
        if i < 0:
            i += n_batches
        if not 0 <= i < n_batches:
            raise IndexError('batch %d out of range (%d batches)' % (i, n_batches))
        order, flip = self._epoch_order(epoch)
        ids = order[i * self.positives_per_batch:(i + 1) * self.positives_per_batch]
        e = self.graph.edges[ids]
        src, dst = e[:, 0].copy(), e[:, 1].copy()
        if flip is not None:
            f = flip[ids]
            src[f], dst[f] = e[f, 1], e[f, 0]
        p = len(ids)
        r = 1 + self.negatives
        X = np.empty((p, r, 2), dtype=np.int32)
        y = np.zeros((p, r, 1), dtype=np.float32)
        X[:, :, 0] = src[:, None]
        X[:, 0, 1] = dst
        y[:, 0, 0] = 1.0
        if self.negatives:
            rng = np.random.default_rng([self.seed, epoch, i + 1])
            X[:, 1:, 1] = self.sampler.sample(src, self.negatives, rng=rng)
        return X.reshape(p * r, 2), y.reshape(p * r, 1)

    def __getitem__(self, i):
        epoch = self.epoch
        if self.auto_epoch:
            with self._lock:
                k = self._calls.get(i, 0)
                self._calls[i] = k + 1
            epoch += k
        return self.batch(epoch, i)

    def __iter__(self):
        """One pass over the current epoch's batches."""
        for i in range(len(self)):
            yield self.batch(self.epoch, i)

    def flow(self, start_epoch=None):
        """Infinite generator: epoch `start_epoch` (default `self.epoch`), then the next, ..."""
        epoch = self.epoch if start_epoch is None else int(start_epoch)
        while True:
            for i in range(len(self)):
                yield self.batch(epoch, i)
            epoch += 1
