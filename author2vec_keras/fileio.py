"""Files in and out: atomic writes (a temporary file renamed when complete), word2vec files.

(Named `fileio`, not `io`, which is the standard library's. Keras models are saved and loaded by
`nn.saving`.)
"""
import contextlib
import errno
import os
import re
import secrets
import stat

import numpy as np

__all__ = ['atomic_path', 'atomic_open', 'not_a_file', 'temporary_target', 'save_figure',
           'word2vec_token', 'word2vec_tokens', 'save_word2vec', 'load_word2vec']

_WHITESPACE = re.compile(r'\s+')


#: `atomic_path`'s temporary name for FILE: `.FILE.<random>.tmp`
_TEMPORARY = re.compile(r'^\.(.+)\.[^.]+\.tmp$')


def temporary_target(name):
    """The file name an `atomic_path` temporary called `name` was to become, else None."""
    match = _TEMPORARY.match(name)
    return match.group(1) if match else None


_KINDS = ((stat.S_ISDIR, 'a directory'), (stat.S_ISCHR, 'a character device'),
          (stat.S_ISBLK, 'a block device'), (stat.S_ISFIFO, 'a FIFO'), (stat.S_ISSOCK, 'a socket'))


def not_a_file(path):
    """What `path` (a symlink followed) is when it exists and is not a regular file, in words
    ('a character device'); None for a regular file or nothing."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return next((kind for test, kind in _KINDS if test(mode)), None)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; on success it is renamed to `path`.

    Nothing is left at `path` if the block raises, and an existing file is only replaced
    once the new one is complete. The file gets the mode a plain `open(path, 'w')` gives it:
    an existing file's own, else 0666 less the umask. A symlink is written through (its
    target is replaced, the link kept); a directory, device, FIFO or socket at `path` is
    never replaced: `IsADirectoryError` / `FileExistsError` before anything is written.
    """
    path = os.path.realpath(os.fspath(path))
    kind = not_a_file(path)
    if kind is not None:
        error = IsADirectoryError if kind == 'a directory' else FileExistsError
        raise error(errno.EEXIST, 'is %s, not a regular file: not replaced' % kind, path)
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    tmp = _create_temporary(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _create_temporary(path):
    """Create the empty file `.NAME.<random>.tmp` beside `path`; returns its path.

    Made by `os.open(..., 0o666)`, so the kernel applies the umask as for `open()` (mkstemp's
    files are 0600); an existing `path` passes its own mode on.
    """
    directory, name = os.path.split(os.path.abspath(path))
    while True:
        tmp = os.path.join(directory, '.%s.%s.tmp' % (name, secrets.token_hex(4)))
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        if os.path.isfile(path):
            os.fchmod(fd, stat.S_IMODE(os.stat(path).st_mode))
    finally:
        os.close(fd)
    return tmp


@contextlib.contextmanager
def atomic_open(path, mode='w', **kwargs):
    """`open(path, mode)` that writes a temporary file and renames it on success."""
    with atomic_path(path) as tmp:
        with open(tmp, mode, **kwargs) as f:
            yield f


def save_figure(fig, path, **kwargs):
    """`fig.savefig(path)` through a temporary file; the format comes from `path`'s extension."""
    fmt = os.path.splitext(os.fspath(path))[1].lstrip('.') or 'png'
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, **kwargs)
    return path


def word2vec_token(node):
    """A node id as one word2vec token: `str(node)` with runs of whitespace replaced by `_`."""
    token = _WHITESPACE.sub('_', str(node).strip())
    if not token:
        raise ValueError('node id %s cannot be written as a word2vec token' % _shown(node))
    return token


def word2vec_tokens(nodes):
    """The node ids as `word2vec_token`s, one each, or ValueError naming an id that gives no
    token or the first two ids that give the same one (`'Ana Lopez'` and `'Ana_Lopez'`, `1`
    and `'1'`): checked before training, so a run never fails at its end."""
    tokens = [word2vec_token(v) for v in nodes]
    first = {}
    for i, token in enumerate(tokens):
        j = first.setdefault(token, i)
        if j != i:
            raise ValueError('node ids %s and %s give the same word2vec token %s: rename one'
                             % (_shown(nodes[j]), _shown(nodes[i]), _shown(token)))
    return tokens


def _shown(value):
    """`repr(value)`, cut at 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + '...'


def save_word2vec(path, nodes, vectors):
    """Write embeddings in word2vec text format: `n d`, then `node v1 .. vd` per line.

    Written by gensim's `KeyedVectors.save_word2vec_format` (rows in `nodes` order, node ids
    as `word2vec_token`s), through a temporary file; `load_word2vec` reads it back.

    # Arguments
        path: output file.
        nodes: sequence of node ids, one per row of `vectors`.
        vectors: `(n, d)` array.
    """
    from gensim.models import KeyedVectors
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(nodes) != vectors.shape[0]:
        raise ValueError('save_word2vec: %d node ids for vectors of shape %s'
                         % (len(nodes), vectors.shape))
    tokens = word2vec_tokens(nodes)
    index = {t: i for i, t in enumerate(tokens)}
    kv = KeyedVectors(vectors.shape[1], dtype=np.float32)
    kv.index_to_key, kv.key_to_index, kv.vectors = tokens, index, vectors  # no copy of the table
    kv.expandos['count'] = np.ones(len(tokens), dtype=np.int64)  # equal counts: written in order
    with atomic_path(path) as tmp:
        kv.save_word2vec_format(tmp, binary=False)


def load_word2vec(path):
    """Read a word2vec text file: returns `(tokens, vectors)` with vectors `(n, d)` float32."""
    from gensim.models import KeyedVectors
    kv = KeyedVectors.load_word2vec_format(os.fspath(path), binary=False)
    return list(kv.index_to_key), kv.vectors
