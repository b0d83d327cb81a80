"""Execute the notebooks headless with nbclient, in a kernel running this Python.

    python notebooks/run.py --full          # full parameters; writes the outputs into the
                                            # .ipynb files (the committed outputs)
    python notebooks/run.py --small         # A2V_NOTEBOOK_SMALL=1, what CI runs; the files
                                            # are not changed (--output-dir DIR keeps copies)
    python notebooks/run.py --full 01 03    # only the notebooks whose names contain 01 or 03

The kernel is this interpreter (`sys.executable -m ipykernel_launcher`), declared through a
temporary kernelspec, so whatever `python3` kernels Jupyter has installed elsewhere do not
matter. It inherits the environment (THEANO_FLAGS etc.) and runs in the notebook's folder, as
Jupyter does; the notebooks read results/ by the rule in a2v_results.py ($A2V_RESULTS_DIR).
Exit status 1 and the failing cell's traceback when a cell raises.
"""
import argparse
import contextlib
import glob
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SMALL_ENV = 'A2V_NOTEBOOK_SMALL'


def notebooks(patterns=None):
    """The notebooks in notebooks/, in order; `patterns` keeps names containing any of them."""
    paths = sorted(glob.glob(os.path.join(HERE, '[0-9][0-9]_*.ipynb')))
    if patterns:
        paths = [p for p in paths if any(s in os.path.basename(p) for s in patterns)]
    return paths


@contextlib.contextmanager
def this_python_kernel():
    """A kernel name that runs `sys.executable`, via a temporary JUPYTER_PATH entry."""
    tmp = tempfile.mkdtemp(prefix='a2v-kernel-')
    name = 'author2vec-notebooks-%d' % os.getpid()
    spec_dir = os.path.join(tmp, 'kernels', name)
    os.makedirs(spec_dir)
    with open(os.path.join(spec_dir, 'kernel.json'), 'w') as f:
        json.dump({'argv': [sys.executable, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
                   'display_name': 'Python (%s)' % sys.executable, 'language': 'python'}, f)
    old = os.environ.get('JUPYTER_PATH')
    os.environ['JUPYTER_PATH'] = os.pathsep.join([tmp] + ([old] if old else []))
    try:
        yield name
    finally:
        if old is None:
            os.environ.pop('JUPYTER_PATH', None)
        else:
            os.environ['JUPYTER_PATH'] = old
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _env(**values):
    """Set (None: unset) environment variables for the duration."""
    old = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def execute(path, small=True, timeout=None, output=None, env=None):
    """Run one notebook top to bottom, in its folder; returns (executed notebook, seconds).

    `small` sets A2V_NOTEBOOK_SMALL=1 (else 0) in the kernel's environment. `output`: where to
    write the executed notebook (None: nowhere). `env`: environment variables for the kernel
    (None as a value unsets one); without PYTHONPATH there, the checkout is put first on it so
    its package is the one imported. Raises nbclient's CellExecutionError (with the cell's
    traceback) when a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    if timeout is None:
        timeout = 900 if small else 1800
    values = {'PYTHONPATH': os.pathsep.join(
        [ROOT] + ([os.environ['PYTHONPATH']] if os.environ.get('PYTHONPATH') else []))}
    values.update(env or {})
    values[SMALL_ENV] = '1' if small else '0'
    t0 = time.time()
    with _env(**values), this_python_kernel() as kernel:
        client = NotebookClient(nb, timeout=timeout, kernel_name=kernel,
                                resources={'metadata': {'path': os.path.dirname(os.path.abspath(path))}})
        client.execute()
    seconds = time.time() - t0
    # keep the standard kernelspec in the file (the temporary one exists only for this run)
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3',
                                 'language': 'python'}
    if output:
        nbformat.write(nb, output)
    return nb, seconds


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument('--full', action='store_true',
                      help='full parameters; write the outputs into the notebooks')
    mode.add_argument('--small', action='store_true', help='A2V_NOTEBOOK_SMALL=1 (default)')
    p.add_argument('--output-dir', help='write the executed notebooks here instead')
    p.add_argument('--timeout', type=int, default=None, help='seconds per cell')
    p.add_argument('names', nargs='*', help='run only notebooks whose names contain these')
    args = p.parse_args(argv)
    paths = notebooks(args.names)
    if not paths:
        p.error('no notebook matches %s' % args.names)
    from nbclient.exceptions import CellExecutionError
    total = time.time()
    for path in paths:
        name = os.path.basename(path)
        if args.output_dir:
            os.makedirs(args.output_dir, exist_ok=True)
            out = os.path.join(args.output_dir, name)
        else:
            out = path if args.full else None
        print('%s (%s) ...' % (name, 'full' if args.full else 'small'), flush=True)
        try:
            _, seconds = execute(path, small=not args.full, timeout=args.timeout, output=out)
        except CellExecutionError as e:
            print(str(e), file=sys.stderr)
            print('FAILED: %s' % name, file=sys.stderr)
            return 1
        print('%s: %.0f s%s' % (name, seconds, ' -> ' + out if out else ''), flush=True)
    print('total %.0f s' % (time.time() - total))
    return 0


if __name__ == '__main__':
    sys.exit(main())
