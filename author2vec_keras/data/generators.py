"""Large random test graphs with power-law degrees, fast and seeded (numpy only).

`power_law_graph(10 ** 7)` makes a 10M-node, 50M-edge graph in about a minute on one core,
where networkx's generators (Python loops over nodes and edges) take hours. The model is
Chung-Lu's (expected degrees): node `i` has weight `w_i` and a pair `{u, v}` is an edge with
probability about `w_u w_v / sum(w)`; edges are drawn as pairs of endpoints, each endpoint
picked with probability proportional to its weight, so node `i` gets about `w_i` edges. The
weights follow a power law `P(w) ~ w^-exponent` between `min_degree` and `max_degree`, at
deterministic quantiles, scaled to the asked mean degree and shuffled over the nodes.

Self-loops are dropped and duplicate pairs kept once (as `Graph` requires), then exactly
`num_edges` distinct pairs are kept, chosen at random, so the result is a `Graph` with no
repairs and no warnings. Imports neither Theano nor Keras.

# References
    - F. Chung and L. Lu, "Connected components in random graphs with given expected degree
      sequences", Annals of Combinatorics 6, 2002.
    - A. Clauset, C. R. Shalizi and M. E. J. Newman, "Power-law distributions in empirical
      data", SIAM Review 51, 2009 (the exponent estimator used in the tests).
"""
import numpy as np

from author2vec_keras.data.graph import Graph, pair_keys

__all__ = ['power_law_degrees', 'chung_lu_edges', 'power_law_graph']


def power_law_degrees(num_nodes, average_degree=10.0, exponent=2.5, max_degree=None, seed=0):
    """Expected degrees `(num_nodes,)` float64 with a power-law distribution, in random order.

    # Arguments
        num_nodes: number of nodes.
        average_degree: mean of the expected degrees.
        exponent: the power law's exponent `gamma` (> 2 for a finite mean), `P(w) ~ w^-gamma`.
        max_degree: largest expected degree; default `sqrt(num_nodes * average_degree)`, the
            structural cutoff below which Chung-Lu draws few duplicate pairs.
        seed: int; the order of the degrees over the nodes.

    # Returns
        float64 array, mean `average_degree`, every value in `(0, max_degree]`.
    """
    n = int(num_nodes)
    if n < 2:
        raise ValueError('power_law_degrees: need at least 2 nodes, got %r' % (num_nodes,))
    if not exponent > 2:
        raise ValueError('power_law_degrees: exponent must be > 2 (finite mean degree), got %r'
                         % (exponent,))
    if not 0 < average_degree < n - 1:
        raise ValueError('power_law_degrees: average_degree must be in (0, %d), got %r'
                         % (n - 1, average_degree))
    if max_degree is None:
        max_degree = np.sqrt(n * float(average_degree))
    max_degree = float(min(max_degree, n - 1))
    # Quantiles (i + 0.5) / n of a Pareto(1, gamma - 1) law, cut at the largest degree;
    # scaling to the mean moves the cut, so iterate the scale a few times.
    q = (np.arange(n, dtype=np.float64) + 0.5) / n
    base = (1.0 - q) ** (-1.0 / (exponent - 1.0))
    scale = float(average_degree) / base.mean()
    for _ in range(50):
        w = np.minimum(base * scale, max_degree)
        mean = w.mean()
        if abs(mean - average_degree) < 1e-9 * average_degree:
            break
        scale *= average_degree / mean
    if abs(w.mean() - average_degree) > 1e-3 * average_degree:
        raise ValueError('power_law_degrees: cannot reach mean degree %g under max_degree %g'
                         % (average_degree, max_degree))
    rng = np.random.default_rng([int(seed), 0xDE6])
    return w[rng.permutation(n)]


def chung_lu_edges(weights, num_edges, seed=0, chunk=1 << 24):
    """`num_edges` distinct undirected pairs drawn with endpoint probabilities `~ weights`.

    # Arguments
        weights: `(n,)` non-negative expected degrees.
        num_edges: edges to return.
        seed: int; the result is a pure function of (weights, num_edges, seed).
        chunk: endpoints drawn per vectorised step (bounds the temporary memory).

    # Returns
        int64 `(num_edges, 2)` array, `u < v` in each row, rows sorted, no duplicates.
    """
    w = np.asarray(weights, dtype=np.float64)
    n = len(w)
    m = int(num_edges)
    if (w < 0).any() or w.sum() <= 0:
        raise ValueError('chung_lu_edges: weights must be non-negative with a positive sum')
    if m > n * (n - 1) // 2:
        raise ValueError('chung_lu_edges: %d edges do not fit in %d nodes' % (m, n))
    cdf = np.cumsum(w)
    cdf /= cdf[-1]
    rng = np.random.default_rng([int(seed), 0xC1])
    keys = np.zeros(0, dtype=np.int64)
    for _ in range(100):
        if len(keys) >= m:
            break
        # ~1% of draws are self-loops or repeats at the default cutoff: draw a little more.
        want = int((m - len(keys)) * 1.05) + 64
        drawn = [keys]
        for start in range(0, want, chunk):
            size = min(chunk, want - start)
            # endpoints in pairs from one stream: the edges do not depend on `chunk`
            uv = np.searchsorted(cdf, rng.random((size, 2)), side='right')
            np.minimum(uv, n - 1, out=uv)
            drawn.append(pair_keys(uv[uv[:, 0] != uv[:, 1]], n, directed=False))
            del uv
        keys = np.unique(np.concatenate(drawn))
        del drawn
    else:
        raise ValueError('chung_lu_edges: could not draw %d distinct pairs (got %d); the '
                         'weights are too concentrated' % (m, len(keys)))
    if len(keys) > m:  # keep a random subset of exactly m (uniform: the distribution holds)
        keep = rng.choice(len(keys), size=m, replace=False)
        keep.sort()
        keys = keys[keep]
    edges = np.empty((m, 2), dtype=np.int64)  # the pairs back from their keys (min, max)
    np.floor_divide(keys, n, out=edges[:, 0])
    np.remainder(keys, n, out=edges[:, 1])
    return edges


def power_law_graph(num_nodes, average_degree=10.0, exponent=2.5, max_degree=None, seed=0):
    """A random undirected `Graph` with power-law degrees (Chung-Lu), nodes `0 .. n-1`.

    # Arguments
        num_nodes: number of nodes (some may end up isolated, as in real graphs).
        average_degree: mean degree; the graph has `round(num_nodes * average_degree / 2)`
            edges.
        exponent: power-law exponent of the degree distribution (> 2; 2.5 by default, about
            what co-authorship graphs show).
        max_degree: largest expected degree (default `sqrt(num_nodes * average_degree)`).
        seed: int; the graph is a pure function of the arguments.

    # Returns
        A `Graph` with no self-loops and no duplicate edges (nothing to repair).

    # Example

    ```python
        g = power_law_graph(10 ** 6, average_degree=10, seed=0)   # 1M nodes, 5M edges, ~5 s
    ```
    """
    weights = power_law_degrees(num_nodes, average_degree, exponent, max_degree, seed)
    edges = chung_lu_edges(weights, round(num_nodes * average_degree / 2.0), seed)
    return Graph(edges, num_nodes=int(num_nodes))
