"""The full Author2Vec (content + link over one shared author table).

Theano compiles each new training graph (25-60 s cold), so the fitted estimators are
module-scoped fixtures on a tiny synthetic corpus and every test reuses them.
"""
import numpy as np
import pytest

from author2vec_keras.data.datasets.aan import aan_authorship, aan_venue_labels
from author2vec_keras.data.graph import Graph
from author2vec_keras.data.text import doc2vec_vectors
from author2vec_keras.nn.models import author2vec_models
from author2vec_keras.nn.sequences import AuthorshipSequence
from author2vec_keras.training.checkpoints import TrainingInterrupted
from author2vec_keras.training.content_link import ContentLinkAuthor2Vec

TOPICS = [
    'neural parsing syntax dependency treebank',
    'statistical machine translation alignment phrase',
    'speech recognition acoustic model spoken',
]


def _corpus(seed=0, n_authors=24, n_papers=36):
    """Three groups of authors; each group writes papers on its topic; co-authors in-group."""
    rng = np.random.default_rng(seed)
    group = np.arange(n_authors) % 3
    authorship, texts, edges = [], {}, set()
    for j in range(n_papers):
        g = j % 3
        members = np.nonzero(group == g)[0]
        authors = rng.choice(members, size=2 + j % 2, replace=False)
        pid = 'P%02d' % j
        words = TOPICS[g].split()
        texts[pid] = ' '.join(rng.choice(words, size=6)) + ' paper %d' % j
        authorship.extend(('a%d' % a, pid) for a in authors)
        for x in authors:
            for y in authors:
                if x < y:
                    edges.add((x, y))
    nodes = ['a%d' % i for i in range(n_authors)]
    graph = Graph(sorted(edges), nodes=nodes)
    return graph, authorship, texts


@pytest.fixture(scope='module')
def corpus():
    return _corpus()


@pytest.fixture(scope='module')
def alternating(corpus):
    graph, authorship, texts = corpus
    est = ContentLinkAuthor2Vec(dim=8, hidden_dim=4, schedule='alternating', negatives=2,
                                    epochs=2, batch_size=24, optimizer='sgd', lr=0.1,
                                    doc2vec_epochs=5, random_state=0, verbose=0)
    return est.fit(graph, authorship=authorship + [('nobody', 'P00')], paper_texts=texts)


@pytest.fixture(scope='module')
def joint(corpus):
    graph, authorship, texts = corpus
    est = ContentLinkAuthor2Vec(dim=8, hidden_dim=4, schedule='joint', projection=True,
                                    negatives=2, epochs=2, batch_size=24, optimizer='adam',
                                    lr=0.01, doc2vec_epochs=5, random_state=0, verbose=0)
    return est.fit(graph, authorship=authorship, paper_texts=texts)


def test_shared_author_table_is_one_variable(alternating):
    est = alternating
    link_table = est.link_model_.get_layer('node_embedding')
    assert link_table is est.content_model_.get_layer('node_embedding')
    assert link_table is est.joint_model_.get_layer('node_embedding')
    assert sum(w is link_table.embeddings for w in est.content_model_.trainable_weights) == 1


def test_content_update_moves_link_model_author_vectors(alternating):
    est = alternating
    link_table = est.link_model_.get_layer('node_embedding')
    before = link_table.get_weights()[0].copy()
    link_pair = [w.copy() for w in est.link_model_.get_layer('link_pair_features').get_weights()]
    probe = np.array([[0, 1], [4, 5]], dtype='int32')  # author pairs
    p_before = est.link_model_.predict(probe)
    x = np.array([[0, 0], [1, 3]], dtype='int32')  # (author, paper) rows
    y = np.array([[1], [0]], dtype='float32')
    est.content_model_.train_on_batch(x, y)  # one step of the CONTENT model only
    after = link_table.get_weights()[0]
    moved = np.abs(after - before).sum(axis=1) > 0
    assert moved[0] and moved[1] and not moved[2:].any()  # exactly the batch's authors
    # the link model's own pair weights were not touched by the content update ...
    for w0, w1 in zip(link_pair,
                      est.link_model_.get_layer('link_pair_features').get_weights()):
        np.testing.assert_array_equal(w0, w1)
    # ... yet its prediction for the moved authors changed, the others' did not
    p_after = est.link_model_.predict(probe)
    assert not np.allclose(p_before[0], p_after[0])
    np.testing.assert_array_equal(p_before[1], p_after[1])


def test_alternating_schedule_trains(alternating, corpus):
    est = alternating
    graph = corpus[0]
    assert len(est.history_) == 2
    for rec in est.history_:
        assert set(rec) == {'content', 'link'}
        assert all(np.isfinite(v) and v > 0 for v in rec.values())
    assert est.embeddings_.shape == (graph.num_nodes, 8)
    assert est.paper_embeddings_.shape == (36, 8)
    assert est.dropped_authorship_ == 1  # the author not in the graph
    p = est.predict_proba([('a0', 'a3'), ('a0', 'a1')])
    assert p.shape == (2,) and np.all((p >= 0) & (p <= 1))
    # paper vectors trained away from their Doc2Vec start
    assert not np.allclose(est.paper_embeddings_, est.paper_init_)


def test_joint_schedule_with_projection_trains(joint, corpus):
    est = joint
    assert est.joint_model_.get_layer('link_projection') is not None
    assert est.joint_model_.get_layer('content_projection') is not None
    assert len(est.joint_model_.inputs) == 2 and len(est.joint_model_.outputs) == 2
    assert len(est.history_) == 2
    for rec in est.history_:
        assert set(rec) == {'content', 'link'}
        assert all(np.isfinite(v) for v in rec.values())
    # different random init than the alternating model, but same shapes and a working head
    q = est.authorship_probability([[0, 0], [0, 1]])
    assert q.shape == (2,)


def test_paper_vectors_come_from_the_text(alternating, corpus):
    est = alternating
    texts = corpus[2]
    expect = doc2vec_vectors([texts[p] for p in est.papers_], dim=8, epochs=5, seed=0)
    np.testing.assert_allclose(est.paper_init_, expect, rtol=1e-5, atol=1e-6)
    # and they are the paper table's initial weights
    _, content, _ = author2vec_models(3, len(est.papers_), dim=8, hidden_dim=4,
                                                paper_init=est.paper_init_)
    np.testing.assert_array_equal(content.get_layer('paper_embedding').get_weights()[0],
                                  est.paper_init_)
    # different texts give different vectors
    other = doc2vec_vectors(['completely different words here %d' % i
                                 for i in range(len(est.papers_))], dim=8, epochs=5, seed=0)
    assert not np.allclose(other, expect)


def test_authorship_sequence_negatives_are_not_authored():
    pairs = np.array([[0, 0], [0, 1], [1, 1], [2, 2], [2, 0]])
    seq = AuthorshipSequence(pairs, num_papers=4, negatives=3, batch_size=8, seed=1)
    keys = set(map(tuple, pairs.tolist()))
    seen_pos = []
    for i in range(len(seq)):
        x, y = seq[i]
        assert x.dtype == np.int32 and y.shape == (len(x), 1)
        for (a, p), t in zip(x.tolist(), y[:, 0].tolist()):
            assert ((a, p) in keys) == (t == 1.0)
            if t == 1.0:
                seen_pos.append((a, p))
    assert sorted(seen_pos) == sorted(keys)
    x1, _ = seq.batch(0, 0)
    x2, _ = seq.batch(0, 0)
    np.testing.assert_array_equal(x1, x2)


def test_aan_testbed_uses_dataset_titles_and_labels():
    from author2vec_keras.data import datasets
    ds = datasets.load('aan')
    papers = ds.extra['papers']
    pairs, texts, kept = aan_authorship(papers)
    assert kept == len(texts) > 17000
    pid = 'D10-1001'
    assert texts[pid] == papers[pid]['title']
    assert (papers[pid]['authors'][0], pid) in set(pairs)
    early, _, _ = aan_authorship(papers, max_year=2000)
    assert all(papers[p]['year'] <= 2000 for _, p in early)
    a, b = papers[pid]['authors'][:2]
    _, t2, _ = aan_authorship(papers, exclude_pairs={frozenset((a, b))})
    assert pid not in t2 and len(t2) < len(texts)
    labels, names = aan_venue_labels(ds.graph, papers)
    assert labels.shape == (ds.graph.num_nodes,)
    assert (labels >= 0).mean() > 0.99 and len(names) == labels.max() + 1
    i = ds.graph.node_index['Rush, Alexander M.']
    mine = [p[:1] for p, v in papers.items() if 'Rush, Alexander M.' in v['authors']]
    assert names[labels[i]] in mine


def test_bad_parameters():
    with pytest.raises(ValueError):
        ContentLinkAuthor2Vec(schedule='both').fit(_corpus()[0], [])
    g, pairs, texts = _corpus()
    with pytest.raises(ValueError, match='authorship'):
        ContentLinkAuthor2Vec(schedule='content').fit(g, [])
    with pytest.raises(ValueError, match='paper_texts'):
        ContentLinkAuthor2Vec(schedule='joint').fit(g, pairs)


@pytest.mark.parametrize('tables', ['shared', 'per-model'])
def test_papers_init_starts_each_author_at_the_mean_of_its_papers(corpus, tables):
    """`embedding_init='papers'`: before any step, an author's vector in every author table is
    the mean of its papers' initial vectors (an author without a paper keeps a small draw);
    it trains from there."""
    from author2vec_keras.nn import models
    graph, authorship, _ = corpus
    rng = np.random.default_rng(1)
    vectors = {'P%02d' % j: rng.normal(size=8).astype(np.float32) for j in range(36)}
    n = graph.num_nodes  # zz, a co-author of a0, wrote nothing
    lonely = Graph(np.concatenate([graph.edges, [[0, n]]]), nodes=list(graph.nodes) + ['zz'])
    est = ContentLinkAuthor2Vec(dim=8, hidden_dim=4, negatives=2, epochs=1, batch_size=24,
                                embedding_init='papers', author_tables=tables, random_state=0,
                                verbose=0)
    est.fit(lonely, authorship=authorship, paper_vectors=vectors)
    start = est._mean_paper_vectors()
    for name in ('a0', 'a7'):
        mine = [vectors[p] for a, p in authorship if a == name]
        np.testing.assert_allclose(start[lonely.node_index[name]], np.mean(mine, axis=0),
                                   rtol=1e-5)
    assert np.abs(start[lonely.node_index['zz']]).max() <= 0.05
    link, content, _ = models.author2vec_models(len(start), 36, 8, 4, author_init=start,
                                                author_tables=tables)
    np.testing.assert_allclose(models.node_embeddings(content), start, rtol=1e-6)
    if tables == 'per-model':
        np.testing.assert_allclose(
            link.get_layer(models.LINK_AUTHOR_EMBEDDING).get_weights()[0], start, rtol=1e-6)
    assert not np.allclose(est.embeddings_, start, atol=1e-4)  # trained from there
    with pytest.raises(ValueError, match="embedding_init='papers' starts from the papers"):
        ContentLinkAuthor2Vec(schedule='link', embedding_init='papers').check_params()


def test_saved_content_model_loads_with_io_load_model(alternating, tmp_path):
    from author2vec_keras.nn.saving import load_model, save_model
    path = str(tmp_path / 'content.h5')
    save_model(alternating.content_model_, path)
    # PairColumn and the row-wise optimizer registered once; the package's ops, as the model's
    loaded = load_model(path)
    x = np.array([[0, 0], [1, 3], [5, 7]], dtype='int32')
    np.testing.assert_array_equal(loaded.predict(x), alternating.content_model_.predict(x))
    assert type(loaded.optimizer) is type(alternating.content_model_.optimizer)


class _Interrupted(ContentLinkAuthor2Vec):
    """Ctrl-C before batch `stop_at[1]` (counted over the epoch's content then link batches)
    of epoch `stop_at[0]`."""
    stop_at = None

    def _fit_epoch(self, model, batches, epoch, first=0, sums=None):
        offset, stop = self._loop.offset, self.stop_at

        class Batches(object):
            def __len__(self):
                return len(batches)

            def __getitem__(self, i):
                if (epoch, offset + i) == stop:
                    raise KeyboardInterrupt
                return batches[i]
        return super(_Interrupted, self)._fit_epoch(model, Batches(), epoch, first, sums)


def test_ctrl_c_in_the_link_phase_resumes_to_the_uninterrupted_result(alternating, corpus,
                                                                       tmp_path):
    graph, authorship, texts = corpus
    params = dict(alternating.get_params(), checkpoint_dir=str(tmp_path / 'ckpt'))
    content_steps = len(AuthorshipSequence(alternating.authorship_, 36, 2, 24))
    est = _Interrupted(**params)
    est.stop_at = (1, content_steps + 2)  # epoch 2, the third link batch
    with pytest.raises(TrainingInterrupted) as stopped:  # a KeyboardInterrupt
        est.fit(graph, authorship=authorship + [('nobody', 'P00')], paper_texts=texts)
    assert str(stopped.value) == ('saved epoch 2, batch %d in %s; fit(..., resume=True) '
                                  'continues' % (content_steps + 2, params['checkpoint_dir']))
    import json
    with open(str(tmp_path / 'ckpt' / 'checkpoint.json')) as f:
        state = json.load(f)
    assert (state['epoch'], state['batch']) == (1, content_steps + 2)
    assert set(state['state']['partial']) == {'content'}  # the epoch's content loss is kept
    resumed = ContentLinkAuthor2Vec(**params).fit(
        graph, authorship=authorship + [('nobody', 'P00')], paper_texts=texts, resume=True)
    np.testing.assert_allclose(resumed.embeddings_, alternating.embeddings_, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(resumed.paper_embeddings_, alternating.paper_embeddings_,
                               rtol=1e-5, atol=1e-6)
    assert [h['content'] for h in resumed.history_] == \
        pytest.approx([h['content'] for h in alternating.history_])
    # the stopped link phase's loss is the whole phase's, its first batches' too (kept in the
    # checkpoint), not the resumed part's alone
    assert [h['link'] for h in resumed.history_] == \
        pytest.approx([h['link'] for h in alternating.history_])
