"""The graph rewrites that swap `ops.py`'s ops into the package's own graphs, on the CPU.

- `author2vec_take_rows`: Theano's `AdvancedSubtensor1` (`K.gather`) of a float table ->
  `TakeRows`.
- `author2vec_stack_slices`: the gradient of `x[:, :, 0]`, `x[:, :, 1]` (the pair layer after
  `Permute`), built by Theano as increments into zeros transposed back -> `StackColumns`.
- `author2vec_one_hot`: Keras' one-hot targets, `set_subtensor(zeros[arange(n), y], 1)` ->
  `OneHot`.
- `author2vec_blas_dots`: with no BLAS library linked (the default: Theano's products are
  numpy's), Theano's blas rewrites hurt. `Dot22Scalar` (`a * dot(x, y)`) is built for the scaled
  use of a product that is also used unscaled (Adam's `(1 - beta_1) g` next to its `g**2`), so
  the product is computed twice: 3 of the 9 large products of the link model's step. And `Gemm`
  runs numpy's product plus an unvectorised loop. They become the product once plus
  elementwise ops that fusion folds into its neighbours.
- `author2vec_fast_tanh`: float32 `tanh` -> `FastTanh` (so the bias addition before it stays a
  separate elementwise op).

They are registered under the optimizer tag `REWRITES`, not in Theano's `fast_run`: only a mode
including it applies them (`compile_mode()`, which `models.compile_model` gives the package's
own models), so a user's own `theano.function` or Keras model compiles to Theano's own ops. On
a GPU they do nothing (Theano's own ops move to the device). The in-place passes of `RowUpdate`
and `SetRows` are `ops.py`'s, in every `fast_run` graph: they touch only those ops.
"""
from author2vec_keras.nn import backend  # noqa: F401  configures and imports Theano first

import theano
import theano.tensor as T
from theano import scalar
from theano.compile import optdb
from theano.tensor.basic import ARange, NotScalarConstantError, get_scalar_constant_value
from theano.tensor.blas import Dot22, Dot22Scalar, Gemm, _dot22
from theano.tensor.elemwise import DimShuffle, Elemwise
from theano.tensor.subtensor import AdvancedIncSubtensor, AdvancedSubtensor1, IncSubtensor

try:  # theano-pymc 1.1
    from theano.graph.opt import TopoOptimizer, local_optimizer
except ImportError:  # Theano 1.0.5
    from theano.gof.opt import TopoOptimizer, local_optimizer

from author2vec_keras.nn.ops import OneHot, StackColumns, TakeRows, fast_tanh, on_cpu

__all__ = ['REWRITES', 'compile_mode']


def _constant(var):
    try:
        return get_scalar_constant_value(var)
    except NotScalarConstantError:
        return None


@local_optimizer([AdvancedSubtensor1])
def _take_rows(*args):
    node = args[-1]
    if type(node.op) is AdvancedSubtensor1 and on_cpu():
        x = node.inputs[0]
        if isinstance(x.type, T.TensorType) and x.dtype in ('float32', 'float64'):
            return [TakeRows()(*node.inputs)]
    return False


@local_optimizer([DimShuffle])
def _stack_slices(*args):
    """`DimShuffle{0,2,1}(inc(... inc(zeros(b, d, w), x_0, [:, :, c_0]) ..., x_k, [:, :, c_k]))`
    -> `StackColumns(c_0..c_k)(b, d, w, x_0, ..., x_k)` (distinct constant columns)."""
    node = args[-1]
    if not isinstance(node.op, DimShuffle) or not on_cpu():
        return False
    y = node.inputs[0]
    if y.ndim != 3 or tuple(node.op.new_order) != (0, 2, 1):
        return False
    parts = []
    while y.owner is not None and isinstance(y.owner.op, IncSubtensor):
        op, (base, x, *index) = y.owner.op, y.owner.inputs
        idx = op.idx_list
        if (op.set_instead_of_inc or len(idx) != 3 or len(index) != 1
                or any(i != slice(None) for i in idx[:-1]) or isinstance(idx[-1], slice)):
            return False
        c = _constant(index[0])
        if c is None or x.ndim != 2 or any(x.broadcastable) or x.dtype != y.dtype:
            return False
        parts.append((int(c), x))
        y = base
    if not parts or y.owner is None or not isinstance(y.owner.op, T.Alloc):
        return False
    value, dims = y.owner.inputs[0], y.owner.inputs[1:]
    columns = [c for c, _ in parts]
    if (_constant(value) != 0 or len(dims) != 3 or len(set(columns)) != len(columns)
            or any(c < 0 for c in columns)):
        return False
    parts = parts[::-1]  # in the order they were added
    return [StackColumns([c for c, _ in parts])(*(list(dims) + [x for _, x in parts]))]


@local_optimizer([AdvancedIncSubtensor])
def _one_hot(*args):
    """`set_subtensor(zeros((n, k))[arange(0, n, 1), labels], 1)` -> `OneHot(labels, n, k)`."""
    node = args[-1]
    if type(node.op) is not AdvancedIncSubtensor or not on_cpu():
        return False
    if not node.op.set_instead_of_inc or len(node.inputs) != 4:
        return False
    x, value, rows, labels = node.inputs
    if (x.ndim != 2 or x.owner is None or not isinstance(x.owner.op, T.Alloc)
            or _constant(x.owner.inputs[0]) != 0 or _constant(value) != 1
            or rows.owner is None or not isinstance(rows.owner.op, ARange)
            or labels.ndim != 1 or labels.dtype not in T.integer_dtypes):
        return False
    n, k = x.owner.inputs[1:]
    start, stop, step = rows.owner.inputs
    if _constant(start) != 0 or _constant(step) != 1:
        return False
    if stop is not n and (_constant(stop) is None or _constant(stop) != _constant(n)):
        return False
    return [OneHot(x.dtype)(labels, n, k)]


def _blas_linked():
    flags = getattr(theano.config, 'blas__ldflags', None)
    if flags is None:  # Theano 1.0.5
        flags = theano.config.blas.ldflags
    return bool(flags)


def _clients(args, var):
    """The nodes using `var` (`args`: the local optimizer's `(fgraph, node)` or `(node,)`)."""
    fgraph = args[0] if len(args) == 2 else None
    clients = fgraph.clients[var] if fgraph is not None and hasattr(fgraph, 'clients') \
        else getattr(var, 'clients', [])
    return [c for c, _ in clients if not isinstance(c, str)]


@local_optimizer([Dot22Scalar, Gemm])
def _blas_dots(*args):
    node = args[-1]
    if not on_cpu() or _blas_linked():
        return False
    out = node.outputs[0]
    if type(node.op) is Dot22Scalar:
        x, y, a = node.inputs
        for client in _clients(args, x):
            if type(client.op) is Dot22 and list(client.inputs) == [x, y]:
                return [T.cast(a * client.outputs[0], out.dtype)]
        return False
    if type(node.op) is Gemm:
        z, a, x, y, b = node.inputs
        scaled = [_dot22(x, y) if _constant(a) == 1 else a * _dot22(x, y),
                  z if _constant(b) == 1 else b * z]
        return [T.cast(scaled[1] + scaled[0], out.dtype)]
    return False


@local_optimizer([Elemwise])
def _fast_tanh(*args):
    node = args[-1]
    if (isinstance(node.op, Elemwise) and node.op.scalar_op == scalar.tanh and on_cpu()
            and node.inputs[0].dtype == 'float32' and not node.op.inplace_pattern):
        return [fast_tanh(node.inputs[0])]
    return False


#: The optimizer tag of these rewrites: a Theano mode including it applies them (`compile_mode`,
#: which the package compiles its own models with); Theano's own modes do not, so importing the
#: package changes no one else's graphs.
REWRITES = 'author2vec'


def compile_mode():
    """The Theano mode of the package's own models: the default mode (`theano.config.mode`)
    including this module's rewrites (`REWRITES`). `models.with_rewrites` gives it to a model."""
    return theano.compile.mode.get_default_mode().including(REWRITES)


# After Theano's own specialisation and before elemwise fusion (49).
optdb.register('author2vec_take_rows', TopoOptimizer(_take_rows), 48.5, REWRITES)
optdb.register('author2vec_fast_tanh', TopoOptimizer(_fast_tanh), 48.5, REWRITES)
optdb.register('author2vec_stack_slices', TopoOptimizer(_stack_slices), 48.5, REWRITES)
optdb.register('author2vec_blas_dots', TopoOptimizer(_blas_dots), 48.5, REWRITES)
optdb.register('author2vec_one_hot', TopoOptimizer(_one_hot), 48.5, REWRITES)
