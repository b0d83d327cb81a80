"""The authors' configuration (`presets.A2V_LUA`, a2v.lua) on a small AAN slice: EMNLP 2011.

One preset model is built and trained for one epoch (Theano compiles it once for the module);
every test reads that fit.
"""
import warnings

import numpy as np
import pytest

from author2vec_keras import cli
from author2vec_keras.data import datasets
from author2vec_keras.data.datasets.aan import aan_authorship, aan_coauthor_events
from author2vec_keras.data.graph import DataWarning, Graph
from author2vec_keras.training.content_link import ContentLinkAuthor2Vec
from author2vec_keras.training.presets import A2V_LUA, PRESETS


@pytest.fixture(scope='module')
def slice_():
    """EMNLP 2011 (D11-*): 149 papers; the co-authorship graph of their authors."""
    papers = {k: v for k, v in datasets.load('aan').extra['papers'].items()
              if k.startswith('D11')}
    src, dst, _ = aan_coauthor_events(papers)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DataWarning)  # pairs that co-author twice
        graph = Graph.from_edges(src, dst)
    pairs, texts, _ = aan_authorship(papers)
    return graph, pairs, texts


@pytest.fixture(scope='module')
def preset(slice_):
    graph, pairs, texts = slice_
    est = ContentLinkAuthor2Vec.from_preset('a2v-lua', epochs=1, doc2vec_epochs=2,
                                            random_state=3, verbose=0)
    return est.fit(graph, authorship=pairs, paper_texts=texts)


def test_the_preset_is_a2v_lua(preset):
    assert PRESETS['a2v-lua'].settings is A2V_LUA
    params = preset.get_params()
    for name, value in dict(dim=100, hidden_dim=50, projection=True, schedule='alternating',
                            optimizer='sgd', lr=0.1, batching='grouped',
                            embedding_init='normal', train_papers=True).items():
        assert params[name] == value, name
    assert A2V_LUA['epochs'] == 100 and params['epochs'] == 1  # overridden here
    with pytest.raises(ValueError, match="^preset must be one of .*; got 'a2v'$"):
        ContentLinkAuthor2Vec.from_preset('a2v')


def test_the_model_has_a2v_lua_layers(preset):
    # w_1 / w_2: Linear(hidden_size = 100, hid2 = 50) then Tanh, one per model, both sides
    for model, prefix in ((preset.content_model_, 'content'), (preset.link_model_, 'link')):
        projection = model.get_layer(prefix + '_projection')
        kernel, bias = projection.get_weights()
        assert kernel.shape == (100, 50) and bias.shape == (50,)
        assert projection.layer.activation.__name__ == 'tanh'
        # Linear(hid2, hid2) on u * v and on |u - v|, Tanh, Linear(hid2, 2), LogSoftMax
        shapes = [w.shape for w in model.get_layer(prefix + '_pair_features').get_weights()]
        assert sorted(shapes) == [(50,), (50, 50), (50, 50)]
        assert model.get_layer(prefix + '_softmax').get_weights()[0].shape == (50, 2)
    assert preset.link_model_.get_layer('link_projection') is not \
        preset.content_model_.get_layer('content_projection')
    # the author table is shared, N(0, 1) as Torch's LookupTable
    table = preset.link_model_.get_layer('node_embedding')
    assert table is preset.content_model_.get_layer('node_embedding')
    assert 0.9 < preset.embeddings_.std() < 1.1


def test_plain_sgd_lr_0_1_one_step_per_paper_and_per_author(preset, slice_):
    from author2vec_keras.nn.backend import K
    from author2vec_keras.nn.optimizers import RowSGD
    graph = slice_[0]
    content, link = preset.content_model_.optimizer, preset.link_model_.optimizer
    assert content is not link  # each model its own optimizer state
    for opt in (content, link):
        assert type(opt) is RowSGD  # plain SGD: no momentum term at all
        config = opt.get_config()
        assert abs(config['lr'] - 0.1) < 1e-6 and config['decay'] == 0
    # one epoch = one update per paper (content) and one per author with a co-author (link)
    assert int(K.get_value(content.iterations)) == len(np.unique(preset.authorship_[:, 1]))
    assert int(K.get_value(link.iterations)) == int((graph.degrees > 0).sum())


def test_the_preset_trains(preset, slice_):
    from author2vec_keras.nn import models
    graph = slice_[0]
    (rec,) = preset.history_
    assert list(rec) == ['content', 'link']  # a2v.lua's order: model1 then model2
    assert all(np.isfinite(v) and v > 0 for v in rec.values())
    np.random.seed(3)  # the same initial tables as the fit
    link, _, _ = models.author2vec_models(graph.num_nodes, len(preset.papers_), 100, 50, True,
                                          preset.paper_init_, True, 'normal')
    start = models.node_embeddings(link)
    moved = np.abs(preset.embeddings_ - start).sum(axis=1) > 0
    assert moved.all()  # every author is in a paper or a co-authorship
    assert not np.allclose(preset.paper_embeddings_, preset.paper_init_)


def test_command_line_preset_and_overrides(capsys):
    parser = cli.build_parser()
    ds = datasets.load('cane-cora')
    args = parser.parse_args(['train', '--dataset', 'cane-cora', '--model', 'author2vec',
                              '--preset', 'a2v-lua', '--epochs', '3', '--lr', '0.05'])
    args.command_line = ''
    est, fit_params = cli._estimator(args, ds)
    params = est.get_params()
    assert params['epochs'] == 3 and params['lr'] == 0.05  # the flags win
    for name in ('dim', 'hidden_dim', 'projection', 'optimizer', 'batching', 'embedding_init',
                 'schedule', 'negatives'):
        assert params[name] == A2V_LUA[name], name
    assert fit_params == {'resume': False}
    # without --preset: the estimator's defaults
    args = parser.parse_args(['train', '--dataset', 'cane-cora', '--model', 'author2vec'])
    assert cli._estimator(args, ds)[0].get_params() == dict(
        ContentLinkAuthor2Vec().get_params(), verbose=1)
    code = cli.main(['train', '--dataset', 'karate', '--preset', 'a2v-lua'])
    assert code == 2 and '--model author2vec' in capsys.readouterr().err
