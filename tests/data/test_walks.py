"""Walk-context pairs: every pair is within the window on a walk of the training graph, the
window positions are weighted as in the walk corpus, and a slice of an epoch is a pure function
of (seed, epoch, slice)."""
import warnings

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from author2vec_keras.data import walks
from author2vec_keras.data.graph import DataWarning, Graph
from author2vec_keras.data.splits import link_prediction_split
from author2vec_keras.data.walks import WalkContextSampler
from author2vec_keras.evaluation import baselines


def hops_within(graph, sources, k):
    """Bool (len(sources), n): nodes reachable from each source in 1..k steps along edges."""
    a = graph.adjacency.astype(bool).astype(np.int64)
    frontier = sp.csr_matrix((np.ones(len(sources), dtype=np.int64),
                              (np.arange(len(sources)), sources)),
                             shape=(len(sources), graph.num_nodes))
    seen = sp.csr_matrix((len(sources), graph.num_nodes), dtype=np.int64)
    for _ in range(k):
        frontier = frontier @ a
        frontier.data[:] = 1
        seen = seen + frontier
    return seen.toarray() > 0


def test_baselines_use_the_walks_module():
    assert baselines.random_walks is walks.random_walks


@pytest.mark.parametrize('p, q', [(1.0, 1.0), (0.25, 4.0)])
def test_pairs_are_within_the_window_on_the_training_graph(grqc, p, q):
    """On a sparse hold-out (half of ca-GrQc's edges), every pair is joined by a path of at
    most `window` training edges; held-out edges come up only where such a path exists."""
    split = link_prediction_split(grqc, 0.5, seed=0)
    train = split.train_graph
    window = 3
    s = WalkContextSampler(train, window=window, walks_per_node=2, walk_length=10, p=p, q=q,
                           seed=0)
    pairs = s.pairs(0, 0, 4000)
    assert pairs.shape == (4000, 2) and pairs.dtype == np.int64
    assert not (pairs[:, 0] == pairs[:, 1]).any()
    sources, row = np.unique(pairs[:, 0], return_inverse=True)
    reach = hops_within(train, sources, window)
    assert reach[row, pairs[:, 1]].all()
    # ... and not all of them are edges: the walks reach past one hop
    is_edge = train.has_edges(pairs)
    assert 0.3 < is_edge.mean() < (0.8 if p == q == 1 else 0.97), is_edge.mean()
    held_out = Graph(split.test_edges, num_nodes=grqc.num_nodes).has_edges(pairs)
    assert reach[row[held_out], pairs[held_out, 1]].all()


@pytest.mark.parametrize('length, window', [(8, 3), (5, 6)])
def test_distances_are_weighted_as_skip_gram_trains_them(length, window):
    """On a directed cycle every walk goes round: a pair k steps apart is (v, v + k). Skip-gram
    sees it walk_length - k times per walk, each time inside the shrunk window (uniform in
    1 .. window) with probability (window - k + 1) / window."""
    n = 50
    g = Graph([[i, (i + 1) % n] for i in range(n)], directed=True)
    s = WalkContextSampler(g, window=window, walks_per_node=1, walk_length=length, seed=3)
    pairs = s.pairs(0, 0, 40000)
    gap = (pairs[:, 1] - pairs[:, 0]) % n
    reach = min(window, length - 1)
    counts = np.bincount(gap, minlength=n)
    assert counts[0] == 0 and counts[reach + 1:].sum() == 0  # earlier node first, k <= reach
    expected = np.array([(length - k) * (window - k + 1) for k in range(1, reach + 1)], float)
    assert np.allclose(counts[1:reach + 1] / counts.sum(), expected / expected.sum(), atol=0.01)


def test_window_one_gives_the_edges_in_both_orders():
    g = Graph.from_networkx(nx.karate_club_graph())
    pairs = WalkContextSampler(g, window=1, walk_length=5, seed=0).pairs(0, 0, 5000)
    assert g.has_edges(pairs).all()
    assert 0.45 < np.mean(pairs[:, 0] < pairs[:, 1]) < 0.55  # undirected: either order


def test_slices_of_an_epoch_are_pure_in_seed_epoch_and_slice():
    g = Graph.from_networkx(nx.connected_caveman_graph(5, 6))
    a = WalkContextSampler(g, window=4, walk_length=12, seed=7, chunk_size=64)
    b = WalkContextSampler(g, window=4, walk_length=12, seed=7, chunk_size=64)
    whole = a.pairs(2, 0, 300)
    # any slicing, any order, any instance: the same pairs (chunks straddled on purpose)
    assert np.array_equal(b.pairs(2, 100, 150), whole[100:250])
    assert np.array_equal(a.pairs(2, 0, 300), whole)
    assert np.array_equal(b.pairs(2, 250, 50), whole[250:])
    assert not np.array_equal(a.pairs(3, 0, 300), whole)
    assert not np.array_equal(WalkContextSampler(g, window=4, walk_length=12, seed=8,
                                                 chunk_size=64).pairs(2, 0, 300), whole)
    assert a.pairs(2, 5, 0).shape == (0, 2)


def test_walks_start_walks_per_node_times_from_every_node_each_epoch():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        g = Graph([[0, 1], [1, 2], [2, 3]], num_nodes=6)  # nodes 4, 5 isolated
    s = WalkContextSampler(g, walks_per_node=3, seed=0)
    starts = s.epoch_starts(0)
    assert s.walks_per_epoch == 12
    assert np.array_equal(np.sort(starts), np.repeat([0, 1, 2, 3], 3))
    assert [sorted(starts[i:i + 4]) for i in (0, 4, 8)] == [[0, 1, 2, 3]] * 3  # per pass
    pairs = s.pairs(0, 0, 1000)
    assert not np.isin(pairs, [4, 5]).any()


def test_dead_ends_of_a_directed_graph():
    """Walks follow edge direction; a walk that stops at a node without out-edges before the
    second position is drawn again, so every pair is a directed path of <= window steps."""
    g = Graph([[0, 1], [1, 2], [2, 3], [0, 4], [4, 5], [5, 0]], directed=True)  # 3: a sink
    s = WalkContextSampler(g, window=3, walk_length=6, seed=1)
    pairs = s.pairs(0, 0, 3000)
    reach = hops_within(g, np.arange(6), 3)
    assert reach[pairs[:, 0], pairs[:, 1]].all()
    assert not np.isin(pairs[:, 0], [3]).any()  # the sink starts no pair
    assert np.isin(pairs[:, 1], [3]).any()


@pytest.mark.parametrize('kwargs, message', [
    (dict(window=0), 'window must be a positive integer'),
    (dict(walk_length=1), 'walk_length must be an integer >= 2'),
    (dict(walks_per_node=0), 'walks_per_node must be a positive integer'),
    (dict(p=0), 'p must be a positive number'),
    (dict(q=float('nan')), 'q must be a positive number'),
])
def test_bad_values_name_the_parameter(kwargs, message):
    g = Graph.from_networkx(nx.karate_club_graph())
    with pytest.raises(ValueError, match=message):
        WalkContextSampler(g, **kwargs)


def test_a_graph_without_edges_has_no_walks():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        g = Graph(np.zeros((0, 2), dtype=int), num_nodes=3)
    with pytest.raises(ValueError, match='no edges'):
        WalkContextSampler(g)


def node2vec_step_probabilities(graph, t, v, p, q):
    """node2vec's transition probabilities from (t, v): w(v, x) alpha(t, x), normalised."""
    a = graph.adjacency.tocsr()
    x = a.indices[a.indptr[v]:a.indptr[v + 1]]
    w = a.data[a.indptr[v]:a.indptr[v + 1]].astype(np.float64)
    alpha = np.where(x == t, 1.0 / p, np.where(graph.has_edges(np.stack(
        [np.full(len(x), t), x], axis=1)), 1.0, 1.0 / q))
    return x, w * alpha / (w * alpha).sum()


@pytest.mark.parametrize('weighted', [False, True])
@pytest.mark.parametrize('p, q', [(1e6, 1.0), (0.25, 4.0), (4.0, 0.25), (1e3, 1e3)])
def test_second_order_steps_follow_the_node2vec_formula(weighted, p, q):
    """From t = 1 to v = 0 (v's neighbours: t, 2 and 3 common neighbours of t, 4 .. 6 not),
    the empirical frequencies of the next node match node2vec's formula within sampling error,
    for p and q that send most walkers to the exact draw (large p or both large) and not."""
    edges = [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0, 6], [1, 2], [1, 3], [4, 7], [5, 7]]
    w = [1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0] if weighted else None
    g = Graph(edges, weights=w)
    tables = walks.WalkTables(g)
    n = 200000
    nxt = tables.step(np.zeros(n, dtype=np.int64), np.ones(n, dtype=np.int64),
                      np.random.default_rng(0), p, q)
    x, expected = node2vec_step_probabilities(g, 1, 0, p, q)
    freq = np.array([(nxt == node).mean() for node in x])
    assert np.isin(nxt, x).all()
    assert np.all(np.abs(freq - expected) <= 5 * np.sqrt(expected * (1 - expected) / n) + 1e-9), \
        (freq, expected)


class CountingRng(object):
    """A numpy Generator's `random`, counting the uniforms drawn."""

    def __init__(self, seed):
        self.rng, self.drawn = np.random.default_rng(seed), 0

    def random(self, size):
        self.drawn += size
        return self.rng.random(size)


def test_a_walk_costs_the_same_whatever_p_and_q():
    """A second-order step at v draws at most 2 deg(v) + 1 uniforms, whatever p and q (a
    global rejection bound made a walker at karate's leaf retry about p times); with p = 1e6
    the walks are as long as with p = 1."""
    g = Graph.from_networkx(nx.karate_club_graph())
    tables = walks.WalkTables(g)
    starts = np.repeat(np.arange(g.num_nodes), 3)
    for p, q in [(1e4, 1.0), (1e4, 1e4), (1e-4, 1e4)]:
        rng, bound = CountingRng(0), 0
        prev, cur = starts, tables.step(starts, None, rng)
        for _ in range(20):
            bound += (2 * tables.deg[cur] + 1).sum()
            prev, cur = cur, tables.step(cur, prev, rng, p, q)
        assert rng.drawn <= len(starts) + bound, (p, q, rng.drawn, bound)
    far = walks.random_walks(g, num_walks=2, walk_length=40, p=1e6, seed=0)
    near = walks.random_walks(g, num_walks=2, walk_length=40, p=1.0, seed=0)
    assert far.shape == near.shape and (far >= 0).sum() == (near >= 0).sum() == far.size
