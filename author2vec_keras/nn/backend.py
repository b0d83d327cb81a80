"""The one place that makes the 2017 stack (keras 2.0.9 on Theano) run on today's Python.

Importing this module configures Theano (device, floatX, BLAS flags) *before* Theano is
imported, applies the fixes below, and imports Keras with the Theano backend. Every other
module of the package speaks `keras.backend` (K.*) and never imports theano itself.

Each fix names the error it prevents:

1. BLAS ldflags. `import theano` fails with
   `AttributeError: module 'numpy.distutils.__config__' has no attribute 'blas_opt_info'`
   unless the ldflags are given explicitly. theano-pymc spells the flag `blas__ldflags`,
   Theano 1.0.5 spells it `blas.ldflags`; each ignores the other's spelling (and then fails
   the same way), so `theano_flags` rewrites every flag name of the user's `THEANO_FLAGS`
   into the installed Theano's spelling (`a.b` <-> `a__b`).
2. `ImportError: cannot import name 'MRG_RandomStreams' from 'theano.sandbox.rng_mrg'`:
   theano-pymc renamed the class `MRG_RandomStream`; keras imports the old name.
3. `ImportError: cannot import name 'Iterable' from 'collections'` (keras/callbacks.py,
   removed from `collections` in Python 3.10).
4. `AttributeError: module 'theano' has no attribute 'ifelse'` on the first Dropout in a
   training function: keras' `K.in_train_phase` uses `theano.ifelse` without importing it.
5. `AttributeError: 'str' object has no attribute 'decode'` in `keras.models.load_model` and
   `load_weights` (of `Model` and of `Sequential`, which overrides it): h5py 3 returns `str` for
   HDF5 string attributes where keras expects `bytes` (scalars, and arrays such as
   `layer_names`, which h5py 3 returns as object arrays of `str`).
   Fixed only for the duration of those calls
   (`hdf5_string_attributes_as_bytes`); afterwards h5py returns `str` again.
6. keras 2.0.9 ignores a Keras-1 `get_output_shape_for`: the base `compute_output_shape` only
   warns and returns the input shape. Fixed in the layer (`layers.NodeEmbeddingLayer`).
7. A user's `~/.keras/keras.json` may name TensorFlow (`ModuleNotFoundError: No module named
   'tensorflow'`): `KERAS_BACKEND=theano` is set before keras is imported.
8. Speed, not an error: keras 2.0.9's `K.count_params` compiles a `theano.function` for every
   weight, and `train_on_batch` calls it for every weight on *every batch*
   (`Model._check_trainable_weights_consistency`): tens of milliseconds per batch, more than
   the training step itself for small models. Replaced by the shape of the shared value.

Speed defaults (not fixes; each yields to the user's own setting):

- `allow_gc=False` in `THEANO_FLAGS`: a compiled function keeps its intermediate buffers
  between calls. With Theano's default each step frees and re-allocates them, and the kernel
  maps fresh zero pages every time: about 600 page faults per training step of the link model
  at batch 512 (a third of its CPU time). Costs the memory of one step's intermediates.
- One BLAS thread (`$AUTHOR2VEC_BLAS_THREADS`, default 1; `0` leaves BLAS alone): the model's
  matrix products are small (512 x 128 by 128 x 32), and OpenBLAS's second thread costs more in
  hand-over than it saves. Set with threadpoolctl once numpy is loaded, so it also holds when
  numpy was imported first; `OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS` or `MKL_NUM_THREADS` in
  the environment win.

The device: `$AUTHOR2VEC_DEVICE` (cpu, cuda, cudaN, openclP:D) or `device=` in `THEANO_FLAGS`
is read when this module is first imported, which configures and imports Theano. A command line
that takes `--device` sets `$AUTHOR2VEC_DEVICE` before importing this module, then calls
`setup(device)`, which checks the device and raises `RuntimeError` with one sentence when
the CUDA or OpenCL device cannot be opened here (theano-pymc, no pygpu, no GPU or driver, no
such OpenCL platform or device): never a silent fall back to the CPU, which Theano 1.0.5 does
after logging its error.

`$AUTHOR2VEC_SKIP_FIXES` (comma-separated names from `FIXES`) turns fixes off; it exists only
for the tests that show each fix is needed (tests/nn/test_backend.py) and for benchmarks that
measure without one (benchmarks/throughput.py --no-count-params-fix). `applied(name)` says
whether a fix is in effect in this process.
"""
import collections
import collections.abc
import contextlib
import functools
import importlib.metadata
import os
import re
import threading
import warnings

DEVICE_ENV = 'AUTHOR2VEC_DEVICE'
SKIP_FIXES_ENV = 'AUTHOR2VEC_SKIP_FIXES'
BLAS_THREADS_ENV = 'AUTHOR2VEC_BLAS_THREADS'
#: the user's own thread settings, which win over ours
THREAD_ENVS = ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')
# Fix names, in the docstring's order (fix 6 lives in layers.py).
FIXES = ('blas_ldflags', 'mrg_randomstreams', 'collections_iterable', 'theano_ifelse',
         'hdf5_strings', 'keras_backend', 'count_params')


_APPLIED = set()  # names of the fixes in effect in this process


def applied(fix):
    """Whether fix `fix` (a name from `FIXES`) is in effect in this process.

    False when `$AUTHOR2VEC_SKIP_FIXES` turned it off or when it had nothing to do (say,
    `mrg_randomstreams` on Theano 1.0.5, which still has the old name).
    """
    if fix not in FIXES:
        raise ValueError('unknown fix %r; known: %s' % (fix, ', '.join(FIXES)))
    return fix in _APPLIED


def _skipped(fix, environ=None):
    environ = os.environ if environ is None else environ
    names = {n.strip() for n in environ.get(SKIP_FIXES_ENV, '').split(',') if n.strip()}
    unknown = names.difference(FIXES)
    if unknown:
        raise ValueError('%s: unknown fix name(s) %s; known: %s'
                         % (SKIP_FIXES_ENV, ', '.join(sorted(unknown)), ', '.join(FIXES)))
    return fix in names


def theano_distribution():
    """Name and version of the installed Theano: `('Theano-PyMC', '1.1.2')` or
    `('Theano', '1.0.5')`."""
    for name in ('Theano-PyMC', 'Theano'):
        try:
            return name, importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    raise ImportError('author2vec_keras needs Theano: pip install theano-pymc==1.1.2 '
                      '(CPU) or use the GPU image (Theano 1.0.5).')


def _flag_spelling(name):
    """A Theano config flag name as the installed Theano spells it (fix 1).

    theano-pymc spells nested flags `blas__ldflags`, Theano 1.0.5 `blas.ldflags`; each
    silently ignores the other's spelling.
    """
    name = name.strip()
    if theano_distribution()[0] == 'Theano-PyMC':
        return name.replace('.', '__')
    return name.replace('__', '.')


def _theanorc(environ):
    """`{flag: value}` set in the user's theanorc files (`$THEANORC`), Theano-PyMC spelling."""
    import configparser
    paths = environ.get('THEANORC', '~/.theanorc:~/.theanorc.txt')
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # floatX, not floatx
    try:
        parser.read([os.path.expanduser(p) for p in paths.split(os.pathsep) if p])
    except configparser.Error:
        return {}
    values = {}
    for section in parser.sections():
        for option, value in parser.items(section):
            key = option if section == 'global' else '%s__%s' % (section, option)
            values[key] = value
    return values


def _split_flags(value):
    return [f.strip() for f in (value or '').split(',') if f.strip()]


def theano_flags(device=None, environ=None):
    """The `THEANO_FLAGS` string to use: the user's flags plus our defaults where unset.

    Every user flag is kept (its name respelled for the installed Theano, see fix 1);
    `floatX=float32`, empty BLAS ldflags (fix 1) and `allow_gc=False` (speed, see the module
    docstring) are added only when the user set them neither in `THEANO_FLAGS` nor in a
    theanorc file (`$THEANORC`, default `~/.theanorc`).

    # Arguments
        device: 'cpu', 'cuda' (or 'cudaN'), or None for `$AUTHOR2VEC_DEVICE` / the user's flags.
        environ: mapping to read (default `os.environ`).
    """
    environ = os.environ if environ is None else environ
    flags = []
    for flag in _split_flags(environ.get('THEANO_FLAGS')):
        key, sep, value = flag.partition('=')
        flags.append((_flag_spelling(key), sep + value))
    device = device or environ.get(DEVICE_ENV) or None
    if device:
        flags = [(k, v) for k, v in flags if k != 'device']
        flags.append(('device', '=' + device))
    keys = {k for k, _ in flags} | {_flag_spelling(k) for k in _theanorc(environ)}
    if 'floatX' not in keys:
        flags.append(('floatX', '=float32'))
    ldflags = _flag_spelling('blas__ldflags')
    if ldflags not in keys and not _skipped('blas_ldflags', environ):
        flags.append((ldflags, '='))
    if 'allow_gc' not in keys:
        flags.append(('allow_gc', '=False'))
    return ','.join(k + v for k, v in flags)


def _device_from_flags(flags, environ=None):
    device = _theanorc(os.environ if environ is None else environ).get('device', 'cpu')
    for flag in _split_flags(flags):
        key, _, value = flag.partition('=')
        if key.strip() == 'device':
            device = value.strip()
    return device


#: the devices Theano takes (both Theanos): cpu, cuda / cudaN (gpuarray), openclN:M
_DEVICE = re.compile(r'cpu|cuda\d*|opencl\d+:\d+')


def _check_device(device):
    """RuntimeError in one sentence for a device Theano does not know (Theano's own error is a
    traceback ending in an unformatted 'Invalid value ("{val}")')."""
    if not _DEVICE.fullmatch(device):
        raise RuntimeError("unknown device %r (--device, $%s or THEANO_FLAGS): expected 'cpu', "
                           "'cuda', 'cudaN' or 'openclP:D'" % (device, DEVICE_ENV))


def gpu_api(device):
    """'CUDA' or 'OpenCL' for a Theano GPU device name ('cuda1', 'opencl0:0'), None for the CPU."""
    if device.startswith('cuda'):
        return 'CUDA'
    if device.startswith('opencl'):
        return 'OpenCL'
    return None


def _configure_environment(device=None):
    if not _skipped('keras_backend'):
        os.environ['KERAS_BACKEND'] = 'theano'  # fix 7
        _APPLIED.add('keras_backend')
    os.environ['THEANO_FLAGS'] = theano_flags(device)
    if _flag_spelling('blas__ldflags') + '=' in os.environ['THEANO_FLAGS'].split(','):
        _APPLIED.add('blas_ldflags')
    return _device_from_flags(os.environ['THEANO_FLAGS'])


def blas_threads(environ=None):
    """The BLAS thread count set when the backend loads: `$AUTHOR2VEC_BLAS_THREADS` (default
    1), or None when that is 0 or the user set `OPENBLAS_NUM_THREADS`, `OMP_NUM_THREADS` or
    `MKL_NUM_THREADS` (theirs then holds)."""
    environ = os.environ if environ is None else environ
    if any(environ.get(name) for name in THREAD_ENVS):
        return None
    value = environ.get(BLAS_THREADS_ENV, '1').strip() or '1'
    try:
        threads = int(value)
    except ValueError:
        threads = -1
    if threads < 0:
        raise ValueError('%s must be a number of threads (0: leave BLAS alone), got %r'
                         % (BLAS_THREADS_ENV, value))
    return threads or None


_blas_limits = []  # the threadpoolctl limits set by this process (once)


def _limit_blas_threads():
    """Set the BLAS libraries loaded with numpy and scipy to `blas_threads()` threads, once."""
    threads = blas_threads()
    if threads and not _blas_limits:
        import threadpoolctl
        _blas_limits.append(threadpoolctl.threadpool_limits(limits=threads, user_api='blas'))


def _silence_old_stack():
    """Filter the old stack's DeprecationWarnings at their source modules only."""
    for module in (r'theano(\..*)?', r'keras(\..*)?', r'h5py(\..*)?', r'six(\..*)?'):
        warnings.filterwarnings('ignore', category=DeprecationWarning, module=module)
        warnings.filterwarnings('ignore', category=PendingDeprecationWarning, module=module)
        warnings.filterwarnings('ignore', category=FutureWarning, module=module)
    # Theano warns once per process that it uses numpy's BLAS: expected with empty ldflags.
    import logging
    logging.getLogger('theano.tensor.blas').setLevel(logging.ERROR)
    logging.getLogger('theano.configdefaults').setLevel(logging.ERROR)


def _fix_collections_iterable():
    """Fix 3: `from collections import Iterable` in keras/callbacks.py."""
    if _skipped('collections_iterable'):
        return
    for name in ('Iterable', 'Mapping', 'Sequence', 'Callable'):
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))
    _APPLIED.add('collections_iterable')


def _import_theano():
    import theano
    if not _skipped('theano_ifelse'):
        import theano.ifelse  # noqa: F401  fix 4: makes `theano.ifelse` an attribute
        _APPLIED.add('theano_ifelse')
    import theano.sandbox.rng_mrg as rng_mrg
    if not hasattr(rng_mrg, 'MRG_RandomStreams') and not _skipped('mrg_randomstreams'):
        rng_mrg.MRG_RandomStreams = rng_mrg.MRG_RandomStream  # fix 2
        _APPLIED.add('mrg_randomstreams')
    return theano


_hdf5_lock = threading.RLock()


def _as_bytes(value):
    """`str` -> `bytes`; an array holding `str` (h5py 3's variable-length strings) -> bytes too."""
    if isinstance(value, str):
        return value.encode('utf8')
    dtype = getattr(value, 'dtype', None)
    if dtype is not None and dtype.kind in 'OU':
        import numpy as np
        out = np.empty(value.shape, dtype=object)
        for index, item in np.ndenumerate(value):
            out[index] = item.encode('utf8') if isinstance(item, str) else item
        return out
    return value


@contextlib.contextmanager
def hdf5_string_attributes_as_bytes():
    """Within this block, HDF5 string attributes read as `bytes`, as keras 2.0.9 expects (fix 5)."""
    import h5py._hl.attrs as h5attrs
    with _hdf5_lock:
        original = h5attrs.AttributeManager.__getitem__
        if getattr(original, '_author2vec_bytes', False):  # re-entrant call
            yield
            return

        def getitem(self, name):
            return _as_bytes(original(self, name))
        getitem._author2vec_bytes = True
        h5attrs.AttributeManager.__getitem__ = getitem
        try:
            yield
        finally:
            h5attrs.AttributeManager.__getitem__ = original


def _scoped_to_bytes(fn):
    if getattr(fn, '_author2vec_wrapped', False):
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with hdf5_string_attributes_as_bytes():
            return fn(*args, **kwargs)
    wrapper._author2vec_wrapped = True
    return wrapper


def _fix_hdf5_loading(keras):
    if _skipped('hdf5_strings'):
        return
    import keras.engine.topology as topology
    import keras.models
    keras.models.load_model = _scoped_to_bytes(keras.models.load_model)
    topology.Container.load_weights = _scoped_to_bytes(topology.Container.load_weights)
    # Sequential overrides Container.load_weights
    keras.models.Sequential.load_weights = _scoped_to_bytes(keras.models.Sequential.load_weights)
    _APPLIED.add('hdf5_strings')


def _fix_count_params(keras):
    """Fix 8: the number of scalars of a weight without compiling a Theano function."""
    if _skipped('count_params'):
        return
    import numpy as np

    import keras.backend.theano_backend as theano_backend
    compiled = theano_backend.count_params

    def count_params(x):
        if hasattr(x, 'get_value'):
            return np.prod(x.get_value(borrow=True, return_internal_type=True).shape)
        return compiled(x)
    count_params.__doc__ = compiled.__doc__
    theano_backend.count_params = count_params
    keras.backend.count_params = count_params
    _APPLIED.add('count_params')


def _import_keras():
    import keras
    _fix_hdf5_loading(keras)
    _fix_count_params(keras)
    return keras


def setup(device=None):
    """Configure and import Theano and Keras once; returns the `keras` module.

    # Arguments
        device: 'cpu', 'cuda', 'cudaN' or 'openclP:D', or None for `$AUTHOR2VEC_DEVICE` /
            `THEANO_FLAGS`. Effective only before Theano is first imported; afterwards a
            different device raises `RuntimeError`.

    # Raises
        RuntimeError: with one sentence when a CUDA or OpenCL device is asked for and cannot be
            opened here, or the device is none Theano knows.
    """
    import sys
    if device:
        _check_device(device)
    if 'theano' in sys.modules:
        current = sys.modules['theano'].config.device
        if device and not current.startswith(device):
            if gpu_api(device) == 'CUDA':
                raise RuntimeError(cuda_unavailable_reason())
            if gpu_api(device) and _gpu_missing_before_import(device):
                raise RuntimeError(_gpu_missing_before_import(device))
            raise RuntimeError(
                'Theano is already running on %r in this process; the device (%r) must be chosen '
                'before Theano is imported (set %s=%s or pass --device).'
                % (current, device, DEVICE_ENV, device))
    else:
        _check_device(_device_from_flags(theano_flags(device)))
        wanted = _configure_environment(device)
        if gpu_api(wanted):
            reason = _gpu_missing_before_import(wanted)
            if reason:
                raise RuntimeError(reason)
    _silence_old_stack()
    _fix_collections_iterable()
    wanted = _device_from_flags(os.environ.get('THEANO_FLAGS'))
    on_gpu = gpu_api(wanted) is not None
    # On a GPU, the warnings of Theano's start (e.g. "Your cuDNN version is more recent than
    # Theano", which it gives from loading libcudnn before any GPU is touched) are held back
    # until the GPU is up: a refusal stays one sentence.
    held = warnings.catch_warnings(record=True) if on_gpu else contextlib.nullcontext([])
    try:
        with held as caught, _gpu_init_errors(on_gpu) as causes:
            theano = _import_theano()
    except Exception as error:  # Theano 1.0.5 raises from its gpuarray init when CUDA fails
        if on_gpu:
            raise RuntimeError(gpu_unavailable_reason(wanted)) from error
        raise
    if on_gpu and not _gpu_active(theano):
        raise RuntimeError(gpu_unavailable_reason(wanted, causes[-1] if causes else None))
    for held_warning in caught:
        warnings.warn_explicit(held_warning.message, held_warning.category, held_warning.filename,
                               held_warning.lineno)
    _limit_blas_threads()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        import io
        with contextlib.redirect_stderr(io.StringIO()):  # "Using Theano backend."
            keras = _import_keras()
    return keras


def _gpu_active(theano):
    try:
        import theano.gpuarray as gpuarray
    except ImportError:
        return False
    return bool(getattr(gpuarray, 'pygpu_activated', False))


_SUPPORTED_ROUTE = ('use the GPU Docker image (docker/Dockerfile: Theano 1.0.5 + pygpu) or, '
                    'without Docker, `make venv-gpu` (pygpu built from source), the supported '
                    'routes to CUDA')


def _cuda_missing_before_import():
    """Why CUDA cannot work, if that is known without importing Theano; else None."""
    name, version = theano_distribution()
    if name == 'Theano-PyMC':
        return ('CUDA is not available: %s %s has a broken GPU backend; %s.'
                % (name, version, _SUPPORTED_ROUTE))
    import importlib.util
    if importlib.util.find_spec('pygpu') is None:
        return ('CUDA is not available: pygpu (libgpuarray) is not installed for %s %s; %s.'
                % (name, version, _SUPPORTED_ROUTE))
    return None


_OPENCL_ROUTE = ('run in a `make venv-gpu` venv (Theano 1.0.5 + pygpu built from source) with an '
                 "OpenCL driver installed, such as Debian's pocl-opencl-icd (OpenCL on the CPU)")


def _gpu_missing_before_import(device):
    """Why the GPU `device` cannot work, if that is known without importing Theano; else None."""
    if gpu_api(device) == 'CUDA':
        return _cuda_missing_before_import()
    import importlib.util
    name, version = theano_distribution()
    missing = []
    if name == 'Theano-PyMC':
        missing.append('%s %s has a broken GPU backend' % (name, version))
    if importlib.util.find_spec('pygpu') is None:
        missing.append('pygpu (libgpuarray) is not installed for %s %s' % (name, version))
    if missing:
        return 'OpenCL is not available: %s; %s.' % (' and '.join(missing), _OPENCL_ROUTE)
    return None


def gpu_unavailable_reason(device, cause=None):
    """One sentence saying why the CUDA or OpenCL `device` cannot be opened here.

    # Arguments
        device: the Theano device asked for ('cuda', 'cudaN', 'openclP:D').
        cause: the exception of libgpuarray's failed initialisation, if known (named in the
            sentence).
    """
    if gpu_api(device) == 'CUDA':
        return cuda_unavailable_reason(cause)
    return _gpu_missing_before_import(device) or (
        'OpenCL device %r could not be opened (%s); `clinfo -l` lists the OpenCL platforms and '
        'their devices (openclP:D, both counted from 0), and an OpenCL driver must be installed, '
        "such as Debian's pocl-opencl-icd (OpenCL on the CPU)"
        % (device, _libgpuarray_error(cause) or 'Theano could not initialise it') + '.')


def _libgpuarray_error(cause):
    """'libgpuarray: MESSAGE' for the exception of libgpuarray's failed initialisation, or ''."""
    if cause is None:
        return ''
    message = cause.args[0] if cause.args else cause
    if isinstance(message, bytes):
        message = message.decode('utf8', 'replace')
    return 'libgpuarray: %s' % str(message).rstrip('.')


@contextlib.contextmanager
def _gpu_init_errors(on_gpu):
    """Collects (yields a list of) the errors of Theano 1.0.5's GPU initialisation.

    Theano 1.0.5 logs a failed initialisation with a traceback on stderr
    (`ERROR (theano.gpuarray): Could not initialize pygpu, support disabled`, then
    `GpuArrayException: b'Could not load "libcuda.so": ...'`) and goes on on the CPU; `setup`
    refuses instead, in one sentence that names the cause. Other records pass as usual.
    """
    causes = []
    if not on_gpu:
        yield causes
        return
    import logging

    def collect(record):
        if record.exc_info:
            causes.append(record.exc_info[1])
            return False
        return True

    logger = logging.getLogger('theano.gpuarray')
    logger.addFilter(collect)
    try:
        yield causes
    finally:
        logger.removeFilter(collect)


def cuda_unavailable_reason(cause=None):
    """One sentence saying why CUDA cannot be used here.

    # Arguments
        cause: the exception of libgpuarray's failed initialisation, if known (named in the
            sentence).
    """
    detail = '; ' + _libgpuarray_error(cause) if cause is not None else ''
    return _cuda_missing_before_import() or (
        'CUDA is not available: Theano could not initialise a GPU (no GPU or driver visible%s); '
        'run where an NVIDIA GPU and its driver are visible: the GPU Docker image with '
        '`docker run --gpus all`, or a `make venv-gpu` venv after sourcing docker/gpu-env.sh '
        'on the GPU host.' % detail)


def info():
    """A dict describing the stack: Theano package and version, device, floatX, BLAS, compiledir."""
    setup()
    import keras
    import theano
    name, version = theano_distribution()
    try:
        import pygpu  # noqa: F401
        has_pygpu = True
    except ImportError:
        has_pygpu = False
    return collections.OrderedDict([
        ('theano', '%s %s' % (name, version)),
        ('keras', keras.__version__),
        ('keras backend', keras.backend.backend()),
        ('device', theano.config.device),
        ('floatX', theano.config.floatX),
        ('blas ldflags', theano.config.blas__ldflags if hasattr(theano.config, 'blas__ldflags')
         else theano.config.blas.ldflags),
        ('compiledir', theano.config.compiledir),
        ('allow_gc', theano.config.allow_gc),
        ('blas threads', _blas_thread_counts()),
        ('pygpu', has_pygpu),
        ('gpu', _gpu_name(theano)),
    ])


def _blas_thread_counts():
    """The thread count of each BLAS library loaded, e.g. 'openblas 1, openblas 1'."""
    try:
        import threadpoolctl
    except ImportError:  # pragma: no cover - a scikit-learn dependency
        return None
    return ', '.join('%s %d' % (i['internal_api'], i['num_threads'])
                     for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas')


def _gpu_name(theano):
    """The GPU Theano computes on (libgpuarray's device name), or None on the CPU."""
    if not _gpu_active(theano):
        return None
    try:
        from theano.gpuarray.type import get_context
        return get_context(None).devname
    except Exception:  # pragma: no cover - needs a GPU
        return 'yes'



keras = setup()
K = keras.backend


# ----------------------------------------------------------------------------------------------
# Keras internals: what the package reads and sets of keras 2.0.9's objects that keras gives no
# public API for. Every other module goes through these (tests/test_architecture.py checks it).
# `model` is a compiled functional `Model` (a Sequential's is its `.model`).

def function_kwargs(model):
    """The keyword arguments keras passes to every `theano.function` it makes of `model`
    (`Model._function_kwargs`, from `compile(**kwargs)`; no public getter), a new dict."""
    return dict(getattr(model, '_function_kwargs', {}))


def set_function_kwargs(model, kwargs):
    """Make keras pass `kwargs` to every `theano.function` it makes of `model` from now on
    (`Model._function_kwargs`; keras 2.0.9 sets them only in `compile`)."""
    model._function_kwargs = dict(kwargs)


def make_train_function(model):
    """Make `model`'s train function if it has none and return keras' wrapper of it
    (`Model._make_train_function`, keras makes it on the first `fit` or `train_on_batch`; the
    optimizer's weights exist from then on)."""
    model._make_train_function()
    return model.train_function


def theano_train_function(model):
    """The `theano.function` behind `model`'s train function, made if needed (keras' `Function`
    wrapper keeps it in `.function`; calling it directly skips keras' per-batch checks)."""
    return make_train_function(model).function


def forget_train_function(model):
    """Drop `model`'s train function, so that keras makes it again (with the function keyword
    arguments of now) on the next `make_train_function` or `train_on_batch`."""
    model.train_function = None


def feed_variables(model):
    """(inputs, targets, sample weights): the Theano variables `model`'s train function takes, in
    its order (`Model._feed_inputs`, `_feed_targets`, `_feed_sample_weights`), lists."""
    return list(model._feed_inputs), list(model._feed_targets), \
        list(model._feed_sample_weights)


def collected_trainable_weights(model):
    """The weights `compile` collected for the optimizer to train
    (`Model._collected_trainable_weights`: what keras' train function updates)."""
    return model._collected_trainable_weights


def set_keras_shape(variable, shape):
    """Record `shape` as `variable`'s shape for keras (`K.int_shape` reads `_keras_shape`; keras
    sets it only on the variables it makes itself)."""
    variable._keras_shape = tuple(shape)


def value_cell(variable):
    """The storage cell of a Theano shared variable (`container.storage`, a one-item list): a
    compiled function reads `cell[0]` and writes its update there, in place or as a new array
    (`get_value` without its checks and copies, for a look after every step)."""
    return variable.container.storage


def updated_variables(model):
    """The shared variables `model`'s train function updates, made if needed: its weights,
    the optimizer's slots and step counter, and any random stream's state (Dropout)
    (`theano.function`'s inputs that have an update)."""
    inner = model.model if isinstance(model, keras.models.Sequential) else model
    function = theano_train_function(inner)
    return [i.variable for i in function.maker.inputs if i.update is not None]
