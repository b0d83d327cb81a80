"""`ContentLinkAuthor2Vec`: the full Author2Vec of the paper, Content-Info + Link-Info over one
shared author table (`models.author2vec_models`), alternating (the authors' a2v.lua) or joint.
"""
import time

import numpy as np
from sklearn.utils.validation import check_is_fitted

from author2vec_keras.checks import AUTHOR_TABLES, EMBEDDING_INITS, ParameterError, one_of
from author2vec_keras.data.readers import as_graph
from author2vec_keras.training.checkpoints import (
    Checkpoints,
    TrainingInterrupted,
    digest,
    fingerprint,
    interrupt_between_steps,
)
from author2vec_keras.training.pair_embedding import PairEmbedding, weights_digest

__all__ = ['ContentLinkAuthor2Vec', 'SCHEDULES', 'BATCHING']

SCHEDULES = ('alternating', 'joint', 'link', 'content')
BATCHING = ('pairs', 'grouped')


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
        embedding_init: initial author vectors: 'uniform' (Keras, U(-0.05, 0.05)) or 'normal'
            (Torch's `nn.LookupTable`, N(0, 1): a2v.lua).
        author_tables: 'shared' (one author table in both models: the paper, and a2v.lua as
            written) or 'per-model' (each model its own copy from the same initial values,
            `embeddings_` the content model's: a2v.lua as it ran, `A2V_LUA_AS_RUN`; with
            schedule 'alternating').
        checkpoint_dir: if set, every compiled model with its optimizer state and the position
            in training are saved there (atomically) after every epoch and on Ctrl-C (then
            `checkpoints.TrainingInterrupted` is raised); `fit(..., resume=True)` continues
            from the last one.
        The others: see `PairEmbedding` (`negatives` also counts the sampled papers per
        authorship; an epoch is every edge and every authorship once, or with 'grouped'
        batching every author's edges and every paper's authorships once).

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
        a2v = ContentLinkAuthor2Vec.from_preset('a2v-lua', epochs=30)  # the authors' settings
    ```
    """

    _pair_model = 'link_model_'  # edge_probability/predict_proba: the co-authorship head

    def __init__(self, dim=128, hidden_dim=32, negatives=5, epochs=10, batch_size=512,
                 schedule='alternating', projection=False, content_weight=1.0,
                 doc2vec_epochs=20, train_papers=True, optimizer='adam', lr=None,
                 dense_updates=False, sampling=None, batching='pairs',
                 embedding_init='uniform', author_tables='shared', random_state=0, verbose=1,
                 checkpoint_dir=None):
        self._keep_params(locals())

    def check_params(self):
        one_of('schedule', self.schedule, SCHEDULES)
        one_of('batching', self.batching, BATCHING)
        one_of('embedding_init', self.embedding_init, EMBEDDING_INITS)
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
        from author2vec_keras.data.text import doc2vec_vectors
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
            on_epoch=None):
        """Train on the co-authorship `graph` and the `authorship` pairs. Returns `self`.

        # Arguments
            graph: `Graph`, networkx graph or edge list path; its nodes are the authors.
            authorship: iterable of (author id, paper id); pairs whose author is not a node of
                `graph` are dropped (counted in `dropped_authorship_`).
            paper_texts: dict paper id -> text, for the Doc2Vec initial paper vectors.
            paper_vectors: dict paper id -> (dim,) vector, instead of `paper_texts`.
            resume: continue from the checkpoint in `checkpoint_dir` (same graph, papers and
                parameters), or start afresh when there is none.
            on_epoch: optional `f(estimator, epoch)`, called after every epoch (1-based) with
                `embeddings_` and the pair scores of that epoch, before its checkpoint is
                written (e.g. to score the embeddings as training goes).
        """
        from author2vec_keras.nn import models
        from author2vec_keras.nn.sequences import AuthorshipSequence, PairSequence
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
        self.link_model_, self.content_model_, self.joint_model_ = models.author2vec_models(
            self.graph_.num_nodes, max(1, len(self.papers_)), self.dim, self.hidden_dim,
            self.projection, self.paper_init_, self.train_papers, self.embedding_init,
            self.author_tables)
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
                  if k not in ('verbose', 'checkpoint_dir', 'epochs')}
        weights = weights_digest(self.graph_)
        data = digest(self.authorship_, self.papers_, self.paper_init_
                      if self.paper_init_ is not None else 'no paper vectors',
                      *([weights] if weights else []))
        self._checkpoints = Checkpoints(
            self.checkpoint_dir, fingerprint(params, self.graph_, data=data)) \
            if self.checkpoint_dir else None
        start, self.history_, partial, sums = (0, 0), [], {}, None
        found = self._read_checkpoint(resume, into=self._compiled)
        self._started = started
        if found is not None:
            meta = found[1]
            start, self.history_ = (meta['epoch'], meta['batch']), meta['history']
            partial = (meta.get('state') or {}).get('partial') or {}
            sums = (meta.get('state') or {}).get('sums')  # of the phase it stopped in
            if self.verbose:
                print('resuming from %s: epoch %d, batch %d'
                      % (self.checkpoint_dir, start[0] + 1, start[1]))
        with interrupt_between_steps():  # a Ctrl-C between epochs waits for the next step
            for epoch in range(start[0], self.epochs):
                t0 = time.time()
                for seq in (link, content):
                    if seq is not None:
                        seq.set_epoch(epoch)
                first = start[1] if epoch == start[0] else 0
                rec = dict(partial) if epoch == start[0] else {}
                offset = 0  # a position counts the batches of the epoch's phases in order
                for name, model in self._compiled.items():
                    steps = len(batches[name])
                    if first < offset + steps:
                        self._position = (offset, rec)
                        inside = epoch == start[0] and offset < first
                        loss = self._fit_epoch(model, batches[name], epoch, max(0, first - offset),
                                               sums if inside else None)
                        if name == 'joint':
                            rec.update(link=float(loss[1]), content=float(loss[2]))
                        else:
                            rec[name] = float(loss[0])
                    offset += steps
                self.history_.append(rec)
                self.embeddings_ = models.node_embeddings(self._exported_model)
                if self.verbose:
                    print('epoch %d/%d %s (%.1f s)' % (epoch + 1, self.epochs, ' '.join(
                        '%s_loss=%.4f' % kv for kv in sorted(rec.items())), time.time() - t0))
                if on_epoch is not None:
                    on_epoch(self, epoch + 1)
                if self._checkpoints is not None:
                    self._checkpoints.write(self._compiled, epoch + 1, 0, self.history_,
                                            state=self._state(started))
        self.embeddings_ = models.node_embeddings(self._exported_model)
        self.paper_embeddings_ = self.content_model_.get_layer(
            models.PAPER_EMBEDDING).get_weights()[0] if self.uses_content else None
        return self

    def _interrupted(self, epoch, step):
        if self._checkpoints is not None:
            offset, rec = self._position
            self._checkpoints.write(self._compiled, epoch, offset + step, self.history_,
                                    state=self._state(self._started, partial=rec,
                                                      sums=self._epoch_sums))
            return TrainingInterrupted(self.checkpoint_dir, epoch + 1, offset + step)

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

    def __getitem__(self, step):
        xl, yl = self.link[step % len(self.link)]
        xc, yc = self.content[step % len(self.content)]
        b = min(len(xl), len(xc))
        return [xl[:b], xc[:b]], [yl[:b], yc[:b]]
