"""`ContentLinkAuthor2Vec`: the full Author2Vec of the paper, Content-Info + Link-Info over one
shared author table (`models.author2vec_models`), alternating (the authors' a2v.lua) or joint.
"""
import os
import time
import zlib

import numpy as np
from sklearn.utils.validation import check_is_fitted

from author2vec_keras.checks import AUTHOR_TABLES, EMBEDDING_INITS, ParameterError, one_of
from author2vec_keras.data.readers import as_graph
from author2vec_keras.training.checkpoints import Checkpoints, digest, fingerprint
from author2vec_keras.training.pair_embedding import PairEmbedding, weights_digest

__all__ = ['ContentLinkAuthor2Vec', 'SCHEDULES', 'BATCHING']

SCHEDULES = ('alternating', 'joint', 'link', 'content')
BATCHING = ('pairs', 'grouped')
AUTHOR_INITS = EMBEDDING_INITS + ('papers',)  # 'papers': `_mean_paper_vectors`
#: the epoch record's entries from a model's mean loss array (the joint model: total, link,
#: content)
_LOSSES = {'content': lambda loss: {'content': float(loss[0])},
           'link': lambda loss: {'link': float(loss[0])},
           'joint': lambda loss: {'link': float(loss[1]), 'content': float(loss[2])}}


class ContentLinkAuthor2Vec(PairEmbedding):
    """The full Author2Vec: Content-Info + Link-Info over one shared author table.

    Ganesh J, Gupta, Varma and Varma, "Author2Vec: Learning Author Representations by Combining
    Content and Link Information", WWW 2016 companion; the authors' code:
    ganeshjawahar/author2vec (a2v.lua: `presets.A2V_LUA`, `from_preset('a2v-lua')`).

    - Content-Info: (author, paper) pairs, 1 if the author wrote the paper, 0 for a sampled paper
      the author did not write. Paper vectors: a second table initialised from gensim Doc2Vec
      on the papers' text (`text.doc2vec_vectors`).
    - Link-Info: (author, author) pairs, 1 for co-authors, 0 for sampled non-co-authors.

    # Arguments
        schedule: 'alternating' (each epoch the content then the link model, each with its own
            optimizer state: a2v.lua), 'joint' (one model, two losses), 'link' (Link-Info only)
            or 'content' (Content-Info only).
        projection: project each side with tanh(W e + b) first (a2v.lua) or not (the blog).
        content_weight: weight of the content loss in the joint model.
        doc2vec_epochs: Doc2Vec passes for the paper vectors.
        train_papers: train the paper vectors (a2v.lua) or keep Doc2Vec's.
        batching: 'pairs' (batches of `batch_size` pairs in random order) or 'grouped' (one
            step per paper for the content model and one per author for the link model, a2v.lua's
            updates; `batch_size` is unused; not with schedule 'joint').
        embedding_init: initial author vectors: 'uniform' (Keras, U(-0.05, 0.05)), 'normal'
            (Torch's `nn.LookupTable`, N(0, 1): a2v.lua) or 'papers' (each author's mean
            initial paper vector, the content in the table from the first step; 'uniform' for
            an author without a paper; the papers' table starts from those vectors).
        author_tables: 'shared' (one author table in both models: the paper, and a2v.lua as
            written) or 'per-model' (each model its own copy from the same initial values,
            `embeddings_` the content model's: a2v.lua as it ran, `A2V_LUA_AS_RUN`; with
            schedule 'alternating').
        checkpoint_dir: if set, every compiled model with its optimizer state and the position
            in training are saved there (atomically) after every epoch and on Ctrl-C (then
            `checkpoints.TrainingInterrupted` is raised); `fit(..., resume=True)` continues
            from the last one.
        workers: Hogwild processes for both models (`PairEmbedding`) and gensim's threads for
            the Doc2Vec paper vectors (more than 1: neither is bit-reproducible).
        The others: see `PairEmbedding` (`negatives` also counts the sampled papers per
        authorship; an epoch is every edge and every authorship once, or with 'grouped'
        batching every author's edges and every paper's authorships once).

    # Attributes
        graph_, embeddings_ (authors, rows in `graph_.nodes` order), papers_ (paper ids, rows of
        `paper_embeddings_`), paper_init_ (the Doc2Vec vectors), doc2vec_ (the gensim Doc2Vec
        model that made them, None with `paper_vectors`), authorship_ (int (m, 2) pairs
        used), dropped_authorship_ (pairs whose author is not a graph node), link_model_,
        content_model_, joint_model_, history_ (per epoch dict of mean losses).

    # Example

    ```python
        est = ContentLinkAuthor2Vec(schedule='alternating', epochs=5)
        est.fit(graph, authorship=[('Smith, J', 'P11-1001'), ...],
                paper_texts={'P11-1001': 'a title', ...})
        est.embeddings_
        keys, vectors = est.transform_authors('new_papers.csv')  # authors the graph has not seen
        a2v = ContentLinkAuthor2Vec.from_preset('a2v-lua', epochs=30)  # the authors' settings
    ```
    """

    _pair_model = 'link_model_'  # edge_probability/predict_proba: the co-authorship head

    def __init__(self, dim=128, hidden_dim=32, negatives=5, epochs=10, batch_size=512,
                 schedule='alternating', projection=False, content_weight=1.0,
                 doc2vec_epochs=20, train_papers=True, optimizer='adam', lr=None,
                 dense_updates=False, sampling=None, batching='pairs',
                 embedding_init='uniform', author_tables='shared', random_state=0, verbose=1,
                 checkpoint_dir=None, workers=1):
        self._keep_params(locals())

    def check_params(self):
        one_of('schedule', self.schedule, SCHEDULES)
        one_of('batching', self.batching, BATCHING)
        one_of('embedding_init', self.embedding_init, AUTHOR_INITS)
        if self.embedding_init == 'papers' and not self.uses_content:
            raise ParameterError("embedding_init='papers' starts from the papers' vectors: "
                                 "not with schedule 'link'", ['embedding_init', 'schedule'])
        one_of('author_tables', self.author_tables, AUTHOR_TABLES)
        if self.batching == 'grouped' and self.schedule == 'joint':
            raise ParameterError("batching='grouped' steps one model at a time: use schedule "
                                 "'alternating', 'link' or 'content', not 'joint'",
                                 ['batching', 'schedule'])
        if self.author_tables == 'per-model' and self.schedule != 'alternating':
            raise ParameterError("author_tables='per-model' gives each of the alternating "
                                 "models its own author table: use schedule 'alternating', "
                                 "not %r" % (self.schedule,), ['author_tables', 'schedule'])
        super(ContentLinkAuthor2Vec, self).check_params()

    def _tables(self):
        return 2 if self.author_tables == 'per-model' else 1

    @property
    def _exported_model(self):
        """The model whose author table is `embeddings_` (a2v.lua as it ran: model1's)."""
        return self.content_model_ if self.author_tables == 'per-model' else self.link_model_

    @property
    def uses_content(self):
        return self.schedule != 'link'

    @property
    def uses_link(self):
        return self.schedule != 'content'

    def _prepare_content(self, authorship, paper_texts, paper_vectors):
        from author2vec_keras.data.text import doc2vec_model
        pairs = list(authorship) if authorship is not None else []
        if self.uses_content and not pairs:
            raise ValueError('schedule %r needs authorship pairs' % (self.schedule,))
        index = self.graph_.node_index
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
        self.doc2vec_ = self._paper_map = None
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
            vec, self.doc2vec_ = doc2vec_model([paper_texts[p] for p in papers], dim=self.dim,
                                               epochs=self.doc2vec_epochs,
                                               seed=self.random_state,
                                               workers=self.workers or 1)
        else:
            raise ValueError('the content model needs paper_texts (for Doc2Vec) or '
                             'paper_vectors')
        if vec.shape[1] != self.dim:
            raise ValueError('paper vectors have size %d, dim is %d' % (vec.shape[1], self.dim))
        self.paper_init_ = vec

    def _mean_paper_vectors(self):
        """Each author's mean initial paper vector (`paper_init_`); U(-0.05, 0.05), as Keras
        draws, for an author without a paper."""
        n = self.graph_.num_nodes
        out = np.random.uniform(-0.05, 0.05, size=(n, self.dim))
        authors, papers = self.authorship_[:, 0], self.authorship_[:, 1]
        sums = np.zeros((n, self.dim))
        np.add.at(sums, authors, self.paper_init_[papers])
        counts = np.bincount(authors, minlength=n)
        has = counts > 0
        out[has] = sums[has] / counts[has, None]
        return out

    def _compile(self):
        """Compile the models the schedule trains: dict name -> model, in training order."""
        from author2vec_keras.nn import models
        loss = 'sparse_categorical_crossentropy'
        if self.schedule == 'joint':
            models.compile_model(self.joint_model_, self._make_optimizer(), [loss, loss],
                                 loss_weights=[1.0, float(self.content_weight)])
            return {'joint': self.joint_model_}
        compiled = {}
        if self.uses_content:  # a2v.lua: the content model first, then the link model
            compiled['content'] = models.compile_model(self.content_model_,
                                                       self._make_optimizer(), loss)
        if self.uses_link:
            compiled['link'] = models.compile_model(self.link_model_, self._make_optimizer(),
                                                    loss)
        return compiled

    def fit(self, graph, authorship=None, paper_texts=None, paper_vectors=None, resume=False,
            callbacks=None):
        """Train on the co-authorship `graph` and the `authorship` pairs. Returns `self`.

        # Arguments
            graph: `Graph`, networkx graph or edge list path; its nodes are the authors.
            authorship: iterable of (author id, paper id); pairs whose author is not a node of
                `graph` are dropped (counted in `dropped_authorship_`).
            paper_texts: dict paper id -> text, for the Doc2Vec initial paper vectors.
            paper_vectors: dict paper id -> (dim,) vector, instead of `paper_texts`.
            resume: continue from the checkpoint in `checkpoint_dir` (same graph, papers and
                parameters), or start afresh when there is none.
            callbacks: Keras callbacks (`keras.callbacks.Callback`), called as `fit_generator`
                calls them (`loop.EpochLoop`): `self.model` is the model whose author table is
                `embeddings_` (the joint model with schedule 'joint'); `on_epoch_end` gets
                each model's mean loss, `{'content_loss', 'link_loss'}`, and `'loss'`, their
                sum as trained (`content_weight` in the joint model), with `embeddings_` and
                `history_` of that epoch already set (e.g. to score the embeddings as
                training goes); `model.stop_training` ends training after an epoch.
        """
        from author2vec_keras.nn import models
        from author2vec_keras.nn.sequences import AuthorshipSequence, PairSequence
        from author2vec_keras.training.loop import Phase
        started = time.time()
        self.check_params()
        self.graph_ = as_graph(graph)
        if self.uses_link:
            self.check_fit(self.graph_)
        if resume and not self.checkpoint_dir:
            raise ValueError('resume=True needs checkpoint_dir')
        self._prepare_content(authorship, paper_texts, paper_vectors)
        self._check_memory(self.graph_,
                           self._tables() * self.graph_.num_nodes + len(self.papers_))
        np.random.seed(self.random_state)  # keras 2.0.9 initialisers draw from numpy
        by_papers = self.embedding_init == 'papers'
        self.link_model_, self.content_model_, self.joint_model_ = models.author2vec_models(
            self.graph_.num_nodes, max(1, len(self.papers_)), self.dim, self.hidden_dim,
            self.projection, self.paper_init_, self.train_papers,
            'uniform' if by_papers else self.embedding_init, self.author_tables,
            author_init=self._mean_paper_vectors() if by_papers else None)
        self._compiled = self._compile()
        grouped = self.batching == 'grouped'
        link = PairSequence(self.graph_, negatives=self.negatives, batch_size=self.batch_size,
                            sampling=self._sampling(), seed=self.random_state, grouped=grouped) \
            if self.uses_link else None
        content = AuthorshipSequence(self.authorship_, len(self.papers_), self.negatives,
                                     self.batch_size, seed=self.random_state + 7919,
                                     grouped=grouped) if self.uses_content else None
        batches = {'content': content, 'link': link}
        if self.schedule == 'joint':
            batches['joint'] = _JointBatches(link, content)
        params = {k: v for k, v in self.get_params().items()
                  if k not in ('verbose', 'checkpoint_dir', 'epochs', 'workers')}
        weights = weights_digest(self.graph_)
        data = digest(self.authorship_, self.papers_, self.paper_init_
                      if self.paper_init_ is not None else 'no paper vectors',
                      *([weights] if weights else []))
        self._checkpoints = Checkpoints(
            self.checkpoint_dir, fingerprint(params, self.graph_, data=data)) \
            if self.checkpoint_dir else None
        start, self.history_, partial, sums = (0, 0), [], {}, None
        found = self._read_checkpoint(resume, into=self._compiled)
        if found is not None:
            _, start, self.history_, state = found
            partial = state.get('partial') or {}
            sums = state.get('sums')  # of the phase it stopped in
        phases = [Phase(name, model, batches[name], _LOSSES[name])
                  for name, model in self._compiled.items()]
        self._train(phases, self.history_, start, partial, sums=sums, callbacks=callbacks,
                    model=self._callback_model(), checkpointed=self._compiled, started=started)
        self.embeddings_ = models.node_embeddings(self._exported_model)
        self.paper_embeddings_ = self.content_model_.get_layer(
            models.PAPER_EMBEDDING).get_weights()[0] if self.uses_content else None
        return self

    def _callback_model(self):
        """The model the callbacks get: the compiled one whose author table is `embeddings_`
        (the joint model with schedule 'joint'; else the first compiled)."""
        compiled = list(self._compiled.values())
        exported = self._exported_model
        return exported if any(m is exported for m in compiled) else compiled[0]

    def _epoch_end(self, losses):
        from author2vec_keras.nn.models import node_embeddings
        self.embeddings_ = node_embeddings(self._exported_model)  # for the callbacks
        weights = {'content': self.content_weight if self.schedule == 'joint' else 1.0}
        logs = {'%s_loss' % name: value for name, value in losses.items()}
        logs['loss'] = sum(value * weights.get(name, 1.0) for name, value in losses.items())
        return dict(losses), logs

    def transform_authors(self, papers, steps=100, lr=None, negatives=None,
                          random_state=None, paper_vectors=None, format=None, author_key='id'):
        """Vectors of the authors of `papers`, those the graph has not seen from their papers'
        text alone: `(keys, vectors)`.

        A known author (a node of `graph_`) gets its trained vector (`embeddings_`). For each
        other author: the vectors of their papers are inferred by the trained Doc2Vec
        (`doc2vec_`, `text.infer_vectors`) and carried into the trained paper table's space
        (`paper_space_map`), then the author's vector is fitted against the frozen content
        model: `steps` Adam steps on the content loss of that author's row alone (their papers
        labelled 1; `negatives` training papers per paper, drawn afresh every step, labelled 0),
        from the mean trained author vector. Nothing of the model changes. An author's vector
        depends on their papers, the model and `random_state` only.

        # Arguments
            papers: `bibliography.Papers`, a bibliography path (`read_papers` with `format` and
                `author_key`) or an iterable of record dicts (`papers_from_records`). Its
                author keys must be made as the training data's were (the same `author_key`).
            steps: gradient steps per new author.
            lr: Adam's step size (default: a tenth of the trained author vectors' spread,
                `embeddings_.std() / 10`).
            negatives: sampled papers per paper (default the estimator's `negatives`).
            random_state: seed of the inference and the sampled papers (default the
                estimator's).
            paper_vectors: dict paper id -> (dim,) vector for the new papers instead of
                inferring them (needed when `fit` was given `paper_vectors`, not texts).

        # Returns
            `(keys, vectors)`: every author key of `papers`, sorted (as `Papers.graph()`), and
            a float32 `(len(keys), dim)` array, one row per key.
        """
        from author2vec_keras.data.bibliography import Papers, papers_from_records, read_papers
        from author2vec_keras.data.text import infer_vectors
        check_is_fitted(self, 'embeddings_')
        if not self.uses_content:
            raise ValueError("transform_authors fits new authors against the content model: "
                             "schedule %r trains none" % (self.schedule,))
        if not isinstance(papers, Papers):
            papers = read_papers(papers, format=format, author_key=author_key) \
                if isinstance(papers, (str, bytes, os.PathLike)) else \
                papers_from_records(papers, author_key=author_key)
        seed = self.random_state if random_state is None else random_state
        negatives = self.negatives if negatives is None else negatives
        steps, negatives = int(steps), int(negatives)
        if steps < 0 or negatives < 1:
            raise ValueError('transform_authors: steps must be >= 0 and negatives >= 1, got '
                             '%r and %r' % (steps, negatives))
        keys = sorted(papers.names)
        index = self.graph_.node_index
        table = np.asarray(self.embeddings_, dtype=np.float64)
        out = np.zeros((len(keys), table.shape[1]), dtype=np.float32)
        new = [k for k in keys if k not in index]
        for i, k in enumerate(keys):
            if k in index:
                out[i] = table[index[k]]
        if not new:
            return keys, out
        new_set = set(new)
        wanted = [p for p in papers if any(k in new_set for k, _ in p.authors)]
        if paper_vectors is not None:
            missing = [p.id for p in wanted if p.id not in paper_vectors]
            if missing:
                raise ValueError('paper_vectors has no vector for paper %r' % (missing[0],))
            vec = np.stack([np.asarray(paper_vectors[p.id], dtype=np.float64) for p in wanted])
        elif self.doc2vec_ is None:
            raise ValueError('this estimator was fitted with paper_vectors: give the new '
                             "papers' vectors (paper_vectors=)")
        else:
            vec = self.paper_space_map(infer_vectors(
                self.doc2vec_, [' '.join(t for t in (p.title, p.abstract) if t)
                                for p in wanted], seed=seed))
        if vec.shape[1] != table.shape[1]:
            raise ValueError('paper vectors have size %d, dim is %d' % (vec.shape[1],
                                                                       table.shape[1]))
        row = {p.id: j for j, p in enumerate(wanted)}
        own = {k: [] for k in new}
        for p in wanted:
            for k, _ in p.authors:
                if k in new_set:
                    own[k].append(row[p.id])
        head = _ContentHead(self.content_model_)
        lr = float(lr) if lr is not None else max(float(table.std()), 1e-6) / 10
        fitted = head.fit_rows([own[k] for k in new], head.side(vec),
                               head.side(np.asarray(self.paper_embeddings_, dtype=np.float64)),
                               table.mean(axis=0), steps, lr, negatives,
                               [_key_seed(seed, k) for k in new])
        position = {k: i for i, k in enumerate(keys)}
        out[[position[k] for k in new]] = fitted
        return keys, out

    def paper_space_map(self, vectors):
        """Doc2Vec paper vectors `(n, dim)` carried into the trained paper table's space: the
        least-squares affine map of `paper_init_` onto `paper_embeddings_` (the change that
        training made to the papers it saw), float64; unchanged with `train_papers=False`."""
        vectors = np.asarray(vectors, dtype=np.float64)
        if not self.train_papers:
            return vectors
        if getattr(self, '_paper_map', None) is None:
            x = np.hstack([np.asarray(self.paper_init_, dtype=np.float64),
                           np.ones((len(self.paper_init_), 1))])
            y = np.asarray(self.paper_embeddings_, dtype=np.float64)
            # ridge-regularised towards the identity: stable with fewer papers than dimensions
            ridge = 1e-3 * np.trace(x.T @ x) / x.shape[1]
            eye = np.eye(x.shape[1])[:, :y.shape[1]]
            self._paper_map = np.linalg.solve(x.T @ x + ridge * np.eye(x.shape[1]),
                                              x.T @ y + ridge * eye)
        return vectors @ self._paper_map[:-1] + self._paper_map[-1]

    def authorship_probability(self, index_pairs):
        """P(author wrote paper) for `(k, 2)` (author index, paper index) pairs."""
        from author2vec_keras.nn.models import edge_probability
        check_is_fitted(self, 'embeddings_')
        return edge_probability(self.content_model_, index_pairs)


class _JointBatches(object):
    """Link and content batches side by side for the joint model: `max(len)` steps, the shorter
    sequence wrapping around; both cut to the same size (keras 2.0.9 needs equal batch sizes)."""

    def __init__(self, link, content):
        self.link, self.content = link, content

    def __len__(self):
        return max(len(self.link), len(self.content))

    def set_epoch(self, epoch):
        self.link.set_epoch(epoch)
        self.content.set_epoch(epoch)

    def __getitem__(self, step):
        xl, yl = self.link[step % len(self.link)]
        xc, yc = self.content[step % len(self.content)]
        b = min(len(xl), len(xc))
        return [xl[:b], xc[:b]], [yl[:b], yc[:b]]


def _key_seed(seed, key):
    """A seed of its own for each author: the run's seed and the author key."""
    return [int(seed), zlib.crc32(str(key).encode('utf-8'))]


class _ContentHead(object):
    """The content model's layers after the tables, frozen, in numpy (float64): the loss of
    (author, paper) vector pairs and its gradient in the author vectors."""

    def __init__(self, model):
        names = {layer.name for layer in model.layers}
        self.proj = [w.astype(np.float64) for w in model.get_layer(
            'content_projection').get_weights()] if 'content_projection' in names else None
        pair = model.get_layer('content_pair_features')
        weights = [w.astype(np.float64) for w in pair.get_weights()]
        self.W_p, self.W_m = weights[:2]
        self.b = weights[2] if len(weights) > 2 else 0.0
        self.U, self.c = [w.astype(np.float64) for w in
                          model.get_layer('content_softmax').get_weights()]

    def side(self, x):
        """A table's vectors as the pair layer reads them (projected, with `projection`)."""
        x = np.asarray(x, dtype=np.float64)
        return x if self.proj is None else np.tanh(x @ self.proj[0] + self.proj[1])

    def probability(self, authors, papers):
        """P(wrote) of rows of author vectors and of (projected: `side`) paper vectors."""
        return self.loss_grad(authors, papers, np.ones(len(authors), dtype=np.int64))[2]

    def loss_grad(self, authors, papers, labels):
        """(loss per row, gradient in each author row, P(wrote) per row)."""
        a = self.side(authors)
        diff = a - papers
        h = np.tanh((a * papers) @ self.W_p + np.abs(diff) @ self.W_m + self.b)
        s = h @ self.U + self.c
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        prob = e / e.sum(axis=1, keepdims=True)
        rows = np.arange(len(labels))
        loss = -np.log(np.maximum(prob[rows, labels], 1e-300))
        ds = prob.copy()
        ds[rows, labels] -= 1.0
        dz = (ds @ self.U.T) * (1.0 - h * h)
        da = (dz @ self.W_p.T) * papers + (dz @ self.W_m.T) * np.sign(diff)
        if self.proj is not None:
            da = (da * (1.0 - a * a)) @ self.proj[0].T
        return loss, da, prob[:, 1]

    def fit_rows(self, own, vectors, pool, start, steps, lr, negatives, seeds, chunk=1024):
        """Author vectors fitted to their papers, the rest frozen: `own[j]` the rows of
        `vectors` (their papers, projected) of author j; `pool` the (projected) papers to
        sample non-papers from; `start` the first vector; Adam, `steps` steps of step size
        `lr`, each author's loss the mean over its papers and their sampled non-papers."""
        out = np.zeros((len(own), len(start)), dtype=np.float32)
        for lo in range(0, len(own), chunk):
            part = own[lo:lo + chunk]
            count = np.array([len(o) for o in part])
            pos = np.concatenate([np.asarray(o, dtype=np.int64) for o in part])
            pos_owner = np.repeat(np.arange(len(part)), count)
            neg_owner = np.repeat(np.arange(len(part)), count * negatives)
            # each author's non-papers from its own generator: independent of the others
            neg = np.concatenate([np.random.default_rng(seeds[lo + j]).integers(
                0, len(pool), size=(steps, count[j] * negatives)) for j in range(len(part))],
                axis=1) if steps else None
            owner = np.concatenate([pos_owner, neg_owner])
            weight = 1.0 / (count * (1 + negatives))[owner]
            labels = np.concatenate([np.ones(len(pos), np.int64),
                                     np.zeros(len(neg_owner), np.int64)])
            x = np.tile(np.asarray(start, dtype=np.float64), (len(part), 1))
            m, v = np.zeros_like(x), np.zeros_like(x)
            for t in range(1, steps + 1):
                rows = np.concatenate([vectors[pos], pool[neg[t - 1]]])
                _, da, _ = self.loss_grad(x[owner], rows, labels)
                g = np.zeros_like(x)
                np.add.at(g, owner, da * weight[:, None])
                m = 0.9 * m + 0.1 * g
                v = 0.999 * v + 0.001 * g * g
                x -= lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
            out[lo:lo + len(part)] = x
        return out
