"""author2vec_keras.nn.backend: each fix of its docstring is needed (the original error appears
with the fix turned off, in a fresh interpreter) and works (with it on).

Fixes are turned off with `$AUTHOR2VEC_SKIP_FIXES`. The fresh interpreters only import
Theano/Keras and build tiny graphs; none compiles a Theano function, so they stay cheap.
These tests run on both Theanos: theano-pymc 1.1.2 (CPU default) and Theano 1.0.5 (the GPU
image's, `.ci/theano105`).
"""
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from author2vec_keras.nn import backend
from author2vec_keras.nn.backend import K, keras

pytestmark = pytest.mark.core

THEANO_NAME, THEANO_VERSION = backend.theano_distribution()
PYMC = THEANO_NAME == 'Theano-PyMC'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _child_env(skip=None, home=None, **extra):
    """Environment of a fresh interpreter: only this process' Theano cache dir from its
    THEANO_FLAGS (so nothing recompiles), no user BLAS/device flags, fixes skipped as asked."""
    import theano
    env = {k: v for k, v in os.environ.items()
           if k not in ('THEANO_FLAGS', 'KERAS_BACKEND', backend.DEVICE_ENV,
                        backend.SKIP_FIXES_ENV, 'PYTHONWARNINGS')}
    env['THEANO_FLAGS'] = 'base_compiledir=%s' % theano.config.base_compiledir
    env['THEANORC'] = os.devnull  # a user's ~/.theanorc must not hide what a fix does
    env['PYTHONPATH'] = os.pathsep.join([REPO] + [p for p in [os.environ.get('PYTHONPATH')] if p])
    if skip:
        env[backend.SKIP_FIXES_ENV] = skip
    if home:
        env['HOME'] = str(home)
    env.update(extra)
    return env


def _run(code, env, *python_args):
    return subprocess.run([sys.executable] + list(python_args) + ['-c', textwrap.dedent(code)],
                          env=env, capture_output=True, text=True, timeout=120, cwd=REPO)


def _last_line(proc):
    lines = proc.stderr.strip().splitlines()
    return lines[-1] if lines else ''


IMPORT_BACKEND = 'import author2vec_keras.nn.backend'


# --- fix 1: BLAS ldflags, spelled per Theano ------------------------------------------------

def test_blas_ldflags_fix_is_needed():
    proc = _run(IMPORT_BACKEND, _child_env(skip='blas_ldflags'))
    assert proc.returncode != 0
    assert _last_line(proc) == ("AttributeError: module 'numpy.distutils.__config__' has no "
                                "attribute 'blas_opt_info'")


@pytest.mark.parametrize('wrong', ['blas.ldflags=', 'blas__ldflags='])
def test_blas_ldflags_any_user_spelling_works(wrong):
    # each Theano ignores the other's spelling, then fails as above: we respell the user's flag
    env = _child_env()
    env['THEANO_FLAGS'] += ',' + wrong
    proc = _run(IMPORT_BACKEND + '; import theano; print(repr(theano.config.blas__ldflags '
                'if hasattr(theano.config, "blas__ldflags") else theano.config.blas.ldflags))',
                env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "''"


def test_blas_ldflags_set_in_this_process():
    assert backend.info()['blas ldflags'] == ''


# --- theano_flags(): keeps the user's flags, right spelling per Theano ------------------------

@pytest.mark.parametrize('distribution, ldflags', [
    (('Theano-PyMC', '1.1.2'), 'blas__ldflags'),
    (('Theano', '1.0.5'), 'blas.ldflags'),
])
def test_theano_flags_spelling_per_theano(monkeypatch, distribution, ldflags):
    monkeypatch.setattr(backend, 'theano_distribution', lambda: distribution)
    assert backend.theano_flags(environ={}) == 'floatX=float32,%s=,allow_gc=False' % ldflags
    user = 'base_compiledir=/tmp/x,optimizer=fast_compile,gpuarray.preallocate=0.5,' \
           'blas__ldflags=-lopenblas,floatX=float64,allow_gc=True'
    nested = 'gpuarray__preallocate' if ldflags == 'blas__ldflags' else 'gpuarray.preallocate'
    assert backend.theano_flags(environ={'THEANO_FLAGS': user}) == (
        'base_compiledir=/tmp/x,optimizer=fast_compile,%s=0.5,%s=-lopenblas,floatX=float64,'
        'allow_gc=True' % (nested, ldflags))


def test_theano_flags_respect_the_users_theanorc(tmp_path):
    rc = tmp_path / 'theanorc'
    rc.write_text('[global]\nfloatX = float64\n\n[blas]\nldflags = -lopenblas\n')
    environ = {'THEANORC': str(rc), 'THEANO_FLAGS': 'optimizer=fast_run'}
    assert backend.theano_flags(environ=environ) == 'optimizer=fast_run,allow_gc=False'
    rc.write_text('[global]\nfloatX = float64\nallow_gc = True\n\n[blas]\nldflags =\n')
    assert backend.theano_flags(environ=environ) == 'optimizer=fast_run'
    rc.write_text('[global]\ndevice = cuda\n')
    assert backend._device_from_flags('', environ) == 'cuda'
    assert backend._device_from_flags('device=cpu', environ) == 'cpu'


def test_theano_flags_device(monkeypatch):
    environ = {'THEANO_FLAGS': 'device=cpu,mode=FAST_RUN'}
    assert backend.theano_flags('cuda', environ).startswith('mode=FAST_RUN,device=cuda,')
    environ[backend.DEVICE_ENV] = 'cuda0'
    assert 'device=cuda0' in backend.theano_flags(environ=environ).split(',')
    assert 'device=cpu' in backend.theano_flags('cpu', environ).split(',')
    # the user's own device flag stays when no device is asked for
    assert 'device=cuda1' in backend.theano_flags(environ={'THEANO_FLAGS': 'device=cuda1'})


def test_theano_flags_in_effect():
    import theano
    assert theano.config.floatX == 'float32'
    assert theano.config.device == 'cpu'
    assert K.floatx() == 'float32'
    if 'allow_gc' not in os.environ.get('THEANO_FLAGS', ''):
        assert theano.config.allow_gc is False


# --- speed default: BLAS threads -----------------------------------------------------------------

def test_blas_threads_setting():
    assert backend.blas_threads({}) == 1
    assert backend.blas_threads({backend.BLAS_THREADS_ENV: '2'}) == 2
    assert backend.blas_threads({backend.BLAS_THREADS_ENV: '0'}) is None  # BLAS left alone
    for name in backend.THREAD_ENVS:  # the user's own setting wins
        assert backend.blas_threads({name: '4', backend.BLAS_THREADS_ENV: '2'}) is None
    with pytest.raises(ValueError, match=backend.BLAS_THREADS_ENV):
        backend.blas_threads({backend.BLAS_THREADS_ENV: 'many'})


BLAS_THREADS = '''
import numpy  # loaded first: the limit must still apply
import threadpoolctl
from author2vec_keras.nn import backend
print(sorted({i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'}))
'''  # noqa: E501 (the script's last line: wrapping it would change the string)


@pytest.mark.parametrize('extra, expected', [({}, '[1]'),
                                             ({backend.BLAS_THREADS_ENV: '2'}, '[2]'),
                                             ({'OPENBLAS_NUM_THREADS': '2'}, '[2]')])
def test_blas_threads_in_effect(extra, expected):
    env = _child_env(**extra)
    for name in backend.THREAD_ENVS:
        if name not in extra:
            env.pop(name, None)
    proc = _run(BLAS_THREADS, env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == expected


def test_unknown_fix_name_is_an_error():
    with pytest.raises(ValueError, match='unknown fix name'):
        backend._skipped('blas_ldflags', {backend.SKIP_FIXES_ENV: 'blas'})
    with pytest.raises(ValueError, match='unknown fix'):
        backend.applied('blas')


def test_applied_fixes_in_this_process():
    skipped = {n.strip() for n in os.environ.get(backend.SKIP_FIXES_ENV, '').split(',')}
    for fix in backend.FIXES:
        if fix == 'mrg_randomstreams' and not PYMC:
            assert not backend.applied(fix)  # Theano 1.0.5 has the old name: nothing to do
        elif fix in skipped:
            assert not backend.applied(fix)
        elif fix != 'blas_ldflags':  # a user's own ldflags leave fix 1 unused
            assert backend.applied(fix), fix


# --- fix 2: MRG_RandomStreams ------------------------------------------------------------------

def test_mrg_randomstreams_fix_is_needed():
    proc = _run(IMPORT_BACKEND, _child_env(skip='mrg_randomstreams'))
    if PYMC:
        assert proc.returncode != 0
        assert _last_line(proc).startswith(
            "ImportError: cannot import name 'MRG_RandomStreams' from 'theano.sandbox.rng_mrg'")
    else:  # Theano 1.0.5 still has the old name: the fix does nothing there
        assert proc.returncode == 0, proc.stderr


def test_mrg_randomstreams_fix_works():
    from theano.sandbox.rng_mrg import MRG_RandomStreams
    rng = MRG_RandomStreams(seed=1)
    assert rng.uniform((2,)) is not None
    assert keras.backend.backend() == 'theano'


# --- fix 3: collections.Iterable -------------------------------------------------------------

def test_collections_iterable_fix_is_needed():
    proc = _run(IMPORT_BACKEND, _child_env(skip='collections_iterable'))
    assert proc.returncode != 0
    assert _last_line(proc).startswith("ImportError: cannot import name 'Iterable' from "
                                       "'collections'")


def test_collections_iterable_fix_works():
    import keras.callbacks
    assert keras.callbacks.Iterable is __import__('collections.abc').abc.Iterable


# --- fix 4: theano.ifelse (Dropout in a training function) -------------------------------------

DROPOUT_MODEL = '''
import author2vec_keras.nn.backend
from keras.models import Sequential
from keras.layers import Dense, Dropout
model = Sequential([Dense(3, input_dim=4), Dropout(0.5), Dense(1)])
print('built')
'''


def test_theano_ifelse_fix_is_needed(tmp_path):
    env = _child_env(skip='theano_ifelse')
    # an empty compile cache: reading one that holds GPU ops' entries imports theano.gpuarray,
    # which imports theano.ifelse itself (Theano 1.0.5 with an OpenCL or CUDA cache)
    env['THEANO_FLAGS'] = 'base_compiledir=%s' % tmp_path
    proc = _run(DROPOUT_MODEL, env)
    assert proc.returncode != 0
    assert _last_line(proc) == "AttributeError: module 'theano' has no attribute 'ifelse'"


def test_theano_ifelse_fix_works_in_a_train_function():
    from keras.layers import Dense, Dropout
    from keras.models import Sequential
    model = Sequential([Dense(3, input_dim=4), Dropout(0.5), Dense(1)])
    model.compile('sgd', 'mse')
    x = np.ones((8, 4), dtype='float32')
    loss = model.train_on_batch(x, np.zeros((8, 1), dtype='float32'))
    assert np.isfinite(loss)
    # dropout is off at test time: two predictions agree
    np.testing.assert_array_equal(model.predict(x), model.predict(x))


# --- fix 5: HDF5 string attributes, scoped to keras' load calls ----------------------------------

@pytest.fixture(scope='module')
def saved_model(tmp_path_factory):
    from keras.layers import Dense
    from keras.models import Sequential
    model = Sequential([Dense(2, input_dim=3, name='d')])
    model.compile('sgd', 'mse')
    path = str(tmp_path_factory.mktemp('h5') / 'tiny.h5')
    model.save(path)
    return model, path


def test_hdf5_strings_fix_is_needed(saved_model):
    _, path = saved_model
    unpatched = keras.models.load_model.__wrapped__
    with pytest.raises(AttributeError, match="'str' object has no attribute 'decode'"):
        unpatched(path)
    import keras.engine.topology as topology
    model = keras.models.Sequential([keras.layers.Dense(2, input_dim=3, name='d')])
    with pytest.raises(AttributeError, match="'str' object has no attribute 'decode'"):
        topology.Container.load_weights.__wrapped__(model, path)


def test_hdf5_strings_fix_is_needed_fresh_interpreter(saved_model):
    _, path = saved_model
    proc = _run(IMPORT_BACKEND + '\nimport keras\nkeras.models.load_model(%r)' % path,
                _child_env(skip='hdf5_strings'))
    assert proc.returncode != 0
    assert _last_line(proc).startswith("AttributeError: 'str' object has no attribute 'decode'")


def test_hdf5_strings_fix_works_and_is_scoped(saved_model):
    import h5py
    import h5py._hl.attrs as h5attrs
    model, path = saved_model
    original = h5attrs.AttributeManager.__getitem__
    loaded = keras.models.load_model(path)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    other = keras.models.Sequential([keras.layers.Dense(2, input_dim=3, name='d')])
    other.load_weights(path)
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])
    # after the load, h5py is h5py again: str, not bytes
    assert h5attrs.AttributeManager.__getitem__ is original
    with h5py.File(path, 'r') as f:
        assert isinstance(f.attrs['keras_version'], str)
        assert isinstance(f['model_weights'].attrs['layer_names'][0], str)
        with backend.hdf5_string_attributes_as_bytes():
            assert f.attrs['keras_version'] == b'2.0.9'
            assert f['model_weights'].attrs['layer_names'][0] == b'd'
        assert isinstance(f.attrs['keras_version'], str)


def test_hdf5_scope_restores_after_an_error(saved_model):
    import h5py._hl.attrs as h5attrs
    original = h5attrs.AttributeManager.__getitem__
    with pytest.raises(OSError):
        keras.models.load_model(saved_model[1] + '.missing')
    assert h5attrs.AttributeManager.__getitem__ is original


# --- fix 6: Keras-1 get_output_shape_for is ignored by keras 2.0.9 ------------------------------

def test_keras1_get_output_shape_for_is_ignored_by_keras_2_0_9():
    from keras.engine.topology import Layer

    class Keras1Layer(Layer):
        def get_output_shape_for(self, input_shape):
            return (input_shape[0], 7)

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert Keras1Layer().compute_output_shape((None, 5, 2)) == (None, 5, 2)


def test_node_embedding_layer_computes_its_output_shape():
    from author2vec_keras.nn.layers import NodeEmbeddingLayer
    layer = NodeEmbeddingLayer(7)
    assert layer.compute_output_shape((None, 5, 2)) == (None, 7)
    assert layer.get_output_shape_for((None, 5, 2)) == (None, 7)


# --- fix 7: KERAS_BACKEND=theano whatever ~/.keras/keras.json says ------------------------------

def _tensorflow_home(tmp_path):
    (tmp_path / '.keras').mkdir()
    (tmp_path / '.keras' / 'keras.json').write_text(json.dumps({
        'backend': 'tensorflow', 'floatx': 'float32', 'epsilon': 1e-07,
        'image_data_format': 'channels_last'}))
    return tmp_path


def test_keras_backend_fix_is_needed(tmp_path):
    proc = _run(IMPORT_BACKEND, _child_env(skip='keras_backend', home=_tensorflow_home(tmp_path)))
    assert proc.returncode != 0
    assert _last_line(proc) == "ModuleNotFoundError: No module named 'tensorflow'"


def test_keras_backend_fix_works(tmp_path):
    proc = _run(IMPORT_BACKEND + '\nimport keras; print(keras.backend.backend())',
                _child_env(home=_tensorflow_home(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == 'theano'


# --- quiet import -------------------------------------------------------------------------------

def test_import_prints_no_warning_flood():
    code = IMPORT_BACKEND + '\nimport warnings\nwarnings.warn("ours", DeprecationWarning)'
    proc = _run(code, _child_env(), '-W', 'default')
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    # the old stack's warnings are filtered at their source modules only: ours still shows
    assert len(lines) <= 3, proc.stderr
    assert 'DeprecationWarning: ours' in proc.stderr


# --- device -----------------------------------------------------------------------------------

def test_cuda_unavailable_is_one_clear_sentence():
    proc = _run(IMPORT_BACKEND, _child_env(**{backend.DEVICE_ENV: 'cuda'}))
    assert proc.returncode != 0
    line = _last_line(proc)
    assert line.startswith('RuntimeError: CUDA is not available: ')
    assert 'GPU Docker image' in line and line.endswith('.')
    if importlib.util.find_spec('pygpu') is None:  # with pygpu it names libgpuarray's error too
        assert line == 'RuntimeError: ' + backend.cuda_unavailable_reason()


def test_setup_in_process():
    assert backend.setup() is keras
    assert backend.setup('cpu') is keras
    with pytest.raises(RuntimeError, match='CUDA is not available'):
        backend.setup('cuda')


def test_info():
    info = backend.info()
    assert info['theano'] == '%s %s' % (THEANO_NAME, THEANO_VERSION)
    assert info['keras'] == '2.0.9'
    assert info['keras backend'] == 'theano'
    assert info['device'] == 'cpu' and info['floatX'] == 'float32'
    assert os.path.isdir(info['compiledir'])
    assert info['gpu'] is None


# --- fix 8: count_params without compiling a Theano function per weight per batch -----------

COUNT_COMPILES = '''
import numpy as np
from author2vec_keras.nn.backend import K
import theano
x = K.variable(np.zeros((3, 4)))
calls = []
original = theano.function
theano.function = lambda *a, **k: calls.append(1) or original(*a, **k)
n = K.count_params(x)
from author2vec_keras.nn.backend import applied
print(int(n), len(calls), applied('count_params'))
'''


def test_count_params_fix_is_needed():
    proc = _run(COUNT_COMPILES, _child_env(skip='count_params'))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ['12', '1', 'False']  # one compiled function per call


def test_count_params_fix_compiles_nothing():
    proc = _run(COUNT_COMPILES, _child_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ['12', '0', 'True']
    assert K.count_params(K.variable(np.zeros((2, 5)))) == 10
