"""Training batches: `keras.utils.Sequence`s of labelled pairs, made on the fly.

`PairSequence` makes one epoch of (positive, negatives) node pairs: every edge once (undirected
edges in a random orientation; from the other end when one end is joined to every node), each
followed by `negatives` sampled non-edges from the same source (`negatives.NegativeSampler`).
`AuthorshipSequence` does the same for (author, paper) pairs of the content model.
`WalkPairSequence` does it with walk-context pairs as positives (`walks.WalkContextSampler`:
node pairs within `window` steps on random walks), a chosen number per epoch. Batch `i` of epoch
`e` is a pure function of `(seed, e, i)`; only one epoch's permutation (or one chunk of walk
pairs) is held in memory.

`grouped=True` makes the batches of the authors' code (a2v.lua) instead: one batch per node
(`PairSequence`: a node's edges, each with its negatives) or per paper (`AuthorshipSequence`: the
paper's authorships, each with its negatives), nodes / papers in a random order each epoch.

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

from author2vec_keras.checks import positive_int
from author2vec_keras.data.graph import isin_sorted, pair_keys
from author2vec_keras.data.negatives import NegativeSampler, draw_by_cdf, labelled_pairs
from author2vec_keras.nn.backend import keras

__all__ = ['PairSequence', 'WalkPairSequence', 'AuthorshipSequence']


class PairSequence(keras.utils.Sequence):
    """One epoch of labelled node pairs per pass, made on the fly (a `keras.utils.Sequence`).

    # Arguments
        graph: a `Graph` (the training graph).
        negatives: sampled non-edges per positive edge (0 for positives only).
        batch_size: rows per batch; each batch holds `batch_size // (1 + negatives)` positives,
            each followed by its negatives (so a batch has exactly `batch_size` rows when
            `1 + negatives` divides it; the last batch is smaller).
        sampling: 'uniform' or 'degree' (degree**0.75) for the negatives.
        seed: int; batch `i` of epoch `e` depends only on (seed, e, i).
        shuffle: shuffle the edge order each epoch (else edges in stored order).
        auto_epoch: if True, the k-th request for batch `i` is taken from epoch `epoch + k`
            (for keras' OrderedEnqueuer, which requests every index once per pass); if False,
            the epoch only changes through `set_epoch`.
        grouped: if True, batch `i` is the `i`-th node of the epoch's node order with all its
            edges (source = that node; an undirected edge is met from both ends), each followed
            by its negatives: a2v.lua's one update per author. `batch_size` is then unused and
            `len(seq)` is the number of nodes with an out-edge.
        min_batches: the fewest batches an epoch has: an epoch of fewer makes as many passes
            over the pairs as it takes (each pass with its own order and negatives; pass `j`
            of epoch `e` is the one pass of epoch `e * passes + j` with `passes` 1). 1: an
            epoch is one pass.

    # Batches
        `seq[i]` -> (X, y): X int32 (B, 2) of node indices (source, target), y float32 (B, 1),
        1 for edges and 0 for sampled non-edges. `len(seq)` is the number of batches per epoch.

    # Weights
        A weighted graph's epoch holds as many positives as it has edges, each drawn in
        proportion to its weight (with replacement: LINE's edge sampling; `grouped`: as many
        of a node's edges as it has, by weight); with all weights equal, every edge once.
    """

    def __init__(self, graph, negatives=1, batch_size=512, sampling='uniform', seed=0,
                 shuffle=True, auto_epoch=False, grouped=False, min_batches=1):
        if negatives < 0:
            raise ValueError('negatives must be >= 0')
        if graph.num_edges == 0:
            raise ValueError('the graph has no edges')
        self.graph = graph
        self.negatives = int(negatives)
        self.batch_size = int(batch_size)
        self.positives_per_batch = max(1, self.batch_size // (1 + self.negatives))
        self.sampling = sampling
        self.seed = int(seed)
        self.shuffle = bool(shuffle)
        self.auto_epoch = bool(auto_epoch)
        self.grouped = bool(grouped)
        self.min_batches = positive_int('min_batches', min_batches)
        self.epoch = 0
        self.sampler = NegativeSampler(graph, sampling, seed=0) if self.negatives else None
        # an undirected edge takes as its source an end that has a possible negative
        self._saturated = self.sampler.saturated if self.sampler is not None and \
            not graph.directed and self.sampler.saturated.any() else None
        self._cache = None
        self._lock = threading.Lock()
        self._calls = {}
        if self.grouped:  # the nodes with out-edges: one batch each
            self._sources = np.nonzero(graph.out_degrees)[0].astype(np.int64)
        # a weighted graph's positives are drawn in proportion to weight (LINE's edge sampling)
        w = graph.weights
        self._edge_cdf = np.cumsum(w) / w.sum() if len(w) and np.ptp(w) > 0 else None

    def _batches_per_pass(self):
        """Batches of one pass over the positive pairs."""
        if self.grouped:
            return len(self._sources)
        return -(-self.graph.num_edges // self.positives_per_batch)

    @property
    def passes(self):
        """Passes over the positive pairs per epoch (more than 1 only under `min_batches`)."""
        return max(1, -(-self.min_batches // self._batches_per_pass()))

    def __len__(self):
        return self.passes * self._batches_per_pass()

    @property
    def pairs_per_epoch(self):
        if self.grouped:  # every out-edge of the adjacency: undirected edges twice
            return self.graph.adjacency.nnz * (1 + self.negatives) * self.passes
        return self.graph.num_edges * (1 + self.negatives) * self.passes

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
        m = len(self._sources) if self.grouped else self.graph.num_edges
        if self._edge_cdf is not None and not self.grouped:  # LINE's edge sampling
            order = draw_by_cdf(self._edge_cdf, rng.random(m))
        else:
            order = rng.permutation(m) if self.shuffle else np.arange(m)
        flip = None if self.graph.directed or self.grouped else rng.random(m) < 0.5
        if flip is not None and self._edge_cdf is None:
            flip = flip[order]  # one orientation per edge, drawn in edge order
        if self._saturated is not None and not self.grouped:  # a hub joined to every node:
            full = self._saturated[self.graph.edges[order]]     # the other end is the source
            flip = np.where(full[:, 0] & ~full[:, 1], True,
                            np.where(full[:, 1] & ~full[:, 0], False, flip))
        keep = {e: v for e, v in cache.items() if e == epoch - 1 or e == epoch + 1}
        keep[epoch] = (order, flip)
        self._cache = keep  # replaced whole: readers in other threads see a consistent dict
        return order, flip

    def batch(self, epoch, i):
        """Batch `i` of epoch `epoch`: (X int32 (B, 2), y float32 (B, 1)), pure in
        (seed, epoch, i)."""
        n_batches = len(self)
        if i < 0:
            i += n_batches
        if not 0 <= i < n_batches:
            raise IndexError('batch %d out of range (%d batches)' % (i, n_batches))
        passes = self.passes
        if passes > 1:  # pass j of epoch e: the one pass of epoch e * passes + j
            j, i = divmod(i, self._batches_per_pass())
            epoch = epoch * passes + j
        src, dst = self._positives(epoch, i)
        if not self.negatives:
            return labelled_pairs(src, dst, np.empty((len(src), 0), dtype=np.int64))
        return labelled_pairs(src, dst, *self._negatives(epoch, i, src, dst))

    def _positives(self, epoch, i):
        """(sources, targets) of batch `i`'s positive pairs."""
        order, flip = self._epoch_order(epoch)
        if self.grouped:  # a2v.lua: one node and all its out-neighbours
            node = self._sources[order[i]]
            dst = self.graph.neighbors(node)
            if self._edge_cdf is not None:  # as many, drawn by weight
                a = self.graph.adjacency
                w = np.cumsum(a.data[a.indptr[node]:a.indptr[node + 1]])
                rng = np.random.default_rng([self.seed, epoch, i, 0x3e1])
                dst = dst[draw_by_cdf(w, rng.random(len(dst)) * w[-1])]
            return np.full(len(dst), node, dtype=np.int64), dst
        slots = slice(i * self.positives_per_batch, (i + 1) * self.positives_per_batch)
        e = self.graph.edges[order[slots]]
        src, dst = e[:, 0].copy(), e[:, 1].copy()
        if flip is not None:
            f = flip[slots]
            src[f], dst[f] = e[f, 1], e[f, 0]
        return src, dst

    def _negatives(self, epoch, i, src, dst):
        """Batch `i`'s negative targets (len(src), negatives), never an edge nor the source,
        and their sources: `src`, but for a source joined to every node (an edge between two
        hubs joined to everyone; `grouped`: such a hub's batch) another node that has a
        negative (`NegativeSampler.sources`)."""
        rng = np.random.default_rng([self.seed, epoch, i + 1])
        sources = self.sampler.sources(src, rng)
        return self.sampler.sample(sources, self.negatives, rng=rng), sources

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
    44k training edges on 4k nodes) for no better score. Each positive is followed by `negatives`
    targets drawn from the same source as in `PairSequence` (uniform or degree**0.75, never an
    edge of the graph nor the source itself) and never a positive pair of the same batch, in either
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
        negatives, batch_size, sampling, seed, auto_epoch: as `PairSequence`.
        window: the largest distance along a walk (>= 1; 1 gives the edges, walk-weighted).
        walks_per_node: walks started at every node per pass over the walk corpus.
        walk_length: nodes per walk (>= 2).
        p, q: node2vec's return and in-out parameters (1, 1: DeepWalk's walks).
        positives_per_epoch: positive pairs per pass (None: `CONTEXTS_PER_WALK` x
            `walks_per_node` x nodes with an edge); an epoch is one pass unless `min_batches`.
        min_batches: as `PairSequence`.

    # Batches
        As `PairSequence`: `seq[i]` -> (X int32 (B, 2), y float32 (B, 1)), 1 for a walk
        pair, 0 for a sampled negative; `len(seq)` batches per epoch.
    """
    CONTEXTS_PER_WALK = 2

    def __init__(self, graph, negatives=1, batch_size=512, sampling='uniform', seed=0,
                 window=10, walks_per_node=10, walk_length=80, p=1.0, q=1.0,
                 positives_per_epoch=None, auto_epoch=False, min_batches=1):
        super(WalkPairSequence, self).__init__(graph, negatives=negatives, batch_size=batch_size,
                                               sampling=sampling, seed=seed,
                                               auto_epoch=auto_epoch, min_batches=min_batches)
        from author2vec_keras.data.walks import WalkContextSampler
        self.walks = WalkContextSampler(graph, window=window, walks_per_node=walks_per_node,
                                        walk_length=walk_length, p=p, q=q, seed=seed)
        if positives_per_epoch is None:
            positives_per_epoch = self.CONTEXTS_PER_WALK * self.walks.walks_per_epoch
        self.positives_per_epoch = positive_int('positives_per_epoch', positives_per_epoch)
        self.walks.chunk_size = min(self.walks.chunk_size, self.positives_per_epoch)
        self._chunks = {}

    def _batches_per_pass(self):
        return -(-self.positives_per_epoch // self.positives_per_batch)

    @property
    def pairs_per_epoch(self):
        return self.positives_per_epoch * (1 + self.negatives) * self.passes

    def _positives(self, epoch, i):
        pairs = self._slots(epoch, i)[0]
        return pairs[:, 0].copy(), pairs[:, 1].copy()

    def _negatives(self, epoch, i, src, dst):
        return self._slots(epoch, i)[1:]

    def _slots(self, epoch, i):
        """Batch `i`'s positives (p, 2), their negatives (p, negatives) and the negatives'
        sources (p,), cut from chunks."""
        first = i * self.positives_per_batch
        last = min(first + self.positives_per_batch, self.positives_per_epoch)
        size = self.walks.chunk_size
        parts = []
        for c in range(first // size, (last - 1) // size + 1):
            lo, hi = max(first, c * size) - c * size, min(last, (c + 1) * size) - c * size
            parts.append([a[lo:hi] for a in self._chunk(epoch, c)])
        if len(parts) == 1:
            return tuple(parts[0])
        return tuple(np.concatenate(a) for a in zip(*parts))

    def _chunk(self, epoch, c):
        """Chunk `c` of epoch `epoch`: the sampler's walk pairs (C, 2) and, drawn all at once,
        their negatives (C, negatives), never one of the chunk's positive pairs, and the
        negatives' sources (C,) (`PairSequence._negatives`)."""
        chunks = self._chunks
        if (epoch, c) in chunks:
            return chunks[epoch, c]
        size = self.walks.chunk_size
        pairs = self.walks.pairs(epoch, c * size, size)
        negs = np.zeros((size, 0), dtype=np.int64)
        src = pairs[:, 0]
        if self.negatives:
            rng = np.random.default_rng([self.seed, epoch, c, 0x2e9])
            src = self.sampler.sources(src, rng)
            negs = self.sampler.sample(src, self.negatives, rng=rng)
            n = self.graph.num_nodes
            keys = pair_keys(pairs, n)
            if not self.graph.directed:
                keys = np.concatenate([keys, pair_keys(pairs[:, ::-1], n)])
            keys = np.unique(keys)
            for _ in range(100):  # the rare clash: redraw it (a source joined to nearly all stays)
                cand = pair_keys(np.stack([np.repeat(src, negs.shape[1]), negs.ravel()], axis=1),
                                 n).reshape(negs.shape)
                rows, cols = np.nonzero(isin_sorted(cand, keys))
                if not len(rows):
                    break
                negs[rows, cols] = self.sampler.sample(src[rows], 1, rng=rng)[:, 0]
        keep = dict(list(chunks.items())[-3:])  # the last few (auto_epoch threads straddle)
        keep[epoch, c] = (pairs, negs, src)
        self._chunks = keep  # replaced whole: readers in other threads see a consistent dict
        return pairs, negs, src


class AuthorshipSequence(keras.utils.Sequence):
    """Batches of (author, paper) pairs: each authorship then `negatives` papers not by the author.

    Negative papers are drawn uniformly among all papers and redrawn (vectorised) when the
    author wrote them. Batch `i` of epoch `e` is a pure function of `(seed, e, i)`, as
    `sequences.PairSequence`.

    # Arguments
        authorship: int (m, 2) array of (author index, paper index), unique rows.
        num_papers: number of papers.
        negatives, batch_size, seed: as `PairSequence`.
        grouped: if True, batch `i` is the `i`-th paper of the epoch's paper order with all its
            authorships, each followed by its negatives: a2v.lua's one update per paper.
            `batch_size` is then unused and `len(seq)` is the number of papers with an author.
    """

    def __init__(self, authorship, num_papers, negatives=5, batch_size=512, seed=0,
                 grouped=False):
        a = np.asarray(authorship, dtype=np.int64).reshape(-1, 2)
        if len(a) == 0:
            raise ValueError('no authorship pairs')
        self.pairs = a
        self.num_papers = int(num_papers)
        self.negatives = int(negatives)
        self.batch_size = int(batch_size)
        self.positives_per_batch = max(1, self.batch_size // (1 + self.negatives))
        self.seed = int(seed)
        self.grouped = bool(grouped)
        self.epoch = 0
        self._keys = np.unique(pair_keys(a, self.num_papers))
        self._order = {}
        if self.grouped:  # the pairs sorted by paper, and where each paper's pairs start
            self._by_paper = np.argsort(a[:, 1], kind='stable')
            _, self._starts = np.unique(a[self._by_paper, 1], return_index=True)
            self._ends = np.append(self._starts[1:], len(a))

    def __len__(self):
        if self.grouped:
            return len(self._starts)
        return -(-len(self.pairs) // self.positives_per_batch)

    def set_epoch(self, epoch):
        self.epoch = int(epoch)

    def _wrote(self, authors, papers):
        return isin_sorted(pair_keys(np.stack([authors, papers], axis=1), self.num_papers),
                           self._keys)

    def batch(self, epoch, i):
        if epoch not in self._order:
            n = len(self) if self.grouped else len(self.pairs)
            self._order = {epoch: np.random.default_rng([self.seed, epoch, 0xa2]).permutation(n)}
        if self.grouped:
            g = self._order[epoch][i]
            ids = self._by_paper[self._starts[g]:self._ends[g]]
        else:
            ids = self._order[epoch][i * self.positives_per_batch:
                                     (i + 1) * self.positives_per_batch]
        pos = self.pairs[ids]
        p = len(ids)
        neg = np.empty((p, 0), dtype=np.int64)
        if self.negatives:
            rng = np.random.default_rng([self.seed, epoch, i + 1, 0xa2])
            src = np.repeat(pos[:, 0], self.negatives)
            neg = rng.integers(0, self.num_papers, size=len(src))
            for _ in range(20):
                bad = np.nonzero(self._wrote(src, neg))[0]
                if not len(bad):
                    break
                neg[bad] = rng.integers(0, self.num_papers, size=len(bad))
            neg = neg.reshape(p, self.negatives)
        return labelled_pairs(pos[:, 0], pos[:, 1], neg)

    def __getitem__(self, i):
        return self.batch(self.epoch, i)
