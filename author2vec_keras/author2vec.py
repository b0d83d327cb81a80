"""The full Author2Vec: a Content-Info model and a Link-Info model sharing one author table.

Ganesh J, Gupta, Varma and Varma, "Author2Vec: Learning Author Representations by Combining
Content and Link Information", WWW 2016 companion; the authors' code: ganeshjawahar/author2vec
(a2v.lua: d=100, n_h=50, SGD lr 0.1, 100 epochs, alternating the two models each epoch).

- Content-Info: pairs (author, paper), 1 if the author wrote the paper, 0 for a sampled paper the
  author did not write. Paper vectors are a second embedding table initialised from gensim
  Doc2Vec on the papers' text (AAN: titles; CANE-Cora: abstracts).
- Link-Info: pairs (author, author), 1 for co-authors, 0 for sampled non-co-authors.

Both use the Author2Vec pair architecture (`NodeEmbeddingLayer`: h = tanh(W_x (u*v) + W_+ |u-v|
+ b), then softmax over {no, yes}) with their own pair weights, and gather the author vectors
from the SAME Keras `Embedding` layer instance (named `node_embedding`): one shared variable, so
an update by either model moves the other's author vectors.

Optionally (`projection=True`, as a2v.lua) each side is first projected with tanh(W e + b)
(one W per model, shared by the two sides) before forming u*v and |u-v|.

Schedules (`ContentLinkAuthor2Vec(schedule=...)`):
- 'alternating': each epoch one pass of the content model, then one pass of the link model
  (a2v.lua's order), each with its own optimizer state;
- 'joint': one Keras `Model` with two inputs and two losses (link + content_weight * content),
  each step a link batch and a content batch;
- 'link': Link-Info only (the blog's model on the same settings);
- 'content': Content-Info only.

Plus the AAN testbed helpers: `aan_authorship`, `aan_venue_labels`, `cane_cora_authorship`,
`doc2vec_vectors`, `train_author2vec` (the CLI's entry point).
"""
import collections
import re

import numpy as np
from sklearn.base import BaseEstimator

from .backend import keras, K
from .layers import NodeEmbeddingLayer
from . import models
from .estimator import EmbeddingOutputs, as_graph

from keras.engine.topology import Layer
from keras.layers import Dense, Embedding, Input, Permute, TimeDistributed, Concatenate
from keras.models import Model

__all__ = ['PairColumn', 'build_author2vec_models', 'AuthorshipSequence', 'doc2vec_vectors',
           'tokenize', 'ContentLinkAuthor2Vec', 'SCHEDULES', 'aan_authorship',
           'aan_venue_labels', 'AAN_SERIES', 'cane_cora_authorship', 'content_inputs',
           'train_author2vec',
           'CUSTOM_OBJECTS']

AUTHOR_EMBEDDING = models.EMBEDDING_LAYER  # 'node_embedding', as the link-only models
PAPER_EMBEDDING = 'paper_embedding'
SCHEDULES = ('alternating', 'joint', 'link', 'content')


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


CUSTOM_OBJECTS = {'PairColumn': PairColumn, 'NodeEmbeddingLayer': NodeEmbeddingLayer}


def _pair_head(side_by_side, hidden_dim, projection, prefix):
    """(batch, 2, d) -> [tanh(W e + b) per side] -> NodeEmbeddingLayer -> softmax (batch, 2)."""
    x = side_by_side
    if projection:
        x = TimeDistributed(Dense(hidden_dim, activation='tanh'),
                            name=prefix + '_projection')(x)
    x = Permute((2, 1), name=prefix + '_permute')(x)
    h = NodeEmbeddingLayer(hidden_dim, name=prefix + '_pair_features')(x)
    return Dense(2, activation='softmax', name=prefix + '_softmax')(h)


def build_author2vec_models(num_authors, num_papers, dim=100, hidden_dim=50, projection=False,
                            paper_init=None, train_papers=True):
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

    # Returns
        `(link_model, content_model, joint_model)`, uncompiled. `link_model`: `(batch, 2)`
        author index pairs -> `(batch, 2)` softmax; `content_model`: `(batch, 2)` (author, paper)
        index pairs -> `(batch, 2)`; `joint_model`: both inputs -> both outputs. The three share
        their layers; the author table is the layer named `node_embedding` in all of them.
    """
    author_table = Embedding(num_authors, dim, name=AUTHOR_EMBEDDING)
    paper_kwargs = {}
    if paper_init is not None:
        paper_init = np.asarray(paper_init, dtype=K.floatx())
        if paper_init.shape != (num_papers, dim):
            raise ValueError('paper_init must have shape %r, got %r'
                             % ((num_papers, dim), paper_init.shape))
        paper_kwargs['weights'] = [paper_init]
    paper_table = Embedding(num_papers, dim, name=PAPER_EMBEDDING, trainable=train_papers,
                            **paper_kwargs)

    link_in = Input(shape=(2,), dtype='int32', name='author_pairs')
    link_out = _pair_head(author_table(link_in), hidden_dim, projection, 'link')

    content_in = Input(shape=(2,), dtype='int32', name='author_paper_pairs')
    author = author_table(PairColumn(0, name='author_column')(content_in))  # (batch, 1, d)
    paper = paper_table(PairColumn(1, name='paper_column')(content_in))  # (batch, 1, d)
    side_by_side = Concatenate(axis=1, name='author_paper')([author, paper])  # (batch, 2, d)
    content_out = _pair_head(side_by_side, hidden_dim, projection, 'content')

    link_model = Model(link_in, link_out, name='link_info')
    content_model = Model(content_in, content_out, name='content_info')
    joint_model = Model([link_in, content_in], [link_out, content_out], name='author2vec_joint')
    return link_model, content_model, joint_model


# ----------------------------------------------------------------------------------------------
# content pairs

class AuthorshipSequence(object):
    """Batches of (author, paper) pairs: each authorship then `negatives` papers not by the author.

    Negative papers are drawn uniformly among all papers and redrawn (vectorised) when the
    author wrote them. Batch `i` of epoch `e` is a pure function of `(seed, e, i)`, as
    `sampling.PairSequence`.

    # Arguments
        authorship: int (m, 2) array of (author index, paper index), unique rows.
        num_papers: number of papers.
        negatives, batch_size, seed: as `PairSequence`.
    """

    def __init__(self, authorship, num_papers, negatives=5, batch_size=512, seed=0):
        a = np.asarray(authorship, dtype=np.int64).reshape(-1, 2)
        if len(a) == 0:
            raise ValueError('no authorship pairs')
        self.pairs = a
        self.num_papers = int(num_papers)
        self.negatives = int(negatives)
        self.batch_size = int(batch_size)
        self.positives_per_batch = max(1, self.batch_size // (1 + self.negatives))
        self.seed = int(seed)
        self.epoch = 0
        self._keys = np.unique(a[:, 0] * self.num_papers + a[:, 1])
        self._order = {}

    def __len__(self):
        return -(-len(self.pairs) // self.positives_per_batch)

    def set_epoch(self, epoch):
        self.epoch = int(epoch)

    def _wrote(self, authors, papers):
        keys = authors * self.num_papers + papers
        pos = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        return self._keys[pos] == keys

    def batch(self, epoch, i):
        if epoch not in self._order:
            self._order = {epoch: np.random.default_rng([self.seed, epoch, 0xa2]).permutation(
                len(self.pairs))}
        ids = self._order[epoch][i * self.positives_per_batch:(i + 1) * self.positives_per_batch]
        pos = self.pairs[ids]
        p, r = len(ids), 1 + self.negatives
        X = np.empty((p, r, 2), dtype=np.int32)
        y = np.zeros((p, r, 1), dtype=np.float32)
        X[:, :, 0] = pos[:, :1]
        X[:, 0, 1] = pos[:, 1]
        y[:, 0, 0] = 1.0
        if self.negatives:
            rng = np.random.default_rng([self.seed, epoch, i + 1, 0xa2])
            src = np.repeat(pos[:, 0], self.negatives)
            neg = rng.integers(0, self.num_papers, size=len(src))
            for _ in range(20):
                bad = np.nonzero(self._wrote(src, neg))[0]
                if not len(bad):
                    break
                neg[bad] = rng.integers(0, self.num_papers, size=len(bad))
            X[:, 1:, 1] = neg.reshape(p, self.negatives)
        return X.reshape(p * r, 2), y.reshape(p * r, 1)

    def __getitem__(self, i):
        return self.batch(self.epoch, i)


# ----------------------------------------------------------------------------------------------
# text vectors

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def tokenize(text):
    """Lower-cased word tokens (letters/digits, inner hyphens kept)."""
    return _TOKEN.findall(str(text).lower())


def doc2vec_vectors(texts, dim=100, epochs=20, min_count=2, seed=0, workers=1, dm=1, window=5):
    """gensim Doc2Vec (PV-DM by default) vectors of a list of texts, `(len(texts), dim)` float32.

    One tagged document per text, tag = its position. `workers=1` with a fixed `seed` is
    reproducible. Texts with no known word still get a (random-initialised, trained-free) row.
    """
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument
    docs = [TaggedDocument(tokenize(t), [i]) for i, t in enumerate(texts)]
    model = Doc2Vec(documents=docs, vector_size=dim, window=window, min_count=min_count,
                    epochs=epochs, dm=dm, workers=workers, seed=seed)
    out = np.asarray(model.dv.vectors, dtype=np.float32)
    if out.shape != (len(texts), dim):  # pragma: no cover  (gensim keeps one row per int tag)
        raise RuntimeError('Doc2Vec returned %r vectors for %d texts' % (out.shape, len(texts)))
    return out


# ----------------------------------------------------------------------------------------------
# the estimator

class ContentLinkAuthor2Vec(EmbeddingOutputs, BaseEstimator):
    """The full Author2Vec: Content-Info + Link-Info over one shared author table.

    # Arguments
        dim: size of an author (and paper) vector (a2v.lua: 100).
        hidden_dim: size of `h` and of the optional projection (a2v.lua: 50).
        schedule: 'alternating' (a2v.lua), 'joint' (one model, two losses), 'link' (Link-Info
            only) or 'content' (Content-Info only).
        projection: project each side with tanh(W e + b) first (a2v.lua) or not (the blog).
        negatives: sampled non-edges per co-authorship and sampled papers per authorship.
        epochs: passes over the data (each pass: every edge and every authorship once).
        batch_size: pairs per gradient step.
        optimizer: 'sgd' (row-wise SGD at `lr`, a2v.lua), 'adam', 'adagrad' (row-wise versions,
            `optimizers.RowAdam` etc.) or a callable returning a fresh Keras optimizer.
        lr: learning rate; None: 0.1 for 'sgd' (a2v.lua), 0.01 for 'adam' and 'adagrad'.
        content_weight: weight of the content loss in the joint model.
        doc2vec_epochs: Doc2Vec passes for the paper vectors.
        train_papers: train the paper vectors (a2v.lua) or keep Doc2Vec's.
        sampling: 'uniform' or 'degree' negatives for the link model.
        random_state: seed of initialisation, Doc2Vec and sampling.
        verbose: 0 silent, 1 one line per epoch.

    # Attributes
        graph_, embeddings_ (authors, rows in `graph_.nodes` order), papers_ (paper ids, rows of
        `paper_embeddings_`), paper_init_ (the Doc2Vec vectors), authorship_ (int (m, 2) pairs
        used), dropped_authorship_ (pairs whose author is not a graph node), link_model_,
        content_model_, joint_model_, history_ (per epoch dict of mean losses).

    # Example

    ```python
        est = ContentLinkAuthor2Vec(schedule='alternating', epochs=5)
        est.fit(graph, authorship=[('Smith, J', 'P11-1001'), ...],
                paper_texts={'P11-1001': 'a title', ...})
        est.embeddings_
    ```
    """

    _pair_model = 'link_model_'  # edge_probability/predict_proba: the co-authorship head

    def __init__(self, dim=100, hidden_dim=50, schedule='alternating', projection=False,
                 negatives=5, epochs=10, batch_size=512, optimizer='sgd', lr=None,
                 content_weight=1.0, doc2vec_epochs=20, train_papers=True, sampling='uniform',
                 random_state=0, verbose=1):
        self.dim = dim
        self.hidden_dim = hidden_dim
        self.schedule = schedule
        self.projection = projection
        self.negatives = negatives
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.content_weight = content_weight
        self.doc2vec_epochs = doc2vec_epochs
        self.train_papers = train_papers
        self.sampling = sampling
        self.random_state = random_state
        self.verbose = verbose

    # -- helpers --------------------------------------------------------------------------
    def _check_params(self):
        if self.schedule not in SCHEDULES:
            raise ValueError('schedule must be one of %s, got %r' % (SCHEDULES, self.schedule))
        for name in ('dim', 'hidden_dim', 'negatives', 'epochs', 'batch_size'):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ValueError('%s must be a positive integer, got %r' % (name, value))

    def _make_optimizer(self):
        from . import optimizers as opt
        if callable(self.optimizer):
            return self.optimizer()
        name = str(self.optimizer).lower()
        table = {'sgd': opt.RowSGD, 'adam': opt.RowAdam, 'adagrad': opt.RowAdagrad}
        if name not in table:
            raise ValueError("optimizer must be 'sgd', 'adam', 'adagrad' or a callable, got %r"
                             % (self.optimizer,))
        lr = self.lr if self.lr is not None else (0.1 if name == 'sgd' else 0.01)
        return table[name](lr=lr)

    @property
    def uses_content(self):
        return self.schedule != 'link'

    @property
    def uses_link(self):
        return self.schedule != 'content'

    def _prepare_content(self, authorship, paper_texts, paper_vectors):
        g = self.graph_
        pairs = list(authorship) if authorship is not None else []
        if self.uses_content and not pairs:
            raise ValueError('schedule %r needs authorship pairs' % (self.schedule,))
        index = g.node_index
        papers, paper_index, rows, dropped = [], {}, [], 0
        for a, p in pairs:
            i = index.get(a)
            if i is None:
                dropped += 1
                continue
            j = paper_index.get(p)
            if j is None:
                j = paper_index[p] = len(papers)
                papers.append(p)
            rows.append((i, j))
        self.papers_ = papers
        self.paper_index_ = paper_index
        self.authorship_ = np.unique(np.asarray(rows, dtype=np.int64).reshape(-1, 2), axis=0)
        self.dropped_authorship_ = dropped
        if not self.uses_content:
            self.paper_init_ = None
            return
        if not papers:
            raise ValueError('no authorship pair names an author of the graph')
        if paper_vectors is not None:
            vec = np.stack([np.asarray(paper_vectors[p], dtype=np.float32) for p in papers])
        elif paper_texts is not None:
            missing = [p for p in papers if p not in paper_texts]
            if missing:
                raise ValueError('paper %r has no text' % (missing[0],))
            vec = doc2vec_vectors([paper_texts[p] for p in papers], dim=self.dim,
                                  epochs=self.doc2vec_epochs, seed=self.random_state)
        else:
            raise ValueError('the content model needs paper_texts (for Doc2Vec) or '
                             'paper_vectors')
        if vec.shape[1] != self.dim:
            raise ValueError('paper vectors have size %d, dim is %d' % (vec.shape[1], self.dim))
        self.paper_init_ = vec

    # -- training ---------------------------------------------------------------------------
    def fit(self, graph, authorship=None, paper_texts=None, paper_vectors=None):
        """Train on the co-authorship `graph` and the `authorship` pairs. Returns `self`.

        # Arguments
            graph: `Graph`, networkx graph or edge list path; its nodes are the authors.
            authorship: iterable of (author id, paper id); pairs whose author is not a node of
                `graph` are dropped (counted in `dropped_authorship_`).
            paper_texts: dict paper id -> text, for the Doc2Vec initial paper vectors.
            paper_vectors: dict paper id -> (dim,) vector, instead of `paper_texts`.
        """
        from .sampling import PairSequence
        self._check_params()
        self.graph_ = as_graph(graph)
        if self.uses_link and self.graph_.num_edges == 0:
            raise ValueError('the graph has no edges')
        self._prepare_content(authorship, paper_texts, paper_vectors)
        np.random.seed(self.random_state)  # keras 2.0.9 initialisers draw from numpy
        self.link_model_, self.content_model_, self.joint_model_ = build_author2vec_models(
            self.graph_.num_nodes, max(1, len(self.papers_)), self.dim, self.hidden_dim,
            self.projection, self.paper_init_, self.train_papers)
        loss = 'sparse_categorical_crossentropy'
        if self.schedule == 'joint':
            self.joint_model_.compile(self._make_optimizer(), loss=[loss, loss],
                                      loss_weights=[1.0, float(self.content_weight)])
        if self.schedule in ('alternating', 'link'):
            self.link_model_.compile(self._make_optimizer(), loss=loss)
        if self.schedule in ('alternating', 'content'):
            self.content_model_.compile(self._make_optimizer(), loss=loss)
        link = PairSequence(self.graph_, negatives=self.negatives, batch_size=self.batch_size,
                            distribution=self.sampling, seed=self.random_state) \
            if self.uses_link else None
        content = AuthorshipSequence(self.authorship_, len(self.papers_), self.negatives,
                                     self.batch_size, seed=self.random_state + 7919) \
            if self.uses_content else None
        import time
        self.history_ = []
        for epoch in range(self.epochs):
            t0 = time.time()
            if link is not None:
                link.set_epoch(epoch)
            if content is not None:
                content.set_epoch(epoch)
            if self.schedule == 'joint':
                rec = self._joint_epoch(link, content, epoch)
            else:
                rec = {}
                if content is not None:  # a2v.lua: the content model first, then the link model
                    rec['content'] = self._single_epoch(self.content_model_, content, epoch)
                if link is not None:
                    rec['link'] = self._single_epoch(self.link_model_, link, epoch)
            self.history_.append(rec)
            if self.verbose:
                print('epoch %d/%d %s (%.1f s)' % (epoch + 1, self.epochs, ' '.join(
                    '%s_loss=%.4f' % kv for kv in sorted(rec.items())), time.time() - t0))
        self.embeddings_ = self.link_model_.get_layer(AUTHOR_EMBEDDING).get_weights()[0]
        self.paper_embeddings_ = self.content_model_.get_layer(PAPER_EMBEDDING).get_weights()[0] \
            if self.uses_content else None
        return self

    @staticmethod
    def _check(loss, epoch, step):
        if not np.isfinite(loss):
            raise FloatingPointError('training loss became %s at epoch %d, batch %d; lower the '
                                     'learning rate' % (loss, epoch + 1, step + 1))

    def _single_epoch(self, model, seq, epoch):
        total, count = 0.0, 0
        for step in range(len(seq)):
            x, y = seq[step]
            loss = float(model.train_on_batch(x, y))
            self._check(loss, epoch, step)
            total += loss * len(x)
            count += len(x)
        return total / count

    def _joint_epoch(self, link, content, epoch):
        """max(len(link), len(content)) steps; the shorter sequence wraps around."""
        nl, nc = len(link), len(content)
        tot = np.zeros(2)
        count = 0
        for step in range(max(nl, nc)):
            xl, yl = link[step % nl]
            xc, yc = content[step % nc]
            b = min(len(xl), len(xc))  # keras 2.0.9 needs equal batch sizes for all inputs
            out = self.joint_model_.train_on_batch([xl[:b], xc[:b]], [yl[:b], yc[:b]])
            self._check(float(out[0]), epoch, step)
            tot += np.asarray(out[1:3], dtype=np.float64) * b
            count += b
        return {'link': tot[0] / count, 'content': tot[1] / count}

    # -- outputs (get_embedding, edge_probability, predict_proba, save_embeddings: shared) ----
    def authorship_probability(self, index_pairs):
        """P(author wrote paper) for `(k, 2)` (author index, paper index) pairs."""
        self._check_fitted()
        return models.edge_probability(self.content_model_, index_pairs)


# ----------------------------------------------------------------------------------------------
# datasets: AAN and CANE-Cora as content + link testbeds

#: ACL Anthology id letter -> venue series (the clustering labels' groups).
AAN_SERIES = {
    'A': 'ANLP', 'C': 'COLING', 'D': 'EMNLP', 'E': 'EACL', 'H': 'HLT', 'I': 'IJCNLP',
    'J': 'Computational Linguistics (journal)', 'L': 'LREC', 'M': 'MUC', 'N': 'NAACL',
    'P': 'ACL', 'S': 'SemEval / *SEM', 'T': 'TINLAP', 'W': 'workshops', 'X': 'TIPSTER',
    'Q': 'TACL', 'Y': 'PACLIC', 'O': 'ROCLING',
}


def aan_authorship(papers, max_year=None, exclude_pairs=None):
    """(authorship pairs, paper texts) from AAN metadata (`load('aan').extra['papers']`).

    # Arguments
        papers: dict paper id -> {'authors', 'title', 'year', ...}.
        max_year: keep only papers of that year or before (the temporal split's training
            period: the content of later papers would reveal later co-authorships).
        exclude_pairs: optional set of frozensets {author id, author id} (held-out
            co-authorships): papers with two such authors are left out, so the content model
            does not see the joint paper of a held-out pair.

    # Returns
        `(pairs, texts, kept)`: list of (author, paper id), dict paper id -> title, and the
        number of papers kept.
    """
    pairs, texts = [], {}
    for pid, p in papers.items():
        if max_year is not None and (p.get('year') is None or p['year'] > max_year):
            continue
        authors = list(dict.fromkeys(p['authors']))
        if not authors:
            continue
        if exclude_pairs:
            if any(frozenset((authors[a], authors[b])) in exclude_pairs
                   for a in range(len(authors)) for b in range(a + 1, len(authors))):
                continue
        texts[pid] = p.get('title') or ''
        pairs.extend((a, pid) for a in authors)
    return pairs, texts, len(texts)


def aan_venue_labels(graph, papers):
    """Clustering labels for AAN authors: each author's most frequent venue series.

    The series is the ACL Anthology id's letter (`AAN_SERIES`: P = ACL, C = COLING, W =
    workshops, ...). Ties go to the series that is rarer over all papers (the more specific
    one), then alphabetically. Authors without a paper in the metadata get -1.

    # Returns
        `(labels, names)`: int array (n,) aligned with `graph.nodes`, and the series letter of
        each label index.
    """
    overall = collections.Counter(pid[:1] for pid in papers)
    per_author = collections.defaultdict(collections.Counter)
    for pid, p in papers.items():
        for a in set(p['authors']):
            per_author[a][pid[:1]] += 1
    letters = sorted(overall)
    col = {l: i for i, l in enumerate(letters)}
    labels = np.full(graph.num_nodes, -1, dtype=np.int64)
    for i, a in enumerate(graph.nodes):
        c = per_author.get(a)
        if c:
            best = min(c, key=lambda l: (-c[l], overall[l], l))
            labels[i] = col[best]
    used = sorted(set(labels[labels >= 0].tolist()))
    remap = np.full(len(letters), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    labels = np.where(labels >= 0, remap[np.maximum(labels, 0)], -1)
    return labels, [letters[u] for u in used]


def cane_cora_authorship(dataset):
    """CANE-Cora as a content testbed: each vertex is a paper; it 'wrote' its own abstract.

    # Returns
        `(pairs, texts)`: [(vertex, 'doc<vertex>')], {'doc<vertex>': abstract}.
    """
    pairs, texts = [], {}
    for v in dataset.graph.nodes:
        t = dataset.text.get(v)
        if t:
            texts['doc%d' % v] = t
            pairs.append((v, 'doc%d' % v))
    return pairs, texts


def content_inputs(dataset, split=None):
    """(authorship pairs, paper texts) of a bundled dataset with text, leak-free for `split`.

    # Arguments
        dataset: 'aan' or 'cane-cora' (name or loaded `Dataset`).
        split: optional `LinkSplit` of `dataset.graph`: AAN papers of which two authors form a
            held-out pair are left out (their joint paper would reveal the held-out link); or a
            `TemporalSplit`: only papers up to `split.split_time` are kept.

    # Returns
        `(pairs, texts)` for `ContentLinkAuthor2Vec.fit(graph, pairs, paper_texts=texts)`.
    """
    from . import datasets
    from .splits import TemporalSplit
    ds = datasets.load(dataset) if isinstance(dataset, str) else dataset
    if ds.name == 'cane-cora':
        return cane_cora_authorship(ds)
    if ds.name != 'aan':
        raise ValueError('the content model needs a dataset with papers and text (aan, '
                         'cane-cora), got %r' % (ds.name,))
    papers = ds.extra['papers']
    if split is None:
        pairs, texts, _ = aan_authorship(papers)
    elif isinstance(split, TemporalSplit):
        pairs, texts, _ = aan_authorship(papers, max_year=split.split_time)
    else:
        held = {frozenset(ds.graph.ids(list(e))) for e in np.asarray(split.test_edges).tolist()}
        pairs, texts, _ = aan_authorship(papers, exclude_pairs=held)
    return pairs, texts


def train_author2vec(dataset='aan', schedule='alternating', split=None, **params):
    """Fit `ContentLinkAuthor2Vec` on a bundled dataset with text ('aan' or 'cane-cora').

    With a `split` (of the dataset's graph) it trains on `split.train_graph` and leak-free
    content (`content_inputs`). `params` go to the estimator. Returns the fitted estimator.
    """
    from . import datasets
    ds = datasets.load(dataset) if isinstance(dataset, str) else dataset
    pairs, texts = content_inputs(ds, split)
    graph = ds.graph if split is None else split.train_graph
    est = ContentLinkAuthor2Vec(schedule=schedule, **params)
    return est.fit(graph, authorship=pairs, paper_texts=texts)
