"""benchmarks/author2vec_vs_paper.py: the report from a small committed JSON, and the script end
to end on a real slice of AAN (EMNLP and ACL 2008-2009): every method, both protocols, one
seed, one epoch, then a preset run, then a resume that adds nothing."""
import json
import os
import shutil
import sys

import pytest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tests/
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'benchmarks'))
import author2vec_vs_paper as bench  # noqa: E402
import paper_comparison  # noqa: E402

SMALL = os.path.join(HERE, 'fixtures', 'a2v_small.json')


@pytest.fixture(scope='module')
def small():
    with open(SMALL) as f:
        return json.load(f)


def test_the_verdict_pairs_each_seed_with_deepwalk_on_its_split(small):
    rows = {(row[1], row[3]): cells for _, row, _, cells in paper_comparison.a2v_verdict(small)}
    assert set(rows) == {('a2v-lua', 'leak-free'), ('a2v-lua-as-run', 'leak-free'),
                         ('adam0.01-b4096-noproj-d100-h50-n5', 'leaky'),
                         ('adam0.01-b4096-noproj-d100-h50-n5', 'leak-free')}
    lua = rows[('a2v-lua', 'leak-free')]
    # seed 0: 0.50 vs 0.95, seed 1: 0.47 vs 0.94 -> -47.37%, -50.00%
    assert lua[('holdout', 'auc_hadamard')] == pytest.approx((-48.684, 1.861, 2), abs=1e-3)
    assert lua[('temporal', 'auc_hadamard')] == pytest.approx((-29.583, 0.589, 2), abs=1e-3)
    assert lua[('holdout', 'nmi')] == pytest.approx((-95.5, 0.707, 2), abs=1e-3)
    assert rows[('a2v-lua-as-run', 'leak-free')] == {
        ('holdout', 'auc_hadamard'): pytest.approx((-40.0, 0.0, 1)),
        ('holdout', 'nmi'): pytest.approx((-92.0, 0.0, 1))}
    leaky = rows[('adam0.01-b4096-noproj-d100-h50-n5', 'leaky')]
    assert leaky[('holdout', 'auc_hadamard')] == pytest.approx((3.5, 2.121, 2), abs=1e-3)


def test_the_report_builds_from_the_json(small, tmp_path):
    out = str(tmp_path / 'report')
    shutil.copy(SMALL, out + '.json')
    bench.main(['--report-only', '--out', out])
    with open(out + '.md') as f:
        text = f.read()
    verdict = text[text.index('## The verdict'):text.index('## AAN')]
    assert '| **paper** (Ganesh J et al. 2016) | | | **+2.35%** |' in verdict
    assert '| aan | a2v.lua preset, 100 ep | leak-free | -48.68% +/- 1.86 (2) | ' \
           '-29.58% +/- 0.59 (2) | -95.50% +/- 0.71 (2) |' in verdict
    assert '| aan | a2v.lua as run (a table per model), 100 ep | leak-free | ' \
           '-40.00% +/- 0.00 (1) | not run |' in verdict
    assert '+3.50% +/- 2.12 (2)' in verdict
    assert '### The leak' in text  # leaky minus leak-free, same configuration
    assert '+0.1000' in text  # 0.969 - 0.869 and 0.987 - 0.887
    assert 'aan-holdout-leak-free-a2v-lua-100-alternating-2 (running)' in text
    for png in ('.png', '_curve.png'):
        with open(out + png, 'rb') as f:
            assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_the_script_runs_end_to_end_and_resumes(tmp_path, capsys):
    out = str(tmp_path / 'smoke')
    tiny = ['--papers', 'D08,D09,P08,P09', '--seeds', '0', '--epochs', '1',
            '--doc2vec-epochs', '1', '--dim', '8', '--hidden-dim', '4', '--deepwalk-walks', '2',
            '--out', out]
    bench.main(tiny + ['--batch-size', '256', '--curve-every', '1'])
    with open(out + '.json') as f:
        data = json.load(f)
    runs = {(r['protocol'], r['method']): r for r in data['runs']}
    assert set(runs) == {(p, m) for p in ('holdout', 'temporal')
                         for m in ('deepwalk', 'link', 'content', 'alternating', 'joint')}
    assert runs[('holdout', 'deepwalk')]['auc_hadamard'] > 0.8  # real walks on a real graph
    assert runs[('holdout', 'deepwalk')]['settings']['num_walks'] == 2
    for (protocol, method), r in runs.items():
        assert 0 <= r['auc_hadamard'] <= 1 and r['fit_seconds'] >= 0
        assert ('nmi' in r) == (protocol == 'holdout')  # venue series P and D
        assert r['content'] == ('leak-free' if method in ('content', 'alternating', 'joint')
                                else '-')
        if method != 'deepwalk':
            (point,) = r['epochs_log']
            assert point['epoch'] == 1 and 0 < point['table_rms'] < 1  # U(-0.05, 0.05) start
    assert data['in_progress'] == {}
    # the as-run reading of a2v.lua, then a resume that finds everything done
    bench.main(tiny + ['--preset', 'a2v-lua-as-run', '--methods', 'alternating',
                       '--protocols', 'holdout', '--resume'])
    bench.main(tiny + ['--preset', 'a2v-lua-as-run', '--methods', 'alternating',
                       '--protocols', 'holdout', '--resume'])
    with open(out + '.json') as f:
        data = json.load(f)
    (as_run,) = [r for r in data['runs'] if r['config'] == 'a2v-lua-as-run']
    assert as_run['settings']['author_tables'] == 'per-model'
    assert as_run['settings']['lr'] == 0.1 and as_run['epochs'] == 1
    assert len(data['runs']) == 11 and len(data['commands']) == 2
    assert not os.path.exists(out + '.checkpoints/' + paper_comparison.a2v_run_name(
        paper_comparison.a2v_run_key(as_run)))  # a finished run's checkpoint is removed
    with open(out + '.md') as f:
        assert 'a2v.lua as run (a table per model), 1 ep' in f.read()


def test_bad_flags_stop_with_one_line(capsys):
    for argv, wanted in ((['--papers', 'D08', '--dataset', 'cane-cora'], '--papers'),
                         (['--preset', 'a2v'], "--preset: invalid choice: 'a2v'"),
                         (['--set', 'lr=1'], '--set overrides a --preset')):
        with pytest.raises(SystemExit) as e:
            bench.main(argv)
        assert e.value.code == 2 and wanted in capsys.readouterr().err
