"""The checks several modules make of their parameters and results, each written once (numpy
only), and the choices they check against.

- `positive_int`: an integer parameter (`bool` refused: `True` is no count);
- `one_of`: a parameter among a tuple of choices, every such error in one shape;
- `ParameterError`: the ValueError of a bad parameter, naming the parameters it is about (the
  command line names their flags instead);
- `finite_loss`: the NaN guard of every training loop;
- `CONTEXTS`, `AUTHOR_TABLES`, `EMBEDDING_INITS`: the choices of the models' `context`,
  `author_tables` and `embedding_init`, read by the models and the estimators.
"""
import numpy as np

__all__ = ['positive_int', 'one_of', 'ParameterError', 'finite_loss', 'CONTEXTS',
           'AUTHOR_TABLES', 'EMBEDDING_INITS']

#: where the second node of a pair is read from: one table for both nodes, or a context table
CONTEXTS = ('shared', 'separate')
#: one author table for both models (the paper), or one per model (a2v.lua as it ran)
AUTHOR_TABLES = ('shared', 'per-model')
#: the initial author vectors: Keras' U(-0.05, 0.05), or Torch's `nn.LookupTable` N(0, 1)
EMBEDDING_INITS = ('uniform', 'normal')


class ParameterError(ValueError):
    """A bad parameter, or parameters that do not go together: a ValueError whose message
    names them as `name` (a setting as `name='value'`), and `names`, the parameters it names,
    the one at fault first (`cli` shows each as its flag: `walk_length` -> `--walk-length`)."""

    def __init__(self, message, names):
        super(ParameterError, self).__init__(message)
        self.names = tuple(names)


def _parameter(name):
    """The parameter of a message's `name`: 'hidden_dim' of 'NodeEmbeddingLayer: hidden_dim'."""
    return name.rpartition(': ')[2]


def one_of(name, value, choices):
    """`value`, or `ParameterError` unless it is one of `choices`, in the one shape:
    "context must be one of 'shared', 'separate'; got 'x'".

    # Arguments
        name: what the message calls the value: the parameter, after where it is checked if
            that helps (`'context'`, `'paper_model: context'`).
        value: the value to check.
        choices: the values allowed (a tuple, or a dict's keys).
    """
    try:
        ok = value in choices
    except (TypeError, ValueError):  # unhashable (against a dict), an array
        ok = False
    if not ok:
        raise ParameterError('%s must be one of %s; got %r'
                             % (name, ', '.join(repr(c) for c in choices), value),
                             [_parameter(name)])
    return value


def positive_int(name, value, minimum=1):
    """`value` as an int, or `ParameterError` naming `name` unless it is an integer >=
    `minimum`.

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
        raise ParameterError('%s must be %s, got %r' % (name, what, value), [_parameter(name)])
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
