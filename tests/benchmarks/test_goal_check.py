"""The goal check of results/README.md, regenerated from benchmark JSONs (`goal_check.goal_check`,
`benchmarks/goal_check.py`), on the small committed fixtures of tests/fixtures/goal_check."""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tests/
sys.path.insert(0, os.path.join(HERE, '..', 'benchmarks'))
import goal_check  # noqa: E402  (benchmarks/goal_check.py)

FIXTURES = os.path.join(HERE, 'fixtures', 'goal_check')
SCRIPT = os.path.join(HERE, '..', 'benchmarks', 'goal_check.py')


def _results():
    return [json.load(open(os.path.join(FIXTURES, name))) for name in sorted(os.listdir(FIXTURES))]


@pytest.fixture(scope='module')
def rows():
    return {(r['task'], r['dataset']): r for r in goal_check.goal_check(_results())}


def test_quick_runs_are_skipped_and_link_prediction_comes_first(rows):
    assert sorted(rows) == [('link-prediction', 'level'), ('link-prediction', 'tiny'),
                            ('node-classification', 'tiny')]
    order = [(r['task'], r['dataset']) for r in goal_check.goal_check(_results())]
    assert order == sorted(rows)


def test_link_prediction_reached_best_over_variants_and_operators(rows):
    r = rows['link-prediction', 'tiny']
    # walks-separate's Hadamard beats walks' W-L2 and its own score
    assert r['walks'] == {'method': 'author2vec-walks-separate', 'operator': 'hadamard',
                          'mean': 0.97, 'std': 0.002, 'seeds': 2}
    # the random row (0.999) is no rival; Adamic-Adar's own score beats DeepWalk's W-L2
    assert r['rival'] == {'method': 'adamic-adar', 'operator': 'own', 'mean': 0.965,
                          'std': 0.001, 'seeds': 2}
    assert r['paper']['mean'] == 0.90 and r['paper']['operator'] == 'own'
    assert r['difference'] == pytest.approx(0.005)
    assert r['verdict'] == 'reached' and r['short_by'] == 0.0 and r['complete']


def test_fit_time_and_load_from_the_runs(rows):
    fit = rows['link-prediction', 'tiny']['fit']
    # walk fits 30, 50 (walks) and 40, 40 (separate; its failed run is left out); DeepWalk 20
    assert fit['walks_s'] == pytest.approx(40.0) and fit['deepwalk_s'] == pytest.approx(20.0)
    assert fit['ratio'] == pytest.approx(2.0) and fit['within_goal'] is True
    # loads of the walk and DeepWalk fits only (DeepWalk's second run recorded none): 17 / 10
    assert fit['load'] == pytest.approx(1.7)
    nc = rows['node-classification', 'tiny']['fit']
    assert nc['walks_s'] == pytest.approx(45.0) and nc['ratio'] == pytest.approx(4.5)
    assert nc['within_goal'] is False and nc['load'] == pytest.approx(42 / 18.)


def test_level_within_the_larger_std_and_partial(rows):
    r = rows['link-prediction', 'level']
    assert r['difference'] == pytest.approx(-0.005) and r['verdict'] == 'level'
    assert r['short_by'] == pytest.approx(0.005) and not r['complete']
    assert r['paper'] is None
    assert r['fit'] == {'walks_s': 70.0, 'deepwalk_s': None, 'ratio': None, 'load': None,
                        'within_goal': None}


def test_node_classification_missed_by_the_points_beyond_the_margin(rows):
    r = rows['node-classification', 'tiny']
    assert r['walks']['method'] == 'author2vec-walks-separate'
    assert r['walks']['mean'] == pytest.approx(62.0) and r['walks']['std'] == pytest.approx(1.0)
    assert r['rival']['method'] == 'deepwalk' and r['rival']['mean'] == pytest.approx(65.9)
    assert r['paper']['mean'] == pytest.approx(49.0)
    assert r['difference'] == pytest.approx(-3.9) and r['verdict'] == 'missed'
    assert r['short_by'] == pytest.approx(1.9)


def test_markdown_rows(rows):
    md = goal_check.goal_check_markdown(goal_check.goal_check(_results()))
    assert ('| [tiny](link-prediction_tiny.md) | 2 | 0.9000 +/- 0.0100 (author2vec, own) | '
            '0.9700 +/- 0.0020 (author2vec-walks-separate, Hadamard) | 0.9650 +/- 0.0010 '
            '(adamic-adar, own) | +0.0050 | reached | 40 / 20 s = 2.00x | load 1.7 |') in md
    assert ('| [level](link-prediction_level.md) (partial) | 3 | not run | 0.9000 +/- 0.0100 '
            '(author2vec-walks, Hadamard) | 0.9050 +/- 0.0020 (spectral, W-L1) | -0.0050 | '
            'level | - | - |') in md
    assert ('| [tiny](node-classification_tiny.md) | 3 | 49.0 +/- 0.9 (author2vec) | '
            '62.0 +/- 1.0 (author2vec-walks-separate) | 65.9 +/- 0.1 (deepwalk) | -3.9 | '
            'missed by 1.9 | 45 / 10 s = 4.50x (over 3x) | load 2.3 |') in md
    assert '- Link prediction: level on level; reached on tiny.' in md
    assert '- Node classification: missed on tiny.' in md


def test_replace_between_markers_is_idempotent_and_needs_both():
    start, end = goal_check.GOAL_CHECK_MARKERS
    text = 'before\n%s\nold\n%s\nafter\n' % (start, end)
    once = goal_check.replace_between_markers(text, 'new\n')
    assert once == 'before\n%s\nnew\n%s\nafter\n' % (start, end)
    assert goal_check.replace_between_markers(once, 'new') == once
    with pytest.raises(ValueError):
        goal_check.replace_between_markers('before\n%s\n' % start, 'new')


def test_script_rewrites_the_section_in_place(tmp_path):
    readme = tmp_path / 'README.md'
    start, end = goal_check.GOAL_CHECK_MARKERS
    readme.write_text('# Results\n\n%s\nstale\n%s\n\nprose kept\n' % (start, end))
    cmd = [sys.executable, SCRIPT, '--results-dir', FIXTURES, '--readme', str(readme)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = readme.read_text()
    assert 'stale' not in text and text.endswith('%s\n\nprose kept\n' % end)
    assert '| +0.0050 | reached |' in text and 'missed by 1.9' in text
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert 'unchanged' in again.stdout and readme.read_text() == text
    readme.write_text('no markers\n')
    bad = subprocess.run(cmd, capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count('\n') == 1 and 'markers' in bad.stderr


def test_the_methods_come_from_the_benchmark_registry():
    from author2vec_keras.evaluation import methods
    assert goal_check.WALK_METHODS == ('author2vec-walks', 'author2vec-walks-separate',
                                        'author2vec-walks-uniform')
    assert set(goal_check.LP_RIVALS) == {
        'deepwalk', 'node2vec', 'line', 'line-1', 'line-2', 'spectral', 'common-neighbours',
        'jaccard', 'adamic-adar', 'preferential-attachment'}
    assert {goal_check.NC_RIVAL, goal_check.PAPER} <= set(methods.METHODS)
    assert not set(goal_check.LP_RIVALS) & set(methods.names(kind=('author2vec', 'chance')))
