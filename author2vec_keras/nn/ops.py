"""Theano ops for the CPU training step: row gathers, fused row-wise updates, a fast tanh.

The graph Keras builds for the link model spends most of a CPU step outside its matrix
products (profile in results/throughput.md). These ops remove that time:

- `RowUpdate`: one C op per embedding table for the whole row-wise step of `RowSGD`,
  `RowAdagrad` and `RowAdam` (sum the gradients of duplicate indices in batch order, then
  update each touched row of the table and of its optimizer slots in place). It replaces
  `SumRowsByIndex`, a gather of the slots, the elementwise update and two `SetRows`.
- `TakeRows`: `x[indices]` for a C-contiguous `x`, one `memcpy` per row after checking every
  index. Theano's `AdvancedSubtensor1` calls numpy's `take` with `mode='raise'`, which
  copies the output twice more.
- `StackColumns`: the gradient of `x[:, :, 0]`, `x[:, :, 1]` (the pair layer after `Permute`)
  is built by Theano as increments into a zero array, transposed back, then reshaped (a copy);
  this op writes the slice gradients straight into the layout the embedding rows need (one
  copy instead of a fill, two strided increments and a copy: 150 us -> 26 us at batch 512).
- `OneHot`: Keras' sparse categorical cross-entropy makes its one-hot targets with
  `set_subtensor(zeros[arange(n), y], 1)`: two Python ops per step; this is one C op.
- `FastTanh`: float32 tanh as a rational function (Eigen's, as TensorFlow uses on the CPU;
  relative error below 4e-7) in a loop the compiler vectorises; glibc's `tanhf` costs about
  18 ns per value, more than the matrix products of the pair layer.

The C code is in `c/*.c` beside this module (package data), one file per op, cut into sections
at Theano's `#section name` lines, `$name`s filled in by `string.Template` (`CFileOp`); each
op's cache version is a digest of its file, so an edit recompiles. The C loops over rows and
values are separate `noinline` functions with `restrict` arguments: GCC vectorises them there,
and not when they are inlined into an op's (large) function.

`rewrites.py` swaps `TakeRows`, `StackColumns`, `OneHot` and `FastTanh` into the package's own
graphs (and computes each matrix product once); the row-wise optimizers build `RowUpdate`
themselves. The in-place passes of `RowUpdate` and `SetRows` (below) run in every `fast_run`
graph: they touch only these ops, which a graph has only when it was built with them.
`SumRowsByIndex` and `SetRows` remain for the row-wise updates that `RowUpdate` does not cover
(gradient clipping) and for graphs without C code.

Like optimizers.py, this module uses Theano directly: it is imported after
`author2vec_keras.nn.backend` has configured Theano.
"""
import functools
import hashlib
import re
from importlib import resources
from string import Template

import numpy as np

from author2vec_keras.checks import one_of
from author2vec_keras.nn import backend  # noqa: F401  configures and imports Theano first

import theano
import theano.tensor as T
from theano.compile import optdb

try:  # theano-pymc 1.1
    from theano.graph.basic import Apply
    from theano.graph.op import COp as _COp, Op
    from theano.graph.opt import TopoOptimizer, local_optimizer
except ImportError:  # Theano 1.0.5
    from theano.gof import (
        Op,
        Op as _COp,  # Theano 1.0.5's Op takes C code
    )
    from theano.gof.graph import Apply
    from theano.gof.opt import TopoOptimizer, local_optimizer

__all__ = ['RowUpdate', 'TakeRows', 'FastTanh', 'StackColumns', 'OneHot', 'SumRowsByIndex',
           'SetRows', 'CFileOp', 'fast_tanh', 'sum_rows', 'on_cpu', 'c_source', 'c_sections',
           'c_code_version']


_SECTION = re.compile(r'^#section (\w+)\n', re.MULTILINE)  # Theano's marker in its C files


def on_cpu():
    """True when Theano computes on the CPU (these ops' C code is CPU code)."""
    return not str(theano.config.device).startswith(('cuda', 'gpu', 'opencl'))


def sum_rows(values, idx):
    """numpy: `(rows, sums, first)` for `values (k, d)` gathered at `idx (k,)`.

    `rows` the sorted unique indices; `sums` for each the sum of its `values` rows added in
    batch order (as Theano's dense gradient of a gather adds them, so bit for bit the dense
    gradient's rows); `first` the position in `idx` of its first occurrence.
    """
    if idx.shape[0] == 0:
        return idx.copy(), values[:0].copy(), np.zeros(0, dtype='int64')
    order = np.argsort(idx, kind='stable')
    ordered = idx[order]
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    group = np.cumsum(first) - 1  # unique row of each sorted position
    rank = np.arange(len(ordered)) - starts[group]  # occurrence number within its row
    sums = values[order[starts]]
    # Add the 2nd, 3rd, ... occurrences one rank at a time: each row sums its values
    # sequentially in batch order (np.add.reduceat would sum in another order).
    for r in range(1, int(rank.max()) + 1):
        at = rank == r
        sums[group[at]] += values[order[at]]
    return ordered[starts], sums, order[starts].astype('int64')


@functools.lru_cache(maxsize=None)
def c_source(filename):
    """The text of the C file `c/<filename>` beside this module (package data)."""
    return (resources.files(__package__) / 'c' / filename).read_text(encoding='utf8')


def c_sections(text):
    """`{name: code}` of C text cut at Theano's `#section name` lines (what comes before the
    first is the file's comment)."""
    parts = _SECTION.split(text)
    return dict(zip(parts[1::2], parts[2::2]))


@functools.lru_cache(maxsize=None)
def c_code_version(text):
    """The `c_code_cache_version` of an op compiled from C `text`: a sha256 digest of the text
    (48 bits; an edit changes it, so Theano compiles the op again rather than reuse a cached
    module), plus numpy's version (the C code uses its API)."""
    digest = int(hashlib.sha256(text.encode('utf8')).hexdigest()[:12], 16)
    return (digest,) + tuple(int(v) for v in np.__version__.split('.')[:2])


class CFileOp(_COp):
    """An op whose C code is the file `c/<c_file>`: its sections filled in by `c_section`, its
    `support_code` section the support code, its cache version `c_code_version` of the file."""
    c_file = None

    def c_section(self, section, **names):
        """The section `section` of the op's C file, `$name`s replaced (`string.Template`)."""
        return Template(c_sections(c_source(self.c_file))[section]).substitute(names)

    def c_support_code(self, *args, **kwargs):
        return self.c_section('support_code')

    def c_code_cache_version(self):
        return c_code_version(c_source(self.c_file))


class SumRowsByIndex(Op):
    """`(values (k, d), idx (k,)) -> (rows (u,), sums (u, d), first (u,))`: see `sum_rows`.

    A stable argsort and one vectorised pass per multiplicity; replaces Theano's `Unique` plus
    `AdvancedIncSubtensor1` into zeros, which costs several times more on the CPU. No gradient.
    """
    __props__ = ()

    def make_node(self, values, idx):
        values, idx = T.as_tensor_variable(values), T.as_tensor_variable(idx)
        return Apply(self, [values, idx], [T.vector(dtype=idx.dtype), values.type(),
                                           T.vector(dtype='int64')])

    def perform(self, node, inputs, outputs):
        for out, value in zip(outputs, sum_rows(*inputs)):
            out[0] = value


class SetRows(Op):
    """`table[rows] = values` as numpy row assignment; in place after Theano's inplace pass.

    Built non-inplace (Theano rejects inplace ops in a user graph); the optimization
    `author2vec_set_rows_inplace` (registered below in `optdb`, like Theano's own
    `local_inplace_incsubtensor1`) swaps in the inplace version, so the shared table is written
    in place and the update costs O(rows touched), not O(table). Theano's
    `AdvancedIncSubtensor1{set}` goes element by element and costs about 7x more for 1,000 rows
    of 128 floats. `rows` must be unique (they come from `SumRowsByIndex`).
    """
    __props__ = ('inplace',)

    def __init__(self, inplace=False):
        self.inplace = bool(inplace)
        self.destroy_map = {0: [0]} if self.inplace else {}

    def make_node(self, table, rows, values):
        table, rows = T.as_tensor_variable(table), T.as_tensor_variable(rows)
        values = T.as_tensor_variable(values)
        return Apply(self, [table, rows, values], [table.type()])

    def perform(self, node, inputs, outputs):
        table, rows, values = inputs
        if not self.inplace:
            table = table.copy()
        table[rows] = values
        outputs[0][0] = table

    def infer_shape(self, *args):  # (fgraph, node, shapes) on theano-pymc, (node, shapes) on 1.0.5
        return [args[-1][0]]


# ----- RowUpdate: the whole row-wise optimizer step of one table, in C -------------------------

# Per rule: the optimizer slots (arrays with the table's rows) and the scalar inputs.
_RULES = {
    'sgd': {'slots': 0, 'scalars': ('lr',)},
    'adagrad': {'slots': 1, 'scalars': ('lr', 'epsilon')},
    'adam': {'slots': 1, 'scalars': ('lr', 'beta_1', 'beta_2', 'epsilon')},
}
# The slot layout per row: Adagrad's accumulator (rows, d); Adam's m and v together (rows, 2, d).
_SLOT_WIDTH = {'sgd': 0, 'adagrad': 1, 'adam': 2}


def row_update_arguments(name, rule, args):
    """`RowUpdate(rule)`'s arguments after the table, split: `(slots, idx, grads, scalars)`;
    TypeError naming op `name` for the wrong number (`gpu_ops.GpuRowUpdate` takes the same)."""
    n, scalars = _RULES[rule]['slots'], _RULES[rule]['scalars']
    if len(args) != n + 2 + len(scalars):
        raise TypeError('%s(%r) takes table, %d slot(s), idx, grads and %s'
                        % (name, rule, n, ', '.join(scalars)))
    return list(args[:n]), args[n], args[n + 1], list(args[n + 2:])


def check_row_update(name, rule, table, slots, idx, grads, values):
    """TypeError naming op `name` when the variables (tensors, or GPU arrays) do not fit
    `RowUpdate(rule)`: a table (rows, d), slots of its dtype with the rule's dimensions, integer
    idx (k,), grads (k, d), scalar hyper-parameters."""
    if table.ndim != 2 or grads.ndim != 2 or idx.ndim != 1:
        raise TypeError('%s: needs a table (rows, d), idx (k,) and grads (k, d)' % name)
    if idx.dtype not in T.integer_dtypes:
        raise TypeError('%s: idx must be integers, got %s' % (name, idx.dtype))
    if table.dtype not in ('float32', 'float64') or grads.dtype != table.dtype or any(
            s.dtype != table.dtype for s in slots):
        raise TypeError('%s: table, slots and grads must share one float dtype' % name)
    dims = 2 if _SLOT_WIDTH[rule] == 1 else 3
    if any(s.ndim != dims for s in slots):
        raise TypeError('%s(%r): the slot must have %d dimensions' % (name, rule, dims))
    if any(v.ndim != 0 for v in values):
        raise TypeError('%s: %s must be scalars' % (name, ', '.join(_RULES[rule]['scalars'])))


class RowUpdate(CFileOp):
    """The row-wise update of an embedding table by one batch, as one op.

    `RowUpdate(rule)(table, *slots, idx, grads, *scalars) -> (new_table, *new_slots)` with
    `grads (k, d)` the gradients of the rows `table[idx]` gathered by the forward pass:

    1. the gradients of duplicate indices are summed per row, in batch order (bit for bit the
       rows of Theano's dense gradient of the gather);
    2. each touched row `r` with summed gradient `g` is updated, untouched rows are left alone:
       - `'sgd'` (scalars `lr`): `p[r] -= lr * g`;
       - `'adagrad'` (slot `a (rows, d)`; `lr, epsilon`): `a[r] += g**2`,
         `p[r] -= lr * g / (sqrt(a[r]) + epsilon)`;
       - `'adam'` (slot `mv (rows, 2, d)`: `m`, `v`; `lr, beta_1, beta_2, epsilon`, with `lr`
         the bias-corrected step `lr_t`): `m[r] = beta_1 m[r] + (1 - beta_1) g`,
         `v[r] = beta_2 v[r] + (1 - beta_2) g**2`, `p[r] -= lr * m[r] / (sqrt(v[r]) + epsilon)`.

    Every index is checked (negative ones count from the end, as in numpy) before anything is
    written: an out-of-range index raises `IndexError` and leaves the table and slots as they
    were. Built non-inplace; the optimization `author2vec_row_update_inplace` makes it write
    the table and slots in place, so a step costs O(rows touched). No gradient.
    """
    __props__ = ('rule', 'inplace')

    def __init__(self, rule, inplace=False):
        one_of('RowUpdate: rule', rule, sorted(_RULES))
        self.rule = rule
        self.inplace = bool(inplace)
        self.n_slots = _RULES[rule]['slots']
        self.destroy_map = ({i: [i] for i in range(1 + self.n_slots)} if self.inplace else {})

    def make_node(self, table, *args):
        slots, idx, grads, scalars = row_update_arguments('RowUpdate', self.rule, args)
        table = T.as_tensor_variable(table)
        slots = [T.as_tensor_variable(s) for s in slots]
        idx, grads = T.as_tensor_variable(idx), T.as_tensor_variable(grads)
        values = [T.cast(T.as_tensor_variable(s), table.dtype) for s in scalars]
        check_row_update('RowUpdate', self.rule, table, slots, idx, grads, values)
        inputs = [table] + slots + [idx, grads] + values
        return Apply(self, inputs, [table.type()] + [s.type() for s in slots])

    def infer_shape(self, *args):
        shapes = args[-1]
        return [shapes[i] for i in range(1 + self.n_slots)]

    def perform(self, node, inputs, outputs):
        n = self.n_slots
        table, slots = inputs[0], list(inputs[1:1 + n])
        idx, grads = inputs[1 + n], inputs[2 + n]
        values = inputs[3 + n:]
        if not self.inplace:
            table = table.copy()
            slots = [s.copy() for s in slots]
        rows = np.where(idx < 0, idx + len(table), idx)  # -1 and len - 1 are one row
        bad = (rows < 0) | (rows >= len(table))
        if bad.any():  # before anything is written
            raise IndexError('index %d is out of bounds for axis 0 with size %d'
                             % (idx[bad][0], len(table)))
        rows, g, _ = sum_rows(grads, rows)
        if len(rows):
            p = table[rows]
            if self.rule == 'sgd':
                (lr,) = values
                table[rows] = p - lr * g
            elif self.rule == 'adagrad':
                lr, epsilon = values
                a = slots[0][rows] + np.square(g)
                slots[0][rows] = a
                table[rows] = p - lr * g / (np.sqrt(a) + epsilon)
            else:
                lr, beta_1, beta_2, epsilon = values
                one = np.ones((), dtype=table.dtype)
                mv = slots[0][rows]
                m = beta_1 * mv[:, 0] + (one - beta_1) * g
                v = beta_2 * mv[:, 1] + (one - beta_2) * np.square(g)
                slots[0][rows] = np.stack([m, v], axis=1)
                table[rows] = p - lr * m / (np.sqrt(v) + epsilon)
        outputs[0][0] = table
        for out, s in zip(outputs[1:], slots):
            out[0] = s

    # --- C implementation (c/row_update.c) ---
    c_file = 'row_update.c'

    def c_support_code_struct(self, node, name):
        return self.c_section('support_code_struct', name=name)

    def c_init_code_struct(self, node, name, sub):
        return self.c_section('init_code_struct', name=name)

    def c_cleanup_code_struct(self, node, name):
        return self.c_section('cleanup_code_struct', name=name)

    def c_code(self, node, name, inputs, outputs, sub):
        n = self.n_slots
        names = {'table': inputs[0], 'idx': inputs[1 + n], 'grads': inputs[2 + n],
                 'fail': sub['fail'], 'name': name, 'inplace': int(self.inplace),
                 'rule': self.rule, 'width': _SLOT_WIDTH[self.rule], 'slot_check': '',
                 'slot_output': ''}
        names.update(zip(_RULES[self.rule]['scalars'], inputs[3 + n:]))
        names['table_output'] = self.c_section('output', dst=outputs[0], src=inputs[0],
                                               data='P', **names)
        if n:
            names['slot'] = inputs[1]
            names.update(slot_check=self.c_section('slot_check', **names),
                         slot_output=self.c_section('output', dst=outputs[1], src=inputs[1],
                                                    data='S', **names))
        names['update'] = self.c_section('update_' + self.rule, **names)
        return self.c_section('code', **names)


@local_optimizer([RowUpdate], inplace=True)
def _row_update_inplace(*args):  # (fgraph, node) on theano-pymc, (node) on Theano 1.0.5
    node = args[-1]
    if isinstance(node.op, RowUpdate) and not node.op.inplace:
        return RowUpdate(node.op.rule, inplace=True).make_node(*node.inputs).outputs
    return False


@local_optimizer([SetRows], inplace=True)
def _set_rows_inplace(*args):
    node = args[-1]
    if isinstance(node.op, SetRows) and not node.op.inplace:
        return [SetRows(inplace=True)(*node.inputs)]
    return False


# ----- TakeRows: x[indices] along axis 0 -----------------------------------------------------

class TakeRows(CFileOp):
    """`x[indices]` along the first axis (what `K.gather` builds), one `memcpy` per row.

    Every index is checked first (negative ones count from the end); an out-of-range index
    raises `IndexError`. Falls back to numpy's `take` for an `x` that is not C-contiguous.
    Swapped in for Theano's `AdvancedSubtensor1` on the CPU by `author2vec_take_rows`.
    """
    __props__ = ('axis',)  # non-empty: theano-pymc caches only ops with properties
    axis = 0

    def make_node(self, x, indices):
        x, indices = T.as_tensor_variable(x), T.as_tensor_variable(indices)
        if indices.ndim != 1 or indices.dtype not in T.integer_dtypes:
            raise TypeError('TakeRows: indices must be a vector of integers')
        if x.ndim < 1:
            raise TypeError('TakeRows: cannot take rows of a scalar')
        out = T.TensorType(x.dtype, (indices.broadcastable[0],) + x.broadcastable[1:])()
        return Apply(self, [x, indices], [out])

    def perform(self, node, inputs, outputs):
        x, indices = inputs
        outputs[0][0] = x.take(indices.astype(np.intp, copy=False), axis=0)

    def infer_shape(self, *args):
        x, indices = args[-1]
        return [tuple(indices) + tuple(x[1:])]

    def grad(self, inputs, grads):
        x, indices = inputs
        return [T.advanced_inc_subtensor1(x.zeros_like(), grads[0], indices),
                theano.gradient.DisconnectedType()()]

    def connection_pattern(self, node):
        return [[True], [False]]

    c_file = 'take_rows.c'

    def c_code(self, node, name, inputs, outputs, sub):
        (x, idx), (z,) = inputs, outputs
        return self.c_section('code', x=x, idx=idx, z=z, fail=sub['fail'])


# ----- the gradient of slices along the last axis, stacked -------------------------------------

class StackColumns(CFileOp):
    """`(b, d, w, x_0, ..., x_n-1) -> out (b, w, d)`, C-contiguous, with `out[:, c_k, :] = x_k`
    for `c_k = columns[k]` and zeros in the other columns: the transposed gradient of the
    slices `y[:, :, c_k]` of a `(b, d, w)` tensor, which Theano builds as increments into
    zeros, transposed back (and then copied by a reshape).

    Checks at run time what the increments would have: every `x_k` of shape `(b, d)`
    (`ValueError`), every column within `w` (`IndexError`; negative ones count from the end).
    Swapped in by `author2vec_stack_slices`. No gradient.
    """
    __props__ = ('columns',)

    def __init__(self, columns):
        self.columns = tuple(int(c) for c in columns)

    def make_node(self, b, d, w, *parts):
        dims = [T.as_tensor_variable(v) for v in (b, d, w)]
        parts = [T.as_tensor_variable(x) for x in parts]
        if len(parts) != len(self.columns) or any(x.ndim != 2 for x in parts):
            raise TypeError('StackColumns: one matrix per column')
        if len({x.dtype for x in parts}) != 1 or any(v.ndim != 0 for v in dims):
            raise TypeError('StackColumns: scalar sizes and matrices of one dtype')
        out = T.TensorType(parts[0].dtype, (False, False, False))()
        return Apply(self, dims + parts, [out])

    def perform(self, node, inputs, outputs):
        b, d, w = (int(v) for v in inputs[:3])
        out = np.zeros((b, w, d), dtype=node.outputs[0].dtype)
        for c, x in zip(self.columns, inputs[3:]):
            if not -w <= c < w:
                raise IndexError('index %d is out of bounds for axis 2 with size %d' % (c, w))
            if x.shape != (b, d):
                raise ValueError('StackColumns: a slice gradient of shape %s for slices of shape '
                                 '%s' % (x.shape, (b, d)))
            out[:, c % w, :] = x
        outputs[0][0] = out

    def infer_shape(self, *args):  # (fgraph, node, shapes) or (node, shapes)
        b, d, w = args[-2].inputs[:3]
        return [(b, w, d)]

    c_file = 'stack_columns.c'

    def c_code(self, node, name, inputs, outputs, sub):
        (z,), fail = outputs, sub['fail']
        b, d, w = inputs[:3]
        parts = inputs[3:]
        columns = ''.join(self.c_section('column', c=c, x=x, fail=fail)
                          for c, x in zip(self.columns, parts))
        return self.c_section('code', b=b, d=d, w=w, first=parts[0], z=z, n=len(parts),
                              columns=columns, fail=fail)


# ----- one-hot targets ------------------------------------------------------------------------

class OneHot(CFileOp):
    """`(labels (n,), n, k) -> (n, k)` zeros with a 1 at `[i, labels[i]]` (`dtype`): what
    `set_subtensor(zeros((n, k))[arange(n), labels], 1)` computes.

    Raises as that would: `ValueError` when `labels` does not have `n` entries, `IndexError`
    for a label outside `[-k, k)` (negative ones count from the end). Swapped in by
    `author2vec_one_hot`.
    """
    __props__ = ('dtype',)

    def __init__(self, dtype):
        self.dtype = str(dtype)

    def make_node(self, labels, n, k):
        labels, n, k = (T.as_tensor_variable(v) for v in (labels, n, k))
        if labels.ndim != 1 or labels.dtype not in T.integer_dtypes or n.ndim or k.ndim:
            raise TypeError('OneHot: integer labels (n,) and scalar n, k')
        return Apply(self, [labels, n, k], [T.matrix(dtype=self.dtype)])

    def perform(self, node, inputs, outputs):
        labels, n, k = inputs
        out = np.zeros((int(n), int(k)), dtype=self.dtype)
        out[np.arange(int(n)), labels] = 1
        outputs[0][0] = out

    def infer_shape(self, *args):
        _, n, k = args[-2].inputs
        return [(n, k)]

    c_file = 'one_hot.c'

    def c_code(self, node, name, inputs, outputs, sub):
        labels, n, k = inputs
        return self.c_section('code', labels=labels, n=n, k=k, z=outputs[0],
                              typenum='NPY_' + self.dtype.upper(), fail=sub['fail'])


# ----- fast float32 tanh ---------------------------------------------------------------------

class FastTanh(CFileOp):
    """float32 `tanh(x)` of a whole array as Eigen's rational approximation (relative error
    below 4e-7), in a loop the compiler vectorises.

    glibc's `tanhf` is a function call of about 18 ns per value, and Theano's elementwise loops
    are not vectorised: tanh cost more than the pair layer's matrix products. Swapped in for
    float32 `tanh` on the CPU by `author2vec_fast_tanh` (so the bias addition before it stays a
    separate elementwise op). Python (FAST_COMPILE): numpy's tanh.
    """
    # A property, so that theano-pymc caches the compiled op: it treats ops whose
    # `__props__` is empty as unversioned and compiles them again in every process.
    __props__ = ('dtype',)
    dtype = 'float32'

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        if x.dtype != 'float32':
            raise TypeError('FastTanh: float32 only, got %s' % x.dtype)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, outputs):
        outputs[0][0] = np.tanh(inputs[0])

    def infer_shape(self, *args):
        return [args[-1][0]]

    def L_op(self, inputs, outputs, grads):
        return [grads[0] * (1 - T.sqr(outputs[0]))]

    def grad(self, inputs, grads):
        return self.L_op(inputs, [self(*inputs)], grads)

    c_file = 'fast_tanh.c'

    def c_code(self, node, name, inputs, outputs, sub):
        return self.c_section('code', x=inputs[0], z=outputs[0], fail=sub['fail'])


fast_tanh = FastTanh()


# With Theano's own inplace passes (60), in every FAST_RUN graph.
optdb.register('author2vec_set_rows_inplace',
               TopoOptimizer(_set_rows_inplace, failure_callback=TopoOptimizer.warn_inplace),
               60, 'fast_run', 'inplace')
optdb.register('author2vec_row_update_inplace',
               TopoOptimizer(_row_update_inplace, failure_callback=TopoOptimizer.warn_inplace),
               60, 'fast_run', 'inplace')
