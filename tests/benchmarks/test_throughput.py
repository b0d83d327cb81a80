"""benchmarks/throughput.py guards itself: the load average before and after every measurement
in the results, LOADED marks, `--on-load refuse`, and backend fix 8 off on request. (What it
measures, pairs/s, is never asserted: speed belongs to the benchmark's own output.)"""
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, 'benchmarks', 'throughput.py')


def _run(*args):
    return subprocess.run([sys.executable, SCRIPT] + list(args), capture_output=True, text=True,
                          cwd=REPO, timeout=600)


def test_a_busy_machine_is_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / 'tp.json'
    proc = _run('--nodes', '50', '--max-load', '-1', '--on-load', 'refuse', '--json', str(out),
                '--markdown', str(tmp_path / 'tp.md'))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and 'exceeds --max-load -1.00' in lines[0]
    assert 'nothing was written' in lines[0] and list(tmp_path.iterdir()) == []


def test_unknown_method_is_a_usage_error():
    proc = _run('--methods', 'keras_rowadam,tensorflow')
    assert proc.returncode == 2 and 'unknown tensorflow' in proc.stderr


def test_loads_are_recorded_and_loaded_measurements_marked(tmp_path):
    """A tiny real run (two Keras children, fix 8 off; the second trains in 2 worker
    processes): every measurement records its load average before and after; with --max-load
    -1 every one is marked LOADED, and so is its size."""
    out, md = tmp_path / 'tp.json', tmp_path / 'tp.md'
    proc = _run('--nodes', '50', '--dim', '4', '--hidden-dim', '2', '--batch-size', '16',
                '--seconds', '0.2', '--pool', '4', '--methods', 'keras_rowadam', '--workers', '1,2',
                '--max-load', '-1', '--no-count-params-fix', '--json', str(out),
                '--markdown', str(md))
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(out.read_text())
    r = res['results']['50']['keras_rowadam']
    assert 'error' not in r, r.get('error')
    assert len(r['loadavg']) == 2 and all(x >= 0 for x in r['loadavg']) and r['loaded']
    assert r['count_params_fix'] is False  # AUTHOR2VEC_SKIP_FIXES=count_params in the child
    assert set(r['loops']) == {'train_step', 'train_on_batch', 'fit'}
    assert res['summary']['50']['loaded'] and res['max_load'] == -1
    two = res['results']['50']['keras_rowadam_w2']
    assert 'error' not in two, two.get('error')
    assert set(two['loops']) == {'workers'} and two['workers'] == 2 and two['loaded']
    assert set(res['summary']['50']['workers']) == {'1', '2'}
    last = proc.stdout.strip().splitlines()[-1]
    assert last.endswith('LOADED') and ' workers2=' in last and ' speedup2=' in last
    page = md.read_text()
    assert '| ours: 2 workers | 2 workers / 1 |' in page
    assert '**LOADED**' in page and '--no-count-params-fix' in page
    assert '| 50 | keras_rowadam |' in page  # the load of every measurement
