"""Deprecated name of `author2vec_keras.fileio` (kept for one release).

`io` is the standard library's name; import `author2vec_keras.fileio` (and `CheckpointMismatch`
from `author2vec_keras.checkpoints`) instead. The package itself never imports this module.
"""
import warnings

from .checkpoints import CheckpointMismatch  # noqa: F401  (was defined here)
from .fileio import *  # noqa: F401,F403
from .fileio import __all__ as _FILEIO

__all__ = _FILEIO + ['CheckpointMismatch']

warnings.warn('author2vec_keras.io is renamed author2vec_keras.fileio (CheckpointMismatch: '
              'author2vec_keras.checkpoints); the old name goes in the next release',
              DeprecationWarning, stacklevel=2)
