"""Negative sampling and the PairSequence."""
import warnings

import numpy as np
import pytest

from author2vec_keras.data.graph import DataWarning, Graph, GraphError
from author2vec_keras.data.negatives import NegativeSampler, check_negatives, sample_non_edges
from author2vec_keras.nn.backend import keras
from author2vec_keras.nn.sequences import PairSequence, WalkPairSequence


def random_graph(n=200, m=1500, seed=0, directed=False):
    e = np.random.default_rng(seed).integers(0, n, size=(m, 2))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        return Graph(e, num_nodes=n, directed=directed)


@pytest.mark.parametrize('sampling', ['uniform', 'degree'])
@pytest.mark.parametrize('directed', [False, True])
def test_negatives_are_never_edges_nor_self_pairs(sampling, directed):
    g = random_graph(directed=directed)
    s = NegativeSampler(g, sampling, seed=1)
    src = np.repeat(np.arange(g.num_nodes), 20)
    t = s.sample(src, 7)
    assert t.shape == (len(src), 7) and t.dtype == np.int64
    pairs = np.stack([np.repeat(src, 7), t.ravel()], axis=1)
    assert not g.has_edges(pairs).any()
    assert not (pairs[:, 0] == pairs[:, 1]).any()


def test_dense_neighbourhood_still_finds_the_few_non_edges():
    # node 0 is joined to everyone except node 9: the only valid negative is 9
    n = 10
    e = [[0, v] for v in range(1, 9)] + [[1, 2]]
    g = Graph(e, num_nodes=n)
    t = NegativeSampler(g, seed=0, max_rounds=2).sample(np.zeros(50, dtype=int), 3)
    assert (t == 9).all()
    full = Graph([[0, v] for v in range(1, n)], num_nodes=n)
    with pytest.raises(ValueError, match='no possible negative'):
        NegativeSampler(full).sample([0], 1)


def test_degree_distribution_follows_degree_power():
    # star + isolated: isolated nodes are never drawn; frequencies ~ degree**0.75
    g = Graph([[0, i] for i in range(1, 6)] + [[1, 2]], num_nodes=8)
    s = NegativeSampler(g, 'degree', seed=0)
    t = s.sample(np.full(20000, 3), 1).ravel()  # node 3: neighbour 0 only
    counts = np.bincount(t, minlength=8)
    assert counts[6] == counts[7] == 0 and counts[0] == 0 and counts[3] == 0
    p = g.degrees.astype(float) ** 0.75
    p[[0, 3]] = 0
    p /= p.sum()
    assert np.allclose(counts / counts.sum(), p, atol=0.02)


def test_sample_non_edges_distinct_pairs():
    g = random_graph()
    pairs = sample_non_edges(g, 500, seed=3)
    assert pairs.shape == (500, 2) and not g.has_edges(pairs).any()
    assert len({tuple(sorted(p)) for p in pairs.tolist()}) == 500
    assert np.array_equal(pairs, sample_non_edges(g, 500, seed=3))


def test_pair_sequence_epoch_content():
    g = random_graph(n=100, m=700)
    seq = PairSequence(g, negatives=3, batch_size=64, seed=5)
    assert isinstance(seq, keras.utils.Sequence)
    assert seq.positives_per_batch == 16 and len(seq) == -(-g.num_edges // 16)
    xs, ys = zip(*[seq[i] for i in range(len(seq))])
    assert all(x.dtype == np.int32 and x.shape[1] == 2 for x in xs)
    assert all(y.dtype == np.float32 and y.shape == (len(x), 1) for x, y in zip(xs, ys))
    assert all(len(x) == 64 for x in xs[:-1]) and len(xs[-1]) <= 64
    X, y = np.concatenate(xs), np.concatenate(ys).ravel()
    assert len(X) == seq.pairs_per_epoch == 4 * g.num_edges
    pos, neg = X[y == 1], X[y == 0]
    # every edge exactly once as a positive, in some orientation
    canon = np.sort(pos, axis=1).astype(np.int64)
    assert np.array_equal(np.unique(canon, axis=0), g.edges) and len(canon) == g.num_edges
    assert 0.35 < np.mean(pos[:, 0] > pos[:, 1]) < 0.65  # random orientation
    assert not g.has_edges(neg).any() and not (neg[:, 0] == neg[:, 1]).any()
    # each positive is followed by `negatives` rows from the same source
    X4 = X.reshape(-1, 4, 2)
    assert (X4[:, :, 0] == X4[:, :1, 0]).all() and (y.reshape(-1, 4)[:, 0] == 1).all()


def test_pair_sequence_is_pure_in_seed_epoch_index():
    g = random_graph(n=100, m=700)
    a = PairSequence(g, negatives=2, batch_size=60, seed=1)
    b = PairSequence(g, negatives=2, batch_size=60, seed=1)
    for i in (0, 5, len(a) - 1):
        assert np.array_equal(a[i][0], b[i][0])
        assert np.array_equal(a[i][0], a[i][0])
    first = a[0][0]
    a.set_epoch(1)
    assert not np.array_equal(a[0][0], first)
    b.set_epoch(1)
    assert np.array_equal(a[3][0], b[3][0])
    assert np.array_equal(a.batch(0, 0)[0], first)
    with pytest.raises(IndexError):
        a[len(a)]
    c = PairSequence(g, negatives=2, batch_size=60, seed=2)
    assert not np.array_equal(c.batch(0, 0)[0], first)


def test_auto_epoch_and_flow_advance_epochs():
    g = random_graph(n=50, m=200)
    seq = PairSequence(g, negatives=1, batch_size=100, seed=0, auto_epoch=True)
    e0 = [seq[i][0] for i in range(len(seq))]
    e1 = [seq[i][0] for i in range(len(seq))]
    assert all(np.array_equal(x, seq.batch(0, i)[0]) for i, x in enumerate(e0))
    assert all(np.array_equal(x, seq.batch(1, i)[0]) for i, x in enumerate(e1))
    gen = seq.flow(start_epoch=0)
    got = [next(gen)[0] for _ in range(2 * len(seq))]
    assert all(np.array_equal(a, b) for a, b in zip(got, e0 + e1))


def test_positives_only_and_directed():
    g = random_graph(n=60, m=300, directed=True)
    seq = PairSequence(g, negatives=0, batch_size=128)
    X = np.concatenate([seq[i][0] for i in range(len(seq))])
    assert np.array_equal(np.unique(X.astype(np.int64), axis=0), g.edges)  # directions kept


def test_walk_pair_sequence_batches():
    """Walk pairs in PairSequence's layout: each positive (a pair within the window on a walk)
    followed by its negatives from the same source, never an edge nor a positive of the batch."""
    from author2vec_keras.nn.sequences import WalkPairSequence
    g = random_graph(n=100, m=300, seed=2)
    seq = WalkPairSequence(g, negatives=3, batch_size=64, seed=5, window=3, walk_length=10,
                           positives_per_epoch=1000)
    assert isinstance(seq, keras.utils.Sequence)
    assert seq.positives_per_batch == 16 and len(seq) == 63
    assert seq.pairs_per_epoch == 4000
    batches = [seq[i] for i in range(len(seq))]
    assert all(x.dtype == np.int32 and y.dtype == np.float32 for x, y in batches)
    assert all(len(x) == 64 for x, _ in batches[:-1]) and len(batches[-1][0]) == 8 * 4
    for x, y in batches:
        x = x.astype(np.int64)
        X4, y4 = x.reshape(-1, 4, 2), y.reshape(-1, 4)
        assert (y4[:, 0] == 1).all() and (y4[:, 1:] == 0).all()
        assert (X4[:, :, 0] == X4[:, :1, 0]).all()
        pos, neg = X4[:, 0], X4[:, 1:].reshape(-1, 2)
        assert not g.has_edges(neg).any() and not (neg[:, 0] == neg[:, 1]).any()
        keys = set(map(tuple, pos.tolist())) | set(map(tuple, pos[:, ::-1].tolist()))
        assert not keys & set(map(tuple, neg.tolist()))
    pos = np.concatenate([x.reshape(-1, 4, 2)[:, 0] for x, _ in batches]).astype(np.int64)
    assert len(pos) == 1000
    assert np.array_equal(pos, seq.walks.pairs(0, 0, 1000))  # the sampler's epoch, in order
    assert 0.2 < g.has_edges(pos).mean() < 0.9  # edges, and pairs further along the walks


def test_walk_pair_sequence_is_pure_in_seed_epoch_index():
    from author2vec_keras.nn.sequences import WalkPairSequence

    def make(seed=1):
        return WalkPairSequence(random_graph(n=80, m=300), negatives=2, batch_size=60,
                                seed=seed, positives_per_epoch=500)
    a, b = make(), make()
    for i in (len(a) - 1, 0, 4):  # any order
        assert np.array_equal(a[i][0], b[i][0])
    b.set_epoch(3)
    assert np.array_equal(b[2][0], a.batch(3, 2)[0])
    assert not np.array_equal(a.batch(3, 2)[0], a.batch(2, 2)[0])
    assert not np.array_equal(make(seed=2)[0][0], a[0][0])
    # the default epoch: 2 context pairs from each of walks_per_node walks per node
    c = WalkPairSequence(random_graph(n=80, m=300), negatives=1, batch_size=10,
                         walks_per_node=3)
    walkable = int((c.graph.degrees > 0).sum())
    assert c.positives_per_epoch == 2 * 3 * walkable == c.CONTEXTS_PER_WALK * 3 * walkable
    with pytest.raises(ValueError, match='positives_per_epoch'):
        WalkPairSequence(c.graph, positives_per_epoch=0)
    with pytest.raises(ValueError, match='window'):
        WalkPairSequence(c.graph, window=0)


def test_a_hub_joined_to_every_node_is_never_the_source():
    # a star (an ego network): the hub has no possible negative, its leaves do
    star = Graph([[0, v] for v in range(1, 8)], num_nodes=8)
    seq = PairSequence(star, negatives=3, batch_size=8, seed=0)
    for epoch in range(3):
        seq.set_epoch(epoch)
        for x, y in seq:
            assert (x[:, 0] != 0).all()  # sources are leaves
            negatives = x[y[:, 0] == 0]
            assert (negatives[:, 1] != 0).all() and (negatives[:, 0] != negatives[:, 1]).all()
    with pytest.raises(GraphError, match='no possible negative for the edge'):
        check_negatives(Graph([[0, 1]]))  # one edge: both ends joined to every node
    with pytest.raises(GraphError, match='no possible negative'):
        check_negatives(Graph([[0, 1], [1, 2], [0, 2]]))  # complete
    check_negatives(star)
    check_negatives(Graph([[1, 0]], num_nodes=3, directed=True))
    check_negatives(Graph([[1, 0], [1, 2]], directed=True))  # 1 is full; 0 -> 1 is a non-edge
    with pytest.raises(GraphError, match="every node is joined to every other node"):
        check_negatives(Graph([[1, 0], [0, 1]], directed=True))


def two_hubs():
    """32 nodes: hubs 0 and 1 joined to everyone, the others on a ring (405 non-edges)."""
    ring = [[v, 2 + (v - 1) % 30] for v in range(2, 32)]
    return Graph([[0, 1]] + [[h, v] for h in (0, 1) for v in range(2, 32)] + ring)


@pytest.mark.parametrize('grouped', [False, True])
def test_an_edge_between_two_hubs_trains_against_other_sources_negatives(grouped):
    """Both ends of (0, 1) are joined to every node: its negatives come from another source,
    a node drawn among those that have a non-edge; every negative is a non-edge."""
    g = two_hubs()
    assert g.num_nodes * (g.num_nodes - 1) // 2 - g.num_edges == 405
    check_negatives(g)
    seq = PairSequence(g, negatives=3, batch_size=16, seed=0, grouped=grouped)
    hub_pairs = 0
    for x, y in seq:
        negatives = x[y[:, 0] == 0]
        assert not g.has_edges(negatives).any() and (negatives[:, 0] != negatives[:, 1]).all()
        assert not np.isin(negatives, [0, 1]).any()
        pos = x[y[:, 0] == 1]
        hub_pairs += int((np.sort(pos, axis=1) == [0, 1]).all(axis=1).sum())
    assert hub_pairs == (2 if grouped else 1)
    walks = WalkPairSequence(g, negatives=2, batch_size=30, seed=0, walk_length=5)
    x, y = walks[0]
    assert not g.has_edges(x[y[:, 0] == 0]).any() and (x[y[:, 0] == 1][:, 0] < 2).any()


def test_grouped_pair_batches_are_one_node_and_all_its_edges():
    """a2v.lua's link updates: one batch per author, its co-authors each with its negatives."""
    g = random_graph(n=60, m=150, seed=2)
    seq = PairSequence(g, negatives=3, sampling='uniform', seed=4, grouped=True)
    assert len(seq) == int((g.out_degrees > 0).sum())
    seen = []
    for i in range(len(seq)):
        x, y = seq[i]
        assert len(np.unique(x[:, 0])) == 1  # one source node per batch
        node = int(x[0, 0])
        pos = x[y[:, 0] == 1, 1]
        assert sorted(pos.tolist()) == sorted(g.neighbors(node).tolist())
        assert len(x) == 4 * len(pos) and not g.has_edges(x[y[:, 0] == 0]).any()
        seen.append(node)
    assert sorted(seen) == np.nonzero(g.out_degrees)[0].tolist()  # every node once per epoch
    assert seq.pairs_per_epoch == 4 * 2 * g.num_edges  # each undirected edge from both ends
    seq.set_epoch(1)
    assert [int(seq[i][0][0, 0]) for i in range(5)] != seen[:5]  # a new node order
    np.testing.assert_array_equal(seq.batch(0, 3)[0], seq.batch(0, 3)[0])


def test_grouped_authorship_batches_are_one_paper_and_all_its_authors():
    """a2v.lua's content updates: one batch per paper, its authors each with its negatives."""
    from author2vec_keras.nn.sequences import AuthorshipSequence
    pairs = np.array([[0, 0], [1, 0], [2, 0], [1, 1], [3, 2], [0, 2]])
    seq = AuthorshipSequence(pairs, num_papers=3, negatives=2, seed=0, grouped=True)
    assert len(seq) == 3
    got = {}
    for i in range(len(seq)):
        x, y = seq[i]
        pos = x[y[:, 0] == 1]
        assert len(np.unique(pos[:, 1])) == 1 and len(x) == 3 * len(pos)
        got[int(pos[0, 1])] = sorted(pos[:, 0].tolist())
        keys = set(map(tuple, pairs.tolist()))
        assert not any(tuple(r) in keys for r in x[y[:, 0] == 0].tolist())
    assert got == {0: [0, 1, 2], 1: [1], 2: [0, 3]}
