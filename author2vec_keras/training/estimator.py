"""`Author2Vec`: the link-only models (`model='paper'`, the paper's Link-Info model, or `'blog'`),
a scikit-learn style estimator trained on edges or walk-context pairs vs sampled non-edges;
checkpoints, resume.

The full Author2Vec of the paper is `content_link.ContentLinkAuthor2Vec`; what both share
(parameters and their defaults, checks, optimizer, outputs) is
`pair_embedding.PairEmbedding`, their epoch loop `loop.EpochLoop`; named configurations are in
`presets`. Both estimators import from the package too (`from author2vec_keras import
Author2Vec, ContentLinkAuthor2Vec`). Importing this module is cheap: Theano and Keras are
configured and loaded (`backend`) when a model is first built or scored.
"""
import time

import numpy as np

from author2vec_keras.checks import CONTEXTS, ParameterError, one_of, positive_int
from author2vec_keras.data.readers import as_graph
from author2vec_keras.training.checkpoints import Checkpoints, fingerprint
from author2vec_keras.training.pair_embedding import PairEmbedding, weights_digest

__all__ = ['Author2Vec', 'PAIRS', 'MODELS', 'WALK_PARAMETERS', 'MIN_BATCHES']

#: the training pairs of the link-only models: the graph's edges (the paper) or walk contexts
PAIRS = ('edges', 'walks')
#: the link-only models (`models.BUILDERS`): the paper's Link-Info model and the blog's stack
MODELS = ('paper', 'blog')
#: the parameters of walk pairs only: with pairs='edges' they stay at their defaults
WALK_PARAMETERS = ('window', 'walks_per_node', 'walk_length', 'p', 'q', 'positives_per_epoch')
#: the fewest batches (gradient steps) of an epoch: an epoch of a small graph makes as many
#: passes over its pairs as this takes (karate's 70 training edges make one batch: 10 epochs
#: were 10 steps, AUC 0.39 / 0.38 / 0.44 for seeds 0-2; at 20 a epoch: 0.77 / 0.88 / 0.98).
#: Per epoch, not per fit, so that a fit resumed to more epochs is the uninterrupted one.
MIN_BATCHES = 20


class Author2Vec(PairEmbedding):
    """Node embeddings from the Author2Vec link model, trained on edges vs sampled non-edges.

    # Arguments
        model: 'paper' (the paper's softmax Link-Info model) or 'blog' (the blog's stack).
        pairs: the positive pairs: 'edges' (the paper: first-order proximity, one epoch = every
            edge once) or 'walks': node pairs that co-occur within `window` steps on random
            walks (DeepWalk's skip-gram contexts, node2vec's with `p`, `q`), drawn per batch
            (`sequences.WalkPairSequence`). The walk parameters below (`WALK_PARAMETERS`)
            are for walk pairs: with 'edges' they stay at their defaults (`check_params`).
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

    # Small graphs
        An epoch has at least `MIN_BATCHES` (20) batches: a pass over the pairs of fewer makes
        as many passes as that takes, each with its own order and negatives (`PairSequence`'s
        `min_batches`). On karate (70 training edges, one batch a pass) an epoch is then 20
        passes, where the defaults' 10 epochs of one step each stayed at chance; a graph of
        20 batches or more a pass (ca-GrQc's 154, Cora's 32 with half its edges held out)
        trains as before.

    # Attributes
        graph_: the `Graph` fitted on (node ids <-> rows).
        model_: the trained Keras model.
        embeddings_: `(num_nodes, dim)` array, row i for `graph_.nodes[i]`.
        history_: mean training loss per epoch.
        timings_: wall seconds of this `fit`: 'build' (checks, pair sampler, model built and
            compiled by Theano), 'epochs' (one per epoch trained, with its callbacks and
            checkpoint), 'total'; and process CPU
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
                 checkpoint_dir=None, workers=1):
        self._keep_params(locals())

    def check_params(self):
        one_of('model', self.model, MODELS)
        one_of('pairs', self.pairs, PAIRS)
        one_of('context', self.context, CONTEXTS)
        if self.pairs == 'edges':
            defaults = self._defaults()
            for name in WALK_PARAMETERS:
                if getattr(self, name) != defaults[name]:
                    raise ParameterError("%s needs pairs='walks'" % name, [name, 'pairs'])
        super(Author2Vec, self).check_params()
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
        from author2vec_keras.nn.sequences import PairSequence, WalkPairSequence
        common = dict(negatives=self.negatives, batch_size=self.batch_size,
                      sampling=self._sampling(), seed=self.random_state,
                      min_batches=MIN_BATCHES)
        if self.pairs == 'edges':
            return PairSequence(self.graph_, **common)
        return WalkPairSequence(self.graph_, window=self.window,
                                walks_per_node=self.walks_per_node, walk_length=self.walk_length,
                                p=self.p, q=self.q, positives_per_epoch=self.positives_per_epoch,
                                **common)

    def fit(self, graph, y=None, resume=False, callbacks=None):
        """Train on a `Graph`, a networkx graph, or an edge list path. Returns `self`.

        # Arguments
            graph: the graph to embed.
            y: ignored (scikit-learn convention).
            resume: continue from the checkpoint in `checkpoint_dir` (same graph and
                parameters), or start afresh when there is none.
            callbacks: Keras callbacks (`keras.callbacks.Callback`), called as `fit_generator`
                calls them (`loop.EpochLoop`): `self.model` is `model_`, `on_epoch_end` gets
                `{'loss': mean loss}`, and `model.stop_training` ends training after an epoch
                (`EarlyStopping(monitor='loss')`).
        """
        from author2vec_keras.nn import models
        from author2vec_keras.training.loop import Phase
        started, cpu = time.time(), time.process_time()
        self.graph_ = as_graph(graph)
        self.check_fit(self.graph_)
        pairs = self._pair_sequence()  # checks the walk parameters before anything is built
        optimizer = self._make_optimizer()
        if resume and not self.checkpoint_dir:
            raise ValueError('resume=True needs checkpoint_dir')
        params = {k: v for k, v in self.get_params().items()
                  if k not in ('verbose', 'checkpoint_dir', 'epochs', 'workers')}
        data = weights_digest(self.graph_)
        self._checkpoints = Checkpoints(
            self.checkpoint_dir, fingerprint(params, self.graph_, data=data)) \
            if self.checkpoint_dir else None
        start, self.history_, sums = (0, 0), [], None
        found = self._read_checkpoint(resume)
        if found is not None:
            self.model_, start, self.history_, state = found
            sums = state.get('sums') if start[1] else None
        else:
            np.random.seed(self.random_state)  # keras 2.0.9 seeds initialisers and dropout
            self.model_ = models.BUILDERS[self.model](
                self.graph_.num_nodes, self.dim, self.hidden_dim, optimizer=optimizer,
                context=self.context)
        self.timings_ = {'build': time.time() - started,  # where a slow fit spent its time
                         'before': self.seconds_before_}  # (issue 23); the runs it continues
        phase = Phase('model', self.model_, pairs, lambda loss: {'loss': float(loss[0])})
        loop = self._train([phase], self.history_, start, sums=sums, callbacks=callbacks,
                           model=self.model_, checkpointed=self.model_, started=started)
        self.timings_.update(loop.timings)
        self.node_embeddings_ = models.node_embeddings(self.model_)
        self.context_embeddings_ = models.context_embeddings(self.model_)
        self.embeddings_ = self.node_embeddings_ if self.context_embeddings_ is None else \
            models.node_embeddings(self.model_, average_context=True)
        self.timings_.update(total=time.time() - started, cpu=time.process_time() - cpu)
        return self
