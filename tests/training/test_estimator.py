"""Author2Vec estimator: scikit-learn behaviour, any hashable node ids, word2vec files."""
import networkx as nx
import numpy as np
import pytest
from sklearn.base import clone

from author2vec_keras.fileio import load_word2vec
from author2vec_keras.training.estimator import Author2Vec

pytestmark = pytest.mark.core

PARAMS = dict(dim=8, hidden_dim=4, negatives=2, epochs=2, batch_size=64, verbose=0)


@pytest.fixture(scope='module')
def karate_named():
    """Zachary's karate club with string node ids that do not sort like the indices."""
    G = nx.karate_club_graph()
    return nx.relabel_nodes(G, {n: 'member %02d' % (33 - n) for n in G})


@pytest.fixture(scope='module')
def fitted(karate_named):
    return Author2Vec(random_state=3, **PARAMS).fit(karate_named)


def test_fit_maps_any_hashable_ids(fitted, karate_named):
    assert set(fitted.graph_.nodes) == set(karate_named)
    assert fitted.get_embedding().shape == (34, 8)
    assert fitted.embeddings_ is fitted.get_embedding()
    assert len(fitted.history_) == 2 and all(np.isfinite(fitted.history_))


def test_predict_proba_takes_node_ids(fitted):
    p = fitted.predict_proba([('member 33', 'member 32'), ('member 00', 'member 10')])
    assert p.shape == (2,) and np.all((p > 0) & (p < 1))
    idx = fitted.graph_.indices(['member 33', 'member 32'])
    np.testing.assert_allclose(p[0], fitted.edge_probability([idx])[0])
    with pytest.raises(KeyError, match='nobody'):
        fitted.predict_proba([('member 33', 'nobody')])


def test_same_seed_same_embeddings(fitted, karate_named):
    again = Author2Vec(random_state=3, **PARAMS).fit(karate_named)
    np.testing.assert_array_equal(again.embeddings_, fitted.embeddings_)
    other = Author2Vec(random_state=4, **PARAMS).fit(karate_named)
    assert not np.allclose(other.embeddings_, fitted.embeddings_)


def test_sklearn_params_and_clone():
    est = Author2Vec(dim=12, model='blog', random_state=7)
    params = est.get_params()
    assert params['dim'] == 12 and params['model'] == 'blog' and params['random_state'] == 7
    copy = clone(est)
    assert copy.get_params() == params and copy is not est
    est.set_params(epochs=3)
    assert est.epochs == 3


@pytest.mark.parametrize('bad', [dict(model='lstm'), dict(dim=0), dict(epochs=1.5),
                                 dict(negatives=-1)])
def test_bad_params_are_clear(bad, karate_named):
    with pytest.raises(ValueError, match=list(bad)[0]):
        Author2Vec(**dict(PARAMS, **bad)).fit(karate_named)


def test_not_fitted():
    with pytest.raises(AttributeError, match='not fitted'):
        Author2Vec().get_embedding()


def test_fit_rejects_other_types():
    with pytest.raises(TypeError, match='networkx graph'):
        Author2Vec().fit([(1, 2)])


def test_word2vec_file_round_trips_through_gensim(fitted, tmp_path):
    path = tmp_path / 'karate.emb'
    fitted.save_embeddings(str(path))
    first = path.read_text().splitlines()[0]
    assert first == '34 8'
    tokens, vectors = load_word2vec(str(path))
    assert len(tokens) == 34 and vectors.shape == (34, 8)
    # Whitespace in ids becomes '_' so each id stays one token.
    row = {t: v for t, v in zip(tokens, vectors)}
    i = fitted.graph_.node_index['member 05']
    np.testing.assert_allclose(row['member_05'], fitted.embeddings_[i], rtol=1e-5, atol=1e-6)


def test_fit_from_edge_list_path(tmp_path):
    path = tmp_path / 'triangle_plus.txt'
    path.write_text('# a small graph\na b\nb c\nc a\nc d\nd e\n')
    est = Author2Vec(**PARAMS).fit(str(path))
    assert est.embeddings_.shape == (5, 8)
    assert sorted(est.graph_.nodes) == ['a', 'b', 'c', 'd', 'e']


def test_save_figure_is_atomic(tmp_path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from author2vec_keras.fileio import save_figure
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = tmp_path / 'plot.png'
    save_figure(fig, str(path))
    plt.close(fig)
    assert path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['plot.png']
