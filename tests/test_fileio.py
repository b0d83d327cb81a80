"""`fileio`: atomic writes leave the final file with the mode `open()` gives it; the old name
`author2vec_keras.io` still imports, warning, and the package itself never imports it."""
import os
import stat
import subprocess
import sys

import pytest

from author2vec_keras import fileio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def umask():
    """Set a umask for the test, restore the previous one after."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield lambda mask: os.umask(mask)
    os.umask(previous)


def mode(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


@pytest.mark.parametrize('mask', [0o022, 0o077, 0o002])
def test_atomic_write_gets_the_mode_open_gives(tmp_path, umask, mask):
    umask(mask)
    with open(str(tmp_path / 'plain.txt'), 'w') as f:
        f.write('x')
    with fileio.atomic_open(tmp_path / 'atomic.txt') as f:
        f.write('x')
    assert mode(tmp_path / 'atomic.txt') == mode(tmp_path / 'plain.txt') == 0o666 & ~mask
    assert sorted(os.listdir(str(tmp_path))) == ['atomic.txt', 'plain.txt']


def test_atomic_write_keeps_an_existing_files_mode(tmp_path, umask):
    umask(0o022)
    path = tmp_path / 'kept.txt'
    path.write_text('old')
    os.chmod(str(path), 0o640)
    with fileio.atomic_open(path) as f:
        f.write('new')
    assert path.read_text() == 'new' and mode(path) == 0o640


def test_atomic_write_that_fails_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with fileio.atomic_open(tmp_path / 'never.txt') as f:
            f.write('half')
            raise RuntimeError('stopped')
    assert os.listdir(str(tmp_path)) == []


def python(code):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, '-W', 'error::DeprecationWarning:author2vec_keras',
                           '-c', code], env=env, capture_output=True, text=True, timeout=600)


def test_every_module_imports_without_a_deprecation_warning_of_ours():
    """Every module but Ray's, imported with the package's DeprecationWarnings an error."""
    proc = python(
        'import importlib, pkgutil, sys, author2vec_keras\n'
        'for m in pkgutil.walk_packages(author2vec_keras.__path__, "author2vec_keras."):\n'
        '    if m.name != "author2vec_keras.training.distributed":\n'
        '        importlib.import_module(m.name)\n'
        'print(len([n for n in sys.modules if n.startswith("author2vec_keras.")]))\n')
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 25
