"""Graph: ids <-> indices, canonical edges, adjacency, membership, networkx round trip."""
import subprocess
import sys
import warnings

import networkx as nx
import numpy as np
import pytest

from author2vec_keras.data.graph import DataWarning, Graph, isin_sorted
from author2vec_keras.data.readers import GraphFormatError


def test_canonical_undirected_edges_and_adjacency():
    g = Graph([[2, 0], [0, 1], [1, 2]], num_nodes=4)
    assert g.edges.tolist() == [[0, 1], [0, 2], [1, 2]]
    assert g.edges.dtype == np.int64 and g.weights.dtype == np.float64
    assert g.num_nodes == 4 and g.num_edges == 3
    a = g.adjacency
    assert (a != a.T).nnz == 0 and a.shape == (4, 4)
    assert g.degrees.tolist() == [2, 2, 2, 0]
    assert g.adjacency is g.adjacency  # cached


def test_self_loops_and_duplicates_warn_once_each_with_counts():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        g = Graph([[0, 0], [1, 1], [0, 1], [0, 1], [1, 0], [1, 2]], weights=[1, 1, 2, 5, 3, 1])
    msgs = sorted(str(x.message) for x in w if issubclass(x.category, DataWarning))
    assert msgs == ['dropped 2 self-loops', 'merged 2 duplicate edges (1 of them `v u` after '
                    '`u v`)']  # issue 26: the reversed line is counted
    assert g.edges.tolist() == [[0, 1], [1, 2]]
    assert g.weights.tolist() == [5.0, 1.0]  # merge='max'
    assert g.num_self_loops_dropped == 2 and g.num_duplicates_merged == 2
    with pytest.warns(DataWarning, match=r'^merged 1 duplicate edge \(1 of them `v u`'):
        g2 = Graph([[0, 1], [1, 0]], weights=[2, 3], merge='sum')
    assert g2.weights.tolist() == [5.0] and g2.num_duplicates_merged == 1
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert Graph([[0, 1], [1, 0]], directed=True).num_duplicates_merged == 0
        assert Graph([[0, 1], [1, 0]], directed=True).to_undirected().num_edges == 1


def test_directed_keeps_both_directions():
    g = Graph([[0, 1], [1, 0], [1, 2]], directed=True)
    assert g.num_edges == 3
    assert g.has_edges([[0, 1], [1, 0], [2, 1], [1, 2]]).tolist() == [True, True, False, True]
    assert g.out_degrees.tolist() == [1, 2, 0] and g.in_degrees.tolist() == [1, 1, 1]
    assert g.degrees.tolist() == [2, 3, 1]


def test_has_edges_vectorised_either_order_and_out_of_range():
    rng = np.random.default_rng(0)
    e = rng.integers(0, 50, size=(300, 2))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)
        g = Graph(e, num_nodes=50)
    G = g.to_networkx()
    q = rng.integers(-2, 52, size=(2000, 2))
    want = [G.has_edge(u, v) if 0 <= u < 50 and 0 <= v < 50 else False for u, v in q.tolist()]
    assert g.has_edges(q).tolist() == want
    assert g.has_edges(q[:, ::-1]).tolist() == want


def test_from_edges_any_hashable_ids_and_fixed_node_list():
    g = Graph.from_edges(['b', 'a', ('x', 1)], ['c', 'c', 'a'])
    assert set(g.nodes) == {'a', 'b', 'c', ('x', 1)}
    assert g.has_edge('a', 'c') and g.has_edge(('x', 1), 'a') and not g.has_edge('a', 'b')
    g = Graph.from_edges(['u', 'v'], ['v', 'w'], nodes=['w', 'v', 'u', 'iso'])
    assert g.nodes == ['w', 'v', 'u', 'iso'] and g.degrees.tolist() == [1, 2, 1, 0]
    assert g.indices(['iso', 'u']).tolist() == [3, 2]
    assert g.ids([0, 3]) == ['w', 'iso']
    with pytest.raises(KeyError, match='nope'):
        g.indices(['u', 'nope'])
    g = Graph.from_edges([10, 3], [3, 7])
    assert g.nodes == [3, 7, 10]  # integer ids sorted numerically


def test_from_edges_string_ids_sorted_in_memory_that_follows_the_ids():
    """String ids sorted as before (code points), without an array as wide as the longest id
    for every id: one 3,000-character name among 20,000 short ones (issue 35)."""
    import tracemalloc
    names = ['n%06d' % i for i in range(20000)] + ['x' * 3000]
    sources, targets = names, names[1:] + names[:1]  # a cycle
    tracemalloc.start()
    try:
        g = Graph.from_edges(sources, targets)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert g.nodes == sorted(names) and g.num_edges == 20001
    assert g.has_edge('x' * 3000, 'n000000') and g.has_edge('n019999', 'x' * 3000)
    assert peak < 32 * 2 ** 20, peak  # a unicode array: 20,001 x 2 x 12 kB = 480 MB
    assert Graph.from_edges(['b', 'Z', 'é'], ['a', 'a', 'a']).nodes == ['Z', 'a', 'b', 'é']


def test_with_edges_same_node_set():
    g = Graph.from_edges(['a', 'b'], ['b', 'c'])
    h = g.with_edges([[0, 2]])
    assert h.nodes == g.nodes and h.num_edges == 1 and h.has_edge('a', 'c')


def test_networkx_round_trip_keeps_ids_weights_isolated_nodes():
    G = nx.karate_club_graph()
    G.add_node('lonely')
    g = Graph.from_networkx(G)
    assert g.num_nodes == 35 and g.num_edges == 78
    H = g.to_networkx()
    assert set(H.nodes) == set(G.nodes) and H.number_of_edges() == 78
    for u, v, d in G.edges(data=True):
        assert H[u][v]['weight'] == d['weight']
    D = nx.DiGraph([(1, 2), (2, 1), (2, 3)])
    assert Graph.from_networkx(D).to_networkx().number_of_edges() == 3


def test_bad_constructor_input():
    with pytest.raises(ValueError):
        Graph([[0, 5]], num_nodes=3)
    with pytest.raises(ValueError):
        Graph([[0, 1, 2]])
    with pytest.raises(ValueError):
        Graph([[0, 1]], weights=[np.nan])


def test_graph_format_error_message_and_attributes():
    e = GraphFormatError('f.txt', 3, 'bad')
    assert str(e) == 'f.txt:3: bad' and e.path == 'f.txt' and e.line == 3 and e.problem == 'bad'
    assert str(GraphFormatError('f.txt', None, 'bad')) == 'f.txt: bad'
    assert isinstance(e, ValueError)


def test_graph_module_does_not_import_theano_or_keras():
    code = ('import sys, author2vec_keras.data.graph; '
            'print(any(m.split(".")[0] in ("theano", "keras") for m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == 'False'


def test_isin_sorted_is_numpys_isin_for_a_sorted_table():
    rng = np.random.default_rng(3)
    table = np.unique(rng.integers(0, 50, 20))
    keys = rng.integers(-5, 60, (7, 9))  # any shape, keys past both ends
    np.testing.assert_array_equal(isin_sorted(keys, table), np.isin(keys, table))
    assert isin_sorted(keys, np.zeros(0, np.int64)).shape == (7, 9)
    assert not isin_sorted(keys, np.zeros(0, np.int64)).any()
