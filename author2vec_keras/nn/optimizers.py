"""Row-wise (sparse) optimizers for embedding tables: `RowSGD`, `RowAdagrad`, `RowAdam`.

Stock Keras optimizers update every row of an embedding table on every batch, so their cost
grows with the number of nodes (about 90% of the training time at 100k nodes). These
optimizers find the weights that the loss only *gathers rows from* (Theano
`AdvancedSubtensor1` nodes, what `keras.layers.Embedding` builds) and, for those, take the
gradient with respect to the gathered rows instead of the whole table, then read and write only
the rows the batch touches. One op per table does it all (sum the duplicate rows, update each
touched row of the table and of its optimizer slots in place): `ops.RowUpdate` on the CPU,
`gpu_ops.GpuRowUpdate` (kernels in libgpuarray's dialect, CUDA and OpenCL) on a GPU device.
With gradient clipping the unique rows are summed, clipped, updated and written back by separate
ops (`SumRowsByIndex` and `SetRows` on the CPU, Theano's `Unique` and `set_subtensor` on a
GPU). Every other weight gets the ordinary dense update of the
corresponding Keras optimizer. Use them like any Keras 2.0.9 optimizer::

    model.compile(optimizer=RowAdam(lr=0.001), loss=...)
    keras.models.load_model(path, custom_objects=CUSTOM_OBJECTS)

Duplicate indices in a batch (a node in several pairs, or in both columns of a pair) are
first summed per unique row, in batch order, exactly as Theano's dense gradient of a gather
(`AdvancedIncSubtensor1` into zeros) sums them; the summed row gradients are then used once.
Hence:

- `RowSGD` (plain SGD, no momentum) and `RowAdagrad` give the *same* weights as Keras' dense
  `SGD` / `Adagrad`: an untouched row has gradient 0 and the dense update leaves it unchanged.
- `RowAdam` is *lazy* Adam, the semantics of PyTorch's `SparseAdam` (and TF's LazyAdam): only
  touched rows update their moments `m`, `v` and their values; an untouched row keeps its
  value and its moments (dense Adam would decay the moments and keep moving the row). For a
  touched row, with `g` the summed gradient of that row::

      t      = iterations + 1                       (global step: one per batch)
      lr_t   = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
      m[r]   = beta_1 * m[r] + (1 - beta_1) * g
      v[r]   = beta_2 * v[r] + (1 - beta_2) * g**2
      p[r]   = p[r] - lr_t * m[r] / (sqrt(v[r]) + epsilon)

  Bias correction uses the global step `t`, not a per-row count of updates, exactly as
  PyTorch's `SparseAdam` (its `state['step']` is per parameter tensor) and as Keras' dense
  `Adam` (same formula and epsilon placement). A per-row count would give rarely seen rows
  larger early steps; we keep the PyTorch behaviour so results compare with it.
  Dense weights get Keras' dense Adam update unchanged. The moments of a table are stored
  together in one optimizer weight of shape `(rows, 2, d)` (`[:, 0]` is `m`, `[:, 1]` is `v`):
  a row's `m` and `v` are adjacent in memory.

Optimizer slots start as numpy zeros handed to Theano without a copy: the operating system
maps their pages when a row is first written, so a table's optimizer state costs memory for the
rows trained so far (the first write of a page costs a page fault, once).

`clipnorm` / `clipvalue` act on the summed row gradients together with the dense gradients,
which is the same as clipping the dense gradient (the norm of the dense gradient of a table
is the norm of its summed touched-row gradients).

A weight is updated row-wise when every use of it in the loss graph is a row gather (on a GPU
device, of its copy to the host, `HostFromGpu`, which Theano then moves to the device) and it has
no constraint; pass `embeddings=[...]` (variables or their names) to choose explicitly.
An explicitly named weight that is used otherwise (say, an `embeddings_regularizer` on the
whole table) raises a `ValueError`; an auto-detected one just falls back to the dense update.

This module, `ops.py` and `rewrites.py` are the exceptions to "only backend.py imports
theano": finding gathers needs the Theano graph, so it imports theano *after*
`author2vec_keras.nn.backend` has configured and imported it; the Theano ops themselves live in
`ops.py`.
"""
import warnings

import numpy as np

from author2vec_keras.nn.backend import K, keras, set_keras_shape
from author2vec_keras.nn.slots import SLOTS, table_copies as _table_copies

import theano.tensor as T
from theano.compile.ops import Shape, Shape_i
from theano.tensor.extra_ops import Unique
from theano.tensor.subtensor import AdvancedSubtensor1

try:  # theano-pymc 1.1
    from theano.graph.basic import graph_inputs, io_toposort
except ImportError:  # Theano 1.0.5
    from theano.gof.graph import inputs as graph_inputs, io_toposort

from author2vec_keras.nn.ops import RowUpdate, SetRows, SumRowsByIndex, on_cpu

from keras.legacy import interfaces
from keras.optimizers import Optimizer

__all__ = ['RowSGD', 'RowAdagrad', 'RowAdam', 'ROW_WISE', 'row_wise', 'resolve', 'table_copies',
           'find_row_params', 'CUSTOM_OBJECTS', 'SumRowsByIndex', 'SetRows']

_SHAPE_OPS = (Shape, Shape_i)  # uses of a table that read only its shape
# Theano's copies between the host and a GPU (theano.gpuarray.basic_ops, named so that this
# module imports no GPU code): on a GPU device a table is a GpuArraySharedVariable and the
# loss graph gathers from `HostFromGpu(table)`, which Theano's GPU passes then move to the device.
_TRANSFER_OPS = ('HostFromGpu', 'GpuFromHost', 'GpuToGpu')


def _sum_rows(values, idx):
    """Unique indices, per-index sums of `values` in batch order, first positions
    (see SumRowsByIndex)."""
    if on_cpu():
        return SumRowsByIndex()(values, idx)
    unique, first, inverse = Unique(return_index=True, return_inverse=True)(idx)
    summed = T.inc_subtensor(
        T.zeros((unique.shape[0], values.shape[1]), dtype=values.dtype)[inverse], values)
    return unique, summed, first


def _set_rows(table, rows, values):
    """`table` with `table[rows] = values` (unique rows), done in place on the CPU."""
    if on_cpu():
        return SetRows()(table, rows, values)
    return T.set_subtensor(table[rows], values)


def _matches(param, spec):
    return spec is param or (isinstance(spec, str) and getattr(param, 'name', None) == spec)


def find_row_params(loss, params, embeddings=None):
    """Split `params` into dense weights and embedding tables used only through row gathers.

    # Arguments
        loss: the scalar loss tensor.
        params: the trainable weights (shared variables).
        embeddings: None to detect the tables automatically, or a list of variables / variable
            names to update row-wise (each must only be gathered from).

    # Returns
        `(dense, rows)`: `dense` a list of params; `rows` a list of
        `(param, [(gathered_rows, indices), ...])`, one entry per gather of the table in the graph.

    # Raises
        ValueError: a table named in `embeddings` is used other than by row gathers, has a
            constraint, or is not among `params`.
    """
    uses = {}
    for node in io_toposort(list(graph_inputs([loss])), [loss]):
        for i, var in enumerate(node.inputs):
            uses.setdefault(var, []).append((node, i))

    def gathers_of(var):
        found = []
        for node, i in uses.get(var, []):
            if isinstance(node.op, AdvancedSubtensor1) and i == 0:
                found.append((node.outputs[0], node.inputs[1]))
            elif isinstance(node.op, _SHAPE_OPS):
                continue  # reads the shape only (`take` reshapes with `W.shape[1:]`)
            elif type(node.op).__name__ in _TRANSFER_OPS:  # the table copied to / from a GPU
                more = gathers_of(node.outputs[0])
                if more is None:
                    return None
                found.extend(more)
            else:
                return None
        return found

    explicit = embeddings is not None
    if explicit:
        embeddings = list(embeddings)
        for spec in embeddings:
            if not any(_matches(p, spec) for p in params):
                raise ValueError('row-wise optimizer: embedding %r is not a trainable weight of '
                                 'the model' % (spec,))
    dense, rows = [], []
    for p in params:
        wanted = any(_matches(p, s) for s in embeddings) if explicit else True
        found = gathers_of(p) if wanted and p.ndim == 2 else None
        if found and getattr(p, 'constraint', None) is None:
            rows.append((p, found))
            continue
        if explicit and wanted:
            raise ValueError(
                'row-wise optimizer: weight %r is used in the loss other than by gathering rows '
                '(or has a constraint); it cannot be updated row-wise.' % (p.name,))
        dense.append(p)
    return dense, rows


class _Rows(object):
    """The rows of an embedding table gathered by one batch: the `table`, the indices `idx`
    (k,) as gathered (duplicates included), the gathered `values` (k, d) and their gradients
    `grads` (k, d)."""

    def __init__(self, table, idx, values, grads):
        self.table, self.idx, self.values, self.grads = table, idx, values, grads


class _Touched(object):
    """The unique rows of a table touched by one batch: `table`, sorted unique `index`, and
    their current `values`."""

    def __init__(self, table, index, values):
        self.table, self.index, self.values = table, index, values


class _RowOptimizer(Optimizer):
    """Shared machinery: gradients w.r.t. gathered rows, duplicate aggregation, clipping.

    Without gradient clipping, each table is updated by one `ops.RowUpdate` (`GpuRowUpdate` on
    a GPU device: duplicate rows summed and every touched row updated in place,
    `_fused_update`); otherwise
    the duplicates are summed first (`SumRowsByIndex`, or Theano's ops on a GPU), clipped with
    the dense gradients, and written back with `SetRows` (`_row_update`).

    `slots`: arrays the size of an embedding table that the optimizer keeps for it (0, 1, 2);
    after `get_updates`, `table_slots[table]` lists them (partitioned training swaps their rows
    in and out with the table's).
    """
    slots = None

    def __init__(self, lr, decay=0., embeddings=None, **kwargs):
        super(_RowOptimizer, self).__init__(**kwargs)
        with K.name_scope(self.__class__.__name__):
            self.iterations = K.variable(0, dtype='int64', name='iterations')
            self.lr = K.variable(lr, name='lr')
            self.decay = K.variable(decay, name='decay')
        self.initial_decay = decay
        self.embeddings = None if embeddings is None else list(embeddings)
        self.row_params = []
        self.table_slots = {}

    def _learning_rate(self):
        lr = self.lr
        if self.initial_decay > 0:
            lr *= (1. / (1. + self.decay * K.cast(self.iterations, K.dtype(self.decay))))
        return lr

    def _clipping(self):
        return ((getattr(self, 'clipnorm', 0) and self.clipnorm > 0)
                or (getattr(self, 'clipvalue', 0) and self.clipvalue > 0))

    def _gradients(self, loss, params):
        """`(dense, rows)`: `[(param, grad)]` of the dense weights and a `_Rows` per table."""
        dense, rows = find_row_params(loss, params, self.embeddings)
        self.row_params = [p for p, _ in rows]
        gathered = [g for _, found in rows for g, _ in found]
        grads = K.gradients(loss, dense + gathered)
        dense_grads, gathered_grads = grads[:len(dense)], grads[len(dense):]
        row_grads, k = [], 0
        for p, found in rows:
            def cat(xs):
                return xs[0] if len(xs) == 1 else T.concatenate(xs, axis=0)
            idx = cat([T.flatten(i) for _, i in found])
            values = cat([T.reshape(g, (-1, p.shape[1])) for g, _ in found])
            gs = cat([T.reshape(g, (-1, p.shape[1])) for g in gathered_grads[k:k + len(found)]])
            k += len(found)
            row_grads.append(_Rows(p, idx, values, gs))
        return list(zip(dense, dense_grads)), row_grads

    def _summed_and_clipped(self, dense, rows):
        """The unfused path: duplicates summed per unique row, in batch order (as the dense
        gather gradient does), then every gradient clipped; `(dense, [(_Touched, grad)])`."""
        row_grads = []
        for r in rows:
            unique, summed, first = _sum_rows(r.grads, r.idx)
            # The current values of the touched rows: taken from the forward pass's gathered
            # rows (a small array) rather than gathered again from the big table.
            row_grads.append((_Touched(r.table, unique, r.values[first]), summed))
        all_grads = [g for _, g in dense] + [g for _, g in row_grads]
        if getattr(self, 'clipnorm', 0) and self.clipnorm > 0:
            norm = K.sqrt(sum([K.sum(K.square(g)) for g in all_grads]))
            all_grads = [keras.optimizers.clip_norm(g, self.clipnorm, norm) for g in all_grads]
        if getattr(self, 'clipvalue', 0) and self.clipvalue > 0:
            all_grads = [K.clip(g, -self.clipvalue, self.clipvalue) for g in all_grads]
        dense = [(p, g) for (p, _), g in zip(dense, all_grads[:len(dense)])]
        row_grads = [(r, g) for (r, _), g in zip(row_grads, all_grads[len(dense):])]
        return dense, row_grads

    @interfaces.legacy_get_updates_support
    def get_updates(self, loss, params):
        dense, rows = self._gradients(loss, params)
        fused = not self._clipping()
        if not fused:
            dense, rows = self._summed_and_clipped(dense, rows)
        self.updates = [K.update_add(self.iterations, 1)]
        self.weights = [self.iterations]
        self.table_slots = {}
        lr = self._learning_rate()
        state = self._prepare(lr)
        for p, g in dense:
            self._dense_update(p, g, lr, state)
        for r in rows:
            if fused:
                self._fused_update(r, lr, state)
            else:
                self._row_update(r[0], r[1], lr, state)
        return self.updates

    def _apply(self, rule, r, slots, scalars):
        """Updates of `r.table` and its `slots` by one `RowUpdate(rule)` op (`GpuRowUpdate` on a
        GPU device)."""
        if on_cpu():
            op = RowUpdate(rule)
        else:  # imports theano.gpuarray: on a GPU device only
            from author2vec_keras.nn.gpu_ops import GpuRowUpdate
            op = GpuRowUpdate(rule)
        outputs = op(r.table, *(slots + [r.idx, r.grads] + scalars), **{'return_list': True})
        for var, new in zip([r.table] + slots, outputs):
            self.updates.append(K.update(var, new))

    def _prepare(self, lr):
        return {}

    def _slot(self, p, shape=None):
        """A zero optimizer weight shaped like `p` (or `shape`), in `p`'s dtype.

        The zeros are numpy's, handed to the shared variable without a copy: the operating
        system maps their pages on first write, so the optimizer state of a big table costs
        memory only for the rows trained. (K.zeros builds float64 zeros and K.variable copies
        them: 3 GB at once for the moments of a 1M x 128 table.)
        """
        shape = tuple(shape or K.int_shape(p))
        v = K.variable(np.zeros((0,) * len(shape), dtype=K.dtype(p)), dtype=K.dtype(p))
        v.set_value(np.zeros(shape, dtype=K.dtype(p)), borrow=True)
        set_keras_shape(v, shape)
        self.weights.append(v)
        return v

    def _table_slot(self, table, shape=None):
        v = self._slot(table, shape)
        self.table_slots.setdefault(table, []).append(v)
        return v

    def _set(self, p, new_p):
        if getattr(p, 'constraint', None) is not None:
            new_p = p.constraint(new_p)
        self.updates.append(K.update(p, new_p))

    def get_config(self):
        config = {'lr': float(K.get_value(self.lr)),
                  'decay': float(K.get_value(self.decay))}
        if self.embeddings is not None and all(isinstance(e, str) for e in self.embeddings):
            config['embeddings'] = list(self.embeddings)
        base_config = super(_RowOptimizer, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class RowSGD(_RowOptimizer):
    """Plain stochastic gradient descent with row-wise updates of embedding tables.

    Gives the same weights as `keras.optimizers.SGD(lr, decay=decay)` (no momentum), at a cost
    per batch that does not depend on the number of rows of the tables.

    # Arguments
        lr: float >= 0. Learning rate.
        decay: float >= 0. Learning rate decay over each update (as Keras' SGD).
        embeddings: None (detect the tables: weights only used by row gathers) or a list of
            weights / weight names to update row-wise.
        clipnorm, clipvalue: as for every Keras optimizer.
    """
    rule = 'sgd'
    slots = SLOTS['row'][rule]  # 0 (slots.SLOTS: the one table of optimizer slots)

    def __init__(self, lr=0.01, decay=0., embeddings=None, **kwargs):
        super(RowSGD, self).__init__(lr=lr, decay=decay, embeddings=embeddings, **kwargs)

    def _dense_update(self, p, g, lr, state):
        self._set(p, p - lr * g)

    def _row_update(self, r, g, lr, state):
        self.updates.append(K.update(r.table, _set_rows(r.table, r.index, r.values - lr * g)))

    def _fused_update(self, r, lr, state):
        self._apply(self.rule, r, [], [lr])


class RowAdagrad(_RowOptimizer):
    """Adagrad with row-wise updates of embedding tables (same weights as Keras' `Adagrad`).

    # Arguments
        lr: float >= 0. Learning rate.
        epsilon: float >= 0.
        decay: float >= 0. Learning rate decay over each update.
        embeddings: None (detect) or a list of weights / weight names to update row-wise.

    # References
        - [Adaptive Subgradient Methods for Online Learning and Stochastic
          Optimization](http://www.jmlr.org/papers/volume12/duchi11a/duchi11a.pdf)
    """
    rule = 'adagrad'
    slots = SLOTS['row'][rule]  # 1: the sum of squared gradients

    def __init__(self, lr=0.01, epsilon=1e-8, decay=0., embeddings=None, **kwargs):
        super(RowAdagrad, self).__init__(lr=lr, decay=decay, embeddings=embeddings, **kwargs)
        self.epsilon = epsilon

    def _dense_update(self, p, g, lr, state):
        a = self._slot(p)
        new_a = a + K.square(g)
        self.updates.append(K.update(a, new_a))
        self._set(p, p - lr * g / (K.sqrt(new_a) + self.epsilon))

    def _row_update(self, r, g, lr, state):
        a = self._table_slot(r.table)
        new_a = a[r.index] + K.square(g)
        self.updates.append(K.update(a, _set_rows(a, r.index, new_a)))
        new_p = r.values - lr * g / (K.sqrt(new_a) + self.epsilon)
        self.updates.append(K.update(r.table, _set_rows(r.table, r.index, new_p)))

    def _fused_update(self, r, lr, state):
        self._apply(self.rule, r, [self._table_slot(r.table)], [lr, self.epsilon])

    def get_config(self):
        config = super(RowAdagrad, self).get_config()
        config['epsilon'] = self.epsilon
        return config


class RowAdam(_RowOptimizer):
    """Adam with lazy row-wise updates of embedding tables (PyTorch `SparseAdam` semantics).

    Touched rows of a table update their moments and values; untouched rows keep both
    (see the module docstring for the formula; bias correction uses the global step).
    Every other weight gets Keras' dense Adam update.

    # Arguments
        lr: float >= 0. Learning rate.
        beta_1, beta_2: floats, 0 < beta < 1.
        epsilon: float >= 0. Added to `sqrt(v)`.
        decay: float >= 0. Learning rate decay over each update.
        embeddings: None (detect) or a list of weights / weight names to update row-wise.

    # References
        - [Adam - A Method for Stochastic Optimization](http://arxiv.org/abs/1412.6980v8)
        - PyTorch `torch.optim.SparseAdam`
    """
    rule = 'adam'
    slots = SLOTS['row'][rule]  # 2: the moments m and v, stored as one (rows, 2, d) array

    def __init__(self, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8, decay=0.,
                 embeddings=None, **kwargs):
        super(RowAdam, self).__init__(lr=lr, decay=decay, embeddings=embeddings, **kwargs)
        with K.name_scope(self.__class__.__name__):
            self.beta_1 = K.variable(beta_1, name='beta_1')
            self.beta_2 = K.variable(beta_2, name='beta_2')
        self.epsilon = epsilon

    def _prepare(self, lr):
        t = K.cast(self.iterations, K.floatx()) + 1
        return {'lr_t': lr * (K.sqrt(1. - K.pow(self.beta_2, t)) / (1. - K.pow(self.beta_1, t)))}

    def _moments(self, m, v, g):
        m_t = (self.beta_1 * m) + (1. - self.beta_1) * g
        v_t = (self.beta_2 * v) + (1. - self.beta_2) * K.square(g)
        return m_t, v_t

    def _dense_update(self, p, g, lr, state):
        m, v = self._slot(p), self._slot(p)
        m_t, v_t = self._moments(m, v, g)
        self.updates.append(K.update(m, m_t))
        self.updates.append(K.update(v, v_t))
        self._set(p, p - state['lr_t'] * m_t / (K.sqrt(v_t) + self.epsilon))

    def _moments_slot(self, table):
        # m and v of a table live in one (rows, 2, d) array: a row's m and v are adjacent.
        rows, d = K.int_shape(table)
        return self._table_slot(table, (rows, 2, d))

    def _fused_update(self, r, lr, state):
        self._apply(self.rule, r, [self._moments_slot(r.table)],
                    [state['lr_t'], self.beta_1, self.beta_2, self.epsilon])

    def _row_update(self, r, g, lr, state):
        mv = self._moments_slot(r.table)
        old = mv[r.index]
        m_t, v_t = self._moments(old[:, 0], old[:, 1], g)
        self.updates.append(K.update(mv, _set_rows(mv, r.index, T.stack([m_t, v_t], axis=1))))
        new_p = r.values - state['lr_t'] * m_t / (K.sqrt(v_t) + self.epsilon)
        self.updates.append(K.update(r.table, _set_rows(r.table, r.index, new_p)))

    def get_config(self):
        config = super(RowAdam, self).get_config()
        config.update({'beta_1': float(K.get_value(self.beta_1)),
                       'beta_2': float(K.get_value(self.beta_2)),
                       'epsilon': self.epsilon})
        return config


CUSTOM_OBJECTS = {'RowSGD': RowSGD, 'RowAdagrad': RowAdagrad, 'RowAdam': RowAdam}
"""Pass to `keras.models.load_model(..., custom_objects=...)` for models compiled with these."""

#: the optimizers with a row-wise version, by name (`slots.SLOTS['row']` counts their slots)
ROW_WISE = {cls.rule: cls for cls in (RowSGD, RowAdagrad, RowAdam)}

def table_copies(optimizer):
    """Arrays the size of an embedding table that training with `optimizer` holds.

    The table itself plus the optimizer's slots for it: `RowSGD` 1, `RowAdagrad` 2, `RowAdam`
    3 (each row-wise optimizer's `slots`). A stock Keras optimizer updates the table densely:
    it also holds the table's full gradient besides its own slots (`Adam`: 1 + 1 + 2 = 4).
    The numbers are `slots.SLOTS`'s (`slots.table_copies`, what the memory guard counts).

    # Arguments
        optimizer: an optimizer instance, or a name (`'adam'`: the row-wise `RowAdam`).
    """
    if isinstance(optimizer, str):
        optimizer = row_wise(optimizer)
    return _table_copies(optimizer)


def row_wise(optimizer='adam', embeddings=None):
    """The row-wise counterpart of a Keras optimizer (name, config dict or instance).

    `'sgd'`, `'adagrad'`, `'adam'` (any case) and instances of Keras' `SGD` (without momentum),
    `Adagrad` and `Adam` map to `RowSGD`, `RowAdagrad`, `RowAdam` with the same settings; a
    row-wise optimizer is returned unchanged. Any other optimizer has no row-wise version here:
    it is returned as the Keras optimizer (dense updates) with a `UserWarning`.

    # Arguments
        optimizer: a Keras optimizer name, config dict or instance.
        embeddings: passed to the row-wise optimizer (None: detect the embedding tables).

    # Returns
        A Keras optimizer instance.
    """
    if isinstance(optimizer, _RowOptimizer):
        return optimizer
    if isinstance(optimizer, str):
        cls = ROW_WISE.get(optimizer.lower())
        if cls is not None:
            return cls(embeddings=embeddings)
    elif isinstance(optimizer, dict):
        name = optimizer.get('class_name', '')
        cls = ROW_WISE.get(name.lower(), CUSTOM_OBJECTS.get(name))
        if cls is not None:
            config = dict(optimizer.get('config', {}))
            config.setdefault('embeddings', embeddings)
            return cls(**config)
    if isinstance(optimizer, str) and optimizer in CUSTOM_OBJECTS:
        return CUSTOM_OBJECTS[optimizer](embeddings=embeddings)
    instance = keras.optimizers.get(optimizer)
    name = type(instance).__name__.lower()
    if name in ROW_WISE and type(instance) is getattr(keras.optimizers, type(instance).__name__):
        config = instance.get_config()
        if name == 'sgd':
            if config.pop('momentum', 0.) == 0. and not config.pop('nesterov', False):
                return RowSGD(embeddings=embeddings, **config)
        else:
            return ROW_WISE[name](embeddings=embeddings, **config)
    warnings.warn('%s has no row-wise version (RowSGD without momentum, RowAdagrad, RowAdam): '
                  'the embedding table gets dense updates, whose cost grows with the number of '
                  'nodes.' % type(instance).__name__, UserWarning, stacklevel=2)
    return instance


def resolve(optimizer='adam', lr=None, dense=False):
    """A fresh optimizer for one model, as the estimators and the CLI take it.

    # Arguments
        optimizer: a Keras optimizer name, config dict or instance, or a callable returning
            one. An instance is copied (through its config), so two models never share
            optimizer state.
        lr: learning rate; None keeps the optimizer's own (Keras' defaults for names).
        dense: True for Keras' stock optimizer (dense updates of the whole embedding table);
            False maps it to its row-wise version (`row_wise`).

    # Returns
        A Keras optimizer instance.
    """
    if callable(optimizer) and not isinstance(optimizer, Optimizer):
        optimizer = optimizer()
    if isinstance(optimizer, str):
        optimizer = {'class_name': optimizer, 'config': {}}
    elif isinstance(optimizer, Optimizer):
        optimizer = {'class_name': type(optimizer).__name__, 'config': optimizer.get_config()}
    if lr is not None:
        optimizer = dict(optimizer, config=dict(optimizer.get('config', {}), lr=float(lr)))
    instance = keras.optimizers.deserialize(optimizer, custom_objects=CUSTOM_OBJECTS)
    return instance if dense else row_wise(instance)
