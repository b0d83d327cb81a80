"""Every notebook in notebooks/ runs top to bottom, headless, in small mode (A2V_NOTEBOOK_SMALL=1).

The kernel is this interpreter (a temporary kernelspec, see notebooks/run.py), so the notebooks
see the same packages as the tests. Any cell error fails the test with the cell's traceback.
The committed notebooks are not modified; the executed copies go to pytest's tmp_path.
"""
import glob
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOK_DIR = os.path.join(ROOT, 'notebooks')
NOTEBOOKS = sorted(glob.glob(os.path.join(NOTEBOOK_DIR, '[0-9][0-9]_*.ipynb')))

pytest.importorskip('nbclient', reason='pip install -r requirements-notebooks.txt')
pytest.importorskip('nbformat', reason='pip install -r requirements-notebooks.txt')
pytest.importorskip('ipykernel', reason='pip install -r requirements-notebooks.txt')


def _runner():
    spec = importlib.util.spec_from_file_location('notebook_runner',
                                                  os.path.join(NOTEBOOK_DIR, 'run.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_four_notebooks_are_there():
    names = [os.path.basename(p) for p in NOTEBOOKS]
    assert names == ['01_custom_layer_in_keras.ipynb', '02_author2vec_vs_paper.ipynb',
                     '03_benchmarks.ipynb', '04_your_own_papers.ipynb']


@pytest.mark.parametrize('path', NOTEBOOKS, ids=[os.path.basename(p)[:2] for p in NOTEBOOKS])
def test_notebook_executes_in_small_mode(path, tmp_path):
    import nbformat
    run = _runner()
    before = open(path, 'rb').read()
    nb, seconds = run.execute(path, small=True, output=str(tmp_path / os.path.basename(path)))
    assert open(path, 'rb').read() == before, 'the small run must not rewrite the notebook'
    errors = [o for c in nb.cells if c.cell_type == 'code' for o in c.get('outputs', [])
              if o.get('output_type') == 'error']
    assert not errors
    assert all(c.get('execution_count') for c in nb.cells if c.cell_type == 'code')
    nbformat.validate(nb)


@pytest.mark.parametrize('path', NOTEBOOKS, ids=[os.path.basename(p)[:2] for p in NOTEBOOKS])
def test_committed_outputs_come_from_a_full_run(path):
    """The committed notebooks keep their outputs (people read them on the web): every code
    cell was executed, in order, no cell failed, the full-parameter run made them, and the
    plots are real images."""
    import nbformat
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == 'code']
    counts = [c.get('execution_count') for c in code]
    assert all(counts), 'unexecuted cells in %s: run `python notebooks/run.py --full`' % path
    assert counts == sorted(counts)
    outputs = [o for c in code for o in c.get('outputs', [])]
    assert not [o for o in outputs if o.get('output_type') == 'error']
    text = ''.join(o.get('text', '') for o in outputs if o.get('output_type') == 'stream')
    assert 'small mode' not in text, '%s was committed from a small run' % path
    images = [o for o in outputs if 'image/png' in o.get('data', {})]
    assert images, '%s has no figure' % path
    assert all(len(o['data']['image/png']) > 5000 for o in images)
