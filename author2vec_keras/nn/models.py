"""Model builders: the blog's stack, the paper's link model, and the full content + link model.

- `blog_model`: the blog post's Sequential stack (sigmoid output).
- `paper_model`: the paper's Link-Info model, softmax over {no edge, edge}.
- `author2vec_models`: the paper's full Author2Vec, Content-Info and Link-Info models over
  one shared author table (plus the joint two-loss model).

Each takes node index pairs `(batch, 2)` and is trained on targets `(batch, 1)` with 1 for an
edge and 0 for a sampled non-edge. The node embeddings are the weights of the layer named
`EMBEDDING_LAYER` (a walk-context pair counts as an edge). `BUILDERS` maps the model names used
everywhere ('paper', 'blog') to the link-only builders.

`context='shared'` (the blog's and the paper's model) reads both nodes of a pair from one
`Embedding` table; `context='separate'` reads the second node from a context table of the same
size (`layers.NodeContextEmbedding`: LINE's second-order model, the authors' a2v.lua). With a
separate context the node table is the embedding (`node_embeddings`); the context table
(`context_embeddings`) only serves the second side of a pair, and the model's pair score is no
longer symmetric (`edge_probability(..., symmetric=True)` averages both orders).
"""
import numpy as np

from author2vec_keras.checks import AUTHOR_TABLES, CONTEXTS, EMBEDDING_INITS, one_of
from author2vec_keras.nn import backend, rewrites
from author2vec_keras.nn.backend import K, keras
from author2vec_keras.nn.layers import NodeContextEmbedding, NodeEmbeddingLayer, PairColumn

from keras.layers import Concatenate, Dense, Dropout, Embedding, Input, Permute, TimeDistributed
from keras.models import Model, Sequential

EMBEDDING_LAYER = 'node_embedding'
PAPER_EMBEDDING = 'paper_embedding'
#: the link model's own author table with `author_tables='per-model'`
LINK_AUTHOR_EMBEDDING = 'link_author_embedding'


def with_rewrites(model):
    """`model`, the Theano functions keras makes of it from now on (train, test, predict) to be
    compiled with the package's graph rewrites (`rewrites.compile_mode()`: `TakeRows`,
    `FastTanh`, ...). Returns `model`.

    keras 2.0.9 passes a model's compile keyword arguments to each `theano.function` it makes
    of the model; this sets them. The package's own models get them (`compile_model`,
    `author2vec_models`); a model compiled with plain `model.compile` computes with Theano's
    own ops, as stock Keras. A model loaded by keras (`load_model`) gets them from here, except
    for the train function keras makes while loading to restore an optimizer's state.
    """
    inner = model
    if isinstance(model, Sequential):  # keras compiles and calls its inner Model
        if not model.built:
            model.build()
        inner = model.model
    backend.set_function_kwargs(inner, dict(backend.function_kwargs(inner),
                                            mode=rewrites.compile_mode()))
    return model


def compile_model(model, optimizer, loss, **kwargs):
    """`model.compile(optimizer, loss, **kwargs)` for the package's own models: then
    `with_rewrites(model)`. Returns `model`."""
    model.compile(optimizer, loss=loss, **kwargs)
    with_rewrites(model)
    return model


def _pair_encoder(num_nodes, embed_dim, hidden_dim, name, context='shared',
                  embeddings_initializer='uniform'):
    if num_nodes < 2:
        raise ValueError('%s: a graph needs at least 2 nodes, got %d' % (name, num_nodes))
    one_of('%s: context' % name, context, CONTEXTS)
    model = Sequential(name=name)
    if context == 'shared':
        model.add(Embedding(num_nodes, embed_dim, input_length=2, name=EMBEDDING_LAYER,
                            embeddings_initializer=embeddings_initializer))
    else:
        model.add(NodeContextEmbedding(num_nodes, embed_dim, name=EMBEDDING_LAYER,
                                       embeddings_initializer=embeddings_initializer,
                                       context_initializer=embeddings_initializer))
    model.add(Permute((2, 1)))  # (batch, 2, d) -> (batch, d, 2); the blog wrote Permute(2, 1)
    model.add(NodeEmbeddingLayer(hidden_dim, name='pair_features'))
    return model


def blog_model(num_nodes, embed_dim=10, hidden_dim=32, optimizer='adam', context='shared'):
    """The blog post's model: `NodeEmbeddingLayer` then a small MLP with a sigmoid output.

    Embedding(input_length=2) -> Permute((2, 1)) -> NodeEmbeddingLayer -> Dropout(0.25)
    -> Dense(10) -> Dropout(0.5) -> Dense(1, sigmoid), binary cross-entropy.

    # Arguments
        num_nodes: number of nodes (rows of the embedding table).
        embed_dim: size of a node vector.
        hidden_dim: size of the pair representation `h`.
        optimizer: any Keras optimizer (name or instance).
        context: 'shared' (the blog's: one table for both nodes of a pair) or 'separate'
            (the second node from a context table, `NodeContextEmbedding`).

    # Returns
        A compiled `Sequential` model mapping `(batch, 2)` node indices to `(batch, 1)`
        edge probabilities.
    """
    model = _pair_encoder(num_nodes, embed_dim, hidden_dim, 'blog_model', context)
    model.add(Dropout(0.25))
    model.add(Dense(10))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid', name='edge_probability'))
    compile_model(model, optimizer, 'binary_crossentropy')
    return model


def paper_model(num_nodes, embed_dim=128, hidden_dim=32, optimizer='adam', context='shared',
                embeddings_initializer='uniform'):
    """The paper's Link-Info model: `y = softmax(U h + c)` over {no edge, edge}.

    Trained on the log-likelihood of observed edges against sampled non-edges
    (sparse categorical cross-entropy on targets 0/1).

    # Arguments
        num_nodes: number of nodes (rows of the embedding table).
        embed_dim: size of a node vector.
        hidden_dim: size of the pair representation `h`.
        optimizer: any Keras optimizer (name or instance).
        context: 'shared' (one table for both nodes of a pair, as the blog's layer) or
            'separate' (the second node from a context table, as the authors' a2v.lua).
        embeddings_initializer: Keras initializer of the table(s) (default Keras' 'uniform';
            partitioned training, which reads the rows in itself, passes float32 zeros).

    # Returns
        A compiled `Sequential` model mapping `(batch, 2)` node indices to `(batch, 2)`
        class probabilities; column 1 is the edge probability.

    # References
        - Ganesh J, Gupta, Varma and Varma, "Author2Vec: Learning Author Representations by
          Combining Content and Link Information", WWW 2016 companion.
    """
    model = _pair_encoder(num_nodes, embed_dim, hidden_dim, 'paper_model', context,
                          embeddings_initializer)
    model.add(Dense(2, activation='softmax', name='edge_softmax'))
    compile_model(model, optimizer, 'sparse_categorical_crossentropy')
    return model


#: the link-only models by name: `Author2Vec(model=...)`, `author2vec train --model ...`
BUILDERS = {'paper': paper_model, 'blog': blog_model}


def train_step(model):
    """A function doing `model.train_on_batch(x, y)` without keras 2.0.9's per-batch checks.

    `train_on_batch` re-checks and converts the batch on every call
    (`_standardize_user_data`), and Theano's function call then filters every input and
    compares each with every other for shared memory: about as much time as the link model's
    whole CPU step at 1,000 nodes. The step made here converts `x` and `y` to the dtypes of the
    compiled function, checks their number of dimensions and rows, and calls the function with
    Theano's input checks off. Samples are weighted 1 (train_on_batch without `sample_weight`
    or `class_weight`); the learning phase is 1 (training).

    # Arguments
        model: a compiled Keras model (`Sequential` or functional). Make a new step after
            compiling the model again.

    # Returns
        `step(x, y)`: `x` and `y` an array each (or a list, one per input / output of the model);
        returns what `train_on_batch` returns (the loss, or a list: total loss, then per output
        and metric).

    # Raises
        ValueError (from the step): a batch with the wrong number of arrays, dimensions or rows.
    """
    inner = model.model if isinstance(model, Sequential) else model
    function = backend.theano_train_function(inner)
    inputs, targets, weights = backend.feed_variables(inner)
    phase = []
    if inner.uses_learning_phase and not isinstance(K.learning_phase(), int):
        phase = [np.ones((), dtype=K.learning_phase().dtype)]
    ones = {}

    def arrays(values, variables, what):
        values = values if isinstance(values, (list, tuple)) else [values]
        if len(values) != len(variables):
            raise ValueError('train_step: the model takes %d %s array(s), got %d'
                             % (len(variables), what, len(values)))
        out = [np.asarray(v, dtype=var.dtype) for v, var in zip(values, variables)]
        for a, var in zip(out, variables):
            if a.ndim != var.ndim:
                raise ValueError('train_step: %s must have %d dimensions, got shape %s'
                                 % (what, var.ndim, a.shape))
        return out

    def step(x, y):
        xs, ys = arrays(x, inputs, 'input'), arrays(y, targets, 'target')
        rows = len(xs[0])
        if rows == 0 or any(len(a) != rows for a in xs + ys):
            raise ValueError('train_step: inputs and targets must have the same nonzero number '
                             'of rows, got %s' % [len(a) for a in xs + ys])
        if rows not in ones:
            ones.clear()
            ones[rows] = [np.ones(rows, dtype=w.dtype) for w in weights]
        function.trust_input = True  # the arrays above have the function's types
        try:
            outputs = function(*(xs + ys + ones[rows] + phase))
        finally:
            function.trust_input = False
        return outputs[0] if len(outputs) == 1 else outputs

    return step


def node_embeddings(model, average_context=False):
    """The node embeddings of a pair model, `(num_nodes, embed_dim)`: its node table.

    `average_context`: with a separate context table, the mean of the node and context
    tables (GloVe's sum of word and context vectors, halved). Measured on Cora and Wiki node
    classification after training on walk pairs: the mean 2-2.5 Micro-F1 points above the
    node table alone.
    """
    weights = model.get_layer(EMBEDDING_LAYER).get_weights()
    if not average_context:
        return weights[0]
    if len(weights) < 2:
        raise ValueError("average_context=True needs a model built with context='separate'")
    return 0.5 * (weights[0] + weights[1])


def context_embeddings(model):
    """The context table of a model built with `context='separate'`, else None."""
    names = {layer.name for layer in model.layers}
    if EMBEDDING_LAYER not in names:  # the link model of `author_tables='per-model'`
        return None
    weights = model.get_layer(EMBEDDING_LAYER).get_weights()
    return weights[1] if len(weights) > 1 else None


def edge_probability(model, pairs, batch_size=4096, symmetric=False):
    """Edge probability for `(k, 2)` node index pairs, as a `(k,)` float array.

    `symmetric`: the mean of the probabilities of (u, v) and (v, u), for an undirected graph
    and a model with a separate context table (with a shared table both orders agree).
    """
    pairs = np.asarray(pairs, dtype='int32').reshape(-1, 2)
    if len(pairs) == 0:  # keras 2.0.9's predict returns [] for no rows (a TypeError below)
        return np.zeros(0)
    out = model.predict(pairs, batch_size=batch_size, verbose=0)[:, -1].astype('float64')
    if symmetric and context_embeddings(model) is not None:
        back = model.predict(pairs[:, ::-1], batch_size=batch_size, verbose=0)[:, -1]
        out = 0.5 * (out + back.astype('float64'))
    return out


def _pair_head(side_by_side, hidden_dim, projection, prefix):
    """(batch, 2, d) -> [tanh(W e + b) per side] -> NodeEmbeddingLayer -> softmax (batch, 2)."""
    x = side_by_side
    if projection:
        x = TimeDistributed(Dense(hidden_dim, activation='tanh'),
                            name=prefix + '_projection')(x)
    x = Permute((2, 1), name=prefix + '_permute')(x)
    h = NodeEmbeddingLayer(hidden_dim, name=prefix + '_pair_features')(x)
    return Dense(2, activation='softmax', name=prefix + '_softmax')(h)


def _initial_table(name, values, shape, init):
    """An `Embedding`'s initial-value arguments: `init`'s draw, or `values` (argument `name`)
    when given, as floatX of `shape` (ValueError otherwise)."""
    if values is None:
        return {'embeddings_initializer': init}
    values = np.asarray(values, dtype=K.floatx())
    if values.shape != shape:
        raise ValueError('%s must have shape %r, got %r' % (name, shape, values.shape))
    return {'embeddings_initializer': init, 'weights': [values]}


def _embeddings_initializer(embedding_init):
    one_of('embedding_init', embedding_init, EMBEDDING_INITS)
    if embedding_init == 'normal':  # torch nn.LookupTable:reset(): weight:normal(0, 1)
        return keras.initializers.RandomNormal(mean=0.0, stddev=1.0)
    return 'uniform'  # keras Embedding's default: U(-0.05, 0.05)


def author2vec_models(num_authors, num_papers, dim=100, hidden_dim=50, projection=False,
                      paper_init=None, train_papers=True, embedding_init='uniform',
                      author_tables='shared', author_init=None):
    """The Link-Info and Content-Info Keras models over one shared author `Embedding`.

    # Arguments
        num_authors: rows of the author table (the graph's nodes).
        num_papers: rows of the paper table.
        dim: size of an author / paper vector.
        hidden_dim: size of the pair representation `h` (and of the projection).
        projection: if True, each side is first mapped by tanh(W e + b) (a2v.lua); one W per
            model, shared by the two sides of a pair.
        paper_init: optional `(num_papers, dim)` initial paper vectors (Doc2Vec).
        train_papers: whether the paper vectors are trained (a2v.lua: yes).
        embedding_init: initial author vectors (and paper vectors without `paper_init`):
            'uniform', Keras' U(-0.05, 0.05), or 'normal', N(0, 1) as Torch's `nn.LookupTable`
            (a2v.lua).
        author_init: optional `(num_authors, dim)` initial author vectors, instead of
            `embedding_init`'s draw.
        author_tables: 'shared', one author table in both models (the paper), or 'per-model':
            the link model reads its own copy (`LINK_AUTHOR_EMBEDDING`), starting from the same
            values, which the content model's steps never see; a2v.lua as it ran, where
            `model1:cuda()`, `model2:cuda()` and `getParameters()` on each model split the
            table the two models shared through `clone(...)`.

    # Returns
        `(link_model, content_model, joint_model)`, uncompiled. `link_model`: `(batch, 2)`
        author index pairs -> `(batch, 2)` softmax; `content_model`: `(batch, 2)` (author, paper)
        index pairs -> `(batch, 2)`; `joint_model`: both inputs -> both outputs. The three share
        their layers; the author table is the layer named `node_embedding` in all of them
        (with `author_tables='per-model'`, the link model's is `link_author_embedding`).

    a2v.lua's link model reads the second author of a pair from a separate author context
    table; here both sides of a link pair come from the one author table (see issue 13).
    """
    one_of('author_tables', author_tables, AUTHOR_TABLES)
    init = _embeddings_initializer(embedding_init)
    author_kwargs = _initial_table('author_init', author_init, (num_authors, dim), init)
    author_table = Embedding(num_authors, dim, name=EMBEDDING_LAYER, **author_kwargs)
    link_table = author_table
    if author_tables == 'per-model':  # a copy of the first draw (`clone`): no draw of its own
        with K.name_scope(author_table.name):  # as Layer.__call__: the weight's saved name
            author_table.build((None, 2))
        if 'weights' in author_kwargs:  # built here: Layer.__call__ will not set `weights`
            K.set_value(author_table.embeddings, author_kwargs['weights'][0])
        link_table = Embedding(num_authors, dim, embeddings_initializer='zeros',
                               weights=[K.get_value(author_table.embeddings)],
                               name=LINK_AUTHOR_EMBEDDING)
    paper_kwargs = _initial_table('paper_init', paper_init, (num_papers, dim), init)
    paper_table = Embedding(num_papers, dim, name=PAPER_EMBEDDING, trainable=train_papers,
                            **paper_kwargs)

    link_in = Input(shape=(2,), dtype='int32', name='author_pairs')
    link_out = _pair_head(link_table(link_in), hidden_dim, projection, 'link')

    content_in = Input(shape=(2,), dtype='int32', name='author_paper_pairs')
    author = author_table(PairColumn(0, name='author_column')(content_in))  # (batch, 1, d)
    paper = paper_table(PairColumn(1, name='paper_column')(content_in))  # (batch, 1, d)
    side_by_side = Concatenate(axis=1, name='author_paper')([author, paper])  # (batch, 2, d)
    content_out = _pair_head(side_by_side, hidden_dim, projection, 'content')

    link_model = Model(link_in, link_out, name='link_info')
    content_model = Model(content_in, content_out, name='content_info')
    joint_model = Model([link_in, content_in], [link_out, content_out], name='author2vec_joint')
    # an uncompiled model predicts too (the link model of the joint schedule)
    return tuple(with_rewrites(m) for m in (link_model, content_model, joint_model))
