"""The power-law test-graph generator: degree distribution, determinism, a clean Graph."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

from author2vec_keras.data.generators import chung_lu_edges, power_law_degrees, power_law_graph


@pytest.fixture(scope='module')
def graph():
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # nothing for Graph to repair: no DataWarning
        return power_law_graph(50000, average_degree=10, exponent=2.5, seed=3)


def clauset_exponent(degrees, d_min):
    """Maximum-likelihood power-law exponent of the degrees >= d_min (Clauset et al. 2009)."""
    tail = degrees[degrees >= d_min].astype(np.float64)
    return 1.0 + len(tail) / np.log(tail / (d_min - 0.5)).sum()


def test_sizes_and_mean_degree(graph):
    assert graph.num_nodes == 50000 and graph.num_edges == 250000
    assert graph.degrees.mean() == pytest.approx(10.0)
    assert not graph.directed


@pytest.mark.parametrize('exponent', [2.2, 2.5, 3.0])
def test_degree_tail_follows_the_power_law(exponent):
    g = power_law_graph(50000, average_degree=10, exponent=exponent, seed=1)
    assert clauset_exponent(g.degrees, d_min=20) == pytest.approx(exponent, abs=0.15)
    # heavy tail: the largest degree is far above the mean, but under the structural cutoff
    # (sqrt(n * mean) ~ 707) plus its Poisson spread
    assert 10 * 10 < g.degrees.max() < 1.2 * np.sqrt(50000 * 10)


def test_expected_degrees_are_matched_on_average():
    w = power_law_degrees(20000, average_degree=8, exponent=2.5, seed=0)
    g = power_law_graph(20000, average_degree=8, exponent=2.5, seed=0)
    hubs = np.argsort(w)[-200:]
    assert w.mean() == pytest.approx(8.0)
    assert w.max() <= np.sqrt(20000 * 8) + 1e-9
    # each hub's degree is close to its expected degree (a few % lost to merged duplicates)
    assert np.median(g.degrees[hubs] / w[hubs]) == pytest.approx(1.0, abs=0.08)


def test_no_self_loops_no_duplicates_sorted(graph):
    e = graph.edges
    assert graph.num_self_loops_dropped == 0 and graph.num_duplicates_merged == 0
    assert (e[:, 0] < e[:, 1]).all()
    keys = e[:, 0] * graph.num_nodes + e[:, 1]
    assert (np.diff(keys) > 0).all()  # strictly increasing: sorted and unique


def test_same_seed_same_graph_other_seed_other_graph():
    a = chung_lu_edges(power_law_degrees(5000, 6, seed=7), 15000, seed=7)
    b = chung_lu_edges(power_law_degrees(5000, 6, seed=7), 15000, seed=7)
    c = chung_lu_edges(power_law_degrees(5000, 6, seed=8), 15000, seed=8)
    np.testing.assert_array_equal(a, b)
    assert a.shape == c.shape == (15000, 2)
    assert len(np.intersect1d(a[:, 0] * 5000 + a[:, 1], c[:, 0] * 5000 + c[:, 1])) < 1500


def test_chunked_drawing_gives_the_same_edges():
    w = power_law_degrees(3000, 5, seed=2)
    np.testing.assert_array_equal(chung_lu_edges(w, 7000, seed=2),
                                  chung_lu_edges(w, 7000, seed=2, chunk=1000))


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_nodes=1), 'at least 2 nodes'),
    (dict(num_nodes=100, exponent=2.0), 'exponent must be > 2'),
    (dict(num_nodes=100, average_degree=0), 'average_degree must be in'),
    (dict(num_nodes=100, average_degree=150), 'average_degree must be in'),
    (dict(num_nodes=100, average_degree=50, max_degree=20), 'cannot reach mean degree'),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        power_law_graph(**kwargs)


def test_too_many_edges_for_the_nodes():
    with pytest.raises(ValueError, match='do not fit'):
        chung_lu_edges(np.ones(10), 46)


def test_imports_no_theano_or_keras():
    code = ('import sys, author2vec_keras.data.generators; '
            'print(sorted(m for m in ("theano", "keras") if m in sys.modules))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == '[]'
