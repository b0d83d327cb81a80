"""Evaluation protocols: each metric against a hand-computed case; random embeddings at chance."""
import networkx as nx
import numpy as np
import pytest

from author2vec_keras.data.graph import Graph
from author2vec_keras.data.splits import link_prediction_split
from author2vec_keras.evaluation import protocols as ev


def _two_cliques(k=10, bridges=1):
    """Two k-cliques joined by `bridges` edges; labels 0/1 by clique."""
    g = nx.disjoint_union(nx.complete_graph(k), nx.complete_graph(k))
    for i in range(bridges):
        g.add_edge(i, k + i)
    return Graph.from_networkx(g), np.repeat([0, 1], k)


# -- link prediction -------------------------------------------------------------------------

def test_edge_operators_by_hand():
    emb = np.array([[1.0, 2.0], [3.0, -1.0]])
    pairs = [[0, 1]]
    assert ev.edge_features(emb, pairs, 'average').tolist() == [[2.0, 0.5]]
    assert ev.edge_features(emb, pairs, 'hadamard').tolist() == [[3.0, -2.0]]
    assert ev.edge_features(emb, pairs, 'weighted-l1').tolist() == [[2.0, 3.0]]
    assert ev.edge_features(emb, pairs, 'weighted-l2').tolist() == [[4.0, 9.0]]
    with pytest.raises(ValueError, match='operator'):
        ev.edge_features(emb, pairs, 'concat')


def test_binary_scores_by_hand():
    # positives score 0.9, 0.4; negatives 0.5, 0.1: of the 4 (pos, neg) pairs 3 are ordered
    # correctly -> AUC 0.75. Ranking: 0.9(+), 0.5(-), 0.4(+), 0.1(-): precision at the positives
    # is 1/1 and 2/3 -> AP = (1 + 2/3) / 2.
    r = ev.binary_scores([1, 0, 1, 0], [0.9, 0.5, 0.4, 0.1])
    assert r['auc'] == pytest.approx(0.75)
    assert r['ap'] == pytest.approx((1 + 2 / 3) / 2)
    assert ev.binary_scores([1, 0], [1.0, 0.0])['auc'] == 1.0
    with pytest.raises(ValueError, match='both classes'):
        ev.binary_scores([1, 1], [0.1, 0.2])


def test_inner_product_scores():
    emb = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 1.0]])
    assert ev.inner_product_scores(emb, [[0, 1], [0, 2]]).tolist() == [1.0, 2.0]


def test_training_pairs_never_touch_the_test_pairs():
    g, _ = _two_cliques(12)
    split = link_prediction_split(g, 0.5, seed=1)
    pairs, labels = ev.training_pairs(split, seed=0)
    assert labels.sum() == split.train_graph.num_edges == (labels == 0).sum()
    def key(p):
        return set(map(tuple, np.sort(p, axis=1).tolist()))
    assert not key(pairs) & key(split.pairs)
    neg = pairs[labels == 0]
    assert not g.has_edges(neg).any()


def test_link_prediction_separates_a_good_embedding_from_a_random_one():
    g, y = _two_cliques(15)
    split = link_prediction_split(g, 0.5, seed=0)
    # the "true" embedding: one-hot of the clique -> same clique = edge
    good = np.eye(2)[y] + 0.01 * np.random.default_rng(0).standard_normal((len(y), 2))
    res = ev.evaluate_link_prediction(good, split, seed=0)
    assert res['own']['auc'] > 0.95 and res['hadamard']['auc'] > 0.95
    rnd = np.random.default_rng(1).standard_normal((len(y), 32))
    res = ev.evaluate_link_prediction(rnd, split, seed=0)
    for op in ['own'] + list(ev.EDGE_OPERATORS):
        assert 0.3 < res[op]['auc'] < 0.7, (op, res[op])


# -- node classification ---------------------------------------------------------------------

def test_top_k_predictions_by_hand():
    p = np.array([[0.1, 0.7, 0.2], [0.5, 0.4, 0.3], [0.2, 0.3, 0.9]])
    pred = ev.top_k_predictions(p, [1, 2, 3])
    assert pred.tolist() == [[False, True, False], [True, True, False], [True, True, True]]


def test_as_label_matrix_forms():
    y = ev.as_label_matrix(np.array([0, 2, -1, 2]))
    assert y.tolist() == [[True, False], [False, True], [False, False], [False, True]]
    assert ev.as_label_matrix([['a'], ['a', 'b']]).tolist() == [[True, False], [True, True]]


def test_node_classification_perfect_and_chance():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2, 3], 50)
    good = np.eye(4)[y] + 0.05 * rng.standard_normal((200, 4))
    res = ev.evaluate_node_classification(good, y, train_ratios=(0.5,), shuffles=2)
    assert res[0.5]['micro'] == [1.0, 1.0] and res[0.5]['macro'] == [1.0, 1.0]
    rnd = rng.standard_normal((200, 16))
    res = ev.evaluate_node_classification(rnd, y, train_ratios=(0.5,), shuffles=3)
    assert 0.1 < np.mean(res[0.5]['micro']) < 0.4  # chance is 0.25


@pytest.mark.parametrize('labels, message', [
    (np.zeros(40, dtype=int), 'at least 2 classes, the labels have 1'),  # was 100.00
    (np.array([0, 1] + [-1] * 38), 'at least 2 labelled nodes of each class'),  # was 0.00
    (np.array([0] * 20 + [1] * 19 + [2]), 'e.g. class 2 with 1'),
])
def test_node_classification_refuses_labels_it_cannot_score(labels, message):
    x = np.random.default_rng(0).standard_normal((40, 4))
    with pytest.raises(ValueError, match=message):
        ev.evaluate_node_classification(x, labels, train_ratios=(0.5,), shuffles=1)


def test_node_classification_multilabel_top_k_by_hand():
    # two labels, node feature says which; every node with label 1 also has label 0
    x = np.array([[1.0], [1.0], [-1.0], [-1.0]] * 25)
    y = np.array([[1, 1], [1, 1], [1, 0], [1, 0]] * 25, dtype=bool)
    res = ev.evaluate_node_classification(x, y, train_ratios=(0.5,), shuffles=1)
    # k = true count: 2-label nodes get both, 1-label nodes get their highest = label 0
    assert res[0.5]['micro'] == [1.0]


# -- clustering ------------------------------------------------------------------------------

def test_clustering_against_labels_and_louvain():
    g, y = _two_cliques(10)
    emb = np.eye(2)[y] + 0.01 * np.random.default_rng(0).standard_normal((20, 2))
    res = ev.evaluate_clustering(emb, y, g, seed=0)
    assert res['labels'] == {'nmi': 1.0, 'ari': 1.0, 'k': 2}
    assert res['louvain']['k'] == 2 and res['louvain']['nmi'] == pytest.approx(1.0)
    part = ev.louvain_partition(g)
    assert len(set(part[:10])) == 1 and part[0] != part[10]
    rnd = np.random.default_rng(1).standard_normal((20, 8))
    assert ev.evaluate_clustering(rnd, y, seed=0)['labels']['ari'] < 0.5


# -- outliers --------------------------------------------------------------------------------

def test_plant_outliers_rewires_only_the_chosen_nodes():
    g = Graph.from_networkx(nx.connected_caveman_graph(10, 8))
    pg, mask = ev.plant_outliers(g, fraction=0.1, seed=0)
    assert mask.sum() == 8 and pg.num_nodes == g.num_nodes
    before = {tuple(e) for e in g.edges.tolist()}
    after = {tuple(e) for e in pg.edges.tolist()}
    for u, v in after - before:
        assert mask[u] or mask[v]
    for u, v in before - after:
        assert mask[u] or mask[v]


def test_outlier_scores_by_hand_and_auc():
    emb = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [10.0, 10.0]])
    s = ev.outlier_scores(emb, 'knn', k=1)
    assert s.tolist() == pytest.approx([1.0, 1.0, 1.0, np.sqrt(81 + 100)])
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal((95, 4)), 8 + rng.standard_normal((5, 4))])
    planted = np.arange(100) >= 95
    res = ev.evaluate_outliers(x, planted)
    assert res['knn']['auc'] == 1.0 and res['isolation-forest']['auc'] > 0.95
    rnd = ev.evaluate_outliers(rng.standard_normal((400, 4)), np.arange(400) % 10 == 0)
    assert 0.3 < rnd['knn']['auc'] < 0.7
