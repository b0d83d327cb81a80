"""Negative sampling (numpy only): node pairs that are not edges.

`NegativeSampler` draws targets uniformly or from word2vec's unigram^0.75 distribution (here
degree^0.75) and redraws, vectorised, every draw that hits a known edge or the source itself.
`sample_non_edges` draws distinct non-edges (evaluation negatives, classifier training pairs).
"""
import numpy as np

from author2vec_keras.checks import one_of
from author2vec_keras.data.graph import GraphError, pair_keys

__all__ = ['NegativeSampler', 'sample_non_edges', 'check_negatives', 'labelled_pairs', 'SAMPLING',
           'draw_by_cdf']

#: negative sampling distributions: uniform over nodes, or degree**0.75 (word2vec's unigram^0.75)
SAMPLING = ('uniform', 'degree')



def draw_by_cdf(cdf, uniforms):
    """Indices drawn in proportion to weights by inverse transform: for each of `uniforms`
    (in [0, cdf[-1])), the first index whose cumulative weight in `cdf` exceeds it, clamped to
    the last index (a normalised cdf may round below 1). The one weighted draw of the package."""
    return np.minimum(np.searchsorted(cdf, uniforms, side='right'), len(cdf) - 1)

class NegativeSampler(object):
    """Draws negative targets: pairs (source, target) that are neither edges nor self-pairs.

    # Arguments
        graph: a `Graph`. For a directed graph, (source, target) must not be a directed edge.
        sampling: 'uniform' over all nodes, or 'degree' (probability proportional to
            degree**0.75, word2vec's smoothed unigram distribution; isolated nodes are never
            drawn).
        seed: int or None, or a `numpy.random.Generator`.
        max_rounds: redraw rounds before falling back to an exact per-source computation.
    """

    def __init__(self, graph, sampling='uniform', seed=None, power=0.75, max_rounds=50):
        one_of('sampling', sampling, SAMPLING)
        if graph.num_nodes < 2:
            raise GraphError('negative sampling needs at least 2 nodes, the graph has %d'
                             % graph.num_nodes)
        self.graph = graph
        self.sampling = sampling
        self.power = power
        self.max_rounds = max_rounds
        self.rng = seed if isinstance(seed, np.random.Generator) else \
            np.random.default_rng(seed)
        n = graph.num_nodes
        if sampling == 'degree':
            p = graph.degrees.astype(np.float64) ** power
            if p.sum() == 0:
                raise GraphError("sampling='degree' on a graph without edges")
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

    @property
    def saturated(self):
        """Bool (n,): nodes with no possible negative (joined to every node that can be drawn)."""
        return self._valid <= 0

    def sources(self, sources, rng=None):
        """The sources to draw negatives from: `sources`, each one that has no possible
        negative (`saturated`: a hub joined to every node) replaced by a node drawn uniformly
        among those that have one, so an edge between two such hubs still trains against
        non-edges. Draws from `rng` only when some source is replaced.

        Raises `GraphError` if no node has a possible negative (the graph has no non-edge).
        """
        sources = np.asarray(sources, dtype=np.int64).reshape(-1)
        full = self._valid[sources] <= 0
        if not full.any():
            return sources
        ok = np.nonzero(self._valid > 0)[0]
        if not len(ok):
            raise GraphError('no possible negative: every node is joined to every node that '
                             'can be drawn')
        rng = self.rng if rng is None else rng
        out = sources.copy()
        out[full] = ok[rng.integers(0, len(ok), size=int(full.sum()))]
        return out

    def _draw(self, size, rng):
        if self._cdf is None:
            return rng.integers(0, self.graph.num_nodes, size=size, dtype=np.int64)
        return draw_by_cdf(self._cdf, rng.random(size)).astype(np.int64)

    def sample(self, sources, k=1, rng=None):
        """Targets for each source: int64 array (len(sources), k), never an edge nor the source.

        Raises `GraphError` if some source has no possible negative (it is joined to every
        node).
        """
        rng = self.rng if rng is None else rng
        sources = np.asarray(sources, dtype=np.int64).reshape(-1)
        if len(sources) and (self._valid[sources] <= 0).any():
            bad = int(sources[np.argmax(self._valid[sources] <= 0)])
            raise GraphError('node %r (index %d) has no possible negative: it is joined to '
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


def check_negatives(graph, sampling='uniform', sampler=None):
    """Raise `GraphError` if an edge has no possible negative pair to train against.

    A training pair's negatives share its source; an undirected edge may take either end as
    its source (`sequences.PairSequence` picks one that has a negative), and an edge whose
    source is joined to every node that can be drawn (two hubs joined to everyone) takes its
    negatives from another source (`NegativeSampler.sources`). So an edge fails only when no
    node has a possible negative: the graph has no non-edge to train against (a graph of one
    edge, a complete graph).

    # Arguments
        graph: a `Graph`; sampling: 'uniform' or 'degree'; sampler: its `NegativeSampler`, if
            already made.
    """
    if graph.num_edges == 0:
        raise GraphError('the graph has no edges')
    sampler = sampler or NegativeSampler(graph, sampling, seed=0)
    if sampler.saturated.all():
        u, v = graph.ids(graph.edges[0])
        raise GraphError(
            'no possible negative for the edge (%r, %r): every node is joined to every other '
            'node%s, so no pair of nodes that are not joined is left to train against (%d '
            'nodes, %d edges)' % (u, v, '' if sampling == 'uniform' else ' that can be drawn',
                                  graph.num_nodes, graph.num_edges))


def sample_non_edges(graph, k, seed=0, sampling='uniform', exclude=None):
    """`k` distinct node pairs (k, 2) that are not edges of `graph` nor self-pairs.

    Sources are uniform over nodes; targets per `sampling`. For undirected graphs the pairs
    are distinct as unordered pairs. `exclude`: optional extra (j, 2) pairs to avoid.
    """
    rng = np.random.default_rng(seed)
    n = graph.num_nodes
    total = n * (n - 1) // (1 if graph.directed else 2)
    forbidden = graph.num_edges + (0 if exclude is None else len(exclude))
    if k > total - graph.num_edges:
        raise GraphError('asked for %d non-edges (pairs of nodes that are not joined) but the '
                         'graph has only %d' % (k, total - graph.num_edges))
    sampler = NegativeSampler(graph, sampling, seed=rng)
    excl = None
    if exclude is not None and len(exclude):
        excl = np.unique(pair_keys(exclude, n, graph.directed))
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
        keys = pair_keys(pairs, n)
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
        raise GraphError('could not find %d distinct non-edges (found %d; %d forbidden)'
                         % (k, len(out), forbidden))
    return out


def labelled_pairs(src, dst, negatives, sources=None):
    """A training batch: each positive pair `(src, dst)` (label 1) followed by its negatives
    `(src, t)` (label 0), the layout every pair sequence trains on.

    # Arguments
        src, dst: `(p,)` the positive pairs' ends.
        negatives: `(p, k)` the negative targets of each positive's source (k may be 0).
        sources: `(p,)` the negatives' sources where not `src` (`NegativeSampler.sources`).

    # Returns
        `(X int32 (p * (1 + k), 2), y float32 (p * (1 + k), 1))`.
    """
    p, k = len(src), negatives.shape[1]
    X = np.empty((p, 1 + k, 2), dtype=np.int32)
    y = np.zeros((p, 1 + k, 1), dtype=np.float32)
    X[:, :, 0] = np.asarray(src if sources is None else sources)[:, None]
    X[:, 0, 0] = src
    X[:, 0, 1] = dst
    X[:, 1:, 1] = negatives
    y[:, 0, 0] = 1.0
    return X.reshape(p * (1 + k), 2), y.reshape(p * (1 + k), 1)
