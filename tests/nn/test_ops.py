"""author2vec_keras.nn.ops: `RowUpdate`, `TakeRows` and `fast_tanh` against numpy, in their C code
(Theano's FAST_RUN) and in Python (FAST_COMPILE); errors; in-place writes; the graph rewrites.
Core tests: the C code must compile on both Theanos (theano-pymc 1.1.2 and 1.0.5)."""
import numpy as np
import pytest

from author2vec_keras.nn import ops, rewrites
from author2vec_keras.nn.backend import K  # noqa: F401  configures Theano

import theano
import theano.tensor as T
from theano import scalar

pytestmark = pytest.mark.core

#: the package's rewrites (TakeRows, FastTanh, ...) apply in this mode only, not in Theano's own
MODE = rewrites.compile_mode()

ROWS, D = 50, 7  # 7 columns: the vectorised loops' remainders are exercised too
# Duplicates (3 three times, 0 and 49 twice each through -50 and -1), negatives counting from
# the end, rows never touched.
IDX = np.array([3, 0, 3, 49, -1, 7, 3, -50, 12], dtype='int32')
LR, B1, B2, EPS = 0.05, 0.9, 0.999, 1e-8
RULES = {'sgd': (0, [LR]), 'adagrad': (1, [LR, EPS]), 'adam': (1, [LR, B1, B2, EPS])}


def _data(seed=0):
    rng = np.random.RandomState(seed)
    table = rng.randn(ROWS, D).astype('float32')
    grads = rng.randn(len(IDX), D).astype('float32')
    slots = {'sgd': None, 'adagrad': rng.rand(ROWS, D).astype('float32'),
             'adam': np.stack([rng.randn(ROWS, D), rng.rand(ROWS, D)], 1).astype('float32')}
    return table, grads, slots


def reference(rule, table, slot, idx, grads):
    """float64 numpy: sum each row's gradients in batch order, then the rule's update."""
    table = table.astype('float64')
    slot = None if slot is None else slot.astype('float64')
    rows = np.where(idx < 0, idx + len(table), idx)
    summed = {}
    for r, g in zip(rows, grads.astype('float64')):
        summed[r] = summed[r] + g if r in summed else g.copy()
    for r, g in summed.items():
        if rule == 'sgd':
            table[r] -= LR * g
        elif rule == 'adagrad':
            slot[r] += g * g
            table[r] -= LR * g / (np.sqrt(slot[r]) + EPS)
        else:
            slot[r, 0] = B1 * slot[r, 0] + (1 - B1) * g
            slot[r, 1] = B2 * slot[r, 1] + (1 - B2) * g * g
            table[r] -= LR * slot[r, 0] / (np.sqrt(slot[r, 1]) + EPS)
    return table, slot


_FUNCTIONS = {}


def row_update(rule, mode='FAST_RUN'):
    """`(table, slot, step)`: shared variables and a compiled `step(idx, grads)` updating them
    with one RowUpdate (compiled once per rule and mode for the module)."""
    if (rule, mode) not in _FUNCTIONS:
        n_slots, scalars = RULES[rule]
        table, _, slots = _data()
        t = theano.shared(table, name='table')
        s = [theano.shared(slots[rule], name='slot')] if n_slots else []
        idx, grads = T.ivector('idx'), T.matrix('grads')
        outs = ops.RowUpdate(rule)(t, *(s + [idx, grads] + [np.float32(v) for v in scalars]),
                                   **{'return_list': True})
        f = theano.function([idx, grads], [], updates=list(zip([t] + s, outs)), mode=mode)
        _FUNCTIONS[rule, mode] = (t, s[0] if s else None, f)
    return _FUNCTIONS[rule, mode]


def _set(rule, mode, table, slot):
    t, s, f = row_update(rule, mode)
    t.set_value(table.copy(), borrow=True)
    if s is not None:
        s.set_value(slot.copy(), borrow=True)
    return t, s, f


@pytest.mark.parametrize('rule', sorted(RULES))
@pytest.mark.parametrize('mode', ['FAST_RUN', 'FAST_COMPILE'])
def test_row_update_matches_numpy(rule, mode):
    table, grads, slots = _data()
    t, s, f = _set(rule, mode, table, slots[rule])
    f(IDX, grads)
    expected, expected_slot = reference(rule, table, slots[rule], IDX, grads)
    np.testing.assert_allclose(t.get_value(), expected, rtol=2e-6, atol=2e-6)
    if s is not None:
        np.testing.assert_allclose(s.get_value(), expected_slot, rtol=2e-6, atol=1e-6)
    untouched = sorted(set(range(ROWS)) - {3, 0, 49, 7, 12})
    np.testing.assert_array_equal(t.get_value()[untouched], table[untouched])  # lazy: not moved
    if s is not None:
        np.testing.assert_array_equal(s.get_value()[untouched], slots[rule][untouched])


def test_row_update_sums_duplicates_in_batch_order_bit_for_bit():
    """At lr 1 the SGD step is `p - g` with `g` the float32 sum in batch order, exactly as
    Theano's dense gradient of a gather (AdvancedIncSubtensor1 into zeros) adds the rows."""
    table, grads, _ = _data(1)
    t = theano.shared(table.copy())
    idx, g = T.ivector(), T.matrix()
    f = theano.function([idx, g], [], updates=[(t, ops.RowUpdate('sgd')(t, idx, g, np.float32(1)))])
    f(IDX, grads)
    dense = np.zeros_like(table)
    for r, row in zip(np.where(IDX < 0, IDX + ROWS, IDX), grads):
        dense[r] += row  # float32, in batch order
    np.testing.assert_array_equal(t.get_value(), table - dense)


def test_row_update_c_code_and_python_agree():
    for rule in RULES:
        table, grads, slots = _data(2)
        results = []
        for mode in ('FAST_RUN', 'FAST_COMPILE'):
            t, s, f = _set(rule, mode, table, slots[rule])
            f(IDX, grads)
            results.append([t.get_value()] + ([s.get_value()] if s is not None else []))
        for c, py in zip(*results):
            np.testing.assert_allclose(c, py, rtol=1e-6, atol=1e-7)


def test_row_update_is_in_place_after_optimisation():
    t, s, f = row_update('adam')
    graph_ops = [n.op for n in f.maker.fgraph.toposort() if isinstance(n.op, ops.RowUpdate)]
    assert len(graph_ops) == 1 and graph_ops[0].inplace
    table, grads, slots = _data()
    _set('adam', 'FAST_RUN', table, slots['adam'])
    before, before_slot = t.get_value(borrow=True), s.get_value(borrow=True)
    f(IDX, grads)
    assert t.get_value(borrow=True) is before and s.get_value(borrow=True) is before_slot
    assert not np.array_equal(before, table)  # the very same buffer was written
    # FAST_COMPILE does not run the inplace pass: the op copies (and still updates correctly)
    _, _, slow = row_update('adam', 'FAST_COMPILE')
    assert not [n.op for n in slow.maker.fgraph.toposort() if getattr(n.op, 'inplace', False)]


@pytest.mark.parametrize('mode', ['FAST_RUN', 'FAST_COMPILE'])
@pytest.mark.parametrize('bad', [ROWS, -ROWS - 1, 10 ** 6])
def test_row_update_out_of_range_index_raises_and_writes_nothing(mode, bad):
    table, grads, slots = _data()
    t, s, f = _set('adam', mode, table, slots['adam'])
    idx = IDX.copy()
    idx[-1] = bad  # after valid indices: nothing may be written before the check
    with pytest.raises(IndexError, match='out of bounds'):
        f(idx, grads)
    np.testing.assert_array_equal(t.get_value(), table)
    np.testing.assert_array_equal(s.get_value(), slots['adam'])


def test_row_update_checks_shapes():
    table, grads, slots = _data()
    t, s, f = _set('adam', 'FAST_RUN', table, slots['adam'])
    with pytest.raises(ValueError, match='gradients of shape'):
        f(IDX, grads[:-1])
    with pytest.raises(ValueError, match='gradients of shape'):
        f(IDX, grads[:, :-1])
    np.testing.assert_array_equal(t.get_value(), table)
    with pytest.raises(ValueError, match='rule must be one of'):
        ops.RowUpdate('rmsprop')
    with pytest.raises(TypeError, match='takes table'):
        ops.RowUpdate('adam')(t, T.ivector(), T.matrix(), 0.1)
    with pytest.raises(TypeError, match='integers'):
        ops.RowUpdate('sgd')(t, T.vector(), T.matrix(), 0.1)


def test_row_update_of_an_empty_batch_changes_nothing():
    table, grads, slots = _data()
    for mode in ('FAST_RUN', 'FAST_COMPILE'):
        t, s, f = _set('adam', mode, table, slots['adam'])
        f(np.zeros(0, dtype='int32'), np.zeros((0, D), dtype='float32'))
        np.testing.assert_array_equal(t.get_value(), table)
        np.testing.assert_array_equal(s.get_value(), slots['adam'])


# ----- TakeRows --------------------------------------------------------------------------------

def _gather_ops(f):
    return [type(n.op).__name__ for n in f.maker.fgraph.toposort()
            if type(n.op).__name__ in ('TakeRows', 'AdvancedSubtensor1')]


@pytest.mark.parametrize('index_dtype', ['int32', 'int64'])
def test_take_rows_replaces_advanced_subtensor1_and_matches_numpy(index_dtype):
    table, _, slots = _data()
    idx = T.vector(dtype=index_dtype)
    x2, x3 = theano.shared(table), theano.shared(slots['adam'])
    f = theano.function([idx], [x2[idx], x3[idx]], mode=MODE)
    assert _gather_ops(f) == ['TakeRows', 'TakeRows']
    got2, got3 = f(IDX.astype(index_dtype))
    np.testing.assert_array_equal(got2, table[IDX])
    np.testing.assert_array_equal(got3, slots['adam'][IDX])
    again2, _ = f(IDX[::-1].astype(index_dtype))  # the output buffer is reused: fresh values
    np.testing.assert_array_equal(again2, table[IDX[::-1]])
    with pytest.raises(IndexError, match='out of bounds'):
        f(np.array([0, ROWS], dtype=index_dtype))
    with pytest.raises(IndexError, match='out of bounds'):
        f(np.array([-ROWS - 1], dtype=index_dtype))
    empty, _ = f(np.zeros(0, dtype=index_dtype))
    assert empty.shape == (0, D)


def test_take_rows_of_a_non_contiguous_array():
    table, _, _ = _data()
    x, idx = T.matrix(), T.ivector()
    f = theano.function([x, idx], x[idx], mode=MODE)
    assert _gather_ops(f) == ['TakeRows']
    fortran = np.asfortranarray(table)
    np.testing.assert_array_equal(f(fortran, IDX), table[IDX])
    np.testing.assert_array_equal(f(table[:, ::2], IDX), table[:, ::2][IDX])


def test_take_rows_python_and_gradient():
    table, grads, _ = _data()
    x, idx, g = T.matrix(), T.ivector(), T.matrix()
    taken = ops.TakeRows()(x, idx)
    slow = theano.function([x, idx], taken, mode='FAST_COMPILE')
    np.testing.assert_array_equal(slow(table, IDX), table[IDX])
    grad = theano.function([x, idx, g], theano.grad(T.sum(taken * g), x))
    dense = np.zeros_like(table)
    np.add.at(dense, IDX, grads)
    np.testing.assert_allclose(grad(table, IDX, grads), dense, rtol=1e-6, atol=1e-6)


def test_take_rows_not_used_for_integer_tables():
    labels = theano.shared(np.arange(10, dtype='int64'))
    idx = T.ivector()
    f = theano.function([idx], labels[idx], mode=MODE)
    assert _gather_ops(f) == ['AdvancedSubtensor1']


# ----- fast_tanh -------------------------------------------------------------------------------

def _tanh_ops(f):
    """Names of the tanh ops of a compiled function (inside fused Composites too)."""
    found = []
    for node in f.maker.fgraph.toposort():
        if isinstance(node.op, ops.FastTanh):
            found.append('FastTanh')
        op = getattr(node.op, 'scalar_op', None)
        inner = getattr(op, 'fgraph', None)  # a fused Composite
        for scalar_op in [n.op for n in inner.toposort()] if inner else [op]:
            if isinstance(scalar_op, scalar.Tanh):
                found.append('Tanh')
    return found


def test_fast_tanh_replaces_float32_tanh_and_is_accurate():
    x = T.vector(dtype='float32')
    f = theano.function([x], T.tanh(x + 1) - 1, mode=MODE)  # would be fused into one Composite
    assert _tanh_ops(f) == ['FastTanh']
    np.testing.assert_allclose(f(np.array([0, 1], dtype='float32')), np.tanh([1, 2]) - 1,
                               rtol=1e-6)
    g = theano.function([x], T.tanh(x), mode=MODE)
    values = np.concatenate([np.linspace(-12, 12, 200001), np.logspace(-9, 1.3, 20001),
                             -np.logspace(-9, 1.3, 20001), [0., -0., 4e-4, -4e-4, 7.9, 8.]])
    values = values.astype('float32')
    got = g(values).astype('float64')
    exact = np.tanh(values.astype('float64'))
    assert np.max(np.abs(got - exact) / np.maximum(np.abs(exact), 1e-30)) < 5e-7
    assert np.all(np.abs(got) <= 1)
    special = g(np.array([np.inf, -np.inf, np.nan, 1e-30], dtype='float32'))
    np.testing.assert_array_equal(special[:2], [1, -1])
    assert np.isnan(special[2]) and special[3] == np.float32(1e-30)


def test_fast_tanh_gradient_and_float64():
    x = T.vector(dtype='float32')
    grad = theano.function([x], theano.grad(T.sum(T.tanh(x)), x), mode=MODE)
    values = np.linspace(-4, 4, 101).astype('float32')
    np.testing.assert_allclose(grad(values), 1 - np.tanh(values.astype('float64')) ** 2,
                               rtol=2e-6, atol=5e-7)  # float32's 1 - y**2 near 1
    x64 = T.vector(dtype='float64')
    f64 = theano.function([x64], T.tanh(x64), mode=MODE)
    assert _tanh_ops(f64) == ['Tanh']
    np.testing.assert_allclose(f64(values.astype('float64')), np.tanh(values.astype('float64')),
                               rtol=1e-15)  # the C library's tanh
    # FAST_COMPILE (no rewrites, Python) keeps Theano's tanh: numpy's values
    slow = theano.function([x], T.tanh(x), mode='FAST_COMPILE')
    np.testing.assert_array_equal(slow(values), np.tanh(values))
    assert _tanh_ops(slow) == ['Tanh']
    # the op itself in Python: numpy's tanh; float32 only
    py = theano.function([x], ops.fast_tanh(x), mode='FAST_COMPILE')
    np.testing.assert_array_equal(py(values), np.tanh(values))
    with pytest.raises(TypeError, match='float32 only'):
        ops.fast_tanh(x64)


def test_fast_tanh_of_a_non_contiguous_array():
    x = T.matrix(dtype='float32')
    f = theano.function([x], ops.fast_tanh(x))
    values = np.random.RandomState(0).randn(40, 30).astype('float32')
    np.testing.assert_allclose(f(values[:, ::3]), np.tanh(values[:, ::3]), rtol=5e-7, atol=1e-7)
    np.testing.assert_allclose(f(values.T), np.tanh(values.T), rtol=5e-7, atol=1e-7)


# ----- the gradient of slices along the last axis ----------------------------------------------

def _slice_gradient(width, used):
    """The gradient of a loss on `x.dimshuffle(0, 2, 1)[:, :, c]` (c in `used`), as the pair
    layer slices its Permute'd input, w.r.t. `x (b, width, d)`, reshaped to rows like the
    embedding rows: `(FAST_RUN function, FAST_COMPILE function)`."""
    x, w = T.tensor3(), T.matrix()
    side = x.dimshuffle(0, 2, 1)  # (b, d, width)
    loss = sum(T.sum(T.tanh(side[:, :, c]) * w * (c + 1)) for c in used)
    g = T.reshape(theano.grad(loss, x), (-1, x.shape[2]))
    return theano.function([x, w], g, mode=MODE), theano.function([x, w], g, mode='FAST_COMPILE')


def test_slice_gradients_are_stacked_not_incremented_into_zeros():
    fast, slow = _slice_gradient(2, [0, 1])
    names = [type(n.op).__name__ for n in fast.maker.fgraph.toposort()]
    assert 'StackColumns' in names and 'IncSubtensor' not in names and 'Alloc' not in names
    rng = np.random.RandomState(0)
    x, w = rng.randn(6, 2, 5).astype('float32'), rng.randn(6, 5).astype('float32')
    np.testing.assert_allclose(fast(x, w), slow(x, w), rtol=1e-5, atol=1e-6)  # fast tanh vs numpy's
    # the graph is built for any width: with 3 columns, column 2 is unused (zero gradient)
    wide = rng.randn(6, 3, 5).astype('float32')
    got = fast(wide, w)
    np.testing.assert_allclose(got, slow(wide, w), rtol=1e-5, atol=1e-6)  # fast tanh vs numpy's
    assert got.shape == (18, 5) and not got.reshape(6, 3, 5)[:, 2].any()


def test_slice_gradients_of_some_columns_only_and_errors():
    fast, slow = _slice_gradient(3, [2, 0])
    names = [type(n.op).__name__ for n in fast.maker.fgraph.toposort()]
    assert 'StackColumns' in names
    rng = np.random.RandomState(1)
    x, w = rng.randn(4, 3, 5).astype('float32'), rng.randn(4, 5).astype('float32')
    np.testing.assert_allclose(fast(x, w), slow(x, w), rtol=1e-5, atol=1e-6)  # fast tanh vs numpy's
    with pytest.raises(IndexError, match='out of bounds'):  # column 2 of a 2-wide tensor
        fast(x[:, :2], w)
    for mode in ('FAST_RUN', 'FAST_COMPILE'):
        a, b = T.matrix(), T.matrix()
        f = theano.function([a, b], ops.StackColumns([1, 0])(3, 4, 2, a, b), mode=mode)
        av, bv = rng.randn(3, 4).astype('float32'), rng.randn(3, 4).astype('float32')
        np.testing.assert_array_equal(f(av, bv), np.stack([bv, av], axis=1))
        np.testing.assert_array_equal(f(av.T.copy().T, bv[:, ::-1].copy()[:, ::-1]),
                                      np.stack([bv, av], axis=1))  # any strides
        with pytest.raises(ValueError, match='slice gradient of shape'):
            f(av[:2], bv)


# ----- products without a BLAS library --------------------------------------------------------

def test_each_product_is_computed_once_and_gemm_is_a_product():
    """Adam's `(1 - beta_1) g` and `g**2` of one product `g`: Theano's Dot22Scalar would compute
    the product twice; a Gemm (`z + x y`) would run numpy's product plus a slow loop."""
    x, d, z, w = T.matrix(), T.matrix(), T.matrix(), T.matrix()
    g = T.dot(x.T, d)
    f = theano.function([x, d, z, w], [np.float32(0.1) * g, T.sqr(g), z + T.dot(x, w)],
                        mode=MODE)
    names = [type(n.op).__name__ for n in f.maker.fgraph.toposort()]
    assert names.count('Dot22') == 2 and 'Dot22Scalar' not in names and 'Gemm' not in names
    rng = np.random.RandomState(0)
    xv, dv = rng.randn(50, 8).astype('float32'), rng.randn(50, 3).astype('float32')
    zv, wv = rng.randn(50, 4).astype('float32'), rng.randn(8, 4).astype('float32')
    a, b, c = f(xv, dv, zv, wv)
    gv = xv.T.astype('float64') @ dv
    np.testing.assert_allclose(a, 0.1 * gv, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b, gv ** 2, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(c, zv + xv.astype('float64') @ wv, rtol=1e-5, atol=1e-5)


# ----- one-hot targets ---------------------------------------------------------------------------

def test_one_hot_targets_are_one_c_op():
    """Keras' sparse categorical cross-entropy builds its targets with to_one_hot."""
    labels, k = T.ivector(), T.iscalar()
    f = theano.function([labels, k], T.extra_ops.to_one_hot(labels, k, dtype='float32'),
                        mode=MODE)
    names = [type(n.op).__name__ for n in f.maker.fgraph.toposort()]
    assert 'OneHot' in names and 'AdvancedIncSubtensor' not in names and 'ARange' not in names
    y = np.array([1, 0, 2, -1, 1], dtype='int32')
    expected = np.eye(3, dtype='float32')[y]
    np.testing.assert_array_equal(f(y, 3), expected)
    np.testing.assert_array_equal(f(y[:0], 3), np.zeros((0, 3), dtype='float32'))
    with pytest.raises(IndexError, match='out of bounds'):
        f(np.array([0, 3], dtype='int32'), 3)
    slow = theano.function([labels, k], ops.OneHot('float32')(labels, labels.shape[0], k),
                           mode='FAST_COMPILE')
    np.testing.assert_array_equal(slow(y, 3), expected)
    fast = theano.function([labels, k], ops.OneHot('float32')(labels, 4, k))
    with pytest.raises(ValueError, match='5 labels for 4 rows'):
        fast(y, 3)


# ----- the C code in C files, versioned by its text -------------------------------------------

C_OPS = [ops.RowUpdate('adam'), ops.TakeRows(), ops.StackColumns([0]), ops.OneHot('float32'),
         ops.fast_tanh]
#: the C of `gpu_ops.GpuRowUpdate` (imported on a GPU device only: tests/nn/test_opencl.py)
GPU_C_FILES = ['gpu_row_update.c']
C_FILES = sorted([op.c_file for op in C_OPS] + GPU_C_FILES)


def test_each_c_file_is_one_ops_code_and_ships_in_the_package():
    from importlib import resources
    shipped = sorted(p.name for p in (resources.files('author2vec_keras.nn') / 'c').iterdir()
                     if p.name.endswith('.c'))
    assert C_FILES == shipped
    for op in C_OPS:
        sections = ops.c_sections(ops.c_source(op.c_file))
        assert {'support_code', 'code'} <= set(sections)
        assert '%(' not in sections['code'] and '$' in sections['code']  # Template names


def test_the_c_files_are_in_what_setup_py_installs(tmp_path):
    """setup.py's build_py (the files a wheel holds: `pip install .`, the Docker images) copies
    every C file."""
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([sys.executable, 'setup.py', '-q', 'build_py', '--build-lib', str(tmp_path)],
                   cwd=root, check=True, capture_output=True)
    installed = tmp_path / 'author2vec_keras' / 'nn' / 'c'
    assert sorted(p.name for p in installed.iterdir()) == C_FILES
    for name in C_FILES:
        assert (installed / name).read_text(encoding='utf8') == ops.c_source(name)


def test_c_code_version_is_a_digest_of_the_c_text():
    """An edit of a C file changes its ops' cache version, so a warm Theano cache compiles
    the op again instead of running the old module. Edits of the text as read from the
    package, through the function that versions the ops."""
    versions = [op.c_code_cache_version() for op in C_OPS]
    assert len({v[0] for v in versions}) == len(C_OPS)  # one per file
    assert versions[0] == ops.RowUpdate('sgd', inplace=True).c_code_cache_version()
    for op, version in zip(C_OPS, versions):
        text = ops.c_source(op.c_file)
        assert version == ops.c_code_version(text)
        assert version[1:] == tuple(int(v) for v in np.__version__.split('.')[:2])
        for edited in (text.replace('}', '} ', 1), text + '\n', text.replace('$fail', '$fail;')):
            assert ops.c_code_version(edited)[0] != version[0]
            assert ops.c_code_version(edited)[1:] == version[1:]


def test_c_sections_are_cut_at_theanos_markers():
    text = '/* header */\n#section support_code\n#include <a.h>\n\n#section code\nx = $y;\n'
    assert ops.c_sections(text) == {'support_code': '#include <a.h>\n\n', 'code': 'x = $y;\n'}
    assert ops.c_sections('/* nothing */\n') == {}


# ----- the rewrites apply to the package's graphs only ------------------------------------------

def test_a_users_own_graphs_compile_to_theanos_own_ops():
    """After importing the package, Theano's default mode (a user's `theano.function`, a
    model compiled with plain `model.compile`) has none of the package's rewrites."""
    x = T.vector(dtype='float32')
    assert _tanh_ops(theano.function([x], T.tanh(x))) == ['Tanh']
    a, d, z, w = T.matrix(), T.matrix(), T.matrix(), T.matrix()
    g = T.dot(a.T, d)
    f = theano.function([a, d, z, w], [np.float32(0.1) * g, T.sqr(g), z + T.dot(a, w)])
    names = [type(n.op).__name__ for n in f.maker.fgraph.toposort()]
    assert 'Gemm' in names and 'Dot22Scalar' in names
    idx = T.ivector()
    assert _gather_ops(theano.function([a, idx], a[idx])) == ['AdvancedSubtensor1']
    labels, k = T.ivector(), T.iscalar()
    f = theano.function([labels, k], T.extra_ops.to_one_hot(labels, k, dtype='float32'))
    names = [type(n.op).__name__ for n in f.maker.fgraph.toposort()]
    assert 'AdvancedIncSubtensor' in names and 'OneHot' not in names
    side = T.tensor3()
    grad = theano.grad(T.sum(side.dimshuffle(0, 2, 1)[:, :, 0] * a), side)
    names = [type(n.op).__name__ for n in theano.function([side, a], grad).maker.fgraph.toposort()]
    assert 'StackColumns' not in names and 'IncSubtensor' in names
