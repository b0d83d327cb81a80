"""NodeEmbeddingLayer: the blog's layer, fixed, behaving like Keras' own layers."""
import numpy as np
import pytest

from author2vec_keras.nn.backend import keras
from author2vec_keras.nn.layers import CUSTOM_OBJECTS, NodeEmbeddingLayer

from keras.layers import Embedding, Input, Permute
from keras.models import Model, Sequential

pytestmark = pytest.mark.core


@pytest.fixture(scope='module')
def pair_model():
    """(batch, d, 2) -> NodeEmbeddingLayer(5), built once for the module."""
    inputs = Input(shape=(4, 2))
    outputs = NodeEmbeddingLayer(5, name='pairs')(inputs)
    return Model(inputs, outputs)


def test_output_equals_numpy_formula(pair_model):
    layer = pair_model.get_layer('pairs')
    rng = np.random.RandomState(1)
    W_p, W_m, b = (rng.randn(4, 5).astype('float32'), rng.randn(4, 5).astype('float32'),
                   rng.randn(5).astype('float32'))
    layer.set_weights([W_p, W_m, b])
    x = rng.randn(7, 4, 2).astype('float32')
    x0, x1 = x[:, :, 0], x[:, :, 1]
    expected = np.tanh((x0 * x1) @ W_p + np.abs(x0 - x1) @ W_m + b)
    np.testing.assert_allclose(pair_model.predict(x), expected, rtol=1e-5, atol=1e-6)


def test_weights_are_registered_with_blog_names(pair_model):
    layer = pair_model.get_layer('pairs')
    names = [w.name for w in layer.trainable_weights]
    assert [n.split('/')[-1].split(':')[0] for n in names] == ['W_p', 'W_m', 'b']
    assert layer.W_p.get_value().shape == (4, 5)
    assert len(pair_model.trainable_weights) == 3


def test_output_shape_both_names():
    layer = NodeEmbeddingLayer(7)
    assert layer.compute_output_shape((None, 10, 2)) == (None, 7)
    assert layer.get_output_shape_for((None, 10, 2)) == (None, 7)


def test_next_dense_gets_the_right_input_size():
    """Keras 2.0.9 ignores get_output_shape_for: without compute_output_shape the Dense
    after the layer would be built for the input shape (fix 6)."""
    model = Sequential([Embedding(20, 6, input_length=2), Permute((2, 1)),
                        NodeEmbeddingLayer(3), keras.layers.Dense(4)])
    assert model.layers[2].output_shape == (None, 3)
    assert model.layers[3].get_weights()[0].shape == (3, 4)


@pytest.mark.parametrize('shape', [(None, 2, 10), (None, 10), (None, 10, 3)])
def test_wrong_input_shape_is_a_clear_error(shape):
    layer = NodeEmbeddingLayer(4)
    with pytest.raises(ValueError, match=r'\(batch, embed_dim, 2\)'):
        layer.build(shape)


@pytest.mark.parametrize('hidden_dim', [0, -3, 2.5])
def test_bad_hidden_dim(hidden_dim):
    with pytest.raises(ValueError, match='hidden_dim'):
        NodeEmbeddingLayer(hidden_dim)


def test_get_config_round_trip():
    layer = NodeEmbeddingLayer(6, activation='relu', use_bias=False,
                               kernel_initializer='he_normal',
                               kernel_regularizer=keras.regularizers.l2(0.01),
                               name='custom')
    config = layer.get_config()
    for key in ('hidden_dim', 'activation', 'use_bias', 'kernel_initializer',
                'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
                'kernel_constraint', 'bias_constraint', 'name', 'trainable'):
        assert key in config
    clone = NodeEmbeddingLayer.from_config(config)
    assert clone.get_config() == config
    assert clone.hidden_dim == 6 and clone.use_bias is False
    # Keras' own deserialisation path finds it with custom_objects.
    again = keras.layers.deserialize({'class_name': 'NodeEmbeddingLayer', 'config': config},
                                     custom_objects=CUSTOM_OBJECTS)
    assert again.get_config() == config


def test_pair_embedding_reads_each_side_from_its_table():
    """NodeContextEmbedding: row 0 of the output from the node table, row 1 from the context table,
    in Embedding(input_length=2)'s layout; a config round trip gives the same layer."""
    from author2vec_keras.nn.layers import NodeContextEmbedding
    layer = NodeContextEmbedding(6, 3, context_initializer='zeros', name='pairs')
    model = Sequential([layer])
    node = np.arange(18, dtype='float32').reshape(6, 3)
    context = -np.arange(18, dtype='float32').reshape(6, 3) - 100
    layer.set_weights([node, context])
    x = np.array([[0, 5], [4, 4], [2, 1]])
    out = model.predict(x)
    assert out.shape == (3, 2, 3) and layer.compute_output_shape((None, 2)) == (None, 2, 3)
    np.testing.assert_array_equal(out[:, 0], node[x[:, 0]])
    np.testing.assert_array_equal(out[:, 1], context[x[:, 1]])
    assert [w.name.split('/')[-1] for w in layer.trainable_weights] == \
        ['embeddings', 'context_embeddings']
    config = layer.get_config()
    clone = NodeContextEmbedding.from_config(config)
    assert clone.get_config() == config and config['context_initializer']['class_name'] == \
        'Zeros'
    assert CUSTOM_OBJECTS['NodeContextEmbedding'] is NodeContextEmbedding
    with pytest.raises(ValueError, match=r'\(batch, 2\)'):
        NodeContextEmbedding(6, 3).build((None, 3))
    with pytest.raises(ValueError, match='output_dim'):
        NodeContextEmbedding(6, 0)
