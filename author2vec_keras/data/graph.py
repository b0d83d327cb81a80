"""`Graph`: node ids <-> contiguous indices, edges, weights, CSR adjacency, pair keys.

numpy/scipy only (no Python loops over edges, no theano or keras), so `import
author2vec_keras.data.graph` is fast. The readers that build a `Graph` from files are in `readers`.

A `Graph` holds `n` nodes with arbitrary hashable ids (`graph.nodes[i]` is the id of index `i`,
`graph.node_index[id]` its index) and `m` unique edges as an int64 array of index pairs. An
undirected graph stores each pair once with `u < v`; self-loops are dropped and duplicate edges
merged, each with one `DataWarning` that says how many.
"""
import warnings

import numpy as np
import scipy.sparse as sp

from author2vec_keras.checks import one_of

__all__ = ['Graph', 'DataWarning', 'GraphError', 'pair_keys', 'isin_sorted', 'MERGES',
           'check_weights', 'DEGENERATE_SHARE']

#: `Graph.weight_problem`: weights where this fraction of the edges (at least one) carries
#: more than this share of the total weight are degenerate as sampling weights
DEGENERATE_SHARE = (0.01, 0.99)
#: how the weights of duplicate edges merge (`Graph(merge=...)`)
MERGES = ('max', 'sum', 'first')


def pair_keys(pairs, n, directed=True):
    """One int64 key `u * n + v` per index pair `(k, 2)`: equal keys, equal pairs.

    With `directed=False` a pair and its reverse share the key of `(min, max)`. The one place
    the key is computed (edge membership, splits, negative sampling, de-duplication).
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    u, v = pairs[:, 0], pairs[:, 1]
    if not directed:
        u, v = np.minimum(u, v), np.maximum(u, v)
    return u * max(int(n), 1) + v


def isin_sorted(keys, table):
    """Which of `keys` are in `table`, a sorted 1-d array (pair keys): a bool array shaped as
    `keys`. The one membership test of sorted keys (edges, walks, negatives, buckets)."""
    keys = np.asarray(keys)
    if len(table) == 0:
        return np.zeros(keys.shape, dtype=bool)
    return table[np.minimum(np.searchsorted(table, keys), len(table) - 1)] == keys


class DataWarning(UserWarning):
    """Input data was repaired (self-loops dropped, duplicate edges merged, ...)."""


class GraphError(ValueError):
    """A graph that a method cannot work on: no edges, no possible negative pair, nothing to
    hold out. The command line reports it as bad input (exit status 2)."""




# ----------------------------------------------------------------------------------------------
# Graph


def _unique_ids(values):
    """Sorted unique ids and the inverse indices, for an array of ints or strings, or a list of
    strings; other hashables (mixed types, tuples) in order of first appearance."""
    if isinstance(values, np.ndarray) and values.dtype.kind in 'iubUS':
        arr = values
        uniq, inv = np.unique(arr, return_inverse=True)
        nodes = uniq.tolist()
        return nodes, inv.astype(np.int64)
    # arbitrary hashables (mixed types, tuples...): order of first appearance
    index = {}
    inv = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64,
                      count=len(values))
    nodes = list(index)
    if nodes and all(type(v) is str for v in nodes):
        # sorted as np.unique sorts strings, without a unicode array as wide as the longest id
        # for every id (a 3,000-character name made it 12 kB an id)
        order = sorted(range(len(nodes)), key=nodes.__getitem__)
        rank = np.empty(len(nodes), dtype=np.int64)
        rank[order] = np.arange(len(nodes))
        return [nodes[i] for i in order], rank[inv]
    return nodes, inv


class Graph(object):
    """An (un)directed, weighted graph over arbitrary hashable node ids.

    # Arguments
        edges: int array-like of shape (m, 2): pairs of contiguous node indices.
        num_nodes: number of nodes (default: `len(nodes)`, else `edges.max() + 1`).
        nodes: list of node ids, index -> id (default: `range(num_nodes)`).
        weights: float array-like of shape (m,), positive, default all ones.
        directed: whether (u, v) and (v, u) are different edges.
        merge: how weights of duplicate edges are merged: 'max' (default), 'sum', 'first'.

    # Attributes
        nodes: list, index -> original node id.
        node_index: dict, original node id -> index.
        edges: int64 array (m, 2), unique; undirected graphs keep each pair once with u < v;
            no self-loops; sorted lexicographically.
        weights: float64 array (m,).
        directed: bool.
        num_self_loops_dropped, num_duplicates_merged: what the constructor repaired.
    """

    def __init__(self, edges, num_nodes=None, nodes=None, weights=None, directed=False,
                 merge='max'):
        edges = np.asarray(edges)
        if edges.size == 0:
            edges = np.zeros((0, 2), dtype=np.int64)
        if edges.ndim != 2 or edges.shape[1] != 2:
            raise ValueError('edges must have shape (m, 2), got %r' % (edges.shape,))
        if edges.dtype.kind not in 'iu':
            if edges.dtype.kind == 'f' and np.all(np.isfinite(edges)) and \
                    np.all(edges == np.round(edges)):
                edges = edges.astype(np.int64)
            else:
                raise ValueError('edges must be integer node indices, got dtype %s'
                                 % edges.dtype)
        edges = edges.astype(np.int64, copy=False)
        if nodes is not None:
            nodes = list(nodes)
            if num_nodes is not None and num_nodes != len(nodes):
                raise ValueError('num_nodes=%d but %d nodes given' % (num_nodes, len(nodes)))
            num_nodes = len(nodes)
        elif num_nodes is None:
            num_nodes = int(edges.max()) + 1 if len(edges) else 0
        num_nodes = int(num_nodes)
        if len(edges) and (edges.min() < 0 or edges.max() >= num_nodes):
            raise ValueError('edge indices must be in [0, %d), got range [%d, %d]'
                             % (num_nodes, edges.min(), edges.max()))
        if nodes is None:
            nodes = list(range(num_nodes))
        if weights is None:
            weights = np.ones(len(edges), dtype=np.float64)
        else:
            weights = np.asarray(weights, dtype=np.float64).reshape(-1)
            if len(weights) != len(edges):
                raise ValueError('%d weights for %d edges' % (len(weights), len(edges)))
            if not np.all(np.isfinite(weights) & (weights > 0)):
                raise ValueError('weights must be finite and positive (edge strengths), got %r'
                                 % weights[~(np.isfinite(weights) & (weights > 0))][0])
        one_of('merge', merge, MERGES)

        self.directed = bool(directed)
        self.nodes = nodes
        self.node_index = {v: i for i, v in enumerate(nodes)}
        if len(self.node_index) != len(nodes):
            raise ValueError('node ids must be unique')
        self._n = num_nodes

        # self-loops
        loops = edges[:, 0] == edges[:, 1]
        self.num_self_loops_dropped = int(loops.sum())
        if self.num_self_loops_dropped:
            warnings.warn('dropped %d self-loop%s' % (self.num_self_loops_dropped,
                                                     's' if self.num_self_loops_dropped > 1
                                                     else ''), DataWarning, stacklevel=2)
            edges = edges[~loops]
            weights = weights[~loops]
        # duplicates, an undirected edge listed again as `v u` among them, merged with a notice
        listed = edges
        if not self.directed:
            edges = np.sort(edges, axis=1)
        keys = pair_keys(edges, num_nodes)
        ukeys, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        self.num_duplicates_merged = k = int(len(keys) - len(ukeys))
        if k:
            rev = 0 if self.directed else \
                k - len(listed) + len(np.unique(pair_keys(listed, num_nodes)))
            warnings.warn('merged %d duplicate edge%s%s' % (
                k, 's' if k > 1 else '', ' (%d of them `v u` after `u v`)' % rev if rev else ''),
                DataWarning, stacklevel=2)
        if len(ukeys) != len(keys):
            if merge == 'sum':
                weights = np.bincount(inv, weights=weights, minlength=len(ukeys))
            elif merge == 'max':
                w = np.full(len(ukeys), -np.inf)
                np.maximum.at(w, inv, weights)
                weights = w
            else:
                weights = weights[first]
            edges = edges[first]
        else:
            edges = edges[first]
            weights = weights[first]
        self.edges = np.ascontiguousarray(edges, dtype=np.int64)
        self.weights = np.ascontiguousarray(weights, dtype=np.float64)
        self._adjacency = None
        self._keys = None

    # -- basic properties ------------------------------------------------------------------
    @property
    def num_nodes(self):
        return self._n

    @property
    def num_edges(self):
        return len(self.edges)

    def __len__(self):
        return self._n

    def __repr__(self):
        return '<Graph: %d nodes, %d %s edges%s>' % (
            self.num_nodes, self.num_edges, 'directed' if self.directed else 'undirected',
            '' if np.all(self.weights == 1) else ', weighted')

    def weight_problem(self):
        """What is wrong with the edge weights as sampling weights, in one line, or None:
        `('overflow', message)` when their sum is not a finite float (every draw by weight is
        then undefined), `('degenerate', message)` when the heaviest `DEGENERATE_SHARE[0]`
        of the edges (at least one) carry more than `DEGENERATE_SHARE[1]` of the total weight
        (one weight of 1e308 among ones: the other edges are never drawn).
        """
        w = self.weights
        if not len(w) or np.all(w == w[0]):
            return None
        with np.errstate(over='ignore'):
            total = w.sum()
        if not np.isfinite(total):
            return 'overflow', ('the edge weights sum to more than the largest float (up to '
                                '%g): rescale them' % w.max())
        fraction, share = DEGENERATE_SHARE
        k = max(1, int(np.ceil(fraction * len(w))))
        top = np.partition(w, len(w) - k)[len(w) - k:].sum()
        if top > share * total:
            return 'degenerate', (
                'the edge weights are degenerate: the heaviest %d of %d edges carry %.4g%% of '
                'the total weight (weights from %g to %g), so the other edges are almost never '
                'drawn; rescale the weights (e.g. their logarithm) or leave them out'
                % (k, len(w), 100.0 * (top / total), w.min(), w.max()))
        return None

    @property
    def is_weighted(self):
        return not bool(np.all(self.weights == 1.0))

    @property
    def adjacency(self):
        """scipy CSR matrix n x n of weights (symmetric when undirected), sorted indices, cached."""
        if self._adjacency is None:
            u, v = self.edges[:, 0], self.edges[:, 1]
            w = self.weights
            if not self.directed:
                u, v, w = np.concatenate([u, v]), np.concatenate([v, u]), np.concatenate([w, w])
            a = sp.csr_matrix((w, (u, v)), shape=(self._n, self._n))
            a.sum_duplicates()
            a.sort_indices()
            self._adjacency = a
        return self._adjacency

    @property
    def out_degrees(self):
        """Number of out-neighbours (all neighbours when undirected), int64 (n,)."""
        return np.diff(self.adjacency.indptr).astype(np.int64)

    @property
    def in_degrees(self):
        """Number of in-neighbours (all neighbours when undirected), int64 (n,)."""
        if not self.directed:
            return self.out_degrees
        return np.bincount(self.edges[:, 1], minlength=self._n).astype(np.int64)

    @property
    def degrees(self):
        """Number of incident edges per node (in + out for directed graphs), int64 (n,)."""
        if not self.directed:
            return self.out_degrees
        return self.out_degrees + self.in_degrees

    def neighbors(self, index):
        """Out-neighbour indices of node index `index` (int64 array)."""
        a = self.adjacency
        return a.indices[a.indptr[index]:a.indptr[index + 1]].astype(np.int64)

    def _edge_keys(self):
        """Sorted int64 keys u * n + v of every (u, v) in the adjacency (both orders if
        undirected)."""
        if self._keys is None:
            a = self.adjacency
            rows = np.repeat(np.arange(self._n, dtype=np.int64), np.diff(a.indptr))
            self._keys = pair_keys(np.stack([rows, a.indices], axis=1), self._n)  # CSR: sorted
        return self._keys

    def has_edges(self, pairs):
        """Vectorised membership: bool array (k,) telling which index pairs (k, 2) are edges.

        For undirected graphs either order matches. Pairs out of range are never edges.
        """
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        u, v = pairs[:, 0], pairs[:, 1]
        ok = (u >= 0) & (u < self._n) & (v >= 0) & (v < self._n)
        keys = np.where(ok, pair_keys(pairs, self._n), -1)
        return ok & isin_sorted(keys, self._edge_keys())

    def has_edge(self, u, v):
        """Whether node ids `u`, `v` are joined (by id, not index)."""
        if u not in self.node_index or v not in self.node_index:
            return False
        return bool(self.has_edges([[self.node_index[u], self.node_index[v]]])[0])

    def with_edges(self, edges, weights=None):
        """A new Graph on the same node set (same ids and indices) with the given index pairs."""
        return Graph(edges, nodes=self.nodes, weights=weights, directed=self.directed)

    def subgraph_edges(self, mask):
        """A new Graph on the same node set keeping the edges where bool `mask` (m,) is True."""
        mask = np.asarray(mask, dtype=bool)
        return Graph(self.edges[mask], nodes=self.nodes, weights=self.weights[mask],
                     directed=self.directed)

    def to_undirected(self):
        """The undirected graph: `u -> v` and `v -> u` become one edge (the larger weight)."""
        if not self.directed:
            return self
        with warnings.catch_warnings():  # merging the two directions is what is asked for
            warnings.simplefilter('ignore', DataWarning)
            return Graph(self.edges, nodes=self.nodes, weights=self.weights, directed=False)

    def connected_components(self):
        """(number of components, int label per node): weak components for directed graphs."""
        from scipy.sparse.csgraph import connected_components
        return connected_components(self.adjacency, directed=self.directed, connection='weak')

    # -- id <-> index ------------------------------------------------------------------------
    def indices(self, ids):
        """Int64 array of indices of node ids; KeyError names the first unknown id."""
        index = self.node_index
        out = np.empty(len(ids), dtype=np.int64)
        for k, x in enumerate(ids):
            try:
                out[k] = index[x]
            except (KeyError, TypeError):
                raise KeyError('unknown node id %r' % (x,))
        return out

    def ids(self, indices):
        """List of node ids for an array of indices."""
        nodes = self.nodes
        return [nodes[i] for i in np.asarray(indices, dtype=np.int64).reshape(-1).tolist()]

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def from_edges(cls, sources, targets, weights=None, directed=False, nodes=None, merge='max'):
        """Build from two sequences of node ids (any hashables).

        # Arguments
            sources, targets: equal-length sequences of node ids.
            weights: optional sequence of floats.
            directed: bool.
            nodes: optional fixed node list (index order; isolated nodes are kept). Every id in
                sources/targets must be in it (KeyError otherwise). Without it the nodes are the
                sorted unique ids (ints sorted numerically, strings lexicographically; mixed
                types in first-appearance order).
        """
        sources = list(sources) if not isinstance(sources, np.ndarray) else sources
        targets = list(targets) if not isinstance(targets, np.ndarray) else targets
        if len(sources) != len(targets):
            raise ValueError('%d sources but %d targets' % (len(sources), len(targets)))
        m = len(sources)
        if nodes is not None:
            g = cls([], nodes=nodes, directed=directed)
            edges = np.stack([g.indices(sources), g.indices(targets)], axis=1) if m else \
                np.zeros((0, 2), np.int64)
            return cls(edges, nodes=g.nodes, weights=weights, directed=directed, merge=merge)
        both = _concat_ids(sources, targets)
        ids, inv = _unique_ids(both)
        edges = np.stack([inv[:m], inv[m:]], axis=1)
        return cls(edges, nodes=ids, weights=weights, directed=directed, merge=merge)

    @classmethod
    def from_networkx(cls, G, weight='weight'):
        """Build from a networkx (Di)Graph; node order is `list(G.nodes())`, weights from
        `weight`."""
        nodes = list(G.nodes())
        index = {v: i for i, v in enumerate(nodes)}
        m = G.number_of_edges()
        edges = np.fromiter((index[x] for e in G.edges() for x in e[:2]), dtype=np.int64,
                            count=2 * m).reshape(-1, 2)
        weights = np.fromiter((d.get(weight, 1.0) for _, _, d in G.edges(data=True)),
                              dtype=np.float64, count=m)
        return cls(edges, nodes=nodes, weights=weights, directed=G.is_directed())

    def to_networkx(self):
        """networkx Graph/DiGraph with the original ids, all nodes, and `weight` edge data."""
        import networkx as nx
        G = nx.DiGraph() if self.directed else nx.Graph()
        G.add_nodes_from(self.nodes)
        nodes = self.nodes
        G.add_weighted_edges_from(
            (nodes[u], nodes[v], w) for (u, v), w in zip(self.edges.tolist(),
                                                         self.weights.tolist()))
        return G


def _concat_ids(a, b):
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return np.concatenate([a, b])
    both = list(a) + list(b)
    if both and all(type(x) is int for x in both):
        return np.asarray(both, dtype=np.int64) if _fits_int64(both) else both
    return both


def _fits_int64(values):
    return min(values) >= -2 ** 63 and max(values) < 2 ** 63


def check_weights(graph):
    """Before training on `graph`'s weights: `GraphError` when they overflow, a one-line
    `DataWarning` when a few edges carry almost all of them (`Graph.weight_problem`)."""
    problem = graph.weight_problem()
    if problem is None:
        return
    kind, message = problem
    if kind == 'overflow':
        raise GraphError(message)
    warnings.warn(message, DataWarning, stacklevel=2)
