"""The row-wise optimizer step on a GPU device: `GpuRowUpdate`, the twin of `ops.RowUpdate`.

Imported by `optimizers` only when Theano computes on a GPU device (`ops.on_cpu()` is False):
it imports `theano.gpuarray`, which needs pygpu. Its kernels (`c/gpu_row_update.c`) are written
in libgpuarray's kernel dialect, so the same source compiles for CUDA (NVRTC) and OpenCL; CI
runs them on OpenCL on the CPU (POCL, `.ci/opencl`) against numpy's steps.
"""
from string import Template

from pygpu import gpuarray

from author2vec_keras.nn.ops import (
    _RULES,
    c_code_version,
    c_sections,
    c_source,
    check_row_update,
    row_update_arguments,
)

import theano.tensor as T
from theano.compile import optdb
from theano.gof import Apply, Op
from theano.gof.opt import TopoOptimizer, local_optimizer
from theano.gpuarray.basic_ops import (
    GpuKernelBase,
    Kernel,
    as_gpuarray_variable,
    gpuarray_helper_inc_dir,
    infer_context_name,
)

__all__ = ['GpuRowUpdate']

_C_FILE = 'gpu_row_update.c'
_RULE_NUMBER = {'sgd': 0, 'adagrad': 1, 'adam': 2}


def _section(name):
    return c_sections(c_source(_C_FILE))[name]


class GpuRowUpdate(GpuKernelBase, Op):
    """`ops.RowUpdate` on a GPU device, with the same inputs and outputs.

    `GpuRowUpdate(rule)(table, *slots, idx, grads, *scalars) -> (new_table, *new_slots)`: the
    gradients of duplicate indices summed per row in batch order, each touched row of the table
    and its slot updated by `rule` ('sgd', 'adagrad', 'adam'; see `ops.RowUpdate`), untouched
    rows left alone; no table-sized buffer, no sort, no copy to the host. Built non-inplace;
    the optimization `author2vec_gpu_row_update_inplace` makes it write in place. No gradient.
    """
    __props__ = ('rule', 'inplace')

    def __init__(self, rule, inplace=False):
        if rule not in _RULES:
            raise ValueError('GpuRowUpdate: rule must be one of %s, got %r'
                             % (sorted(_RULES), rule))
        self.rule = rule
        self.inplace = bool(inplace)
        self.n_slots = _RULES[rule]['slots']
        self.destroy_map = ({i: [i] for i in range(1 + self.n_slots)} if self.inplace else {})

    def make_node(self, table, *args):
        slots, idx, grads, scalars = row_update_arguments('GpuRowUpdate', self.rule, args)
        ctx = infer_context_name(table, *slots)
        table = as_gpuarray_variable(table, ctx)
        slots = [as_gpuarray_variable(s, ctx) for s in slots]
        idx = as_gpuarray_variable(T.as_tensor_variable(idx), ctx)
        grads = as_gpuarray_variable(T.as_tensor_variable(grads), ctx)
        values = [T.cast(T.as_tensor_variable(s), table.dtype) for s in scalars]
        check_row_update('GpuRowUpdate', self.rule, table, slots, idx, grads, values)
        hyper = as_gpuarray_variable(T.stack(values), ctx)
        inputs = [table] + slots + [idx, grads, hyper]
        return Apply(self, inputs, [table.type()] + [s.type() for s in slots])

    def infer_shape(self, *args):  # (fgraph, node, shapes) on theano-pymc, (node, shapes) on 1.0.5
        shapes = args[-1]
        return [shapes[i] for i in range(1 + self.n_slots)]

    def c_headers(self):
        return ['<gpuarray_helper.h>', '<gpuarray/types.h>', '<gpuarray/error.h>']

    def c_header_dirs(self):
        return [gpuarray_helper_inc_dir()]

    def c_code_cache_version(self):
        return c_code_version(c_source(_C_FILE))

    def gpu_kernels(self, node, nodename):
        n = self.n_slots
        table, idx = node.inputs[0], node.inputs[1 + n]
        defines = ('#define RULE %d\n#define TABLE_T %s\n#define INDEX_T %s\n'
                   % (_RULE_NUMBER[self.rule], gpuarray.dtype_to_ctype(table.dtype),
                      gpuarray.dtype_to_ctype(idx.dtype)))
        source = _section('kernel').replace('#include "cluda.h"\n',
                                            '#include "cluda.h"\n' + defines, 1)
        flags = Kernel.get_flags(table.dtype, idx.dtype, 'int32')
        size, ssize, array = gpuarray.SIZE, gpuarray.SSIZE, gpuarray.GpuArray
        chain = [size, ssize, array, size, ssize, array, size]
        update = [size, size, ssize,
                  array, size, ssize, ssize,
                  array, size, ssize, ssize, ssize,
                  array, size, ssize,
                  array, size, ssize, ssize,
                  array, size,
                  array, size, ssize]
        return [Kernel(code=source, name='a2v_row_chain', params=chain, flags=flags,
                       objvar='k_a2v_row_chain_' + nodename),
                Kernel(code=source, name='a2v_row_update', params=update, flags=flags,
                       objvar='k_a2v_row_update_' + nodename)]

    def c_code(self, node, name, inputs, outputs, sub):
        n = self.n_slots
        names = {'table': inputs[0], 'idx': inputs[1 + n], 'grads': inputs[2 + n],
                 'hyper': inputs[3 + n], 'out_table': outputs[0], 'has_slot': int(n > 0),
                 'slot': inputs[1] if n else 'NULL', 'out_slot': outputs[1] if n else 'NULL',
                 'ctx': self.get_gpu_context_c_name(sub['params']), 'inplace': int(self.inplace),
                 'name': name, 'fail': sub['fail']}
        return Template(_section('code')).substitute(names)

    def perform(self, node, inputs, outputs):  # no Python implementation: C only
        raise NotImplementedError('GpuRowUpdate has C code only')


@local_optimizer([GpuRowUpdate], inplace=True)
def _gpu_row_update_inplace(*args):  # (fgraph, node) on theano-pymc, (node) on Theano 1.0.5
    node = args[-1]
    if isinstance(node.op, GpuRowUpdate) and not node.op.inplace:
        op = GpuRowUpdate(node.op.rule, inplace=True)
        return Apply(op, node.inputs, [out.type() for out in node.outputs]).outputs
    return False


# With Theano's own inplace passes (60), as ops.py registers RowUpdate's.
optdb.register('author2vec_gpu_row_update_inplace',
               TopoOptimizer(_gpu_row_update_inplace, failure_callback=TopoOptimizer.warn_inplace),
               60, 'fast_run', 'inplace')
