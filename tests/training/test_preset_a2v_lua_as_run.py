"""The two readings of the authors' code: `a2v-lua` (one author table for both models, as the
paper and the code intend) and `a2v-lua-as-run` (what a2v.lua computes once its line 94 is
fixed: each model its own copy of the author table, the exported vectors the content model's).

Both presets are trained for two epochs on the small three-topic corpus of test_author2vec.py
(d=8, n_h=4, so Theano's compiles stay short); every test reads those fits.
"""
import json

import numpy as np
import pytest
from test_content_link import _corpus, _Interrupted

from author2vec_keras.nn import models
from author2vec_keras.nn.sequences import AuthorshipSequence, PairSequence
from author2vec_keras.training.content_link import ContentLinkAuthor2Vec
from author2vec_keras.training.presets import A2V_LUA, A2V_LUA_AS_RUN, PRESETS

SMALL = dict(dim=8, hidden_dim=4, epochs=2, doc2vec_epochs=5, random_state=0, verbose=0)


@pytest.fixture(scope='module')
def corpus():
    return _corpus()


def _fit(preset, corpus, cls=ContentLinkAuthor2Vec, **params):
    graph, authorship, texts = corpus
    est = cls(**dict(PRESETS[preset].settings, **dict(SMALL, **params)))
    return est.fit(graph, authorship=authorship, paper_texts=texts,
                   resume=bool(params.get('checkpoint_dir')))


@pytest.fixture(scope='module')
def fits(corpus):
    return {name: _fit(name, corpus) for name in ('a2v-lua', 'a2v-lua-as-run')}


def test_the_as_run_preset_is_a2v_lua_with_one_table_per_model():
    assert PRESETS['a2v-lua-as-run'].settings is A2V_LUA_AS_RUN
    assert A2V_LUA_AS_RUN == dict(A2V_LUA, author_tables='per-model')
    assert A2V_LUA.get('author_tables', 'shared') == 'shared'
    assert ContentLinkAuthor2Vec().author_tables == 'shared'  # the paper's model by default
    est = ContentLinkAuthor2Vec.from_preset('a2v-lua-as-run')
    assert (est.author_tables, est.schedule, est.lr, est.epochs) == ('per-model', 'alternating',
                                                                     0.1, 100)


def test_bad_author_tables_are_refused(corpus):
    graph, authorship, texts = corpus
    with pytest.raises(ValueError, match="^author_tables must be one of 'shared', 'per-model'; "
                                         "got 'two'$"):
        ContentLinkAuthor2Vec(author_tables='two').fit(graph, authorship, texts)
    with pytest.raises(ValueError, match="use schedule 'alternating', not 'link'"):
        ContentLinkAuthor2Vec(author_tables='per-model', schedule='link').fit(graph)


def test_as_run_trains_two_author_tables_from_the_same_start(fits, corpus):
    est = fits['a2v-lua-as-run']
    exported = est.content_model_.get_layer(models.EMBEDDING_LAYER)
    link = est.link_model_.get_layer(models.LINK_AUTHOR_EMBEDDING)
    assert link is not exported
    assert [l.name for l in est.link_model_.layers].count(models.EMBEDDING_LAYER) == 0
    np.testing.assert_array_equal(est.embeddings_, exported.get_weights()[0])
    # both moved in training, apart: two tables
    assert not np.allclose(link.get_weights()[0], exported.get_weights()[0])
    graph = corpus[0]
    np.random.seed(SMALL['random_state'])  # the fit's initial tables
    start_link, start_content, _ = models.author2vec_models(
        graph.num_nodes, len(est.papers_), 8, 4, True, est.paper_init_, True, 'normal',
        'per-model')
    first = start_content.get_layer(models.EMBEDDING_LAYER).get_weights()[0]
    np.testing.assert_array_equal(
        start_link.get_layer(models.LINK_AUTHOR_EMBEDDING).get_weights()[0], first)
    assert 0.7 < first.std() < 1.3  # N(0, 1), Torch's LookupTable
    # the shared reading starts from the same values (same seed, same draws)
    np.random.seed(SMALL['random_state'])
    shared, _, _ = models.author2vec_models(graph.num_nodes, len(est.papers_), 8, 4, True,
                                            est.paper_init_, True, 'normal')
    np.testing.assert_array_equal(models.node_embeddings(shared), first)


def _link_step(est):
    """One SGD step of the link model on a batch of its pairs; the exported table before and
    after, and the link model's own table before and after. The fit is left as it was."""
    link = est.link_model_.get_layer(models.LINK_AUTHOR_EMBEDDING
                                     if est.author_tables == 'per-model'
                                     else models.EMBEDDING_LAYER)
    x, y = PairSequence(est.graph_, negatives=2, batch_size=32, seed=5)[0]
    before = est._exported_model.get_layer(models.EMBEDDING_LAYER).get_weights()[0].copy()
    own_before = link.get_weights()[0].copy()
    weights = est.link_model_.get_weights()
    est.link_model_.train_on_batch(x, y)
    after = est._exported_model.get_layer(models.EMBEDDING_LAYER).get_weights()[0]
    own_after = link.get_weights()[0]
    est.link_model_.set_weights(weights)
    return before, after, own_before, own_after


def test_a_link_step_moves_the_exported_table_only_when_it_is_shared(fits):
    before, after, own_before, own_after = _link_step(fits['a2v-lua-as-run'])
    np.testing.assert_array_equal(after, before)  # model1's table: the link step never sees it
    assert not np.allclose(own_after, own_before)  # it trains its own copy
    before, after, own_before, own_after = _link_step(fits['a2v-lua'])
    assert not np.allclose(after, before)  # one table: the link step moves the exported vectors
    np.testing.assert_array_equal(after, own_after)


def test_as_run_exports_what_the_content_model_alone_learns(fits, corpus):
    """With the tables split nothing is shared between the two models, so the exported vectors
    are those of Content-Info alone (same seed: the link phase draws its own negatives)."""
    content = _fit('a2v-lua-as-run', corpus, schedule='content', author_tables='shared')
    np.testing.assert_allclose(fits['a2v-lua-as-run'].embeddings_, content.embeddings_,
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('preset', ['a2v-lua', 'a2v-lua-as-run'])
def test_ctrl_c_mid_epoch_resumes_to_the_uninterrupted_vectors(preset, fits, corpus, tmp_path):
    ckpt = str(tmp_path / 'ckpt')
    papers = len(np.unique(fits[preset].authorship_[:, 1]))
    assert len(AuthorshipSequence(fits[preset].authorship_, papers, 5, 512, grouped=True)) \
        == papers  # grouped: one step per paper
    _Interrupted.stop_at = (1, papers + 3)  # epoch 2, the fourth author's link step
    with pytest.raises(KeyboardInterrupt):
        _fit(preset, corpus, cls=_Interrupted, checkpoint_dir=ckpt)
    with open(tmp_path / 'ckpt' / 'checkpoint.json') as f:
        state = json.load(f)
    assert (state['epoch'], state['batch']) == (1, papers + 3)
    resumed = _fit(preset, corpus, checkpoint_dir=ckpt)
    np.testing.assert_allclose(resumed.embeddings_, fits[preset].embeddings_, rtol=1e-5,
                               atol=1e-6)
    if preset == 'a2v-lua-as-run':  # the link model's own table resumes too
        name = models.LINK_AUTHOR_EMBEDDING
        np.testing.assert_allclose(resumed.link_model_.get_layer(name).get_weights()[0],
                                   fits[preset].link_model_.get_layer(name).get_weights()[0],
                                   rtol=1e-5, atol=1e-6)


def test_the_command_line_takes_the_as_run_preset():
    from author2vec_keras import cli
    from author2vec_keras.data import datasets
    args = cli.build_parser().parse_args(['train', '--dataset', 'cane-cora', '--model',
                                          'author2vec', '--preset', 'a2v-lua-as-run',
                                          '--epochs', '2'])
    est, _ = cli._estimator(args, datasets.load('cane-cora'))
    params = est.get_params()
    assert params['author_tables'] == 'per-model' and params['epochs'] == 2
    assert {k: params[k] for k in A2V_LUA if k != 'epochs'} == \
        {k: v for k, v in A2V_LUA.items() if k != 'epochs'}
