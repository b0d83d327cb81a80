"""Edge weights (issue 26, item 2): each pair scheme and baseline draws by weight, equal weights
change nothing, and a weight that is not positive is refused naming file and line."""
import networkx as nx
import numpy as np
import pytest

from author2vec_keras import cli
from author2vec_keras.data.graph import Graph
from author2vec_keras.data.walks import WalkContextSampler
from author2vec_keras.evaluation import baselines
from author2vec_keras.nn.sequences import PairSequence
from author2vec_keras.training.estimator import Author2Vec

TINY = ['--dim', '4', '--hidden-dim', '4', '--epochs', '1', '--negatives', '1',
        '--batch-size', '64', '--quiet', '--test-fraction', '0']


def karate(weights=None):
    """Zachary's karate club with the given weights (None: unweighted)."""
    g = Graph.from_networkx(nx.karate_club_graph())  # networkx's weights: interactions
    return Graph(g.edges, nodes=g.nodes, weights=weights)


def positives(seq, epoch=0):
    return np.concatenate([seq.batch(epoch, i)[0][::1 + seq.negatives]
                           for i in range(len(seq))])


def test_edge_pairs_are_drawn_in_proportion_to_weight():
    # a path 0-1-2 with a heavy edge (weight 9) and a light one (weight 1)
    seq = PairSequence(Graph([[0, 1], [1, 2]], weights=[9.0, 1.0], num_nodes=4), negatives=1,
                       batch_size=8, seed=0)
    pos = np.concatenate([positives(seq, e) for e in range(400)])
    assert len(pos) == 800  # an epoch still holds as many positives as edges
    heavy = np.isin(pos.min(axis=1), [0]).mean()
    assert heavy == pytest.approx(0.9, abs=0.03)
    assert np.array_equal(seq.batch(3, 0)[0], seq.batch(3, 0)[0])  # pure in (seed, epoch, i)


@pytest.mark.parametrize('grouped', [False, True])
def test_equal_weights_give_the_unweighted_pairs_and_others_do_not(grouped):
    m = karate().num_edges
    plain = PairSequence(karate(), negatives=2, batch_size=30, seed=1, grouped=grouped)
    same = PairSequence(karate(np.full(m, 3.0)), negatives=2, batch_size=30, seed=1,
                        grouped=grouped)
    weighted = PairSequence(karate(np.arange(1.0, m + 1)), negatives=2, batch_size=30, seed=1,
                            grouped=grouped)
    for i in range(len(plain)):
        assert np.array_equal(plain.batch(0, i)[0], same.batch(0, i)[0])
    assert not all(np.array_equal(plain.batch(0, i)[0], weighted.batch(0, i)[0])
                   for i in range(len(plain)))


def test_walk_pairs_and_baselines_follow_weights():
    m = karate().num_edges
    rng = np.random.default_rng(0)
    w = rng.integers(1, 100, m).astype(float)
    plain, same, weighted = karate(), karate(np.full(m, 2.0)), karate(w)

    def walk_pairs(g):
        return WalkContextSampler(g, window=3, walks_per_node=2, walk_length=10,
                                  seed=0).pairs(0, 0, 500)
    assert np.array_equal(walk_pairs(plain), walk_pairs(same))
    assert not np.array_equal(walk_pairs(plain), walk_pairs(weighted))

    def line(g):
        return baselines.LINE(dim=8, min_samples=20000, batch_size=128).fit(g).embeddings_
    assert np.array_equal(line(plain), line(same))
    assert not np.allclose(line(plain), line(weighted))
    walks = [baselines.random_walks(g, num_walks=1, walk_length=10, p=0.5, q=2.0, seed=0)
             for g in (plain, same, weighted)]
    assert np.array_equal(walks[0], walks[1]) and not np.array_equal(walks[0], walks[2])


def test_weights_change_the_trained_embeddings(tmp_path, capsys):
    # issue 26: random weights 1-100 gave embeddings byte-identical to the unweighted file
    g = karate()
    rng = np.random.default_rng(0)
    texts = {'plain': '', 'equal': ' 7', 'weighted': None}
    for name, suffix in texts.items():
        lines = ['%d %d%s' % (u, v, suffix if suffix is not None else
                              ' %d' % rng.integers(1, 100)) for u, v in g.edges.tolist()]
        (tmp_path / (name + '.txt')).write_text('\n'.join(lines) + '\n')
        assert cli.main(['train', '--edgelist', str(tmp_path / (name + '.txt')), '--output',
                         str(tmp_path / (name + '.emb'))] + TINY) == 0, capsys.readouterr()
    emb = {name: (tmp_path / (name + '.emb')).read_text() for name in texts}
    assert emb['equal'] == emb['plain'] and emb['weighted'] != emb['plain']


def test_estimator_checkpoint_of_other_weights_is_refused(tmp_path):
    m = karate().num_edges
    params = dict(dim=4, hidden_dim=4, epochs=1, negatives=1, batch_size=64, verbose=0,
                  checkpoint_dir=str(tmp_path / 'ck'))
    Author2Vec(**params).fit(karate(np.arange(1.0, m + 1)))
    with pytest.raises(ValueError, match='another'):
        Author2Vec(**params).fit(karate(np.arange(m, 0.0, -1)), resume=True)


@pytest.mark.parametrize('lines', ['a b 2\nb c %s\nc a 1\n', '1 2 2\n2 3 %s\n3 1 1\n'],
                         ids=['names', 'integers'])  # the careful and the fast reader
@pytest.mark.parametrize('weight', ['0', '-1.5', '0.0'])
def test_a_weight_that_is_not_positive_exits_2_naming_file_and_line(tmp_path, capsys, weight,
                                                                      lines):
    path = tmp_path / 'w.txt'
    path.write_text(lines % weight)
    code = cli.main(['train', '--edgelist', str(path), '--output', str(tmp_path / 'w.emb')]
                    + TINY)
    err = capsys.readouterr().err
    assert code == 2 and err.count('\n') == 1
    assert err.startswith('author2vec: error: %s:2: weight %s is not positive' % (path, weight))
    assert sorted(p.name for p in tmp_path.iterdir()) == ['w.txt']
    with pytest.raises(ValueError, match='finite and positive'):
        Graph([[0, 1]], weights=[float(weight)])


def test_partitioned_training_says_it_does_not_use_weights(tmp_path, capsys):
    path = tmp_path / 'w.txt'
    path.write_text('\n'.join('%d %d %d' % (u, v, 1 + (u + v) % 5)
                              for u, v in karate().edges.tolist()) + '\n')
    code = cli.main(['train', '--edgelist', str(path), '--partitions', '2', '--workdir',
                     str(tmp_path / 'work'), '--output', str(tmp_path / 'w.emb')] + TINY)
    err = capsys.readouterr().err
    assert code == 0, err
    assert err == ('author2vec: warning: --partitions trains on every edge alike: the edge '
                   'weights are not used\n')


def test_degenerate_weights_are_warned_about_and_an_overflow_refused(tmp_path, capsys):
    """One weight of 1e308 among ones left every other edge out of the sampler (AUC 0.50),
    silently: now one warning line; two of them overflow the sum: exit 2, one line."""
    lines = ['%d %d %s' % (u, v, '1e308' if i == 0 else '1')
             for i, (u, v) in enumerate(karate().edges.tolist())]
    path = tmp_path / 'w.txt'
    path.write_text('\n'.join(lines) + '\n')
    code = cli.main(['train', '--edgelist', str(path), '--output', str(tmp_path / 'w.emb')]
                    + TINY)
    err = capsys.readouterr().err
    assert code == 0, err
    assert err == ('author2vec: warning: the edge weights are degenerate: the heaviest 1 of 78 '
                   'edges carry 100% of the total weight (weights from 1 to 1e+308), so the '
                   'other edges are almost never drawn; rescale the weights (e.g. their '
                   'logarithm) or leave them out\n')
    lines[1] = lines[1].rsplit(' ', 1)[0] + ' 1e308'
    path.write_text('\n'.join(lines) + '\n')
    code = cli.main(['train', '--edgelist', str(path), '--output', str(tmp_path / 'x.emb')]
                    + TINY)
    err = capsys.readouterr().err
    assert code == 2 and err == ('author2vec: error: %s: the edge weights sum to more than the '
                                 'largest float (up to 1e+308): rescale them\n' % path)
    assert not (tmp_path / 'x.emb').exists()
    # networkx's karate weights (interaction counts, 1 to 7) and equal weights pass silently
    assert karate(Graph.from_networkx(nx.karate_club_graph()).weights).weight_problem() is None
    assert karate(np.full(78, 1e300)).weight_problem() is None
