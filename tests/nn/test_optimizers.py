"""Row-wise optimizers: same weights as dense SGD, lazy Adam semantics, save/load, and the same
link-prediction AUC as stock Keras Adam on a real graph.

Every compiled model is built once for the module (Theano compiles each train graph once) and
reset to the same initial weights and zero optimizer state before each use.
"""
import numpy as np
import pytest

from author2vec_keras.nn.backend import K, keras
from author2vec_keras.nn.layers import CUSTOM_OBJECTS as LAYER_OBJECTS
from author2vec_keras.nn.models import EMBEDDING_LAYER, edge_probability, paper_model
from author2vec_keras.nn.optimizers import (
    CUSTOM_OBJECTS,
    RowAdagrad,
    RowAdam,
    RowSGD,
    find_row_params,
    row_wise,
    table_copies,
)

DIM, HIDDEN = 16, 8

# Duplicates on purpose: node 3 four times (in both columns, and in the same pair), node 0 twice.
BATCH_1 = np.array([[3, 0], [3, 3], [5, 3], [0, 7], [9, 3], [11, 12]], dtype='int32')
BATCH_2 = np.array([[0, 20], [20, 21], [21, 22], [9, 9], [30, 31]], dtype='int32')
TARGETS_1 = np.array([[1], [0], [1], [0], [1], [0]], dtype='float32')
TARGETS_2 = np.array([[1], [1], [0], [0], [1]], dtype='float32')


@pytest.fixture(scope='module')
def graph():
    """Les Miserables co-appearance graph (77 nodes, 254 edges), bundled with networkx."""
    nx = pytest.importorskip('networkx')
    g = nx.convert_node_labels_to_integers(nx.les_miserables_graph())
    return np.array(sorted((min(u, v), max(u, v)) for u, v in g.edges()), dtype='int32'), len(g)


@pytest.fixture(scope='module')
def compiled(graph):
    """One compiled link model per optimizer, all of the same size, sharing initial weights.

    The two SGD models are compiled without Theano's graph optimizations (FAST_COMPILE): both then
    run exactly the operations they were written with, so their results can be compared bit for
    bit. (With optimizations, Theano fuses the backward elementwise ops of the two graphs
    differently and results differ in the last bit of a few weights.)
    """
    _, n = graph
    np.random.seed(0)
    models = {}
    for name, opt in [('sgd', keras.optimizers.SGD(lr=0.1)), ('row_sgd', RowSGD(lr=0.1)),
                      ('adam', keras.optimizers.Adam(lr=0.01)), ('row_adam', RowAdam(lr=0.01))]:
        model = paper_model(n, DIM, HIDDEN, optimizer=opt)
        if 'sgd' in name:
            model.model._function_kwargs = {'mode': 'FAST_COMPILE'}
        model.model._make_train_function()
        models[name] = model
    initial = models['sgd'].get_weights()
    return models, initial


def reset(model, weights):
    model.set_weights(weights)
    for w in model.optimizer.weights:
        K.set_value(w, np.zeros(K.get_value(w).shape, dtype=K.get_value(w).dtype))


def table(model):
    return model.get_layer(EMBEDDING_LAYER).get_weights()[0]


# ----- detection and API (no compilation) -----

def _loss_and_params(model):
    return model.model.total_loss, model.model._collected_trainable_weights


def test_embedding_table_is_detected_and_other_weights_are_dense():
    model = paper_model(10, 4, 3, optimizer='sgd')
    loss, params = _loss_and_params(model)
    dense, rows = find_row_params(loss, params)
    emb = model.get_layer(EMBEDDING_LAYER).embeddings
    assert [p for p, _ in rows] == [emb]
    assert dense == [p for p in params if p is not emb]


def test_regularized_table_falls_back_to_dense_and_explicit_request_raises():
    from keras.layers import Dense, Embedding, Flatten
    from keras.models import Sequential
    model = Sequential([Embedding(10, 4, input_length=2, embeddings_regularizer='l2',
                                  name='emb'), Flatten(), Dense(1, activation='sigmoid')])
    model.compile('sgd', 'binary_crossentropy')
    loss, params = _loss_and_params(model)
    dense, rows = find_row_params(loss, params)
    assert rows == [] and len(dense) == len(params)
    with pytest.raises(ValueError, match='other than by gathering rows'):
        find_row_params(loss, params, embeddings=['emb/embeddings'])
    with pytest.raises(ValueError, match='not a trainable weight'):
        find_row_params(loss, params, embeddings=['nope'])


def test_explicit_embeddings_by_name():
    model = paper_model(10, 4, 3, optimizer='sgd')
    loss, params = _loss_and_params(model)
    dense, rows = find_row_params(loss, params, embeddings=[EMBEDDING_LAYER + '/embeddings'])
    assert len(rows) == 1 and len(dense) == len(params) - 1


def test_row_wise_maps_keras_optimizers():
    assert isinstance(row_wise('adam'), RowAdam)
    assert isinstance(row_wise('SGD'), RowSGD)
    assert isinstance(row_wise('adagrad'), RowAdagrad)
    opt = row_wise(keras.optimizers.Adam(lr=0.02, beta_1=0.8))
    assert isinstance(opt, RowAdam)
    assert opt.get_config()['lr'] == pytest.approx(0.02)
    assert opt.get_config()['beta_1'] == pytest.approx(0.8)
    same = RowAdagrad(lr=0.3)
    assert row_wise(same) is same
    assert isinstance(row_wise({'class_name': 'RowAdam', 'config': {'lr': 0.5}}), RowAdam)
    with pytest.warns(UserWarning, match='no row-wise version'):
        assert isinstance(row_wise('rmsprop'), keras.optimizers.RMSprop)
    with pytest.warns(UserWarning, match='no row-wise version'):
        assert isinstance(row_wise(keras.optimizers.SGD(momentum=0.9)), keras.optimizers.SGD)


@pytest.mark.parametrize('cls', [RowSGD, RowAdagrad, RowAdam])
def test_declared_slots_are_the_table_sized_weights_it_makes(cls):
    """`slots` (what the memory guard counts) matches the weights `get_updates` creates."""
    model = paper_model(50, 4, 3, optimizer=cls())
    loss, params = _loss_and_params(model)
    model.optimizer.get_updates(loss, params)  # symbolic only: nothing is compiled
    emb = model.get_layer(EMBEDDING_LAYER).embeddings
    slots = model.optimizer.table_slots.get(emb, [])
    assert sum(K.get_value(s).size for s in slots) == cls.slots * 50 * 4
    big = [w for w in model.optimizer.weights if K.get_value(w).size >= 50 * 4]
    assert set(big) == set(slots)
    assert table_copies(model.optimizer) == 1 + cls.slots
    assert table_copies(cls.__name__[3:].lower()) == 1 + cls.slots


def test_stock_optimizers_count_their_gradient_and_slots():
    assert table_copies(keras.optimizers.Adam()) == 4
    assert table_copies(keras.optimizers.SGD()) == 3


@pytest.mark.parametrize('cls', [RowSGD, RowAdagrad, RowAdam])
def test_get_config_round_trip(cls):
    opt = cls(lr=0.125, decay=0.5, clipnorm=2.0, embeddings=['node_embedding/embeddings'])
    config = opt.get_config()
    again = cls.from_config(config)
    assert again.get_config() == config
    assert keras.optimizers.deserialize(
        {'class_name': cls.__name__, 'config': config},
        custom_objects=CUSTOM_OBJECTS).get_config() == config


def test_sum_rows_by_index_sums_in_batch_order_like_the_dense_gradient():
    from author2vec_keras.nn.optimizers import SumRowsByIndex
    rng = np.random.RandomState(3)
    idx = rng.randint(0, 6, size=40).astype('int32')  # many duplicates
    values = rng.randn(40, 5).astype('float32')
    out = [[None], [None], [None]]
    SumRowsByIndex().perform(None, [values, idx], out)
    rows, sums, first = out[0][0], out[1][0], out[2][0]
    dense = np.zeros((6, 5), dtype='float32')
    for i, r in enumerate(idx):  # Theano's dense gather gradient: sequential, in batch order
        dense[r] += values[i]
    np.testing.assert_array_equal(rows, np.unique(idx))
    np.testing.assert_array_equal(sums, dense[rows])  # bit for bit
    np.testing.assert_array_equal(idx[first], rows)
    assert all(first[k] == np.flatnonzero(idx == r)[0] for k, r in enumerate(rows))


# ----- numerics (compiled once per module) -----

def test_row_sgd_equals_dense_sgd_exactly(compiled):
    models, initial = compiled
    dense, rows = models['sgd'], models['row_sgd']
    reset(dense, initial)
    reset(rows, initial)
    for x, y in [(BATCH_1, TARGETS_1), (BATCH_2, TARGETS_2), (BATCH_1, TARGETS_2[:1].repeat(6, 0))]:
        dense.train_on_batch(x, y)
        rows.train_on_batch(x, y)
    changed = 0
    for a, b, w0 in zip(dense.get_weights(), rows.get_weights(), initial):
        np.testing.assert_array_equal(a, b)
        changed += int((a != w0).any())
    assert changed == len(initial)  # every weight moved
    untouched = sorted(set(range(len(initial[0]))) - set(BATCH_1.ravel()) - set(BATCH_2.ravel()))
    np.testing.assert_array_equal(table(rows)[untouched], initial[0][untouched])


def _row_gradient(compiled, weights, x, y):
    """Summed gradient of each table row for one batch, from RowSGD at lr=1024 (exact scaling)."""
    models, _ = compiled
    sgd = models['row_sgd']
    reset(sgd, weights)
    K.set_value(sgd.optimizer.lr, 1024.)
    try:
        sgd.train_on_batch(x, y)
    finally:
        K.set_value(sgd.optimizer.lr, 0.1)
    return (weights[0].astype('float64') - table(sgd)) / 1024.


def test_row_adam_is_lazy_and_matches_numpy_reference(compiled):
    models, initial = compiled
    adam, dense = models['row_adam'], models['adam']
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p = initial[0].astype('float64')
    m, v = np.zeros_like(p), np.zeros_like(p)
    reset(adam, initial)
    reset(dense, initial)
    weights = initial
    for t, (x, y) in enumerate([(BATCH_1, TARGETS_1), (BATCH_2, TARGETS_2)], start=1):
        g = _row_gradient(compiled, weights, x, y)
        touched = np.unique(x)
        assert set(np.flatnonzero(np.abs(g).sum(1))) <= set(touched)
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m[touched] = b1 * m[touched] + (1 - b1) * g[touched]
        v[touched] = b2 * v[touched] + (1 - b2) * g[touched] ** 2
        p[touched] -= lr_t * m[touched] / (np.sqrt(v[touched]) + eps)
        before = table(adam)
        adam.train_on_batch(x, y)
        dense.train_on_batch(x, y)
        weights = adam.get_weights()
        after = table(adam)
        untouched = np.setdiff1d(np.arange(len(p)), touched)
        np.testing.assert_array_equal(after[untouched], before[untouched])  # lazy: rows stay
        np.testing.assert_allclose(after, p, rtol=1e-5, atol=1e-6)
        moments = K.get_value(adam.optimizer.weights[-1])  # the table's (rows, 2, d) m and v
        np.testing.assert_allclose(moments[:, 0], m, rtol=1e-4, atol=1e-7)
        np.testing.assert_allclose(moments[:, 1], v, rtol=1e-4, atol=1e-10)
        if t == 1:  # first step: lazy and dense Adam agree everywhere (zero moments elsewhere)
            for a, b in zip(adam.get_weights(), dense.get_weights()):
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    # second step: dense Adam keeps moving rows seen only in step 1 (its moments decay); lazy not
    only_first = np.setdiff1d(np.unique(BATCH_1), np.unique(BATCH_2))
    assert not np.allclose(table(dense)[only_first], table(adam)[only_first], rtol=0, atol=1e-7)


def test_model_with_row_adam_saves_and_loads(compiled, tmp_path):
    models, initial = compiled
    model = models['row_adam']
    reset(model, initial)
    model.train_on_batch(BATCH_1, TARGETS_1)
    path = str(tmp_path / 'model.h5')
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects=dict(CUSTOM_OBJECTS, **LAYER_OBJECTS))
    assert isinstance(loaded.optimizer, RowAdam)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(loaded.optimizer.get_weights(), model.optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.train_on_batch(BATCH_2, TARGETS_2)  # training continues identically after loading
    loaded.train_on_batch(BATCH_2, TARGETS_2)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def _auc(scores_pos, scores_neg):
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(np.r_[np.ones(len(scores_pos)), np.zeros(len(scores_neg))],
                         np.r_[scores_pos, scores_neg])


def test_row_adam_reaches_the_link_prediction_auc_of_stock_adam(compiled, graph):
    models, initial = compiled
    edges, n = graph
    rng = np.random.RandomState(0)
    edges = edges[rng.permutation(len(edges))]
    n_test = len(edges) // 5
    test_pos, train_pos = edges[:n_test], edges[n_test:]
    known = {tuple(e) for e in edges}
    non_edges = np.array([(u, v) for u in range(n) for v in range(u + 1, n) if (u, v) not in known],
                         dtype='int32')
    picked = rng.choice(len(non_edges), n_test, replace=False)
    test_neg = non_edges[picked]
    train_neg_pool = np.delete(non_edges, picked, axis=0)
    # 10 rounds of (training edges + as many fresh non-edges), shuffled by fit each epoch.
    rs = np.random.RandomState(1)
    negs = [train_neg_pool[rs.choice(len(train_neg_pool), len(train_pos), replace=False)]
            for _ in range(10)]
    x = np.concatenate([np.r_[train_pos, neg] for neg in negs])
    y = np.tile(np.r_[np.ones(len(train_pos)), np.zeros(len(train_pos))], 10).astype('float32')
    aucs = {}
    for name in ('adam', 'row_adam'):
        model = models[name]
        reset(model, initial)
        np.random.seed(2)  # fit's shuffling
        model.fit(x, y[:, None], batch_size=64, epochs=8, verbose=0)
        aucs[name] = _auc(edge_probability(model, test_pos), edge_probability(model, test_neg))
    print('link-prediction AUC', aucs)
    assert aucs['adam'] > 0.7 and aucs['row_adam'] > 0.7, aucs
    assert abs(aucs['adam'] - aucs['row_adam']) < 0.05, aucs


def test_row_updates_are_one_inplace_op_in_the_compiled_function(compiled):
    """On the CPU each table's row step is one RowUpdate, writing the table and its (m, v) in
    place: no per-batch copy of the whole table, no separate gather, sum or scatter."""
    from author2vec_keras.nn.ops import RowUpdate, SetRows, SumRowsByIndex
    models, _ = compiled
    ops = [node.op for node in
           models['row_adam'].model.train_function.function.maker.fgraph.toposort()]
    updates = [op for op in ops if isinstance(op, RowUpdate)]
    assert len(updates) == 1 and updates[0].inplace and updates[0].rule == 'adam'
    assert not any(isinstance(op, (SetRows, SumRowsByIndex)) for op in ops)
    moments = models['row_adam'].optimizer.weights[-1]
    assert K.int_shape(moments) == (len(table(models['row_adam'])), 2, DIM)


def test_clipping_takes_the_summed_path_and_agrees_with_the_fused_op(compiled, graph):
    """With clipnorm the row gradients are summed (SumRowsByIndex), clipped with the dense ones
    and written with SetRows; with a bound never reached it gives the fused op's weights."""
    from author2vec_keras.nn.ops import RowUpdate, SetRows, SumRowsByIndex
    models, initial = compiled
    _, n = graph
    clipped = paper_model(n, DIM, HIDDEN, optimizer=RowAdam(lr=0.01, clipnorm=1e6))
    clipped.model._make_train_function()
    ops = [node.op for node in clipped.model.train_function.function.maker.fgraph.toposort()]
    assert not any(isinstance(op, RowUpdate) for op in ops)
    writes = [op for op in ops if isinstance(op, SetRows)]
    assert len(writes) == 2 and all(op.inplace for op in writes)  # the table, its (m, v)
    assert sum(isinstance(op, SumRowsByIndex) for op in ops) == 1
    fused = models['row_adam']
    reset(fused, initial)
    reset(clipped, initial)
    for x, y in [(BATCH_1, TARGETS_1), (BATCH_2, TARGETS_2)]:
        fused.train_on_batch(x, y)
        clipped.train_on_batch(x, y)
    for a, b in zip(fused.get_weights(), clipped.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    for a, b in zip(fused.optimizer.get_weights(), clipped.optimizer.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-10)
