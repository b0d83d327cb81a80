"""Custom Keras layers: the blog's `NodeEmbeddingLayer` (fixed for Keras 2.0.9),
`NodeContextEmbedding` (a node table and a context table for the two sides of a pair) and
`PairColumn`."""
from author2vec_keras.checks import positive_int
from author2vec_keras.nn.backend import K, keras

from keras import constraints, initializers, regularizers
from keras.engine.topology import InputSpec, Layer


class NodeEmbeddingLayer(Layer):
    """The Author2Vec pair layer: `h = tanh((u * v) W_p + |u - v| W_m + b)`.

    Takes the two node vectors of a pair side by side, as the blog's
    `Embedding(input_length=2)` followed by `Permute((2, 1))` gives them,
    and forms the product feature `u * v` and the distance feature `|u - v|`.

    # Example

    ```python
        model = Sequential()
        model.add(Embedding(num_nodes, 10, input_length=2))
        model.add(Permute((2, 1)))
        model.add(NodeEmbeddingLayer(32))
    ```

    # Arguments
        hidden_dim: Positive integer, size of `h`.
        activation: Activation of `h` (default tanh, as in the paper).
        use_bias: Whether to add the bias `b`.
        kernel_initializer: Initializer for `W_p` and `W_m`.
        bias_initializer: Initializer for `b`.
        kernel_regularizer: Regularizer for `W_p` and `W_m`.
        bias_regularizer: Regularizer for `b`.
        kernel_constraint: Constraint for `W_p` and `W_m`.
        bias_constraint: Constraint for `b`.

    # Input shape
        3D tensor `(batch_size, embed_dim, 2)`: column 0 is `u`, column 1 is `v`.

    # Output shape
        2D tensor `(batch_size, hidden_dim)`.

    # References
        - [Author2Vec: Learning Author Representations by Combining Content and Link
          Information](https://doi.org/10.1145/2872518.2889382) (Ganesh J et al., WWW 2016)
        - "Writing a custom model in Keras with a demonstration on Graph Embedding problem"
          (Shashank Gupta, 2016)
    """

    def __init__(self, hidden_dim,
                 activation='tanh',
                 use_bias=True,
                 kernel_initializer='glorot_uniform',
                 bias_initializer='zeros',
                 kernel_regularizer=None,
                 bias_regularizer=None,
                 kernel_constraint=None,
                 bias_constraint=None,
                 **kwargs):
        hidden_dim = positive_int('NodeEmbeddingLayer: hidden_dim', hidden_dim)
        super(NodeEmbeddingLayer, self).__init__(**kwargs)
        self.hidden_dim = hidden_dim
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[2] != 2 or input_shape[1] is None:
            raise ValueError(
                'NodeEmbeddingLayer expects input of shape (batch, embed_dim, 2): the two node '
                'vectors side by side, as Embedding(input_length=2) followed by Permute((2, 1)) '
                'gives them; got %s.' % (tuple(input_shape),))
        embed_dim = input_shape[1]
        self.W_p = self.add_weight(shape=(embed_dim, self.hidden_dim), name='W_p',
                                   initializer=self.kernel_initializer,
                                   regularizer=self.kernel_regularizer,
                                   constraint=self.kernel_constraint)
        self.W_m = self.add_weight(shape=(embed_dim, self.hidden_dim), name='W_m',
                                   initializer=self.kernel_initializer,
                                   regularizer=self.kernel_regularizer,
                                   constraint=self.kernel_constraint)
        if self.use_bias:
            self.b = self.add_weight(shape=(self.hidden_dim,), name='b',
                                     initializer=self.bias_initializer,
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
        else:
            self.b = None
        self.input_spec = InputSpec(ndim=3, axes={1: embed_dim, 2: 2})
        super(NodeEmbeddingLayer, self).build(input_shape)

    def call(self, x, mask=None):
        u = x[:, :, 0]
        v = x[:, :, 1]
        h = K.dot(u * v, self.W_p) + K.dot(K.abs(u - v), self.W_m)
        if self.use_bias:
            h = K.bias_add(h, self.b)
        return self.activation(h)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.hidden_dim)

    # The blog's (Keras 1) name for the same method; Keras 2.0.9 only calls the one above.
    get_output_shape_for = compute_output_shape

    def get_config(self):
        config = {
            'hidden_dim': self.hidden_dim,
            'activation': keras.activations.serialize(self.activation),
            'use_bias': self.use_bias,
            'kernel_initializer': initializers.serialize(self.kernel_initializer),
            'bias_initializer': initializers.serialize(self.bias_initializer),
            'kernel_regularizer': regularizers.serialize(self.kernel_regularizer),
            'bias_regularizer': regularizers.serialize(self.bias_regularizer),
            'kernel_constraint': constraints.serialize(self.kernel_constraint),
            'bias_constraint': constraints.serialize(self.bias_constraint),
        }
        base_config = super(NodeEmbeddingLayer, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class NodeContextEmbedding(Layer):
    """Embeds node pairs from two tables: the first node from the node table, the second from
    a context table of the same size.

    The drop-in counterpart of `Embedding(input_dim, output_dim, input_length=2)` when the two
    sides of a pair should not share vectors: LINE's second-order model and the authors'
    Author2Vec code (a2v.lua) read the second node of a pair from separate "context" vectors.
    The node table (`embeddings`, the first weight) holds the node embeddings; the context
    table (`context_embeddings`) is only used for the second side of a pair.

    # Example

    ```python
        model = Sequential()
        model.add(NodeContextEmbedding(num_nodes, 10))
        model.add(Permute((2, 1)))
        model.add(NodeEmbeddingLayer(32))
    ```

    # Arguments
        input_dim: number of nodes (rows of each table).
        output_dim: size of a node vector.
        embeddings_initializer: Initializer for the node table.
        context_initializer: Initializer for the context table.
        embeddings_regularizer, embeddings_constraint: applied to both tables.

    # Input shape
        2D tensor `(batch_size, 2)` of node indices (node, context).

    # Output shape
        3D tensor `(batch_size, 2, output_dim)`: row 0 from the node table, row 1 from the
        context table (the layout of `Embedding(input_length=2)`).

    # References
        - [LINE: Large-scale Information Network Embedding](https://arxiv.org/abs/1503.03578)
          (Tang et al., WWW 2015), second-order proximity.
    """

    def __init__(self, input_dim, output_dim,
                 embeddings_initializer='uniform',
                 context_initializer='uniform',
                 embeddings_regularizer=None,
                 embeddings_constraint=None,
                 **kwargs):
        for name, value in (('input_dim', input_dim), ('output_dim', output_dim)):
            positive_int('NodeContextEmbedding: ' + name, value)
        if 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
            kwargs['input_shape'] = (2,)
        super(NodeContextEmbedding, self).__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.context_initializer = initializers.get(context_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[1] != 2:
            raise ValueError('NodeContextEmbedding expects input of shape (batch, 2): pairs of '
                             'node indices; got %s.' % (tuple(input_shape),))
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          name='embeddings',
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.context_embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                                  name='context_embeddings',
                                                  initializer=self.context_initializer,
                                                  regularizer=self.embeddings_regularizer,
                                                  constraint=self.embeddings_constraint)
        super(NodeContextEmbedding, self).build(input_shape)

    def call(self, inputs):
        if K.dtype(inputs) != 'int32':
            inputs = K.cast(inputs, 'int32')
        # Two row gathers (what the row-wise optimizers look for), one per table.
        u = K.gather(self.embeddings, inputs[:, 0])
        v = K.gather(self.context_embeddings, inputs[:, 1])
        return K.stack([u, v], axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 2, self.output_dim)

    def get_config(self):
        config = {
            'input_dim': self.input_dim,
            'output_dim': self.output_dim,
            'embeddings_initializer': initializers.serialize(self.embeddings_initializer),
            'context_initializer': initializers.serialize(self.context_initializer),
            'embeddings_regularizer': regularizers.serialize(self.embeddings_regularizer),
            'embeddings_constraint': constraints.serialize(self.embeddings_constraint),
        }
        base_config = super(NodeContextEmbedding, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class PairColumn(Layer):
    """Column `index` of a `(batch, 2)` pair input, as `(batch, 1)` (keeps the dtype).

    # Arguments
        index: 0 or 1.
    # Input shape
        2D `(batch, 2)`.
    # Output shape
        2D `(batch, 1)`.
    """

    def __init__(self, index, **kwargs):
        super(PairColumn, self).__init__(**kwargs)
        self.index = int(index)

    def call(self, x, mask=None):
        return x[:, self.index:self.index + 1]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        config = {'index': self.index}
        base = super(PairColumn, self).get_config()
        return dict(list(base.items()) + list(config.items()))


#: every custom layer, for `keras.models.load_model(..., custom_objects=...)`; `saving.load_model`
#: adds them (and the row-wise optimizers) itself.
CUSTOM_OBJECTS = {'NodeEmbeddingLayer': NodeEmbeddingLayer,
                  'NodeContextEmbedding': NodeContextEmbedding, 'PairColumn': PairColumn}
