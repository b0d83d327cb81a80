"""The checks several modules make of their parameters and results, each written once (numpy
only), and the choices they check against.

- `positive_int`: an integer parameter (`bool` refused: `True` is no count);
- `finite_loss`: the NaN guard of every training loop;
- `CONTEXTS`, `AUTHOR_TABLES`: the choices of the models' `context` and `author_tables`.
"""
import numpy as np

__all__ = ['positive_int', 'finite_loss', 'CONTEXTS', 'AUTHOR_TABLES']

#: where the second node of a pair is read from: one table for both nodes, or a context table
CONTEXTS = ('shared', 'separate')
#: one author table for both models (the paper), or one per model (a2v.lua as it ran)
AUTHOR_TABLES = ('shared', 'per-model')


def positive_int(name, value, minimum=1):
    """`value` as an int, or ValueError naming `name` unless it is an integer >= `minimum`.

    Integral floats (`2.0`) and numpy integers pass; `bool`, strings and fractions do not.

    # Arguments
        name: what the message calls the value (`'dim'`, `'NodeEmbeddingLayer: hidden_dim'`).
        value: the value to check.
        minimum: the smallest value allowed (1: 'a positive integer').
    """
    try:
        ok = not isinstance(value, (bool, np.bool_)) and int(value) == value and \
            value >= minimum
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        what = 'a positive integer' if minimum == 1 else 'an integer >= %d' % minimum
        raise ValueError('%s must be %s, got %r' % (name, what, value))
    return int(value)


def finite_loss(loss, where):
    """`loss` as a float, or FloatingPointError when it is NaN or infinite.

    # Arguments
        loss: a training step's loss.
        where: the step, for the message (`'epoch 3, batch 7'`).
    """
    loss = float(loss)
    if not np.isfinite(loss):
        raise FloatingPointError('training loss became %s at %s; the last good checkpoint is '
                                 'kept; lower the learning rate' % (loss, where))
    return loss
