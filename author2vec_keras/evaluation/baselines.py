"""Baselines run by the same evaluation code as Author2Vec, on the same split.

- Link heuristics on a training graph: `common_neighbours`, `jaccard`, `adamic_adar`,
  `preferential_attachment` (vectorised scipy; each takes a `Graph` and `(k, 2)` index pairs).
- Random walks: `random_walks` (DeepWalk and node2vec walks; defined in `walks.py`).
- `DeepWalk`, `Node2Vec`: walks + gensim `Word2Vec` skip-gram (reference parameters: 10 walks of
  length 80, window 10, d=128; DeepWalk with hierarchical softmax, node2vec with 5 negatives and
  one epoch, as their reference code).
- `LINE`: first and second order proximity (Tang et al. WWW 2015), edge sampling with
  degree^0.75 negatives and linearly decaying SGD, in numpy mini-batches. `order=3` concatenates
  the two halves (d/2 each), the "LINE(1st+2nd)" of the papers.
- `SpectralEmbedding`: Laplacian eigenmaps on the adjacency matrix (scikit-learn's definition),
  each dimension standardised.
- `RandomEmbedding`: Gaussian vectors (chance level, a sanity check).
- `AuthorTfidf`: the content baseline a librarian reaches for first: TF-IDF of each author's
  papers (scikit-learn's `TfidfVectorizer` over their concatenated titles and abstracts), pairs
  scored by cosine similarity.

Every embedding baseline is a small scikit-learn estimator (`get_params`): parameters in
`__init__`, `fit(graph)`, `embeddings_` / `get_embedding()`, `random_state`.
"""
import os
import tempfile

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator

from author2vec_keras.checks import one_of
from author2vec_keras.data.readers import as_graph
from author2vec_keras.data.walks import random_walks

__all__ = ['binary_adjacency', 'common_neighbours', 'jaccard', 'adamic_adar',
           'preferential_attachment', 'HEURISTICS', 'random_walks', 'DeepWalk', 'Node2Vec',
           'LINE', 'SpectralEmbedding', 'RandomEmbedding', 'AuthorTfidf']


def binary_adjacency(graph):
    """Unweighted symmetric CSR (neighbour sets) of a graph."""
    a = graph.adjacency
    if graph.directed:
        a = sp.csr_matrix(a + a.T)
    else:
        a = a.copy()
    a.data[:] = 1.0
    return a


def _pairs(pairs):
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


# ----------------------------------------------------------------------------------------------
# heuristics

def _common(a, u, v, weights=None):
    """Row-wise sum over common neighbours of u and v (optionally weighted by `weights[w]`)."""
    au = a[u]
    av = a[v]
    if weights is not None:
        av = av @ sp.diags(weights)
    return np.asarray(au.multiply(av).sum(axis=1)).ravel()


def common_neighbours(graph, pairs):
    """|N(u) & N(v)| for each pair (Liben-Nowell & Kleinberg 2007)."""
    a = binary_adjacency(as_graph(graph))
    u, v = _pairs(pairs)
    return _common(a, u, v)


def jaccard(graph, pairs):
    """|N(u) & N(v)| / |N(u) | N(v)| (0 when both are isolated)."""
    a = binary_adjacency(as_graph(graph))
    u, v = _pairs(pairs)
    deg = np.asarray(a.sum(axis=1)).ravel()
    cn = _common(a, u, v)
    union = deg[u] + deg[v] - cn
    out = np.zeros(len(u))
    np.divide(cn, union, out=out, where=union > 0)
    return out


def adamic_adar(graph, pairs):
    """sum over common neighbours w of 1 / log(deg(w)) (Adamic & Adar 2003)."""
    a = binary_adjacency(as_graph(graph))
    u, v = _pairs(pairs)
    deg = np.asarray(a.sum(axis=1)).ravel()
    inv_log = np.zeros(len(deg))
    np.divide(1.0, np.log(np.maximum(deg, 2.0)), out=inv_log, where=deg > 1)
    return _common(a, u, v, weights=inv_log)


def preferential_attachment(graph, pairs):
    """deg(u) * deg(v) (Barabasi & Albert 1999)."""
    a = binary_adjacency(as_graph(graph))
    u, v = _pairs(pairs)
    deg = np.asarray(a.sum(axis=1)).ravel()
    return deg[u] * deg[v]


HEURISTICS = {
    'common-neighbours': common_neighbours,
    'jaccard': jaccard,
    'adamic-adar': adamic_adar,
    'preferential-attachment': preferential_attachment,
}


def _word2vec(walks, n, dim, window, epochs, hs, negative, workers, seed, min_count=0):
    """Train gensim skip-gram on walks (int array, -1 padded); returns (n, dim) float array."""
    from gensim.models import Word2Vec
    fd, path = tempfile.mkstemp(suffix='.walks.txt')
    try:
        with os.fdopen(fd, 'w') as f:
            for row in walks:
                row = row[row >= 0]
                f.write(' '.join(map(str, row.tolist())))
                f.write('\n')
        model = Word2Vec(corpus_file=path, vector_size=dim, window=window, min_count=min_count,
                         sg=1, hs=hs, negative=negative, workers=workers, epochs=epochs,
                         seed=seed)
    finally:
        os.remove(path)
    emb = np.zeros((n, dim), dtype=np.float64)
    kv = model.wv
    keys = np.array([int(k) for k in kv.index_to_key], dtype=np.int64)
    emb[keys] = kv.vectors  # nodes never visited (isolated) keep a zero vector
    return emb


class _WalkEmbedding(BaseEstimator):
    _hs = 0
    _negative = 5

    def fit(self, graph, y=None):
        g = as_graph(graph)
        walks = random_walks(g, self.num_walks, self.walk_length, p=self.p, q=self.q,
                             seed=self.random_state)
        self.embeddings_ = _word2vec(walks, g.num_nodes, self.dim, self.window, self.epochs,
                                     self._hs, self._negative, self.workers, self.random_state)
        return self

    def get_embedding(self):
        return self.embeddings_


class DeepWalk(_WalkEmbedding):
    """DeepWalk (Perozzi et al. KDD 2014): uniform random walks + skip-gram with hierarchical
    softmax.

    # Arguments
        dim, num_walks, walk_length, window: as the reference (128, 10, 80, 10).
        epochs: skip-gram passes over the walks.
        workers: gensim threads.
        random_state: seed of walks and Word2Vec.
    """
    _hs = 1
    _negative = 0

    def __init__(self, dim=128, num_walks=10, walk_length=80, window=10, epochs=1, workers=2,
                 random_state=0):
        self.dim = dim
        self.num_walks = num_walks
        self.walk_length = walk_length
        self.window = window
        self.epochs = epochs
        self.workers = workers
        self.random_state = random_state
        self.p = self.q = 1.0


class Node2Vec(_WalkEmbedding):
    """node2vec (Grover & Leskovec KDD 2016): second-order p, q walks + skip-gram, 5 negatives.

    # Arguments
        dim, num_walks, walk_length, window, p, q: as the reference (128, 10, 80, 10, 1, 1).
        epochs: skip-gram passes (reference: 1).
    """

    def __init__(self, dim=128, num_walks=10, walk_length=80, window=10, p=1.0, q=1.0,
                 epochs=1, workers=2, random_state=0):
        self.dim = dim
        self.num_walks = num_walks
        self.walk_length = walk_length
        self.window = window
        self.p = p
        self.q = q
        self.epochs = epochs
        self.workers = workers
        self.random_state = random_state


# ----------------------------------------------------------------------------------------------
# LINE

def _scatter_mean(table, idx, grads):
    """table[idx] += grads, a row repeated in `idx` by the mean of its gradients.

    One SGD step per row and batch, as the reference's one edge at a time: summing a hub's
    many gradients in one step made small graphs' vectors overflow to NaN (karate).
    """
    uniq, inv, counts = np.unique(idx, return_inverse=True, return_counts=True)
    m = sp.csr_matrix((1.0 / counts[inv], (inv, np.arange(len(idx)))),
                      shape=(len(uniq), len(idx)))
    table[uniq] += m @ grads


class LINE(BaseEstimator):
    """LINE (Tang et al. WWW 2015): first- and/or second-order proximity embeddings.

    Edges are sampled in proportion to their weight (both directions of an undirected edge),
    negatives from degree^0.75, SGD with a learning rate decaying linearly from `learning_rate`,
    `batch_size` edges per step, a row that a step meets several times moved by the mean of
    its gradients (one SGD step, as the reference's one edge at a time).

    # Arguments
        dim: output size; with `order=3` each order gets dim // 2 and the two are concatenated
            (each half L2-normalised, as the reference).
        order: 1, 2 or 3 (= 1st + 2nd).
        negatives: negative samples per edge.
        epochs: edge samples = epochs * number of directed edges (per order) ...
        min_samples: ... but at least this many (small graphs: 20 passes over Cora's edges are
            only 0.2M samples, far below the reference's budget).
        batch_size: edges per vectorised SGD step.
        learning_rate: initial rho.
        random_state: seed.
    """

    def __init__(self, dim=128, order=3, negatives=5, epochs=20, batch_size=1024,
                 learning_rate=0.025, min_samples=1000000, random_state=0):
        self.dim = dim
        self.min_samples = min_samples
        self.order = order
        self.negatives = negatives
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state

    def _train(self, g, order, dim, rng):
        a = g.adjacency
        coo = a.tocoo()
        src = coo.row.astype(np.int64)
        dst = coo.col.astype(np.int64)
        w = coo.data.astype(np.float64)
        n = g.num_nodes
        emb = (rng.random((n, dim)) - 0.5) / dim
        ctx = emb if order == 1 else np.zeros((n, dim))
        if len(src) == 0:
            return emb
        ecdf = np.cumsum(w)
        ecdf /= ecdf[-1]
        deg = np.asarray(a.sum(axis=1)).ravel() + (np.asarray(a.sum(axis=0)).ravel()
                                                   if g.directed else 0)
        ncdf = np.cumsum(deg ** 0.75)
        ncdf /= ncdf[-1]
        total = max(int(self.epochs * len(src)), int(self.min_samples))
        b = int(self.batch_size)
        k = int(self.negatives)
        steps = max(1, total // b)
        for s in range(steps):
            lr = self.learning_rate * max(1e-4, 1.0 - s / steps)
            e = np.minimum(np.searchsorted(ecdf, rng.random(b)), len(src) - 1)
            u, v = src[e], dst[e]
            neg = np.minimum(np.searchsorted(ncdf, rng.random((b, k))), n - 1)
            tgt = np.concatenate([v[:, None], neg], axis=1)          # (b, 1+k)
            lab = np.zeros((b, 1 + k))
            lab[:, 0] = 1.0
            eu = emb[u]                                              # (b, d)
            ct = ctx[tgt]                                            # (b, 1+k, d)
            score = np.einsum('bd,bkd->bk', eu, ct)
            g_ = (lab - expit(score)) * lr                        # (b, 1+k)
            grad_u = np.einsum('bk,bkd->bd', g_, ct)
            grad_c = g_[:, :, None] * eu[:, None, :]
            _scatter_mean(ctx, tgt.ravel(), grad_c.reshape(-1, dim))
            _scatter_mean(emb, u, grad_u)
        return emb

    #: first-order proximity, second-order, or both (each half the vector)
    ORDERS = (1, 2, 3)

    def fit(self, graph, y=None):
        one_of('order', self.order, self.ORDERS)
        g = as_graph(graph)
        rng = np.random.default_rng(self.random_state)
        with np.errstate(over='ignore', invalid='ignore'):  # a divergence shows as NaN vectors
            self._fit(g, rng)                               # (the benchmark names it)
        return self

    def _fit(self, g, rng):
        if self.order in (1, 2):  # `fit` checked it is one of `ORDERS`
            self.embeddings_ = self._train(g, self.order, self.dim, rng)
        elif self.order == 3:
            d1 = self.dim // 2
            parts = [self._train(g, 1, d1, rng), self._train(g, 2, self.dim - d1, rng)]
            parts = [p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-12)
                     for p in parts]
            self.embeddings_ = np.concatenate(parts, axis=1)

    def get_embedding(self):
        return self.embeddings_


# ----------------------------------------------------------------------------------------------
# spectral and random

class SpectralEmbedding(BaseEstimator):
    """Laplacian eigenmaps (Belkin & Niyogi 2003), as `sklearn.manifold.spectral_embedding`.

    The d eigenvectors of the normalised Laplacian L = I - D^-1/2 A D^-1/2 with the smallest
    eigenvalues after the trivial one, scaled by D^-1/2 as scikit-learn does. Found as the
    largest eigenvectors of D^-1/2 A D^-1/2 with ARPACK (`scipy.sparse.linalg.eigsh`): the same
    vectors as scikit-learn's 'arpack' solver, whose shift-invert factorisation did not finish
    in 10 minutes on ca-AstroPh here. Isolated nodes get zero vectors.

    Each dimension is then standardised (zero mean, unit variance over the nodes with an
    edge), as the papers that compare with it feed its features to their classifiers (Tang
    and Liu's SocioDim; DeepWalk's, LINE's tables): the D^-1/2-scaled eigenvectors are tiny
    (median |x| 3e-4 on lastfm), and an L2-regularised logistic regression (the node
    classification protocol's) then predicts the majority class (Cora: Micro-F1 30%, its
    majority; standardised: 87%). Link prediction's edge-feature classifiers standardise
    their features anyway; the inner product moves little (ca-GrQc AUC 0.9415 -> 0.9455).
    """

    def __init__(self, dim=128, random_state=0):
        self.dim = dim
        self.random_state = random_state

    def fit(self, graph, y=None):
        from scipy.sparse.linalg import eigsh
        g = as_graph(graph)
        a = binary_adjacency(g)
        n = g.num_nodes
        deg = np.asarray(a.sum(axis=1)).ravel()
        dinv = np.zeros(n)
        np.divide(1.0, np.sqrt(deg), out=dinv, where=deg > 0)
        norm = sp.diags(dinv) @ a @ sp.diags(dinv)
        k = min(self.dim + 1, n - 1)
        v0 = np.random.default_rng(self.random_state).uniform(-1, 1, n)
        vals, vecs = eigsh(norm, k=k, which='LA', v0=v0, tol=1e-6, maxiter=20 * n)
        order = np.argsort(-vals)
        emb = vecs[:, order[1:]] * dinv[:, None]  # drop the trivial eigenvector
        # sign convention of scikit-learn (`_deterministic_vector_sign_flip`)
        signs = np.sign(emb[np.abs(emb).argmax(axis=0), range(emb.shape[1])])
        emb = emb * np.where(signs == 0, 1, signs)
        some = deg > 0  # standardised over the nodes with an edge; isolated nodes stay at 0
        if some.any():
            std = emb[some].std(axis=0)
            emb[some] = (emb[some] - emb[some].mean(axis=0)) / np.where(std > 0, std, 1.0)
        if emb.shape[1] < self.dim:
            emb = np.concatenate([emb, np.zeros((n, self.dim - emb.shape[1]))], axis=1)
        self.embeddings_ = emb
        return self

    def get_embedding(self):
        return self.embeddings_


class RandomEmbedding(BaseEstimator):
    """Standard normal vectors: the chance level of every protocol."""

    def __init__(self, dim=128, random_state=0):
        self.dim = dim
        self.random_state = random_state

    def fit(self, graph, y=None):
        g = as_graph(graph)
        self.embeddings_ = np.random.default_rng(self.random_state).standard_normal(
            (g.num_nodes, self.dim))
        return self

    def get_embedding(self):
        return self.embeddings_


# ----------------------------------------------------------------------------------------------
# content

class AuthorTfidf(BaseEstimator):
    """TF-IDF of each author's papers, concatenated (title and abstract); cosine similarity.

    # Arguments
        min_df, max_df, sublinear_tf, stop_words: scikit-learn's `TfidfVectorizer`, over one
            document per author (a word of one author only, or of more than half of them,
            says little about a pair); a vocabulary that these leave empty (a tiny
            bibliography) is read again with every word.

    # Attributes
        vectors_: scipy CSR (n, vocabulary), L2-normalised rows in the order of `nodes` (an
            author without text: a zero row, cosine 0 with everyone).
    """

    def __init__(self, min_df=2, max_df=0.5, sublinear_tf=True, stop_words='english'):
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.stop_words = stop_words

    def fit(self, nodes, authorship, texts):
        """`nodes`: the author keys (rows); `authorship`: (author key, paper id) pairs;
        `texts`: {paper id: text}. Returns `self`."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        row = {v: i for i, v in enumerate(nodes)}
        docs = [[] for _ in row]
        for a, p in authorship:
            i = row.get(a)
            if i is not None and texts.get(p):
                docs[i].append(texts[p])
        docs = [' '.join(d) for d in docs]
        params = dict(min_df=self.min_df, max_df=self.max_df, sublinear_tf=self.sublinear_tf,
                      stop_words=self.stop_words)
        try:
            self.vectors_ = TfidfVectorizer(**params).fit_transform(docs).tocsr()
        except ValueError:  # 'After pruning, no terms remain' / 'empty vocabulary'
            params.update(min_df=1, max_df=1.0, stop_words=None)
            try:
                self.vectors_ = TfidfVectorizer(**params).fit_transform(docs).tocsr()
            except ValueError:  # no word at all
                self.vectors_ = sp.csr_matrix((len(docs), 1))
        return self

    def score(self, pairs):
        """Cosine similarity of index pairs (k, 2)."""
        u, v = _pairs(pairs)
        x = self.vectors_
        return np.asarray(x[u].multiply(x[v]).sum(axis=1)).ravel()

    def score_block(self, rows, cols):
        """Cosine similarity of every row author with every column author: (len(rows),
        len(cols))."""
        x = self.vectors_
        return np.asarray((x[rows] @ x[cols].T).todense())
