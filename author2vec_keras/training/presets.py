"""Named configurations of the estimators, one registry (numpy only).

`PRESETS` maps a name to a `Preset`: the estimator whose it is and its parameters.
`A2V_LUA` (the authors' a2v.lua, line by line), `A2V_LUA_AS_RUN` and `CONTENT_LINK` (the
setting that learns) configure `ContentLinkAuthor2Vec`; `WALKS` and `PAPER` configure
`Author2Vec`. `preset_settings` resolves a name for an estimator (the one check, the one
message), read by `<Estimator>.from_preset` and `author2vec train --preset`; `presets_of` lists
an estimator's.
"""
import collections

from author2vec_keras.checks import ParameterError, one_of

__all__ = ['PRESETS', 'Preset', 'preset_settings', 'presets_of', 'A2V_LUA', 'A2V_LUA_AS_RUN',
           'CONTENT_LINK', 'WALKS', 'PAPER']

#: a named configuration: the estimator's class name ('Author2Vec', ...) and its parameters
Preset = collections.namedtuple('Preset', ['estimator', 'settings'])


#: The authors' configuration, line by line against their code: ganeshjawahar/author2vec,
#: a2v.lua (commit cdcfbad; an earlier commit, ebbed5c, differs only in max_epochs = 25).
A2V_LUA = {
    # hidden_size = 100: the author and paper LookupTables have 100 columns
    'dim': 100,
    # hid2 = 50: w_1, w_2 = nn.Linear(hidden_size, hid2), and the Linear(hid2, hid2) of h_x, h_+
    'hidden_dim': 50,
    # paper_context_model / author_model = LookupTable -> w_1 -> Tanh (w_1 shared by both sides;
    # model2: w_2 likewise): tanh(W e + b) on each side before h_x = u * v and h_+ = |u - v|
    'projection': True,
    # for each epoch: every paper through model1 (content), then every author through model2
    # (link), each model with its own parameters' optim state
    'schedule': 'alternating',
    # optim.sgd(feval, params, {learningRate = 0.1, alpha = decay}): plain SGD, lr 0.1; optim.sgd
    # reads no `alpha` (its decay is `learningRateDecay`), so the 0.001 decay is never applied
    'optimizer': 'sgd', 'lr': 0.1,
    # max_epochs = 100
    'epochs': 100,
    # one optim.sgd step per txn:get('paper_' .. j) and per txn:get('author_' .. j): a paper's
    # (author, paper) pairs, an author's (author, co-author) pairs, gradient divided by their
    # count (a mean); batch_size = 512 is set but the code that used it is commented out
    'batching': 'grouped',
    # nn.LookupTable's default initialisation: N(0, 1) (author table; paper rows without a
    # doc2vec vector)
    'embedding_init': 'normal',
    # paper_context_lookup is one of model1's modules, so getParameters() trains it
    'train_papers': True,
    # not in a2v.lua: its pairs and labels come from an LMDB ('fullDB') whose builder is not
    # public; 5 is word2vec's and this package's default
    'negatives': 5,
    # the negatives are uniform (the LMDB's are unknown)
    'sampling': 'uniform',
}

#: a2v.lua as it ran, point 1 fixed the obvious way (line 94 clones the whole `author_model`,
#: LookupTable -> w_1 -> Tanh, 50 outputs, under `w_2`, Linear(100, 50): a size mismatch; the
#: name, `author_model2_lookup`, says the LookupTable was meant). Then the table the two models
#: share through `clone('weight', ...)` is split: `model1:cuda()` and `model2:cuda()` (lines
#: 137-138) convert each model with its own tensor cache (`nn.utils.recursiveType`), and
#: `getParameters()` on each model (lines 143-144) re-points only that model's tensors into its
#: own flat storage (`Module.flatten`). Each model trains its own copy from the same initial
#: values; `save` (line 210) writes `author_lookup.weight`, model1's (content) table.
A2V_LUA_AS_RUN = dict(A2V_LUA, author_tables='per-model')

#: The best documented content + link setting (results/author2vec_vs_paper.md, "adam 0.01, batch
#: 4096, 4 ep": AAN leak-free hold-out Hadamard AUC 0.869, temporal 0.689, 5 seeds; the a2v.lua
#: presets stay at chance): alternating, d=100, n_h=50 as a2v.lua, batched Adam, no projection.
CONTENT_LINK = {'schedule': 'alternating', 'dim': 100, 'hidden_dim': 50, 'projection': False,
                'optimizer': 'adam', 'lr': 0.01, 'batch_size': 4096, 'epochs': 4,
                'negatives': 5, 'doc2vec_epochs': 20}

#: The setting to reach for first (issue 23): the paper model on walk-context pairs of DeepWalk's
#: walks with a separate context table, as `author2vec-walks-separate` in the benchmark tables,
#: the best Author2Vec row of every one of them (results/README.md, "Beyond one hop"). The
#: learning rate (0.003 with Adam) and the negatives (degree**0.75) are the walk pairs' defaults.
WALKS = {'pairs': 'walks', 'context': 'separate', 'window': 10, 'walks_per_node': 10,
         'walk_length': 80, 'p': 1.0, 'q': 1.0, 'epochs': 10}
#: The paper's Link-Info model on the graph's edges: `Author2Vec`'s defaults, by name.
PAPER = {'model': 'paper', 'pairs': 'edges', 'context': 'shared'}

#: Named configurations (`from_preset`, `author2vec train --preset`), each of one estimator.
PRESETS = {'a2v-lua': Preset('ContentLinkAuthor2Vec', A2V_LUA),
           'a2v-lua-as-run': Preset('ContentLinkAuthor2Vec', A2V_LUA_AS_RUN),
           'content-link': Preset('ContentLinkAuthor2Vec', CONTENT_LINK),
           'walks': Preset('Author2Vec', WALKS),
           'paper': Preset('Author2Vec', PAPER)}


def presets_of(estimator):
    """The names of the presets of an estimator class name ('Author2Vec', ...), sorted."""
    return sorted(name for name, preset in PRESETS.items() if preset.estimator == estimator)


def preset_settings(name, estimator):
    """A copy of the parameters of preset `name` for `estimator` (a class name).

    # Raises
        `checks.ParameterError` (a ValueError) naming `preset` for an unknown name, or a
        preset of another estimator.
    """
    one_of('preset', name, sorted(PRESETS))
    preset = PRESETS[name]
    if preset.estimator != estimator:
        raise ParameterError('preset %r configures %s, not %s; presets of %s: %s'
                             % (name, preset.estimator, estimator, estimator,
                                ', '.join(presets_of(estimator)) or 'none'), ['preset'])
    return dict(preset.settings)
