"""Model builders: the blog's Sequential stack and the paper's softmax link model.

Both take a batch of node index pairs `(batch, 2)` and are trained on targets `(batch, 1)`
with 1 for an edge (or a walk-context pair) and 0 for a sampled non-edge. The node embeddings
are the first weight of the layer named `EMBEDDING_LAYER`.

`context='shared'` (the blog's and the paper's model) reads both nodes of a pair from one
`Embedding` table; `context='separate'` reads the second node from a context table of the same
size (`layers.PairEmbedding`: LINE's second-order model, the authors' a2v.lua). With a separate
context the node table is the embedding (`node_embeddings`); the context table
(`context_embeddings`) only serves the second side of a pair, and the model's pair score is no
longer symmetric (`edge_probability(..., symmetric=True)` averages both orders).
"""
import numpy as np

from .backend import keras
from .layers import NodeEmbeddingLayer, PairEmbedding

from keras.models import Sequential
from keras.layers import Dense, Dropout, Embedding, Permute

EMBEDDING_LAYER = 'node_embedding'
CONTEXTS = ('shared', 'separate')


def _pair_encoder(num_nodes, embed_dim, hidden_dim, name, context='shared'):
    if num_nodes < 2:
        raise ValueError('%s: a graph needs at least 2 nodes, got %d' % (name, num_nodes))
    if context not in CONTEXTS:
        raise ValueError("%s: context must be 'shared' or 'separate', got %r" % (name, context))
    model = Sequential(name=name)
    if context == 'shared':
        model.add(Embedding(num_nodes, embed_dim, input_length=2, name=EMBEDDING_LAYER))
    else:
        model.add(PairEmbedding(num_nodes, embed_dim, name=EMBEDDING_LAYER))
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
            (the second node from a context table, `PairEmbedding`).

    # Returns
        A compiled `Sequential` model mapping `(batch, 2)` node indices to `(batch, 1)`
        edge probabilities.
    """
    model = _pair_encoder(num_nodes, embed_dim, hidden_dim, 'blog_model', context)
    model.add(Dropout(0.25))
    model.add(Dense(10))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid', name='edge_probability'))
    model.compile(optimizer=optimizer, loss='binary_crossentropy')
    return model


def link_model(num_nodes, embed_dim=128, hidden_dim=32, optimizer='adam', context='shared'):
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

    # Returns
        A compiled `Sequential` model mapping `(batch, 2)` node indices to `(batch, 2)`
        class probabilities; column 1 is the edge probability.

    # References
        - Ganesh J, Gupta, Varma and Varma, "Author2Vec: Learning Author Representations by
          Combining Content and Link Information", WWW 2016 companion.
    """
    model = _pair_encoder(num_nodes, embed_dim, hidden_dim, 'link_model', context)
    model.add(Dense(2, activation='softmax', name='edge_softmax'))
    model.compile(optimizer=optimizer, loss='sparse_categorical_crossentropy')
    return model


BUILDERS = {'blog': blog_model, 'paper': link_model}


def node_embeddings(model, average_context=False):
    """The node embeddings of a pair model, `(num_nodes, embed_dim)`: its node table.

    `average_context`: with a separate context table, the mean of the node and context
    tables (GloVe's sum of word and context vectors, halved). Measured on Cora and Wiki node
    classification after training on walk pairs: the node table alone 1.5-3 Micro-F1 points
    below the shared table, the mean 2-2.5 points above the node table alone.
    """
    weights = model.get_layer(EMBEDDING_LAYER).get_weights()
    if not average_context:
        return weights[0]
    if len(weights) < 2:
        raise ValueError("average_context=True needs a model built with context='separate'")
    return 0.5 * (weights[0] + weights[1])


def context_embeddings(model):
    """The context table of a model built with `context='separate'`, else None."""
    weights = model.get_layer(EMBEDDING_LAYER).get_weights()
    return weights[1] if len(weights) > 1 else None


def edge_probability(model, pairs, batch_size=4096, symmetric=False):
    """Edge probability for `(k, 2)` node index pairs, as a `(k,)` float array.

    `symmetric`: the mean of the probabilities of (u, v) and (v, u), for an undirected graph
    and a model with a separate context table (with a shared table both orders agree).
    """
    pairs = np.asarray(pairs, dtype='int32').reshape(-1, 2)
    out = model.predict(pairs, batch_size=batch_size, verbose=0)[:, -1].astype('float64')
    if symmetric and context_embeddings(model) is not None:
        back = model.predict(pairs[:, ::-1], batch_size=batch_size, verbose=0)[:, -1]
        out = 0.5 * (out + back.astype('float64'))
    return out
