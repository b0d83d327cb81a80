"""Link-prediction hold-out (node2vec protocol) and temporal split."""
import warnings

import networkx as nx
import numpy as np
import pytest

from author2vec_keras.data import datasets
from author2vec_keras.data.datasets.aan import aan_coauthor_events
from author2vec_keras.data.graph import DataWarning, Graph
from author2vec_keras.data.splits import (
    link_prediction_split,
    random_spanning_forest,
    removable_edges,
    temporal_split,
)


@pytest.fixture(scope='module')
def grqc():
    return datasets.load('ca-grqc').graph


def test_split_properties_on_real_graph(grqc):
    g = grqc
    s = link_prediction_split(g, test_fraction=0.5, seed=0)
    k = len(s.test_edges)
    assert k == round(0.5 * g.num_edges) and s.test_negatives.shape == (k, 2)
    t = s.train_graph
    assert t.nodes == g.nodes and t.num_edges == g.num_edges - k
    assert not t.has_edges(s.test_edges).any()            # no test edge in training
    assert g.has_edges(s.test_edges).all()
    assert not g.has_edges(s.test_negatives).any()        # negatives never edges
    assert not (s.test_negatives[:, 0] == s.test_negatives[:, 1]).any()
    assert len({tuple(sorted(p)) for p in s.test_negatives.tolist()}) == k
    # components kept exactly, and every node with an edge keeps one
    n0, lab0 = g.connected_components()
    n1, lab1 = t.connected_components()
    assert n0 == n1 and np.array_equal(lab0, lab1)
    assert ((g.degrees > 0) <= (t.degrees > 0)).all()
    assert s.pairs.shape == (2 * k, 2) and s.labels.tolist() == [1] * k + [0] * k


def test_same_seed_same_split_other_seed_other_split(grqc):
    a = link_prediction_split(grqc, 0.3, seed=7)
    b = link_prediction_split(grqc, 0.3, seed=7)
    c = link_prediction_split(grqc, 0.3, seed=8)
    assert np.array_equal(a.test_edges, b.test_edges)
    assert np.array_equal(a.test_negatives, b.test_negatives)
    assert not np.array_equal(a.test_edges, c.test_edges)


def test_too_large_fraction_removes_what_it_can_and_warns():
    # a tree plus one extra edge: only one edge can go
    g = Graph([[0, 1], [1, 2], [2, 3], [3, 0], [4, 5]], num_nodes=7)
    with pytest.warns(DataWarning, match='only 1 can be removed'):
        s = link_prediction_split(g, 0.8, seed=0)
    assert len(s.test_edges) == 1 and s.train_graph.connected_components()[0] == 3


def test_spanning_forest_spans_every_component():
    e = np.random.default_rng(0).integers(0, 300, size=(600, 2))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        g = Graph(e, num_nodes=300)
    mask = random_spanning_forest(g, seed=1)
    n, _ = g.connected_components()
    assert mask.sum() == g.num_nodes - n
    assert g.subgraph_edges(mask).connected_components()[0] == n


def test_temporal_split():
    src = ['a', 'a', 'b', 'c', 'a', 'b', 'e', 'a', 'c']
    dst = ['b', 'c', 'c', 'd', 'd', 'a', 'f', 'e', 'a']
    yrs = [2000, 2001, 2001, 2002, 2004, 2005, 2005, 2006, 2006]
    s = temporal_split(src, dst, yrs, split_time=2002, seed=0)
    t = s.train_graph
    assert t.nodes == ['a', 'b', 'c', 'd'] and t.num_edges == 4
    got = {tuple(sorted(t.ids(p))) for p in s.test_edges}
    assert got == {('a', 'd')}  # (a, b) seen before, e/f unseen, (a, c) seen before
    assert len(s.test_negatives) == 1
    neg = tuple(sorted(t.ids(s.test_negatives[0])))
    assert neg == ('b', 'd') and s.labels.tolist() == [1, 0]


def test_temporal_split_on_aan():
    ds = datasets.load('aan')
    src, dst, years = aan_coauthor_events(ds.extra['papers'])
    s = temporal_split(src, dst, years, split_time=2009, seed=0)
    assert len(s.test_edges) > 1000 and len(s.test_negatives) == len(s.test_edges)
    assert not s.train_graph.has_edges(s.test_edges).any()
    assert not s.train_graph.has_edges(s.test_negatives).any()


@pytest.mark.parametrize('graph', [nx.path_graph(7), nx.star_graph(5), nx.karate_club_graph(),
                                   nx.disjoint_union(nx.cycle_graph(4), nx.path_graph(3)),
                                   nx.DiGraph([(0, 1), (1, 0), (1, 2)])])
def test_removable_edges_is_what_the_split_can_hold_out(graph):
    g = Graph.from_networkx(graph)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        split = link_prediction_split(g, test_fraction=0.99, seed=0)
    assert removable_edges(g) == len(split.test_edges)
