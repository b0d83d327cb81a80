"""Model builders: the blog's Sequential stack and the paper's softmax link model.

Both take a batch of node index pairs `(batch, 2)` and are trained on targets `(batch, 1)`
with 1 for an edge and 0 for a sampled non-edge. The node embeddings are the weights of the
layer named `EMBEDDING_LAYER`.
"""
import numpy as np

from .backend import keras
from .layers import NodeEmbeddingLayer

from keras.models import Sequential
from keras.layers import Dense, Dropout, Embedding, Permute

EMBEDDING_LAYER = 'node_embedding'


def _pair_encoder(num_nodes, embed_dim, hidden_dim, name):
    if num_nodes < 2:
        raise ValueError('%s: a graph needs at least 2 nodes, got %d' % (name, num_nodes))
    model = Sequential(name=name)
    model.add(Embedding(num_nodes, embed_dim, input_length=2, name=EMBEDDING_LAYER))
    model.add(Permute((2, 1)))  # (batch, 2, d) -> (batch, d, 2); the blog wrote Permute(2, 1)
    model.add(NodeEmbeddingLayer(hidden_dim, name='pair_features'))
    return model


def blog_model(num_nodes, embed_dim=10, hidden_dim=32, optimizer='adam'):
    """The blog post's model: `NodeEmbeddingLayer` then a small MLP with a sigmoid output.

    Embedding(input_length=2) -> Permute((2, 1)) -> NodeEmbeddingLayer -> Dropout(0.25)
    -> Dense(10) -> Dropout(0.5) -> Dense(1, sigmoid), binary cross-entropy.

    # Arguments
        num_nodes: number of nodes (rows of the embedding table).
        embed_dim: size of a node vector.
        hidden_dim: size of the pair representation `h`.
        optimizer: any Keras optimizer (name or instance).

    # Returns
        A compiled `Sequential` model mapping `(batch, 2)` node indices to `(batch, 1)`
        edge probabilities.
    """
    model = _pair_encoder(num_nodes, embed_dim, hidden_dim, 'blog_model')
    model.add(Dropout(0.25))
    model.add(Dense(10))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid', name='edge_probability'))
    model.compile(optimizer=optimizer, loss='binary_crossentropy')
    return model


def link_model(num_nodes, embed_dim=128, hidden_dim=32, optimizer='adam'):
    """The paper's Link-Info model: `y = softmax(U h + c)` over {no edge, edge}.

    Trained on the log-likelihood of observed edges against sampled non-edges
    (sparse categorical cross-entropy on targets 0/1).

    # Arguments
        num_nodes: number of nodes (rows of the embedding table).
        embed_dim: size of a node vector.
        hidden_dim: size of the pair representation `h`.
        optimizer: any Keras optimizer (name or instance).

    # Returns
        A compiled `Sequential` model mapping `(batch, 2)` node indices to `(batch, 2)`
        class probabilities; column 1 is the edge probability.

    # References
        - Ganesh J, Gupta, Varma and Varma, "Author2Vec: Learning Author Representations by
          Combining Content and Link Information", WWW 2016 companion.
    """
    model = _pair_encoder(num_nodes, embed_dim, hidden_dim, 'link_model')
    model.add(Dense(2, activation='softmax', name='edge_softmax'))
    model.compile(optimizer=optimizer, loss='sparse_categorical_crossentropy')
    return model


BUILDERS = {'blog': blog_model, 'paper': link_model}


def node_embeddings(model):
    """The node embedding table of a pair model, `(num_nodes, embed_dim)`."""
    return model.get_layer(EMBEDDING_LAYER).get_weights()[0]


def edge_probability(model, pairs, batch_size=4096):
    """Edge probability for `(k, 2)` node index pairs, as a `(k,)` float array."""
    pairs = np.asarray(pairs, dtype='int32').reshape(-1, 2)
    out = model.predict(pairs, batch_size=batch_size, verbose=0)
    return out[:, -1].astype('float64')
