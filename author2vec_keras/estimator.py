"""scikit-learn style estimators around the Keras models.

- `Author2Vec`: the link-only models (`model='paper'`, the paper's Link-Info model, or
  `'blog'`), trained on edges vs sampled non-edges; checkpoints and resume.
- `ContentLinkAuthor2Vec`: the full Author2Vec of the paper, Content-Info + Link-Info over one
  shared author table (`models.author2vec_models`), alternating (the authors' a2v.lua) or joint.

Both share `PairEmbedding`: the parameters they have in common and their defaults (the one
source of defaults: the command line reads them from `get_params()`), the parameter checks,
the optimizer resolution, the epoch loop with its NaN guard, and the outputs (embeddings, edge
probabilities, word2vec files). Importing this module is cheap: Theano and Keras are
configured and loaded (`backend`) when a model is first built or scored.
"""
import sys
import time

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .checkpoints import (Checkpoints, TrainingInterrupted, digest, fingerprint,
                          interrupt_between_steps)
from .fileio import save_word2vec
from .checks import AUTHOR_TABLES, CONTEXTS, finite_loss, positive_int
from .graph import GraphError
from .memory import available_memory, check_table_fits
from .negatives import SAMPLING, check_negatives
from .presets import (A2V_LUA, A2V_LUA_AS_RUN, PAPER, PRESET_ESTIMATORS, PRESETS, WALKS,
                      presets_of)
from .readers import as_graph

__all__ = ['Author2Vec', 'ContentLinkAuthor2Vec', 'PairEmbedding', 'MODELS', 'PAIRS', 'CONTEXTS',
           'AUTHOR_TABLES', 'SCHEDULES', 'BATCHING', 'PRESETS', 'PRESET_ESTIMATORS',
           'presets_of', 'A2V_LUA', 'A2V_LUA_AS_RUN', 'WALKS', 'PAPER', 'MAX_SEED',
           'check_table_fits', 'available_memory']

SCHEDULES = ('alternating', 'joint', 'link', 'content')
#: the training pairs of the link-only models: the graph's edges (the paper) or walk contexts
PAIRS = ('edges', 'walks')
#: the largest seed: numpy's global `np.random.seed` (Keras' initialisers) takes 0 .. 2**32 - 1
MAX_SEED = 2 ** 32 - 1
#: the link-only models (`models.BUILDERS`): the paper's Link-Info model and the blog's stack
MODELS = ('paper', 'blog')


def weights_digest(graph):
    """The digest of a graph's edge weights where they draw the pairs (not all equal), else
    None: a checkpoint made with other weights is refused, an unweighted one still read."""
    w = graph.weights
    return digest(w) if len(w) and np.ptp(w) > 0 else None


class PairEmbedding(BaseEstimator):
    """Base of the estimators: common parameters, checks, optimizer, epoch loop, outputs.

    # Arguments
        dim: size of a node vector.
        hidden_dim: size of the pair representation `h`.
        negatives: sampled non-edges per edge.
        epochs: passes over the training pairs.
        batch_size: pairs per gradient step (positives and their negatives).
        optimizer: a Keras optimizer name ('adam', 'sgd', 'adagrad', ...), instance, or a
            callable returning one.
        lr: learning rate; None keeps the optimizer's default.
        dense_updates: True for Keras' stock optimizer, which updates the whole embedding table
            every batch; False (default) updates only the rows a batch touches
            (`optimizers.RowSGD`, `RowAdagrad`, `RowAdam`), so a step costs the same at 1k or
            1M nodes.
        sampling: 'uniform' or 'degree' (degree^0.75, as word2vec) for the negatives; None:
            the training pairs' default (`Author2Vec`: uniform for edges, as the paper; degree
            for walk pairs, as word2vec and DeepWalk).
        random_state: seed of initialisation, sampling and dropout.
        verbose: 0 silent, 1 a progress bar per epoch (tqdm, on stderr).
    """
    _pair_model = 'model_'  # the trained model that scores node pairs

    @classmethod
    def from_preset(cls, name, **params):
        """An estimator with the named configuration of `PRESETS`, `params` overriding it.

        # Example

        ```python
            Author2Vec.from_preset('walks', random_state=1)   # the tables' best setting
            ContentLinkAuthor2Vec.from_preset('a2v-lua', epochs=30)  # the authors' settings
        ```

        # Raises
            ValueError for an unknown name, or a preset of the other estimator.
        """
        if name not in PRESETS:
            raise ValueError('unknown preset %r; known: %s' % (name, ', '.join(sorted(PRESETS))))
        if PRESET_ESTIMATORS[name] != cls.__name__:
            raise ValueError('preset %r configures %s, not %s; presets of %s: %s'
                             % (name, PRESET_ESTIMATORS[name], cls.__name__, cls.__name__,
                                ', '.join(sorted(presets_of(cls.__name__)))))
        return cls(**dict(PRESETS[name], **params))

    def _keep_params(self, arguments):
        """Keep `__init__`'s `arguments` (its `locals()`) as they are, one attribute per
        parameter (scikit-learn's rule: the constructor only stores its parameters)."""
        for name in self._get_param_names():
            setattr(self, name, arguments[name])

    def _check_params(self):
        for name in ('dim', 'hidden_dim', 'negatives', 'epochs', 'batch_size'):
            positive_int(name, getattr(self, name))
        if self.sampling is not None and self.sampling not in SAMPLING:
            raise ValueError("sampling must be 'uniform' or 'degree', got %r" % (self.sampling,))
        if self.lr is not None and not self.lr > 0:
            raise ValueError('lr must be positive, got %r' % (self.lr,))
        seed = self.random_state
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or \
                not 0 <= seed <= MAX_SEED:
            raise ValueError('random_state must be an integer from 0 to %d, got %r'
                             % (MAX_SEED, seed))

    def check_fit(self, graph, extra_rows=0):
        """Everything that can be checked before a model is built: the parameters, that the
        graph has edges and a possible negative for each, and that training fits in memory
        (`memory.check_table_fits`). Raises ValueError, `GraphError` or `MemoryError`.

        # Arguments
            graph: the `Graph` to be fitted.
            extra_rows: rows of further tables sharing the model (the content model's papers).
        """
        self._check_params()
        if graph.num_edges == 0:
            raise GraphError('the graph has no edges')
        check_negatives(graph, self._sampling())
        self._check_memory(graph, self._tables() * graph.num_nodes + extra_rows)

    def _check_memory(self, graph, rows, advice=None):
        """`memory.check_table_fits` for a table of `rows` rows trained on `graph`."""
        return check_table_fits(rows, self.dim, optimizer=self.optimizer,
                                dense_updates=self.dense_updates, hidden_dim=self.hidden_dim,
                                batch_size=self.batch_size, num_edges=graph.num_edges,
                                negatives=self.negatives, walks=self._walk_sizes(),
                                advice=advice)

    def _walk_sizes(self):
        """The walk-pair parameters that size allocations (`memory.estimate_training_memory`'s
        `walks`), or None when the pairs are edges."""
        return None

    def _tables(self):
        """How many node tables the model holds."""
        return 1

    def _make_optimizer(self):
        """A fresh optimizer (one per compiled model)."""
        from .optimizers import resolve
        return resolve(self.optimizer, lr=self._learning_rate(), dense=self.dense_updates)

    def _learning_rate(self):
        """`lr`, or None for the optimizer's default."""
        return self.lr

    def _sampling(self):
        """The negative distribution used: `sampling`, or the default of the training pairs."""
        return 'uniform' if self.sampling is None else self.sampling

    def _fit_epoch(self, model, batches, epoch, first=0):
        """One pass of `model.train_on_batch` (as `models.train_step`) over `batches` from `first`.

        Returns the mean loss (an array: total then per output for multi-output models).
        Raises `FloatingPointError` naming the epoch and batch when the loss is not finite.
        """
        from tqdm import tqdm
        from .models import train_step
        train = train_step(model)
        steps = len(batches)
        bar = tqdm(total=steps, initial=first, unit='batch', file=sys.stderr,
                   desc='epoch %d/%d' % (epoch + 1, self.epochs), disable=not self.verbose)
        total, count = 0.0, 0
        step = first
        try:
            with interrupt_between_steps() as check_interrupt:
                for step in range(first, steps + 1):
                    check_interrupt()  # also after the last batch: a press is never lost
                    if step == steps:
                        break
                    x, y = batches[step]
                    out = np.atleast_1d(train(x, y)).astype(np.float64)
                    finite_loss(out[0], 'epoch %d, batch %d' % (epoch + 1, step + 1))
                    rows = len(y[0] if isinstance(y, list) else y)
                    total = total + out * rows
                    count += rows
                    bar.set_postfix(loss='%.4f' % out[0], refresh=False)
                    bar.update(1)
        except KeyboardInterrupt:
            saved = self._interrupted(epoch, step)
            if saved is None:
                raise
            raise saved from None
        finally:
            bar.close()
        return total / max(count, 1)

    def _interrupted(self, epoch, step):
        """Called on Ctrl-C in the middle of epoch `epoch`, before batch `step` is trained:
        the `TrainingInterrupted` to raise once the position is saved, or None (no saving)."""

    def _read_checkpoint(self, resume, into=None):
        """The last checkpoint (`Checkpoints.read`) when `resume`, else None; says when
        `resume` finds none (verbose), as it then starts from scratch."""
        found = self._checkpoints.read(into) if resume else None
        if resume and found is None and self.verbose:
            print('no checkpoint in %s yet: training from scratch' % self.checkpoint_dir)
        return found

    # -- outputs -------------------------------------------------------------------------------
    def get_embedding(self):
        """The node embeddings, `(num_nodes, dim)`, rows in `graph_.nodes` order."""
        check_is_fitted(self, 'embeddings_')
        return self.embeddings_

    def edge_probability(self, index_pairs):
        """Edge probability for `(k, 2)` pairs of node *indices* (rows of `embeddings_`).

        With a separate context table on an undirected graph, the mean of both orders.
        """
        from .models import edge_probability
        check_is_fitted(self, 'embeddings_')
        return edge_probability(getattr(self, self._pair_model), index_pairs,
                                batch_size=self.batch_size, symmetric=not self.graph_.directed)

    def predict_proba(self, pairs):
        """Edge probability for pairs of node *ids* (as in the fitted graph), a `(k,)` array."""
        check_is_fitted(self, 'embeddings_')
        pairs = list(pairs)
        if not pairs:
            return np.zeros(0)
        sources, targets = zip(*pairs)
        index_pairs = np.stack([self.graph_.indices(list(sources)),
                                self.graph_.indices(list(targets))], axis=1)
        return self.edge_probability(index_pairs)

    def save_embeddings(self, path):
        """Write the embeddings in word2vec text format (gensim reads it)."""
        check_is_fitted(self, 'embeddings_')
        save_word2vec(path, self.graph_.nodes, self.embeddings_)
        return path


class Author2Vec(PairEmbedding):
    """Node embeddings from the Author2Vec link model, trained on edges vs sampled non-edges.

    # Arguments
        model: 'paper' (the paper's softmax Link-Info model) or 'blog' (the blog's stack).
        pairs: the positive pairs: 'edges' (the paper: first-order proximity, one epoch = every
            edge once) or 'walks': node pairs that co-occur within `window` steps on random
            walks (DeepWalk's skip-gram contexts, node2vec's with `p`, `q`), drawn per batch
            (`sampling.WalkPairSequence`).
        window: walks: the largest distance along a walk between the two nodes of a pair.
        walks_per_node, walk_length: walks: walks started at every node per pass, and their
            length (DeepWalk's 10 x 80 by default, so both can be given the same walks).
        p, q: walks: node2vec's return and in-out parameters (1, 1: DeepWalk's walks).
        positives_per_epoch: walks: positive pairs per epoch; None: 2 per walk, i.e.
            `2 * walks_per_node` per node with an edge (measured: about twice DeepWalk's fit
            time on every bundled graph; more pairs did not score better).
        context: 'shared' (both nodes of a pair from one table: the blog's layer) or 'separate'
            (the second node from a context table of the same size: LINE's second order, the
            authors' a2v.lua). With 'separate', `embeddings_` is the mean of the node and
            context tables (measured on Cora and Wiki after walk training: 2-2.5 Micro-F1
            points above the node table alone) and `node_embeddings_`, `context_embeddings_`
            hold the two tables.
        lr: as `PairEmbedding`; None with walk pairs and Adam: 0.003 (measured: +1.2
            Micro-F1 on Cora over Adam's 0.001).
        checkpoint_dir: if set, the model, its optimizer state and the position in training
            are saved there (atomically) after every epoch and on Ctrl-C (which then raises
            `checkpoints.TrainingInterrupted`, a KeyboardInterrupt saying where it saved);
            `fit(graph, resume=True)` continues from the last one.
        The others: see `PairEmbedding`.

    # Attributes
        graph_: the `Graph` fitted on (node ids <-> rows).
        model_: the trained Keras model.
        embeddings_: `(num_nodes, dim)` array, row i for `graph_.nodes[i]`.
        history_: mean training loss per epoch.
        timings_: wall seconds of this `fit`: 'build' (checks, pair sampler, model built and
            compiled by Theano), 'epochs' (one per epoch trained), 'total'; and process CPU
            seconds, 'epochs_cpu' and 'cpu' (much less CPU than wall time: the process waited,
            e.g. for the machine, memory or Theano's compile lock).

    # Example

    ```python
        import networkx as nx
        est = Author2Vec(dim=16, epochs=5).fit(nx.karate_club_graph())
        est.predict_proba([(0, 1), (0, 33)])
        best = Author2Vec.from_preset('walks')  # walk pairs + context table (`WALKS`)
    ```
    """

    def __init__(self, dim=128, hidden_dim=32, negatives=5, epochs=10, batch_size=512,
                 model='paper', pairs='edges', window=10, walks_per_node=10, walk_length=80,
                 p=1.0, q=1.0, positives_per_epoch=None, context='shared', optimizer='adam',
                 lr=None, dense_updates=False, sampling=None, random_state=0, verbose=1,
                 checkpoint_dir=None):
        self._keep_params(locals())

    def _check_params(self):
        if self.model not in MODELS:
            raise ValueError('model must be one of %s, got %r' % (sorted(MODELS), self.model))
        if self.pairs not in PAIRS:
            raise ValueError("pairs must be 'edges' or 'walks', got %r" % (self.pairs,))
        if self.context not in CONTEXTS:
            raise ValueError("context must be 'shared' or 'separate', got %r" % (self.context,))
        super(Author2Vec, self)._check_params()
        for name, value in (self._walk_sizes() or {}).items():  # before the memory guard
            if value is not None:
                positive_int(name, value, minimum=2 if name == 'walk_length' else 1)

    def _walk_sizes(self):
        if self.pairs != 'walks':
            return None
        return {name: getattr(self, name) for name in ('window', 'walks_per_node',
                                                       'walk_length', 'positives_per_epoch')}

    def _tables(self):
        return 2 if self.context == 'separate' else 1

    def _learning_rate(self):
        walks_adam = self.pairs == 'walks' and str(self.optimizer).lower() == 'adam'
        return 0.003 if self.lr is None and walks_adam else self.lr

    def _sampling(self):
        if self.sampling is None:
            return 'degree' if self.pairs == 'walks' else 'uniform'
        return self.sampling

    def _pair_sequence(self):
        """The training batches (a pure function of seed, epoch and batch)."""
        from .sampling import PairSequence, WalkPairSequence
        common = dict(negatives=self.negatives, batch_size=self.batch_size,
                      sampling=self._sampling(), seed=self.random_state)
        if self.pairs == 'edges':
            return PairSequence(self.graph_, **common)
        return WalkPairSequence(self.graph_, window=self.window,
                                walks_per_node=self.walks_per_node, walk_length=self.walk_length,
                                p=self.p, q=self.q, positives_per_epoch=self.positives_per_epoch,
                                **common)

    def fit(self, graph, y=None, resume=False):
        """Train on a `Graph`, a networkx graph, or an edge list path. Returns `self`.

        # Arguments
            graph: the graph to embed.
            y: ignored (scikit-learn convention).
            resume: continue from the checkpoint in `checkpoint_dir` (same graph and
                parameters), or start afresh when there is none.
        """
        from . import models
        started, cpu = time.time(), time.process_time()
        self.graph_ = as_graph(graph)
        self.check_fit(self.graph_)
        pairs = self._pair_sequence()  # checks the walk parameters before anything is built
        optimizer = self._make_optimizer()
        if resume and not self.checkpoint_dir:
            raise ValueError('resume=True needs checkpoint_dir')
        params = {k: v for k, v in self.get_params().items()
                  if k not in ('verbose', 'checkpoint_dir', 'epochs')}
        data = weights_digest(self.graph_)
        self._checkpoints = Checkpoints(
            self.checkpoint_dir, fingerprint(params, self.graph_, data=data)) \
            if self.checkpoint_dir else None
        start, self.history_ = (0, 0), []
        found = self._read_checkpoint(resume)
        if found is not None:
            self.model_, meta = found
            start, self.history_ = (meta['epoch'], meta['batch']), meta['history']
            if self.verbose:
                print('resuming from %s: epoch %d, batch %d'
                      % (self.checkpoint_dir, start[0] + 1, start[1]))
        else:
            np.random.seed(self.random_state)  # keras 2.0.9 seeds initialisers and dropout
            self.model_ = models.BUILDERS[self.model](
                self.graph_.num_nodes, self.dim, self.hidden_dim, optimizer=optimizer,
                context=self.context)
        self.timings_ = {'build': time.time() - started, 'epochs': [],
                         'epochs_cpu': []}  # where a slow fit spent its time (issue 23)
        for epoch in range(start[0], self.epochs):
            if self.verbose:
                print('Epoch %d/%d' % (epoch + 1, self.epochs))
            t0, c0 = time.time(), time.process_time()
            pairs.set_epoch(epoch)
            first = start[1] if epoch == start[0] else 0
            self.history_.append(float(self._fit_epoch(self.model_, pairs, epoch, first)[0]))
            if self._checkpoints is not None:
                self._checkpoints.write(self.model_, epoch + 1, 0, self.history_)
            self.timings_['epochs'].append(time.time() - t0)
            self.timings_['epochs_cpu'].append(time.process_time() - c0)
        self.node_embeddings_ = models.node_embeddings(self.model_)
        self.context_embeddings_ = models.context_embeddings(self.model_)
        self.embeddings_ = self.node_embeddings_ if self.context_embeddings_ is None else \
            models.node_embeddings(self.model_, average_context=True)
        self.timings_.update(total=time.time() - started, cpu=time.process_time() - cpu)
        return self

    def _interrupted(self, epoch, step):
        if self._checkpoints is not None:
            self._checkpoints.write(self.model_, epoch, step, self.history_)
            return TrainingInterrupted(self.checkpoint_dir, epoch + 1, step)


BATCHING = ('pairs', 'grouped')


class ContentLinkAuthor2Vec(PairEmbedding):
    """The full Author2Vec: Content-Info + Link-Info over one shared author table.

    Ganesh J, Gupta, Varma and Varma, "Author2Vec: Learning Author Representations by Combining
    Content and Link Information", WWW 2016 companion; the authors' code:
    ganeshjawahar/author2vec (a2v.lua: `PRESETS['a2v-lua']`, `from_preset('a2v-lua')`).

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

    def _check_params(self):
        if self.schedule not in SCHEDULES:
            raise ValueError('schedule must be one of %s, got %r' % (SCHEDULES, self.schedule))
        if self.batching not in BATCHING:
            raise ValueError("batching must be 'pairs' or 'grouped', got %r" % (self.batching,))
        if self.batching == 'grouped' and self.schedule == 'joint':
            raise ValueError("batching='grouped' steps one model at a time: use schedule "
                             "'alternating', 'link' or 'content', not 'joint'")
        if self.author_tables not in AUTHOR_TABLES:
            raise ValueError("author_tables must be 'shared' or 'per-model', got %r"
                             % (self.author_tables,))
        if self.author_tables == 'per-model' and self.schedule != 'alternating':
            raise ValueError("author_tables='per-model' gives each of the alternating models "
                             "its own author table: use schedule 'alternating', not %r"
                             % (self.schedule,))
        super(ContentLinkAuthor2Vec, self)._check_params()

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
        from .text import doc2vec_vectors
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
        from . import models
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
        from . import models
        from .sampling import AuthorshipSequence, PairSequence
        self._check_params()
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
        start, self.history_, partial = (0, 0), [], {}
        found = self._read_checkpoint(resume, into=self._compiled)
        if found is not None:
            meta = found[1]
            start, self.history_ = (meta['epoch'], meta['batch']), meta['history']
            partial = (meta.get('state') or {}).get('partial') or {}
            if self.verbose:
                print('resuming from %s: epoch %d, batch %d'
                      % (self.checkpoint_dir, start[0] + 1, start[1]))
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
                    loss = self._fit_epoch(model, batches[name], epoch, max(0, first - offset))
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
                self._checkpoints.write(self._compiled, epoch + 1, 0, self.history_)
        self.embeddings_ = models.node_embeddings(self._exported_model)
        self.paper_embeddings_ = self.content_model_.get_layer(
            models.PAPER_EMBEDDING).get_weights()[0] if self.uses_content else None
        return self

    def _interrupted(self, epoch, step):
        if self._checkpoints is not None:
            offset, rec = self._position
            self._checkpoints.write(self._compiled, epoch, offset + step, self.history_,
                                    state={'partial': rec})
            return TrainingInterrupted(self.checkpoint_dir, epoch + 1, offset + step)

    def authorship_probability(self, index_pairs):
        """P(author wrote paper) for `(k, 2)` (author index, paper index) pairs."""
        from .models import edge_probability
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
