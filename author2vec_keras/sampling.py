"""Negative sampling and training-pair batches.

`NegativeSampler` is numpy only: it draws targets uniformly or from word2vec's unigram^0.75
distribution (here degree^0.75) and redraws, vectorised, every draw that hits a known edge or
the source itself.

`PairSequence` is a `keras.utils.Sequence` that makes one epoch of (positive, negatives) pairs
on the fly: every edge once (undirected edges in a random orientation), each followed by
`negatives` sampled non-edges from the same source. Batch `i` of epoch `e` is a pure function of
`(seed, e, i)`; only one epoch's permutation of edge ids is held in memory.
`WalkPairSequence` does the same with walk-context pairs (`walks.WalkContextSampler`: node pairs
within `window` steps on random walks) as positives, a chosen number per epoch.

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

__all__ = ['NegativeSampler', 'PairSequence', 'WalkPairSequence', 'sample_non_edges']


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
        src, dst = self._positives(epoch, i)
        p = len(src)
        r = 1 + self.negatives
        X = np.empty((p, r, 2), dtype=np.int32)
        y = np.zeros((p, r, 1), dtype=np.float32)
        X[:, :, 0] = src[:, None]
        X[:, 0, 1] = dst
        y[:, 0, 0] = 1.0
        if self.negatives:
            X[:, 1:, 1] = self._negatives(epoch, i, src, dst)
        return X.reshape(p * r, 2), y.reshape(p * r, 1)

    def _positives(self, epoch, i):
        """(sources, targets) of batch `i`'s positive pairs."""
        order, flip = self._epoch_order(epoch)
        ids = order[i * self.positives_per_batch:(i + 1) * self.positives_per_batch]
        e = self.graph.edges[ids]
        src, dst = e[:, 0].copy(), e[:, 1].copy()
        if flip is not None:
            f = flip[ids]
            src[f], dst[f] = e[f, 1], e[f, 0]
        return src, dst

    def _negatives(self, epoch, i, src, dst):
        """Batch `i`'s negative targets (len(src), negatives): never an edge nor the source."""
        rng = np.random.default_rng([self.seed, epoch, i + 1])
        return self.sampler.sample(src, self.negatives, rng=rng)

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


class WalkPairSequence(PairSequence):
    """Walk-context pairs against sampled non-edges, made on the fly (a `keras.utils.Sequence`).

    The positives are node pairs that co-occur within `window` steps on random walks of the
    graph (DeepWalk's skip-gram contexts; node2vec's walks when `p`, `q` are given), drawn
    by a `walks.WalkContextSampler`; an epoch is `positives_per_epoch` of them, by default
    `CONTEXTS_PER_WALK` (2) from each of the `walks_per_node` walks of every node with an edge
    (20 per node at the default 10 walks). Measured (ca-GrQc, Facebook, Cora, Wiki; paper model,
    10 epochs): this costs about 2x DeepWalk's fit time on every graph, since both scale with
    the nodes; a multiple of the edge count would cost 5-10x more on dense graphs (Facebook's
    44k training edges on 4k nodes) for no better score. Each positive is followed by `negatives` targets
    drawn from the same source as in `PairSequence` (uniform or degree**0.75, never an edge of
    the graph nor the source itself) and never a positive pair of the same batch, in either
    order (nor of the same chunk: positives and negatives are made `walks.chunk_size`
    positives at a time, which amortises numpy's per-call cost over many batches). A negative
    may be a pair that co-occurs on some other walk (two or more steps apart), as in
    word2vec's negative sampling: only edges are known non-negatives, and ruling out every
    pair within `window` hops would forbid most of a small-world graph.

    Batch `i` of epoch `e` is a pure function of `(seed, e, i)` (chunk `c` of epoch `e` is one
    of `(seed, e, c)`; see `PairSequence`, whose epoch handling, `auto_epoch`, `flow` and
    batch layout it shares).

    # Arguments
        graph: a `Graph` (the training graph).
        negatives, batch_size, distribution, seed, auto_epoch: as `PairSequence`.
        window: the largest distance along a walk (>= 1; 1 gives the edges, walk-weighted).
        walks_per_node: walks started at every node per pass over the walk corpus.
        walk_length: nodes per walk (>= 2).
        p, q: node2vec's return and in-out parameters (1, 1: DeepWalk's walks).
        positives_per_epoch: positive pairs per epoch (None: `CONTEXTS_PER_WALK` x
            `walks_per_node` x nodes with an edge).

    # Batches
        As `PairSequence`: `seq[i]` -> (X int32 (B, 2), y float32 (B, 1)), 1 for a walk
        pair, 0 for a sampled negative; `len(seq)` batches per epoch.
    """
    CONTEXTS_PER_WALK = 2

    def __init__(self, graph, negatives=1, batch_size=512, distribution='uniform', seed=0,
                 window=10, walks_per_node=10, walk_length=80, p=1.0, q=1.0,
                 positives_per_epoch=None, auto_epoch=False):
        super(WalkPairSequence, self).__init__(graph, negatives=negatives, batch_size=batch_size,
                                               distribution=distribution, seed=seed,
                                               auto_epoch=auto_epoch)
        from author2vec_keras.walks import WalkContextSampler
        self.walks = WalkContextSampler(graph, window=window, walks_per_node=walks_per_node,
                                        walk_length=walk_length, p=p, q=q, seed=seed)
        if positives_per_epoch is None:
            positives_per_epoch = self.CONTEXTS_PER_WALK * self.walks.walks_per_epoch
        if isinstance(positives_per_epoch, bool) or \
                int(positives_per_epoch) != positives_per_epoch or positives_per_epoch < 1:
            raise ValueError('positives_per_epoch must be a positive integer, got %r'
                             % (positives_per_epoch,))
        self.positives_per_epoch = int(positives_per_epoch)
        self.walks.chunk_size = min(self.walks.chunk_size, self.positives_per_epoch)
        self._chunks = {}

    def __len__(self):
        return -(-self.positives_per_epoch // self.positives_per_batch)

    @property
    def pairs_per_epoch(self):
        return self.positives_per_epoch * (1 + self.negatives)

    def _positives(self, epoch, i):
        pairs, _ = self._slots(epoch, i)
        return pairs[:, 0].copy(), pairs[:, 1].copy()

    def _negatives(self, epoch, i, src, dst):
        return self._slots(epoch, i)[1]

    def _slots(self, epoch, i):
        """Batch `i`'s positives (p, 2) and their negatives (p, negatives), cut from chunks."""
        first = i * self.positives_per_batch
        last = min(first + self.positives_per_batch, self.positives_per_epoch)
        size = self.walks.chunk_size
        pairs, negs = [], []
        for c in range(first // size, (last - 1) // size + 1):
            lo, hi = max(first, c * size) - c * size, min(last, (c + 1) * size) - c * size
            chunk = self._chunk(epoch, c)
            pairs.append(chunk[0][lo:hi])
            negs.append(chunk[1][lo:hi])
        if len(pairs) == 1:
            return pairs[0], negs[0]
        return np.concatenate(pairs), np.concatenate(negs)

    def _chunk(self, epoch, c):
        """Chunk `c` of epoch `epoch`: the sampler's walk pairs (C, 2) and, drawn all at once,
        their negatives (C, negatives), never one of the chunk's positive pairs."""
        chunks = self._chunks
        if (epoch, c) in chunks:
            return chunks[epoch, c]
        size = self.walks.chunk_size
        pairs = self.walks.pairs(epoch, c * size, size)
        negs = np.zeros((size, 0), dtype=np.int64)
        if self.negatives:
            rng = np.random.default_rng([self.seed, epoch, c, 0x2e9])
            src = pairs[:, 0]
            negs = self.sampler.sample(src, self.negatives, rng=rng)
            n = self.graph.num_nodes
            keys = pairs[:, 0] * n + pairs[:, 1]
            if not self.graph.directed:
                keys = np.concatenate([keys, pairs[:, 1] * n + pairs[:, 0]])
            keys = np.unique(keys)
            for _ in range(100):  # the rare clash: redraw it (a source joined to nearly all stays)
                cand = src[:, None] * n + negs
                pos = np.minimum(np.searchsorted(keys, cand), len(keys) - 1)
                rows, cols = np.nonzero(keys[pos] == cand)
                if not len(rows):
                    break
                negs[rows, cols] = self.sampler.sample(src[rows], 1, rng=rng)[:, 0]
        keep = dict(list(chunks.items())[-3:])  # the last few (auto_epoch threads straddle)
        keep[epoch, c] = (pairs, negs)
        self._chunks = keep  # replaced whole: readers in other threads see a consistent dict
        return pairs, negs
