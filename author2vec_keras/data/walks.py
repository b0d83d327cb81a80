"""Random walks and walk-context pairs (numpy only).

- `random_walks`: DeepWalk's uniform (or edge-weighted) walks and node2vec's second-order
  walks (`p`, `q`), vectorised over all walkers at once. node2vec's biased step is drawn by
  rejection sampling (propose a neighbour x of v by edge weight, accept it with probability
  alpha(t, x) / max(alpha), where alpha is 1/p for going back to t, 1 for a common neighbour of
  t and 1/q otherwise), and for a walker still rejected after deg(v) rounds, from the step's
  exact distribution over v's neighbours: exact, at most O(deg(v)) a step whatever p and q, and
  no per-edge alias tables, so ca-AstroPh's 10 x 80 walks take seconds rather than the
  reference code's minutes of preprocessing.
- `WalkContextSampler`: the (node, context) pairs of DeepWalk's skip-gram, drawn on demand
  instead of materialised: node pairs that co-occur within `window` steps on a walk of
  `walk_length` nodes. Memory is O(graph + pairs asked for); the pairs of a slice of an epoch
  are a pure function of (seed, epoch, slice).
"""
import numpy as np
import scipy.sparse as sp

from author2vec_keras.checks import positive_int
from author2vec_keras.data.graph import isin_sorted, pair_keys
from author2vec_keras.data.negatives import draw_by_cdf
from author2vec_keras.data.readers import as_graph

__all__ = ['WalkTables', 'random_walks', 'walk', 'WalkContextSampler', 'CHUNK_SIZE']

#: walk pairs made at once by default (`WalkContextSampler`'s `chunk_size`; the memory guard's)
CHUNK_SIZE = 16384


class WalkTables(object):
    """CSR arrays of a graph for vectorised neighbour sampling and membership tests.

    Walks follow edge direction on a directed graph (out-neighbours).
    """

    def __init__(self, graph):
        a = graph.adjacency
        if graph.directed:
            a = sp.csr_matrix(a)  # out-edges: walks follow edge direction
        self.n = a.shape[0]
        self.indptr = a.indptr.astype(np.int64)
        self.indices = a.indices.astype(np.int64)
        self.deg = np.diff(self.indptr)
        w = np.asarray(a.data, dtype=np.float64)
        self.weighted = not np.all(w == w[0]) if len(w) else False
        if self.weighted:
            self.weights = w
            self.cumw = np.cumsum(w)
            start = np.concatenate([[0.0], self.cumw])[self.indptr[:-1]]
            self.row_start = start
            self.row_total = np.concatenate([[0.0], self.cumw])[self.indptr[1:]] - start
        rows = np.repeat(np.arange(self.n, dtype=np.int64), self.deg)
        self.keys = pair_keys(np.stack([rows, self.indices], axis=1), self.n)  # sorted (CSR)

    def sample_neighbours(self, v, rng):
        """One neighbour per node in v (all with degree > 0), uniformly or by edge weight."""
        if not self.weighted:
            off = (rng.random(len(v)) * self.deg[v]).astype(np.int64)
            off = np.minimum(off, self.deg[v] - 1)
            return self.indices[self.indptr[v] + off]
        target = self.row_start[v] + rng.random(len(v)) * self.row_total[v]
        pos = np.searchsorted(self.cumw, target, side='right')
        pos = np.clip(pos, self.indptr[v], self.indptr[v + 1] - 1)
        return self.indices[pos]

    def has_edges(self, u, v):
        """Whether each (u[i], v[i]) is an edge (an out-edge of u[i] when directed)."""
        return isin_sorted(pair_keys(np.stack([u, v], axis=1), self.n), self.keys)

    def step(self, cur, prev, rng, p=1.0, q=1.0):
        """The next node of walkers at `cur` (every one with out-degree > 0).

        `prev`: the nodes they came from, or None on a walk's first step (then, and whenever
        p = q = 1, the step is first order). Otherwise node2vec's second-order step, exactly:
        by rejection sampling, and for a walker at `v` still rejected after deg(v) rounds
        (e.g. at a leaf when p is large: accepted with probability 1/p a round), by its exact
        distribution over the deg(v) neighbours (`_exact_step`). Both draw from the same
        distribution, so the mixture does too, and a step costs O(deg(v)) at most, whatever
        p and q.
        """
        if prev is None or (p == 1 and q == 1):
            return self.sample_neighbours(cur, rng)
        inv_p, inv_q = 1.0 / p, 1.0 / q
        amax = max(inv_p, 1.0, inv_q)
        nxt = np.empty(len(cur), dtype=np.int64)
        todo = np.arange(len(cur))
        rounds = 0
        while len(todo):
            x = self.sample_neighbours(cur[todo], rng)
            back = prev[todo]
            alpha = np.where(x == back, inv_p, np.where(self.has_edges(back, x), 1.0, inv_q))
            acc = rng.random(len(todo)) * amax < alpha
            nxt[todo[acc]] = x[acc]
            todo = todo[~acc]
            rounds += 1
            exact = self.deg[cur[todo]] <= rounds  # rejected as often as v has neighbours
            if exact.any():
                done = todo[exact]
                nxt[done] = self._exact_step(cur[done], prev[done], rng, inv_p, inv_q)
                todo = todo[~exact]
        return nxt

    def _exact_step(self, cur, prev, rng, inv_p, inv_q):
        """node2vec's step from (prev, cur) drawn from its distribution over all of cur's
        neighbours at once: w(v, x) alpha(t, x), normalised per walker, inverse transform."""
        lens = self.deg[cur]
        seg = np.repeat(np.arange(len(cur)), lens)
        ends = np.cumsum(lens)
        pos = self.indptr[cur][seg] + np.arange(ends[-1]) - (ends - lens)[seg]
        x = self.indices[pos]
        back = prev[seg]
        mass = np.where(x == back, inv_p, np.where(self.has_edges(back, x), 1.0, inv_q))
        if self.weighted:
            mass = mass * self.weights[pos]
        mass = mass / np.add.reduceat(mass, ends - lens)[seg]  # each walker's sums to 1
        cdf = np.cumsum(mass)
        before = np.concatenate([[0.0], cdf])[ends - lens]
        after = cdf[ends - 1]
        pick = np.searchsorted(cdf, before + rng.random(len(cur)) * (after - before),
                               side='right')
        return x[np.clip(pick, ends - lens, ends - 1)]


def walk(tables, starts, walk_length, p=1.0, q=1.0, rng=None):
    """Walks of `walk_length` nodes from each of `starts` on `WalkTables`, an int64 array
    (len(starts), walk_length); a walk that reaches a node without out-neighbours is padded
    with -1 from there."""
    rng = np.random.default_rng(rng)
    starts = np.asarray(starts, dtype=np.int64)
    walks = np.full((len(starts), walk_length), -1, dtype=np.int64)
    walks[:, 0] = starts
    alive = np.nonzero(tables.deg[starts] > 0)[0]
    for step in range(1, walk_length):
        if len(alive) == 0:
            break
        prev = walks[alive, step - 2] if step > 1 else None
        walks[alive, step] = tables.step(walks[alive, step - 1], prev, rng, p, q)
        alive = alive[tables.deg[walks[alive, step]] > 0]
    return walks


def random_walks(graph, num_walks=10, walk_length=80, p=1.0, q=1.0, seed=0):
    """Random walks from every node, `num_walks` times, as an int64 array.

    With p = q = 1 the walk is first order (DeepWalk; by edge weight when weighted). Otherwise
    node2vec's second-order walk: from (t, v) the next node x is drawn with probability
    proportional to w(v, x) * alpha(t, x), alpha = 1/p if x == t, 1 if x ~ t, 1/q otherwise
    (exactly, by rejection sampling then an exact draw, vectorised over all walkers; a step at
    v costs at most O(deg(v)), whatever p and q: `WalkTables.step`).

    # Returns
        int64 array (num_walks * n, walk_length); a walk that reaches a node without
        out-neighbours is padded with -1 from there. Rows are shuffled per pass, as in the
        reference implementations.
    """
    g = as_graph(graph)
    t = WalkTables(g)
    rng = np.random.default_rng(seed)
    starts = np.concatenate([rng.permutation(t.n) for _ in range(num_walks)]).astype(np.int64)
    return walk(t, starts, walk_length, p, q, rng)


class WalkContextSampler(object):
    """Walk-context pairs: node pairs that co-occur within `window` steps on random walks.

    DeepWalk's skip-gram (word2vec on `walks_per_node` walks of `walk_length` nodes from every
    node) trains on the pairs (w_j, w_j+k), 1 <= |k| <= b, where the window b of each centre
    w_j is drawn uniformly in 1 .. `window` (word2vec's shrunk window). This sampler draws such
    pairs one at a time instead of materialising them: each pair comes from its own fresh walk,
    started in the order of the walk corpus (`walks_per_node` passes over the nodes with an
    out-edge, shuffled per pass and per epoch); the distance k is drawn in proportion to how
    often skip-gram trains it, (walk_length - k) x (window - k + 1), and the first position
    uniformly among the walk_length - k possible. The walk is made only up to the later of the
    two positions. Slots of an epoch beyond its walk starts start again from the first start,
    with fresh walks.

    Orientation: on an undirected graph each pair is (w_j, w_j+k) or (w_j+k, w_j) with
    probability 1/2 (skip-gram takes both as (centre, context)); on a directed graph the
    earlier node comes first, so the pairs one step apart are the graph's edges, in their
    direction. A pair of a node with itself (a walk that comes back to where it was k steps
    before) is dropped and drawn again from a fresh walk.

    The defaults are DeepWalk's reference settings (`baselines.DeepWalk`: 10 walks of 80
    nodes per node, window 10), so the two methods can be given the same walks.

    # Arguments
        graph: a `Graph` (the training graph).
        window: the largest distance along a walk, >= 1 (1: the pairs are exactly edges).
        walks_per_node: walks started at every node per pass over the corpus.
        walk_length: nodes per walk, >= 2.
        p, q: node2vec's return and in-out parameters (1, 1: DeepWalk's first-order walk).
        seed: int; the pairs of epoch `e` depend only on (seed, e, chunk_size): any slicing
            of the epoch into `pairs(e, first, count)` calls gives the same pairs.
        chunk_size: pairs made at once (see `pairs`).
    """

    def __init__(self, graph, window=10, walks_per_node=10, walk_length=80, p=1.0, q=1.0,
                 seed=0, chunk_size=CHUNK_SIZE):
        self.graph = as_graph(graph)
        self.window = positive_int('window', window)
        self.walks_per_node = positive_int('walks_per_node', walks_per_node)
        self.walk_length = positive_int('walk_length', walk_length, 2)
        for name, value in (('p', p), ('q', q)):
            if not (np.isfinite(value) and value > 0):
                raise ValueError('%s must be a positive number, got %r' % (name, value))
        self.p, self.q = float(p), float(q)
        self.seed = int(seed)
        self.tables = WalkTables(self.graph)
        self.walkable = np.nonzero(self.tables.deg > 0)[0]
        if len(self.walkable) == 0:
            raise ValueError('the graph has no edges to walk on')
        # the distance k = 1 .. min(window, walk_length - 1) between the two positions: k
        # occurs walk_length - k times in a walk, each time inside word2vec's shrunk window
        # (uniform in 1 .. window) with probability (window - k + 1) / window
        length = self.walk_length
        self._gaps = np.arange(1, min(self.window, length - 1) + 1)
        weight = (length - self._gaps) * (self.window - self._gaps + 1.0)
        self._gap_cdf = np.cumsum(weight) / weight.sum()
        self.chunk_size = positive_int('chunk_size', chunk_size)
        self._cache = {}
        self._chunks = {}

    @property
    def walks_per_epoch(self):
        """Walk starts of one pass over the corpus: `walks_per_node` x nodes with an out-edge."""
        return self.walks_per_node * len(self.walkable)

    def epoch_starts(self, epoch):
        """The walk starts of epoch `epoch`: `walks_per_node` shuffled passes over the nodes."""
        cache = self._cache
        if epoch in cache:
            return cache[epoch]
        rng = np.random.default_rng([self.seed, epoch, 0x3a1c])
        starts = np.concatenate([self.walkable[rng.permutation(len(self.walkable))]
                                 for _ in range(self.walks_per_node)])
        keep = {e: v for e, v in cache.items() if e in (epoch - 1, epoch + 1)}
        keep[epoch] = starts
        self._cache = keep  # replaced whole: readers in other threads see a consistent dict
        return starts

    def pairs(self, epoch, first, count):
        """Slots `[first, first + count)` of epoch `epoch`: int64 (count, 2) (node, context).

        Made (and cached) in chunks of `chunk_size` slots, chunk `c` of epoch `e` a pure
        function of (seed, e, c): a walk step costs one vectorised numpy call for the whole
        chunk, not one per batch.
        """
        size = self.chunk_size
        parts = []
        for c in range(first // size, (first + count - 1) // size + 1 if count > 0 else 0):
            lo, hi = max(first, c * size), min(first + count, (c + 1) * size)
            parts.append(self._chunk(epoch, c)[lo - c * size:hi - c * size])
        return np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)

    def _chunk(self, epoch, c):
        chunks = self._chunks
        if (epoch, c) in chunks:
            return chunks[epoch, c]
        starts = self.epoch_starts(epoch)
        size = self.chunk_size
        slots = np.arange(c * size, (c + 1) * size, dtype=np.int64) % len(starts)
        pairs = self.contexts(starts[slots], np.random.default_rng([self.seed, epoch, c, 0xc0de]))
        keep = dict(list(chunks.items())[-3:])  # the last few (auto_epoch threads straddle)
        keep[epoch, c] = pairs
        self._chunks = keep  # replaced whole: readers in other threads see a consistent dict
        return pairs

    def contexts(self, starts, rng):
        """One walk-context pair per start node (each with an out-edge): int64 (len, 2)."""
        starts = np.asarray(starts, dtype=np.int64)
        out = np.empty((len(starts), 2), dtype=np.int64)
        todo = np.arange(len(starts))
        for _ in range(100):
            gap = self._gaps[draw_by_cdf(self._gap_cdf, rng.random(len(todo)))]
            first = (rng.random(len(todo)) * (self.walk_length - gap)).astype(np.int64)
            a, b = self._walk_to(starts[todo], first, first + gap, rng)
            ok = (b >= 0) & (a != b)
            out[todo[ok], 0], out[todo[ok], 1] = a[ok], b[ok]
            todo = todo[~ok]
            if not len(todo):
                break
        if len(todo):  # a walk that keeps dying or returning: its first step, an edge
            out[todo, 0] = starts[todo]
            out[todo, 1] = self.tables.step(starts[todo], None, rng)
        if not self.graph.directed:
            flip = rng.random(len(out)) < 0.5
            out[flip] = out[flip, ::-1]
        return out

    def _walk_to(self, starts, first, last, rng):
        """Walk from `starts` up to position `last` (> `first`): the nodes at `first` and at
        `last` (-1 where the walk died before)."""
        order = np.argsort(-last, kind='stable')  # the walkers still going form a prefix
        first, last = first[order], last[order]
        cur = starts[order].copy()
        prev = np.full(len(cur), -1, dtype=np.int64)
        at_first = np.where(first == 0, cur, -1)
        alive = np.ones(len(cur), dtype=bool)
        deg = self.tables.deg
        second_order = not (self.p == 1 and self.q == 1)
        steps = np.arange(1, int(last.max()) + 1 if len(last) else 1)
        going = np.searchsorted(-last, -steps, side='right')  # walkers with last >= step
        for step, k in zip(steps.tolist(), going.tolist()):
            live = alive[:k] & (deg[cur[:k]] > 0)
            if live.all():
                idx = slice(0, k)
            else:
                alive[:k] = live
                idx = np.nonzero(live)[0]
            here = cur[idx]
            nxt = self.tables.step(here, prev[idx] if second_order and step > 1 else None,
                                   rng, self.p, self.q)
            prev[idx] = here
            cur[idx] = nxt
            hit = first[idx] == step
            if hit.any():
                at_first[np.nonzero(hit)[0] if isinstance(idx, slice) else idx[hit]] = nxt[hit]
        a = np.empty(len(cur), dtype=np.int64)
        b = np.empty(len(cur), dtype=np.int64)
        a[order] = at_first
        b[order] = np.where(alive, cur, -1)
        return a, b
