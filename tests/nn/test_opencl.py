"""The GPU code path without a GPU: Theano 1.0.5's gpuarray backend on an OpenCL device (POCL, the
OpenCL driver that runs on the CPU), in the `make venv-gpu` venv with
`THEANO_FLAGS=device=opencl0:0` (CI: .ci/opencl). Skipped elsewhere: without pygpu, on another
device, or with no such OpenCL device.

- Which ops of the package's three models land on the device (the paper model, the blog model, the
  content + link model), read from the graph Theano compiles for their training step.
- The row-wise optimizers on the device: the embedding tables are found through Theano's
  host/device copies, and no op of the step allocates or increments a table-sized (N x d) gradient.
- RowSGD, RowAdagrad and RowAdam steps on the device against numpy's, and two training steps of the
  paper model (RowAdam) against the same steps on the CPU, run in a child process with `device=cpu`.
- An OpenCL device that cannot be opened is refused in one sentence (exit 2), not run on the CPU.

POCL is slow to compile (each elementwise kernel goes through Clang: about a minute per training
function) and to run (a few hundred milliseconds a step), so the shapes are small and only the
steps that are compared are compiled; the op checks optimize the graph without linking it
(`optimized_graph`). What POCL does not stand in for: NVRTC, Theano's CUDA-only ops, speed.
"""
import importlib.util
import os
import re
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _device_asked():
    device = 'cpu'
    for flag in os.environ.get('THEANO_FLAGS', '').split(','):
        key, _, value = flag.partition('=')
        if key.strip() == 'device':
            device = value.strip()
    return os.environ.get('AUTHOR2VEC_DEVICE') or device


def _skip_reason():
    """Why these tests cannot run in this process, or None."""
    if importlib.util.find_spec('pygpu') is None:
        return ('pygpu is not installed in this Python: these run in the `make venv-gpu` venv with '
                'THEANO_FLAGS=device=opencl0:0 (.ci/opencl)')
    device = _device_asked()
    match = re.fullmatch(r'opencl(\d+):(\d+)', device)
    if not match:
        return ('Theano is asked for device %r: these run with THEANO_FLAGS=device=opencl0:0 '
                '(.ci/opencl)' % device)
    from pygpu import gpuarray
    platform, number = int(match.group(1)), int(match.group(2))
    if (platform >= gpuarray.count_platforms('opencl')
            or number >= gpuarray.count_devices('opencl', platform)):
        return ('no OpenCL device %s here (`clinfo -l` lists them; Debian: apt-get install '
                'pocl-opencl-icd ocl-icd-opencl-dev libclblast-dev)' % device)
    return None


if __name__ != '__main__' and _skip_reason():  # (run as a script: the CPU side)
    pytest.skip(_skip_reason(), allow_module_level=True)

from author2vec_keras.nn import rewrites  # noqa: E402
from author2vec_keras.nn.backend import K  # noqa: E402  (after the skip: opens the device)
from author2vec_keras.nn.models import (  # noqa: E402
    EMBEDDING_LAYER,
    PAPER_EMBEDDING,
    author2vec_models,
    blog_model,
    compile_model,
    paper_model,
)
from author2vec_keras.nn.optimizers import RowAdagrad, RowAdam, RowSGD  # noqa: E402

import theano  # noqa: E402  (configured and imported by the backend)
import theano.tensor as T  # noqa: E402
from theano.gof.graph import ancestors  # noqa: E402
from theano.gof.link import Linker  # noqa: E402

N, PAPERS, DIM, HIDDEN = 1000, 300, 16, 8
# Duplicates on purpose: node 3 five times (both columns, the same pair), node 0 twice; high rows.
PAIRS = [np.array([[3, 0], [3, 3], [5, 3], [0, 7], [9, 3], [11, 12], [999, 998], [500, 3]],
                  dtype='int32'),
         np.array([[0, 20], [20, 21], [21, 22], [9, 9], [30, 31], [998, 2], [4, 4], [600, 601]],
                  dtype='int32')]
TARGETS = [np.array([1, 0, 1, 0, 1, 0, 1, 0], dtype='int32').reshape(-1, 1),
           np.array([1, 1, 0, 0, 1, 0, 1, 0], dtype='int32').reshape(-1, 1)]
# the CPU steps against the device's (float32, sums in another order, POCL's own exp/log/sqrt)
RTOL, ATOL = 1e-4, 1e-6


# --- the graph Theano compiles, without linking it --------------------------------------------

class _Optimized(Exception):
    def __init__(self, fgraph):
        super(_Optimized, self).__init__('optimized')
        self.fgraph = fgraph


class _GraphOnly(Linker):
    """A Theano linker that links nothing: `theano.function` optimizes the graph exactly as for a
    real compile (the device moves, fusion, the in-place passes), then the linker raises
    `_Optimized` with that graph instead of compiling its kernels."""

    def accept(self, fgraph, no_recycling=None, profile=None):
        self.fgraph = fgraph
        return self

    def make_thunk(self, **kwargs):
        raise _Optimized(self.fgraph)


def optimized_graph(model):
    """The optimized graph of the training step of the compiled Keras `model` (not linked)."""
    inner = getattr(model, 'model', model)  # a Sequential's inner Model
    mode = rewrites.compile_mode()
    inner._function_kwargs = {'mode': theano.compile.mode.Mode(
        linker=_GraphOnly(), optimizer=mode.provided_optimizer)}
    with pytest.raises(_Optimized) as optimized:
        inner._make_train_function()
    return optimized.value.fgraph


def op_names(fgraph):
    return [type(node.op).__name__ for node in fgraph.toposort()]


def tables_of(model, *layers):
    return [model.get_layer(name).embeddings for name in layers]


def among(var, shared):
    """Whether `var` of a compiled graph is one of the `shared` variables (Theano compiles a
    clone of the graph; a clone of a shared variable keeps its container)."""
    return any(getattr(var, 'container', None) is s.container for s in shared)


def table_sized_gradients(fgraph, tables):
    """The nodes of `fgraph` that allocate a buffer with as many rows as an embedding table (its
    rows counted from the table's own shape, or a constant equal to them): the dense N x d
    gradient of a gather that a stock optimizer builds (`(Gpu)Alloc` of zeros, then
    `(Gpu)AdvancedIncSubtensor1` into it)."""
    rows = {int(K.int_shape(t)[0]) for t in tables}
    found = []
    for node in fgraph.toposort():
        name = type(node.op).__name__
        if 'Alloc' not in name:
            continue
        shape = node.inputs if 'AllocEmpty' in name else node.inputs[1:]
        if not shape:
            continue
        first = shape[0]
        constant = getattr(first, 'data', None)
        if constant is not None and int(np.asarray(constant)) in rows:
            found.append(node)
        elif any(among(v, tables) for v in ancestors([first])):
            found.append(node)
    return found


# --- the models: op placement ------------------------------------------------------------------

def _content_link(optimizer):
    np.random.seed(0)
    link, content, joint = author2vec_models(N, PAPERS, DIM, HIDDEN)
    loss = 'sparse_categorical_crossentropy'
    return compile_model(joint, optimizer, [loss, loss], loss_weights=[1.0, 1.0])


def _build(name, optimizer):
    np.random.seed(0)
    if name == 'paper':
        return paper_model(N, DIM, HIDDEN, optimizer=optimizer)
    if name == 'blog':
        return blog_model(N, DIM, HIDDEN, optimizer=optimizer)
    return _content_link(optimizer)


#: the ops of a training step left on the host, each for a reason: shapes and index arithmetic
#: (Shape_i, MakeVector, integer Elemwise, ARange), Keras' sparse targets (`Alloc` +
#: `AdvancedIncSubtensor`, no GPU version in Theano 1.0.5), `SoftmaxGrad` (no gpuarray version
#: either), Dropout's learning-phase switch (`IfElse`, which passes device arrays through) and the
#: copies; the package's own C ops are CPU-only and absent here (`ops.on_cpu`): on a device the
#: tables are updated by `gpu_ops.GpuRowUpdate`.
HOST_OPS = {'Shape_i', 'MakeVector', 'Elemwise', 'ARange', 'Alloc',
            'AdvancedIncSubtensor', 'SoftmaxGrad', 'IfElse', 'HostFromGpu', 'Subtensor',
            'ScalarFromTensor', 'TensorFromScalar', 'Reshape', 'DimShuffle', 'Rebroadcast',
            'Shape', 'Join', 'SpecifyShape'}
#: the float work of the models, which must all run on the device
DEVICE_WORK = {'GpuDot22', 'GpuElemwise', 'GpuAdvancedSubtensor1'}


@pytest.mark.parametrize('name, layers', [
    ('paper', [EMBEDDING_LAYER]), ('blog', [EMBEDDING_LAYER]),
    ('content_link', [EMBEDDING_LAYER, PAPER_EMBEDDING])])
def test_the_models_train_on_the_device_row_wise(name, layers, request):
    """The paper model's graph is the one its steps below run; the others are optimized only."""
    if name == 'paper':
        model = request.getfixturevalue('paper_on_the_device')[0]
        fgraph = model.model.train_function.function.maker.fgraph
    else:
        model = _build(name, RowAdam(lr=0.01))
        fgraph = optimized_graph(model)
    tables = tables_of(model, *layers)
    assert all(type(t).__name__ == 'GpuArraySharedVariable' for t in tables)
    names = op_names(fgraph)
    assert DEVICE_WORK <= set(names), sorted(set(names))
    # no product, softmax or gather left on the host
    assert not {'Dot22', 'Gemm', 'Dot', 'Dot22Scalar', 'Gemv', 'Softmax', 'SoftmaxWithBias',
                'AdvancedSubtensor1', 'CGemv', 'CGer'} & set(names), sorted(set(names))
    on_host = [n for n in names if not n.startswith(('Gpu', 'GPUA_'))]
    assert set(on_host) <= HOST_OPS, sorted(set(on_host) - HOST_OPS)
    assert len(names) - len(on_host) > 2 * len(on_host), (len(names) - len(on_host), on_host)
    # every table found as gathered (RowAdam's slots: one (rows, 2, d) array per table) ...
    assert model.optimizer.row_params == tables
    # ... no table-sized gradient; each table and its moments written in place by one
    # GpuRowUpdate (the package's kernels), rows only, and nothing else writes them
    assert table_sized_gradients(fgraph, tables) == []
    updates = [node for node in fgraph.toposort() if type(node.op).__name__ == 'GpuRowUpdate']
    assert len(updates) == len(tables)
    for table in tables:
        [node] = [n for n in updates if among(n.inputs[0], [table])]
        assert among(node.inputs[1], model.optimizer.table_slots[table])
        assert node.op.rule == 'adam' and node.op.destroy_map == {0: [0], 1: [1]}
    written = tables + [s for t in tables for s in model.optimizer.table_slots[t]]
    assert not [node for node in fgraph.toposort() if node.inputs and among(
        node.inputs[0], written) and 'IncSubtensor' in type(node.op).__name__]


def test_stock_adam_builds_the_dense_gradient_that_the_check_finds():
    """The control: Keras' Adam on the device allocates the N x d gradient of the table (what the
    November H200 profile showed as `GpuAlloc{memset_0=True}`); the check above sees it."""
    model = _build('paper', 'adam')
    tables = tables_of(model, EMBEDDING_LAYER)
    found = table_sized_gradients(optimized_graph(model), tables)
    assert [type(node.op).__name__ for node in found] == ['GpuAlloc']


# --- the row-wise optimizers' steps on the device against numpy -------------------------------

def _reference(cls, table, steps, coefficients, lr, eps=1e-8, beta_1=0.9, beta_2=0.999):
    """numpy: `table` after the `steps` (index vectors) of `cls` on `sum(tanh(W[idx]) * c)`."""
    w = table.astype('float64')
    slots = np.zeros((2,) + w.shape)
    for t, idx in enumerate(steps, start=1):
        grad = np.zeros_like(w)
        np.add.at(grad, idx, (1 - np.tanh(w[idx]) ** 2) * coefficients)
        rows = np.unique(idx)
        g = grad[rows]
        if cls is RowSGD:
            w[rows] -= lr * g
        elif cls is RowAdagrad:
            slots[0, rows] += g ** 2
            w[rows] -= lr * g / (np.sqrt(slots[0, rows]) + eps)
        else:
            slots[0, rows] = beta_1 * slots[0, rows] + (1 - beta_1) * g
            slots[1, rows] = beta_2 * slots[1, rows] + (1 - beta_2) * g ** 2
            lr_t = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
            w[rows] -= lr_t * slots[0, rows] / (np.sqrt(slots[1, rows]) + eps)
    return w


@pytest.mark.parametrize('clipnorm, update_op', [(None, 'GpuRowUpdate'), (1e3, 'Unique')])
def test_row_sgd_adagrad_and_adam_steps_on_the_device_equal_numpys(clipnorm, update_op):
    """One Theano function, three tables, one per optimizer, each loss `sum(tanh(W[idx]) * c)`:
    two steps with duplicate indices; every row (touched or not) as numpy computes it. Without
    clipping one `GpuRowUpdate` per table (the package's kernels); with clipping (here a norm
    that never binds) the unfused path (Theano's `Unique`, the rows summed, clipped and set)."""
    rng = np.random.RandomState(0)
    initial = rng.uniform(-0.5, 0.5, (N, DIM)).astype('float32')
    steps = [PAIRS[0].ravel(), PAIRS[1].ravel()]
    coefficients = rng.normal(size=(len(steps[0]), DIM)).astype('float32')
    idx = T.ivector('idx')
    classes = (RowSGD, RowAdagrad, RowAdam)
    tables, updates, optimizers = [], [], []
    for cls in classes:
        table = K.variable(initial, name=cls.__name__ + '_table')
        loss = K.sum(K.tanh(K.gather(table, idx)) * coefficients)
        optimizer = cls(lr=0.05, **({'clipnorm': clipnorm} if clipnorm else {}))
        updates += optimizer.get_updates(loss, [table])
        assert optimizer.row_params == [table]  # found through HostFromGpu
        tables.append(table)
        optimizers.append(optimizer)
    step = theano.function([idx], [], updates=updates, mode=rewrites.compile_mode())
    fgraph = step.maker.fgraph
    assert table_sized_gradients(fgraph, tables) == []
    assert 'GpuAdvancedSubtensor1' in op_names(fgraph)
    names = op_names(fgraph)
    assert update_op in names
    assert names.count('GpuRowUpdate') == (len(classes) if clipnorm is None else 0)
    for indices in steps:
        step(indices)
    for cls, table in zip(classes, tables):
        np.testing.assert_allclose(K.get_value(table),
                                   _reference(cls, initial, steps, coefficients, lr=0.05),
                                   rtol=RTOL, atol=ATOL, err_msg=cls.__name__)
    untouched = np.setdiff1d(np.arange(N), np.concatenate(steps))
    for table in tables:  # lazy: bit for bit
        np.testing.assert_array_equal(K.get_value(table)[untouched], initial[untouched])



@pytest.mark.parametrize('rule', ['sgd', 'adagrad', 'adam'])
def test_gpu_row_update_equals_the_cpu_ops_reference(rule):
    """`GpuRowUpdate` alone against `ops.RowUpdate`'s numpy reference (`perform`): 300 indices
    over 20 rows of a 50-row table (every row many times, some as negative indices counting from
    the end), then an empty batch; the table and slot after each, untouched rows bit for bit."""
    from author2vec_keras.nn.gpu_ops import GpuRowUpdate
    from author2vec_keras.nn.ops import _RULES, RowUpdate
    rng = np.random.RandomState(1)
    rows, d = 50, 24
    table0 = rng.uniform(-1, 1, (rows, d)).astype('float32')
    slot_shape = {'sgd': None, 'adagrad': (rows, d), 'adam': (rows, 2, d)}[rule]
    slots0 = [] if slot_shape is None else [rng.uniform(0, 0.1, slot_shape).astype('float32')]
    scalars = {'lr': 0.05, 'epsilon': 1e-7, 'beta_1': 0.9, 'beta_2': 0.999}
    values = [np.float32(scalars[name]) for name in _RULES[rule]['scalars']]
    table = theano.shared(table0.copy())
    slots = [theano.shared(s.copy()) for s in slots0]
    idx, grads = T.lvector('idx'), T.fmatrix('grads')
    outputs = GpuRowUpdate(rule)(table, *(slots + [idx, grads] + values), return_list=True)
    step = theano.function([idx, grads], [], updates=list(zip([table] + slots, outputs)),
                           mode=rewrites.compile_mode())
    assert [type(n.op).__name__ for n in step.maker.fgraph.toposort()].count('GpuRowUpdate') == 1
    reference = RowUpdate(rule)
    expected = [table0.copy()] + [s.copy() for s in slots0]
    batches = [np.where(np.arange(300) % 7 == 0, -1, 1) * rng.randint(1, 21, 300),
               np.zeros(0, dtype='int64')]
    for batch in batches:
        g = rng.normal(size=(len(batch), d)).astype('float32')
        step(batch, g)
        out = [[None] for _ in expected]
        reference.perform(None, expected + [batch, g] + values, out)
        expected = [o[0] for o in out]
        for got, want in zip([table] + slots, expected):
            np.testing.assert_allclose(got.get_value(), want, rtol=RTOL, atol=ATOL)
    touched = np.unique(np.where(batches[0] < 0, batches[0] + rows, batches[0]))
    untouched = np.setdiff1d(np.arange(rows), touched)
    np.testing.assert_array_equal(table.get_value()[untouched], table0[untouched])


# --- the paper model's training steps: device against CPU -------------------------------------

def paper_steps():
    """The paper model with RowAdam, from fixed initial weights (numpy's: Keras' initializers draw
    on the device there), after two steps: `(model, dict of arrays)`, the arrays its initial
    weights, the two steps' losses, the weights and optimizer weights after them."""
    model = _build('paper', RowAdam(lr=0.01))
    rng = np.random.RandomState(0)
    model.set_weights([rng.uniform(-0.05, 0.05, w.shape).astype(w.dtype)
                       for w in model.get_weights()])
    out = {'initial_%d' % i: w for i, w in enumerate(model.get_weights())}
    out['losses'] = np.array([model.train_on_batch(x, y) for x, y in zip(PAIRS, TARGETS)])
    out.update(('weight_%d' % i, w) for i, w in enumerate(model.get_weights()))
    out.update(('slot_%d' % i, w) for i, w in enumerate(model.optimizer.get_weights()))
    return model, out


@pytest.fixture(scope='module')
def cpu_steps(tmp_path_factory):
    """`paper_steps` on the CPU, computed by this file in a child process (`device=cpu`), started
    with the module so that it runs beside the device's compiles."""
    path = tmp_path_factory.mktemp('cpu') / 'steps.npz'
    flags = [f for f in os.environ.get('THEANO_FLAGS', '').split(',') if f and 'device' not in f]
    paths = [ROOT] + [p for p in [os.environ.get('PYTHONPATH')] if p]
    env = dict(os.environ, THEANO_FLAGS=','.join(flags + ['device=cpu']),
               PYTHONPATH=os.pathsep.join(paths))
    env.pop('AUTHOR2VEC_DEVICE', None)
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__), str(path)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def result():
        output, _ = child.communicate(timeout=600)
        assert child.returncode == 0, output
        return dict(np.load(path))
    yield result
    if child.poll() is None:
        child.kill()
        child.communicate()


@pytest.fixture(scope='module')
def paper_on_the_device(cpu_steps):
    return paper_steps()


def test_paper_model_steps_on_the_device_equal_the_cpus(paper_on_the_device, cpu_steps):
    """Losses to 1e-5 (relative), weights and Adam's moments to 1e-4 relative + 1e-6 absolute
    after two steps; the CPU takes the fused `RowUpdate` op, the device Theano's own ops."""
    device = paper_on_the_device[1]
    cpu = cpu_steps()
    assert sorted(device) == sorted(cpu)
    for key in sorted(k for k in cpu if k.startswith('initial_')):
        np.testing.assert_array_equal(device[key], cpu[key], err_msg=key)  # the same start
    np.testing.assert_allclose(device['losses'], cpu['losses'], rtol=1e-5, err_msg='losses')
    for key in sorted(k for k in cpu if not k.startswith('initial_')):
        np.testing.assert_allclose(device[key], cpu[key], rtol=RTOL, atol=ATOL, err_msg=key)


# --- refusals and info -------------------------------------------------------------------------

def _author2vec(*argv, cwd, **environ):
    """The command in a fresh process (Theano marks the environment of a process that opened a
    GPU, and refuses to open one in its children: not removed, it would be the refusal's cause)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('AUTHOR2VEC_DEVICE', 'THEANO_GPU_IS_ALREADY_ACTIVE')}
    env.update(environ)
    env['PYTHONPATH'] = os.pathsep.join([ROOT] + [p for p in [os.environ.get('PYTHONPATH')] if p])
    return subprocess.run([sys.executable, '-m', 'author2vec_keras.cli'] + list(argv), env=env,
                          cwd=str(cwd), capture_output=True, text=True, timeout=600)


def test_info_names_the_opencl_device(tmp_path):
    proc = _author2vec('info', cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r'^device: +opencl0:0$', proc.stdout, re.M), proc.stdout
    assert re.search(r'^gpu: +(?!None$)\S', proc.stdout, re.M), proc.stdout


@pytest.mark.parametrize('how, device, cause', [
    ('THEANO_FLAGS', 'opencl1:0', 'Platform ID out of range'),
    ('AUTHOR2VEC_DEVICE', 'opencl0:7', 'libgpuarray: '),
])
def test_an_opencl_device_that_cannot_be_opened_is_refused(tmp_path, how, device, cause):
    """Theano 1.0.5 logs its error and trains on the CPU; the command refuses in one sentence."""
    flags = [f for f in os.environ.get('THEANO_FLAGS', '').split(',') if f and 'device' not in f]
    environ = {'THEANO_FLAGS': ','.join(flags + (['device=' + device] if how == 'THEANO_FLAGS'
                                                 else []))}
    if how == 'AUTHOR2VEC_DEVICE':
        environ['AUTHOR2VEC_DEVICE'] = device
    proc = _author2vec('train', '--dataset', 'karate', '--epochs', '1', '--output', 'karate.emb',
                       cwd=tmp_path, **environ)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ''
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(
        "author2vec: error: OpenCL device '%s' could not be opened (" % device)
    assert cause in lines[0] and 'clinfo -l' in lines[0]
    assert lines[0].endswith('.') and '. ' not in lines[0]
    assert list(tmp_path.iterdir()) == []


if __name__ == '__main__':  # the CPU side of test_paper_model_steps_on_the_device_equal_the_cpus
    np.savez(sys.argv[1], **paper_steps()[1])
