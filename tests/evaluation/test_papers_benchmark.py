"""The papers benchmark (`author2vec benchmark --papers FILE --protocol ...`): the bibliography
splits, the ranking metrics, the TF-IDF baseline and the command, on a real slice of the bundled
hep-th bibliography (1994-1997, the papers of its 200 most prolific authors: 1,059 papers) and on
hand-made examples."""
import collections
import json
import warnings

import numpy as np
import pytest

from author2vec_keras import cli
from author2vec_keras.data import datasets
from author2vec_keras.data.bibliography import Paper, Papers
from author2vec_keras.data.graph import Graph
from author2vec_keras.data.paper_splits import (
    PapersSplit,
    holdout_split,
    inner_split,
    temporal_split,
)
from author2vec_keras.evaluation.papers_benchmark import (
    Scorer,
    evaluate,
    fit_method,
    papers_of,
    rank_true_pairs,
    settings_for,
    stem_of,
)
from author2vec_keras.evaluation.protocols import tied_rank_metrics


@pytest.fixture(scope='module')
def hepth_slice():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        bib = datasets.load('hep-th').extra['bibliography']
    papers = [p for p in bib if 1994 <= p.year <= 1997]
    counts = collections.Counter(k for p in papers for k, _ in p.authors)
    top = {k for k, _ in counts.most_common(200)}
    return Papers([p for p in papers if all(k in top for k, _ in p.authors)])


def _pairs_of(papers, keys):
    out = set()
    for p in papers:
        ks = [k for k, _ in p.authors if k in keys]
        out |= {frozenset((a, b)) for a in ks for b in ks if a != b}
    return out


def test_temporal_split_tests_only_pairs_new_after_the_split_year(hepth_slice):
    split = temporal_split(hepth_slice, 1996, seed=3)
    g = split.train_graph
    assert len(hepth_slice) == 1059 and split.info['test_edges'] == 29
    assert all(p.year <= 1996 for p in split.papers)
    assert len(split.papers) == sum(p.year <= 1996 for p in hepth_slice)
    assert not g.has_edges(split.test_edges).any()  # no positive in training
    train_pairs = _pairs_of(split.papers, set(g.nodes))
    later = _pairs_of([p for p in hepth_slice if p.year > 1996], set(g.nodes))
    test = {frozenset(g.ids(e)) for e in split.test_edges}
    assert test == later - train_pairs  # every new pair among authors of the training years
    assert {frozenset(g.ids(e)) for e in g.edges} == train_pairs
    for kind, negatives in split.negatives.items():
        assert len(negatives) == len(split.test_edges)
        assert not {frozenset(g.ids(e)) for e in negatives} & (train_pairs | later)
    writes_later = {k for p in hepth_slice if p.year > 1996 for k, _ in p.authors}
    assert set(g.ids(split.negatives['active'].ravel())) <= writes_later
    # the combination's inner split: the same protocol two years earlier, inside the training
    inner = inner_split(split)
    assert inner.settings['split_year'] == 1994 and all(p.year <= 1996 for p in inner.papers)


def test_cold_start_pairs_on_six_papers():
    def paper(i, year, *authors):
        return Paper('p%d' % i, 'title %d' % i, '', year, tuple((a, a) for a in authors))
    papers = [paper(1, 1990, 'a', 'b'), paper(2, 1990, 'c'), paper(3, 1991, 'd', 'e'),
              paper(4, 1991, 'f'), paper(5, 1992, 'a', 'c'), paper(6, 1992, 'b', 'd', 'g')]
    split = temporal_split(papers, 1991, seed=0)
    g = split.train_graph
    assert g.nodes == ['a', 'b', 'c', 'd', 'e', 'f']  # g wrote nothing up to 1991
    assert [g.ids(e) for e in split.test_edges] == [['a', 'c'], ['b', 'd']]
    assert split.cold.tolist() == [True, False]  # c had no co-author up to 1991; b and d had
    (cold_negative,) = [g.ids(e) for e in split.cold_negatives]
    assert {'c', 'f'} & set(cold_negative)  # an author without a co-author, never a pair
    assert frozenset(cold_negative) not in {frozenset('ab'), frozenset('de'), frozenset('ac'),
                                            frozenset('bd')}
    # the harder negatives: authors active both before and after 1991 (a, b, c, d)
    assert {frozenset(g.ids(e)) for e in split.negatives['active']} <= {
        frozenset('ad'), frozenset('bc'), frozenset('cd')}
    # with two papers needed up to 1991 nobody is active: no test pair
    assert temporal_split(papers, 1991, min_papers=2).info['test_edges'] == 0


def test_tied_rank_metrics_by_hand():
    hits, rr = tied_rank_metrics([0, 9, 10, 1], [0, 0, 0, 2], k=10)
    assert hits.tolist() == [1.0, 1.0, 0.0, 1.0]
    np.testing.assert_allclose(rr, [1, 1 / 10, 1 / 11, (1 / 2 + 1 / 3 + 1 / 4) / 3])
    hits, _ = tied_rank_metrics([8], [4], k=10)  # rank 9..13: 2 of 5 within 10
    np.testing.assert_allclose(hits, [0.4])


def _hand_split():
    """5 authors, one training pair (0, 1), test pairs (0, 2) and (2, 3); scores chosen so that
    each rank is known."""
    m = np.zeros((5, 5))
    for (u, v), s in {(0, 1): 0.7, (0, 2): 0.5, (0, 3): 0.9, (0, 4): 0.1, (1, 2): 0.3,
                      (1, 3): 0.2, (1, 4): 0.0, (2, 3): 0.2, (2, 4): 0.2, (3, 4): 0.2}.items():
        m[u, v] = m[v, u] = s
    split = PapersSplit('temporal', Graph([[0, 1]], num_nodes=5), [], np.array([[0, 2], [2, 3]]),
                        {'random': np.array([[1, 4], [3, 4]]),
                         'active': np.array([[1, 3], [1, 4]])},
                        np.array([False, False]), np.zeros((0, 2), np.int64), np.arange(5),
                        {}, {})
    return m, split


def test_hits_and_mrr_on_a_hand_computed_case():
    m, split = _hand_split()
    # query 0: true 2 (0.5) against 3 (0.9) and 4 (0.1), 1 its co-author left out: rank 2;
    # query 2: true 0 (0.5) rank 1, true 3 (0.2) against 1 (0.3) and 4 (0.2): rank 2 or 3;
    # query 3: true 2 (0.2) against 0 (0.9), 1 (0.2), 4 (0.2): rank 2, 3 or 4
    rr_expected = [1 / 2, 1, (1 / 2 + 1 / 3) / 2, (1 / 2 + 1 / 3 + 1 / 4) / 3]
    for scorer in (Scorer(lambda p: m[p[:, 0], p[:, 1]], lambda r, c: m[np.ix_(r, c)]),
                   Scorer(lambda p: m[p[:, 0], p[:, 1]])):  # by blocks, and by pairs
        hits, rr = rank_true_pairs(scorer, split, k=1)
        np.testing.assert_allclose(sorted(rr), sorted(rr_expected))
        assert hits.sum() == 1.0  # only query 2's true 0 comes first
        hits, _ = rank_true_pairs(scorer, split, k=3)
        np.testing.assert_allclose(hits.mean(), (1 + 1 + 1 + 2 / 3) / 4)
        _, rr = rank_true_pairs(scorer, split, max_queries=1, seed=2)  # one query author
        assert len(rr) in (1, 2) and set(np.round(rr, 6)) <= set(np.round(rr_expected, 6))
    metrics = evaluate(Scorer(lambda p: m[p[:, 0], p[:, 1]]), split)
    np.testing.assert_allclose(metrics['mrr'], np.mean(rr_expected))
    assert metrics['hits@10'] == 1.0 and metrics['auc_cold'] is None
    # 0.5 and 0.2 against 0.0 and 0.2 (random), 0.2 and 0.0 (active): 3.5 of 4 pairs
    assert metrics['auc_random'] == metrics['auc_active'] == 0.875


def test_tfidf_finds_future_coauthors_well_above_chance(hepth_slice):
    split = temporal_split(hepth_slice, 1996, seed=0)
    scorer, _ = fit_method('tfidf', split, settings=settings_for(quick=True,
                                                                  graph=split.train_graph))
    metrics = evaluate(scorer, split)
    assert metrics['auc_random'] > 0.75 and metrics['auc_active'] > 0.6
    assert metrics['hits@10'] > 0.15  # a random ranking among 183 candidates: about 0.06


def test_holdout_never_reads_a_held_out_pairs_joint_paper(hepth_slice):
    split = holdout_split(hepth_slice, seed=1)
    g = split.train_graph
    held = {frozenset(g.ids(e)) for e in split.test_edges}
    assert held and not _pairs_of(split.papers, set(g.nodes)) & held
    assert len(split.papers) < len(hepth_slice)
    leaky = holdout_split(hepth_slice, seed=1, leaky=True)
    assert len(leaky.papers) == len(hepth_slice)
    assert leaky.settings['leaky'] and not split.settings['leaky']


def _write_jsonl(papers, path):
    with open(path, 'w', encoding='utf-8') as f:
        for p in papers:
            f.write(json.dumps({'id': p.id, 'title': p.title, 'abstract': p.abstract,
                                'year': p.year, 'authors': [n for _, n in p.authors]}) + '\n')
    return str(path)


def _run(capsys, *argv):
    """(exit status, stdout, the error lines of stderr) of `author2vec benchmark ARGV`."""
    code = cli.main(['benchmark', '--no-progress'] + list(argv))
    out, err = capsys.readouterr()
    return code, out, '\n'.join(line for line in err.splitlines()
                                if not line.startswith('author2vec: warning:'))


def test_the_command_writes_the_table_and_resume_keeps_rows(hepth_slice, tmp_path, capsys):
    path = _write_jsonl(hepth_slice, tmp_path / 'hepth.jsonl')
    out_dir = tmp_path / 'results'
    common = ['--papers', path, '--protocol', 'temporal', '--split-year', '1996',
              '--output-dir', str(out_dir), '--quick']
    code, out, err = _run(capsys, *common, '--methods', 'adamic-adar,tfidf')
    assert code == 0, err
    stem = out_dir / 'papers-temporal-1996_hepth_quick'
    assert '| tfidf |' in out and 'Hits@10' in out and '29 new co-author pairs' in out
    for ext in ('.json', '.md', '.png'):
        assert (stem.parent / (stem.name + ext)).exists()
    first = json.loads((stem.parent / (stem.name + '.json')).read_text())
    assert first['command'].startswith('author2vec benchmark') and first['versions']['numpy']
    assert first['split_year'] == 1996 and first['runs']['tfidf'][0]['seed'] == 0
    code, out, err = _run(capsys, *common, '--methods', 'preferential-attachment', '--resume')
    assert code == 0, err
    second = json.loads((stem.parent / (stem.name + '.json')).read_text())
    assert second['methods'] == ['adamic-adar', 'preferential-attachment', 'tfidf']
    assert second['runs']['tfidf'] == first['runs']['tfidf']  # kept, not run again
    assert '| adamic-adar |' in out and '| preferential-attachment |' in out
    # other settings: refused in one line, the file left as it is
    code, out, err = _run(capsys, *common, '--methods', 'tfidf', '--resume', '--dim', '8')
    assert code == 2 and len(err.splitlines()) == 1 and 'other settings (' in err
    assert json.loads((stem.parent / (stem.name + '.json')).read_text()) == second


@pytest.mark.parametrize('argv, message', [
    (['--protocol', 'temporal'], '--protocol temporal needs --split-year YEAR'),
    (['--protocol', 'temporal', '--split-year', '1999'],
     '--split-year 1999 is outside the data: the papers span 1994-1997'),
    (['--protocol', 'holdout', '--split-year', '1996'], '--split-year goes with --protocol '
                                                        'temporal'),
    (['--protocol', 'temporal', '--split-year', '1996', '--leaky'],
     '--leaky goes with --protocol holdout'),
    (['--protocol', 'temporal', '--split-year', '1996', '--task', 'clustering'],
     '--task does not go with the papers benchmark'),
    (['--protocol', 'temporal', '--split-year', '1996', '--methods', 'spectrall'],
     "--methods: unknown method 'spectrall'"),
])
def test_bad_flags_are_one_line_and_exit_2_before_any_work(hepth_slice, tmp_path, capsys, argv,
                                                           message):
    path = _write_jsonl(hepth_slice, tmp_path / 'hepth.jsonl')
    out_dir = tmp_path / 'results'
    code, out, err = _run(capsys, '--papers', path, '--output-dir', str(out_dir), *argv)
    assert code == 2 and len(err.splitlines()) == 1 and message in err, err
    assert not out_dir.exists()


def test_holdout_is_labelled_leaky_when_it_reads_every_paper(hepth_slice, tmp_path, capsys):
    path = _write_jsonl(hepth_slice, tmp_path / 'hepth.jsonl')
    code, out, err = _run(capsys, '--papers', path, '--protocol', 'holdout', '--leaky',
                          '--methods', 'tfidf', '--quick', '--output-dir', str(tmp_path))
    assert code == 0, err
    stem = tmp_path / 'papers-holdout-leaky_hepth_quick'
    result = json.loads(stem.with_suffix('.json').read_text())
    assert result['leaky'] and 'LEAKY' in out and 'LEAKY' in stem.with_suffix('.md').read_text()
    # the combination's inner hold-out needs edges left to hold out: refused before any work
    code, out, err = _run(capsys, '--papers', path, '--protocol', 'holdout', '--methods',
                          'combination', '--quick', '--output-dir', str(tmp_path / 'none'))
    assert code == 2 and "the combination's inner split: no co-author pair can be held" in err
    assert not (tmp_path / 'none').exists()


def test_quick_run_of_the_content_link_model_and_the_combination(hepth_slice, tmp_path,
                                                                  capsys):
    path = _write_jsonl(hepth_slice, tmp_path / 'hepth.jsonl')
    code, out, err = _run(capsys, '--papers', path, '--protocol', 'temporal', '--split-year',
                          '1996', '--methods',
                          'content-link,content-link-cosine,content-link-init,combination',
                          '--quick', '--output-dir', str(tmp_path))
    assert code == 0, err
    result = json.loads((tmp_path / 'papers-temporal-1996_hepth_quick.json').read_text())
    for m in ('content-link', 'content-link-cosine', 'content-link-init', 'combination'):
        (run,) = result['runs'][m]
        assert 0 <= run['metrics']['auc_random'] <= 1 and run['metrics']['mrr'] > 0, run
    assert result['runs']['content-link-cosine'][0]['timings']['fit'] < 1  # the same fit
    # started from the papers' vectors, the content reaches the cold-start pairs
    cold = {m: result['runs'][m][0]['metrics']['auc_cold'] for m in ('content-link',
                                                                     'content-link-init')}
    assert cold['content-link-init'] > cold['content-link'] + 0.05, cold
    (run,) = result['runs']['combination']
    assert run['metrics']['auc_random'] > 0.75
    assert run['detail']['inner']['test_years'] == [1995, 1996]  # fitted on 1994 / 1995-96


def test_file_names_and_a_dataset_of_aan_style_metadata():
    assert stem_of('hep-th', 'temporal', 1999) == 'papers-temporal-1999_hep-th'
    assert stem_of('hep-th', 'temporal', 1999, min_papers=2, merged=True, quick=True) == \
        'papers-temporal-1999-min2-merged_hep-th_quick'
    assert stem_of('aan', 'holdout', leaky=True) == 'papers-holdout-leaky_aan'
    meta = {'P1': {'authors': ['Smith, J', 'Doe, A', 'Smith, J'], 'title': 'parsing', 'year': 2001},
            'P2': {'authors': [], 'title': 'no authors', 'year': 2002}}
    name, bib = papers_of(datasets.Dataset('aan', Graph([[0, 1]]), extra={'papers': meta}))
    assert name == 'aan' and [p.authors for p in bib] == [(('Smith, J', 'Smith, J'),
                                                           ('Doe, A', 'Doe, A'))]
    with pytest.raises(ValueError, match='^no papers: the papers benchmark needs a '):
        papers_of(datasets.Dataset('x', Graph([[0, 1]])))
