"""`fileio`: atomic writes leave the final file with the mode `open()` gives it; the old name
`author2vec_keras.io` still imports, warning, and the package itself never imports it."""
import os
import stat
import subprocess
import sys

import numpy as np
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


def test_atomic_write_goes_through_a_symlink(tmp_path):
    """A symlink is written through: its target gets the new text, the link stays a link."""
    (tmp_path / 'real').mkdir()
    target = tmp_path / 'real' / 'target.txt'
    target.write_text('old')
    link = tmp_path / 'link.txt'
    link.symlink_to(target)
    with fileio.atomic_open(link) as f:
        f.write('new')
    assert link.is_symlink() and os.readlink(str(link)) == str(target)
    assert target.read_text() == 'new' and sorted(os.listdir(str(tmp_path / 'real'))) == \
        ['target.txt']
    dangling = tmp_path / 'dangling.txt'
    dangling.symlink_to(tmp_path / 'real' / 'new.txt')
    with fileio.atomic_open(dangling) as f:
        f.write('made')
    assert dangling.is_symlink() and (tmp_path / 'real' / 'new.txt').read_text() == 'made'


def char_device(path):
    """A /dev/null-like character device at `path` (root only), else skip."""
    try:
        os.mknod(str(path), stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip('cannot make a device node here')
    return path


@pytest.mark.parametrize('kind', ['fifo', 'device', 'directory', 'link to a fifo'])
def test_atomic_write_never_replaces_what_is_not_a_regular_file(tmp_path, kind):
    """A FIFO, a device or a directory (or a link to one) is refused before anything is
    written; it stays what it was (as root, a rename would replace even /dev/full)."""
    path = tmp_path / 'out'
    if kind == 'device':
        char_device(path)
    elif kind == 'directory':
        path.mkdir()
    else:
        os.mkfifo(str(tmp_path / 'fifo' if kind == 'link to a fifo' else path))
        if kind == 'link to a fifo':
            path.symlink_to(tmp_path / 'fifo')
    before = sorted(os.listdir(str(tmp_path)))
    with pytest.raises((FileExistsError, IsADirectoryError), match='not a regular file'):
        with fileio.atomic_open(path) as f:
            f.write('x')
    test = {'fifo': stat.S_ISFIFO, 'device': stat.S_ISCHR, 'directory': stat.S_ISDIR,
            'link to a fifo': stat.S_ISFIFO}[kind]
    assert test(os.stat(str(path)).st_mode) and sorted(os.listdir(str(tmp_path))) == before
    assert fileio.not_a_file(path) == {'fifo': 'a FIFO', 'device': 'a character device',
                                       'directory': 'a directory',
                                       'link to a fifo': 'a FIFO'}[kind]


@pytest.mark.parametrize('nodes, problem', [
    (['Ana Lopez', 'Bea', 'Ana_Lopez'], "node ids 'Ana Lopez' and 'Ana_Lopez' give the same "
                                        "word2vec token 'Ana_Lopez': rename one"),
    ([1, 2, '1'], "node ids 1 and '1' give the same word2vec token '1': rename one"),
    (['a', ' \t'], "node id ' \\t' cannot be written as a word2vec token"),
    (['a', 'x' * 200, 'x' * 200], "node ids '%s... and '%s... give the same word2vec token "
                                  "'%s...: rename one" % ('x' * 79, 'x' * 79, 'x' * 79)),
])
def test_ids_that_give_no_or_the_same_word2vec_token_are_named(tmp_path, nodes, problem):
    with pytest.raises(ValueError) as info:
        fileio.word2vec_tokens(nodes)
    assert str(info.value) == problem
    with pytest.raises(ValueError):  # the file is never written
        fileio.save_word2vec(tmp_path / 'x.emb', nodes, np.zeros((len(nodes), 2)))
    assert os.listdir(str(tmp_path)) == []
    assert fileio.word2vec_tokens(['Ana Lopez', 1, 'b\tc']) == ['Ana_Lopez', '1', 'b_c']


def python(code):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, '-W', 'error::DeprecationWarning:author2vec_keras',
                           '-c', code], env=env, capture_output=True, text=True, timeout=600)


def test_every_module_imports_without_a_deprecation_warning_of_ours():
    """Every module but Ray's and the GPU ops' (pygpu, a GPU device), imported with the
    package's DeprecationWarnings an error."""
    proc = python(
        'import importlib, pkgutil, sys, author2vec_keras\n'
        'for m in pkgutil.walk_packages(author2vec_keras.__path__, "author2vec_keras."):\n'
        '    if m.name not in ("author2vec_keras.training.distributed",\n'
        '                      "author2vec_keras.nn.gpu_ops"):\n'
        '        importlib.import_module(m.name)\n'
        'print(len([n for n in sys.modules if n.startswith("author2vec_keras.")]))\n')
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 25
