"""The blog's model and the paper's model: structure, save/load, and learning on a real graph."""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from author2vec_keras.nn import models
from author2vec_keras.nn.backend import keras
from author2vec_keras.nn.layers import NodeEmbeddingLayer
from author2vec_keras.nn.saving import load_model, save_model
from author2vec_keras.nn.sequences import PairSequence

pytestmark = pytest.mark.core


def train(model, graph, epochs, seed=0):
    pairs = PairSequence(graph, negatives=2, batch_size=512, seed=seed)
    for epoch in range(epochs):
        pairs.set_epoch(epoch)
        for i in range(len(pairs)):
            model.train_on_batch(*pairs[i])
    return model


VARIANTS = {'blog': ('blog', 'adam'), 'paper': ('paper', 'adam'),
            'paper-rowadam': ('paper', 'row-adam')}
_AUC = {}


@pytest.fixture(scope='module', params=sorted(VARIANTS))
def trained(request, grqc_split):
    """Each model trained once on ca-GrQc's training edges (dim 32); the paper model both with
    Keras' stock Adam and with the row-wise RowAdam."""
    from author2vec_keras.nn.optimizers import RowAdam
    builder, optimizer = VARIANTS[request.param]
    np.random.seed(0)
    model = models.BUILDERS[builder](grqc_split.train_graph.num_nodes, 32, 16,
                                     optimizer=RowAdam() if optimizer == 'row-adam' else optimizer)
    return request.param, train(model, grqc_split.train_graph, epochs=4)


def test_blog_model_is_the_blogs_stack():
    model = models.blog_model(50)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ['Embedding', 'Permute', 'NodeEmbeddingLayer', 'Dropout', 'Dense',
                     'Dropout', 'Dense']
    embedding, permute, pair, drop1, dense, drop2, out = model.layers
    assert embedding.input_length == 2 and embedding.output_dim == 10
    assert permute.dims == (2, 1)
    assert pair.hidden_dim == 32
    assert (drop1.rate, drop2.rate) == (0.25, 0.5)
    assert dense.units == 10 and out.units == 1
    assert out.activation is keras.activations.sigmoid
    assert model.loss == 'binary_crossentropy'
    assert model.output_shape == (None, 1)


def test_link_model_is_the_papers_softmax():
    model = models.paper_model(50, 8, 4)
    assert model.output_shape == (None, 2)
    assert model.layers[-1].activation is keras.activations.softmax
    assert isinstance(model.layers[2], NodeEmbeddingLayer)
    assert model.loss == 'sparse_categorical_crossentropy'
    assert models.node_embeddings(model).shape == (50, 8)


@pytest.mark.parametrize('optimizer', ['sgd', 'rmsprop', keras.optimizers.Adagrad(lr=0.05)])
def test_compiles_with_any_keras_optimizer(optimizer):
    for build in (models.blog_model, models.paper_model):
        model = build(20, 4, 3, optimizer=optimizer)
        assert model.optimizer is not None


def test_too_small_graph():
    with pytest.raises(ValueError, match='at least 2 nodes'):
        models.paper_model(1)


def test_learns_link_prediction_on_ca_grqc(trained, grqc_split):
    name, model = trained
    auc = roc_auc_score(grqc_split.labels, models.edge_probability(model, grqc_split.pairs))
    _AUC[name] = auc
    assert auc > 0.80, '%s model: held-out AUC %.3f' % (name, auc)
    # no pairs (nothing held out): an empty array, not keras 2.0.9's [] (was a TypeError)
    empty = models.edge_probability(model, np.zeros((0, 2), dtype=int))
    assert empty.shape == (0,) and empty.dtype == np.float64


def test_row_wise_adam_reaches_the_stock_adam_auc(grqc_split):
    """Measured: stock Adam and RowAdam within a point of each other on ca-GrQc."""
    if not {'paper', 'paper-rowadam'} <= set(_AUC):
        pytest.skip('needs both paper-model trainings of this module')
    assert abs(_AUC['paper-rowadam'] - _AUC['paper']) < 0.03, _AUC


def test_save_then_keras_load_model_gives_identical_predictions(trained, grqc_split, tmp_path):
    name, model = trained
    path = str(tmp_path / ('%s.h5' % name))
    model.save(path)
    loaded = load_model(path)  # every custom layer and optimizer registered once
    pairs = grqc_split.pairs[:1000]
    # compiled with the package's ops before the optimizer state is restored: bit for bit, and
    # its train function (made while loading) has the fast ops too
    np.testing.assert_array_equal(loaded.predict(pairs), model.predict(pairs))
    np.testing.assert_array_equal(models.node_embeddings(loaded), models.node_embeddings(model))
    assert {'TakeRows', 'FastTanh', 'StackColumns'} <= _op_names(loaded.model.train_function)
    # The package's own atomic save/load.
    save_model(model, str(tmp_path / 'again.h5'))
    again = load_model(str(tmp_path / 'again.h5'))
    np.testing.assert_array_equal(again.predict(pairs), model.predict(pairs))
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith('.tmp')] == []


def _function_state(model):
    """Every shared variable of the model's train function (weights, optimizer state, dropout's
    random state)."""
    from theano.compile import SharedVariable
    function = model.model.train_function.function
    return [i.variable for i in function.maker.inputs if isinstance(i.variable, SharedVariable)]


def test_train_step_is_train_on_batch(trained, grqc_split):
    """The estimators' step gives train_on_batch's losses and state, bit for bit (the same
    compiled function, without keras' per-batch checks)."""
    name, model = trained
    step = models.train_step(model)
    pairs = PairSequence(grqc_split.train_graph, negatives=2, batch_size=100, seed=3)
    batches = [pairs[i] for i in range(3)]
    batches[1] = (batches[1][0].astype('int64'), batches[1][1].astype('float64'))  # converted
    state = _function_state(model)
    start = [v.get_value() for v in state]
    expected = [model.train_on_batch(x, y) for x, y in batches]
    after = [v.get_value() for v in state]
    for v, value in zip(state, start):
        v.set_value(value)
    got = [step(x, y) for x, y in batches]
    np.testing.assert_array_equal(got, expected)
    for v, value in zip(state, after):
        np.testing.assert_array_equal(v.get_value(), value)
    x, y = batches[0]
    with pytest.raises(ValueError, match='dimensions'):
        step(x[:, :, None], y)
    with pytest.raises(ValueError, match='same nonzero number of rows'):
        step(x[:-1], y)
    with pytest.raises(ValueError, match='same nonzero number of rows'):
        step(x[:0], y[:0])
    with pytest.raises(ValueError, match='takes 1 input'):
        step([x, x], y)


#: the ops the package's rewrites swap in (rewrites.compile_mode)
PACKAGE_OPS = {'TakeRows', 'FastTanh', 'StackColumns', 'OneHot'}


def _op_names(keras_function):
    return {type(n.op).__name__ for n in keras_function.function.maker.fgraph.toposort()}


def test_the_package_models_get_the_fast_ops_and_a_users_model_theanos_own():
    """The package's rewrites apply to the models it builds (train and predict functions, an
    uncompiled model's predict too), not to a user's model compiled with `model.compile`."""
    from keras.layers import Dense, Embedding, Flatten
    pairs = np.array([[0, 1], [2, 3]], dtype='int32')
    model = models.paper_model(20, 4, 3)
    model.model._make_train_function()
    model.predict(pairs)
    assert PACKAGE_OPS <= _op_names(model.model.train_function)
    assert {'TakeRows', 'FastTanh'} <= _op_names(model.model.predict_function)
    link, _, _ = models.author2vec_models(20, 5, 4, 3)  # uncompiled (the joint schedule's)
    link.predict(pairs)
    assert {'TakeRows', 'FastTanh'} <= _op_names(link.predict_function)
    user = keras.models.Sequential([Embedding(20, 4, input_length=2), Flatten(),
                                    Dense(3, activation='tanh'), Dense(2, activation='softmax')])
    user.compile('adam', 'sparse_categorical_crossentropy')
    user.model._make_train_function()
    user.predict(pairs)
    for function in (user.model.train_function, user.model.predict_function):
        assert not PACKAGE_OPS & _op_names(function)
        assert 'AdvancedSubtensor1' in _op_names(function)  # Theano's own gather
