"""The GPU install without Docker (`make venv-gpu`: docker/build-gpuarray.sh, docker/gpu-env.sh).

The source checks run everywhere: the shipped libgpuarray tarball is the one its provenance names,
and a tarball or download with another sha256 is refused in one line (fetches go to a server on
127.0.0.1). The venv checks need pygpu, so they run in the venv that `make venv-gpu` built
(CI: `.ci/gpu`, on the CPU): pygpu imports without LD_LIBRARY_PATH, Theano 1.0.5 compiles and links
a C module against the venv's libgpuarray as it does for its GPU ops, `author2vec info` shows
`pygpu: True`, and `--device cuda` with no GPU driver refuses in one sentence (exit 2). On a host
with a driver (libcuda.so.1 loads), the last check is replaced by one that asks the GPU's name.
"""
import ctypes
import functools
import hashlib
import http.server
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, 'docker', 'build-gpuarray.sh')
GPU_ENV = os.path.join(ROOT, 'docker', 'gpu-env.sh')
TARBALL = os.path.join(ROOT, 'third_party', 'libgpuarray', 'libgpuarray-0.7.6.tar.gz')
SHA256 = '03c25e184d1f3dc5b61da754aa9f3d3ea6c3860aa2893ed9a0aa755972018041'
COMMIT = 'f036aef3a425560161de362f390d238f4e7c1721'


def _sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def _check_source(**environ):
    env = {k: v for k, v in os.environ.items() if not k.startswith('LIBGPUARRAY_')}
    env.update(environ)
    return subprocess.run(['bash', BUILD, '--check-source'], env=env, capture_output=True,
                          text=True, timeout=120)


def _refused(proc, *words):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith('build-gpuarray: error: ')
    for word in words:
        assert word in lines[0]


@pytest.fixture
def tampered(tmp_path):
    """A copy of the shipped tarball with one byte changed."""
    data = bytearray(open(TARBALL, 'rb').read())
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / 'libgpuarray-0.7.6.tar.gz'
    path.write_bytes(bytes(data))
    return path


# --- the source: shipped, local copy, or fetched; verified before use ----------------------------

def test_shipped_tarball_is_the_one_its_provenance_names():
    assert _sha256(TARBALL) == SHA256
    provenance = open(os.path.join(ROOT, 'third_party', 'libgpuarray', 'PROVENANCE.md')).read()
    for fact in (SHA256, COMMIT, 'v0.7.6', 'Theano/libgpuarray', 'ISC'):
        assert fact in provenance, fact
    assert SHA256 in open(BUILD).read()


def test_shipped_tarball_is_accepted():
    proc = _check_source()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == TARBALL + ': sha256 verified'


def test_tampered_local_copy_is_refused_in_one_line(tampered):
    _refused(_check_source(LIBGPUARRAY_SRC=str(tampered)), str(tampered), 'sha256',
             _sha256(tampered), 'LIBGPUARRAY_SHA256')


def test_missing_local_copy_is_refused_in_one_line(tmp_path):
    missing = str(tmp_path / 'nowhere.tar.gz')
    _refused(_check_source(LIBGPUARRAY_SRC=missing), missing, 'no such file')


def test_expected_sha256_can_be_named_for_another_tarball(tampered):
    assert _check_source(LIBGPUARRAY_SRC=str(tampered),
                         LIBGPUARRAY_SHA256=_sha256(tampered)).returncode == 0
    # ... and then it is the only digest accepted
    _refused(_check_source(LIBGPUARRAY_SHA256=_sha256(tampered)), TARBALL, SHA256)


@pytest.fixture
def server(tmp_path, tampered):
    """An HTTP server on 127.0.0.1 serving good/ (the shipped tarball) and bad/ (a tampered
    copy)."""
    root = tmp_path / 'www'
    (root / 'good').mkdir(parents=True)
    (root / 'bad').mkdir()
    shutil.copy(TARBALL, root / 'good')
    shutil.copy(tampered, root / 'bad')

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_fetched_tarball_is_verified(server):
    url = server + '/good/libgpuarray-0.7.6.tar.gz'
    proc = _check_source(LIBGPUARRAY_URL=url)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == url + ': sha256 verified'
    _refused(_check_source(LIBGPUARRAY_URL=server + '/bad/libgpuarray-0.7.6.tar.gz'),
             server + '/bad/', 'sha256')
    _refused(_check_source(LIBGPUARRAY_URL=server + '/nothing.tar.gz'), 'download failed')


def test_cmake_4_is_refused_in_one_line(tmp_path):
    """CMake 4 stops at libgpuarray 0.7.6's `cmake_policy(SET CMP0063 OLD)` (seen with cmake 4.4.5
    from PyPI); the build says so before it starts. A stand-in `cmake` reports version 4."""
    venv = tmp_path / 'venv'
    (venv / 'bin').mkdir(parents=True)
    os.symlink(sys.executable, venv / 'bin' / 'python')
    cmake = tmp_path / 'cmake'
    cmake.write_text('#!/bin/sh\necho "cmake version 4.0.3"\n')
    cmake.chmod(0o755)
    proc = subprocess.run(['bash', BUILD, str(venv)], env=dict(os.environ, CMAKE=str(cmake)),
                          capture_output=True, text=True, timeout=60)
    _refused(proc, 'CMake 4.0.3', 'needs CMake 3', "pip install 'cmake<4'")
    assert not (venv / 'lib').exists()  # nothing built or installed


def test_gpu_env_links_the_unversioned_names(tmp_path):
    """docker/gpu-env.sh links the newest lib*.so.N under CUDA_HOME and sets the paths."""
    venv, cuda = tmp_path / 'venv', tmp_path / 'cuda'
    (venv / 'lib').mkdir(parents=True)
    (cuda / 'lib64').mkdir(parents=True)
    (cuda / 'include').mkdir()
    for name in ('libnvrtc.so.12', 'libnvrtc.so.13', 'libcublas.so.13.0.2', 'libcudnn.so.9',
                 'libcuda.so.1', 'cudnn.h'):
        (cuda / ('include' if name.endswith('.h') else 'lib64') / name).write_text('')
    env = dict(os.environ, CUDA_HOME=str(cuda), LD_LIBRARY_PATH='', THEANO_FLAGS='mode=FAST_RUN')
    proc = subprocess.run(
        ['bash', '-c', '. "$0" "$1" && echo "$LD_LIBRARY_PATH" && echo "$THEANO_FLAGS"', GPU_ENV,
         str(venv)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    links = venv / 'lib' / 'cuda-links'
    assert {p.name: os.readlink(p) for p in links.iterdir()} == {
        'libnvrtc.so': str(cuda / 'lib64' / 'libnvrtc.so.13'),
        'libcublas.so': str(cuda / 'lib64' / 'libcublas.so.13.0.2'),
        'libcudnn.so': str(cuda / 'lib64' / 'libcudnn.so.9'),
        'libcuda.so': str(cuda / 'lib64' / 'libcuda.so.1')}
    library_path, flags = proc.stdout.strip().splitlines()[-2:]
    assert library_path.split(':')[:2] == [str(links), str(cuda / 'lib64')]  # pygpu has an rpath
    assert flags == 'cuda.root=%s,dnn.include_path=%s,dnn.library_path=%s,mode=FAST_RUN' % (
        cuda, cuda / 'include', links)


def test_gpu_env_prefers_the_venvs_cuda_wheels(tmp_path):
    """With NVIDIA's CUDA wheels in the venv (requirements-cuda.txt, as `make venv-gpu` installs
    them), gpu-env.sh links NVRTC, cuBLAS and cuDNN from there, not from CUDA_HOME; only the
    driver's libcuda comes from the host; the wheels' headers and directories are the ones
    Theano gets."""
    venv, cuda = tmp_path / 'venv', tmp_path / 'cuda'
    wheels = venv / 'lib' / 'python3.11' / 'site-packages' / 'nvidia'
    files = {'cuda_nvrtc/lib': ['libnvrtc.so.12', 'libnvrtc-builtins.so.12.8'],
             'cublas/lib': ['libcublas.so.12', 'libcublasLt.so.12'],
             'cudnn/lib': ['libcudnn.so.9', 'libcudnn_ops.so.9'], 'cudnn/include': ['cudnn.h'],
             'cuda_runtime/lib': ['libcudart.so.12'],
             'cuda_runtime/include': ['cuda_runtime_api.h', 'cuda.h'],
             'cuda_nvcc/include/crt': ['host_defines.h']}
    for folder, names in files.items():
        (wheels / folder).mkdir(parents=True)
        for name in names:
            (wheels / folder / name).write_text('')
    (cuda / 'lib64').mkdir(parents=True)
    (cuda / 'include').mkdir()
    for name in ('libnvrtc.so.13', 'libcublas.so.13', 'libcudnn.so.9', 'libcuda.so.1'):
        (cuda / 'lib64' / name).write_text('')
    (cuda / 'include' / 'cudnn.h').write_text('')
    env = dict(os.environ, CUDA_HOME=str(cuda), LD_LIBRARY_PATH='', THEANO_FLAGS='')
    proc = subprocess.run(
        ['bash', '-c', '. "$0" "$1" && echo "$LD_LIBRARY_PATH" && echo "$THEANO_FLAGS"', GPU_ENV,
         str(venv)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    links = venv / 'lib' / 'cuda-links'
    assert {p.name: os.readlink(p) for p in links.iterdir() if p.name != 'include'} == {
        'libnvrtc.so': str(wheels / 'cuda_nvrtc' / 'lib' / 'libnvrtc.so.12'),
        'libcublas.so': str(wheels / 'cublas' / 'lib' / 'libcublas.so.12'),
        'libcudnn.so': str(wheels / 'cudnn' / 'lib' / 'libcudnn.so.9'),
        'libcuda.so': str(cuda / 'lib64' / 'libcuda.so.1')}
    library_path, flags = proc.stdout.strip().splitlines()[-2:]
    assert library_path.split(':') == [str(links)] + [
        str(wheels / d / 'lib') for d in ('cuda_nvrtc', 'cublas', 'cudnn', 'cuda_runtime')] + [
        str(cuda / 'lib64')]
    # one include directory for Theano's cuda.include_path: the runtime's headers and nvcc's crt/
    include = links / 'include'
    assert {p.name: os.readlink(p) for p in include.iterdir()} == {
        'cuda_runtime_api.h': str(wheels / 'cuda_runtime' / 'include' / 'cuda_runtime_api.h'),
        'cuda.h': str(wheels / 'cuda_runtime' / 'include' / 'cuda.h'),
        'crt': str(wheels / 'cuda_nvcc' / 'include' / 'crt')}
    assert (include / 'crt' / 'host_defines.h').exists()
    assert flags == 'cuda.root=%s,cuda.include_path=%s,dnn.include_path=%s,dnn.library_path=%s' % (
        cuda, include, wheels / 'cudnn' / 'include', links)


# --- the venv that `make venv-gpu` built (.ci/gpu) ----------------------------------------------

needs_pygpu = pytest.mark.skipif(
    importlib.util.find_spec('pygpu') is None,
    reason='pygpu is not installed in this Python: these run in the `make venv-gpu` venv (.ci/gpu)')


def _driver_visible():
    try:
        ctypes.CDLL('libcuda.so.1')
        return True
    except OSError:
        return False


def _author2vec(*argv, cwd):
    """The venv's `author2vec` command, on this checkout's code, with the test's Theano cache."""
    script = os.path.join(os.path.dirname(sys.executable), 'author2vec')
    command = [script] if os.path.exists(script) else [sys.executable, '-m', 'author2vec_keras.cli']
    env = {k: v for k, v in os.environ.items() if k != 'AUTHOR2VEC_DEVICE'}
    env['PYTHONPATH'] = os.pathsep.join([ROOT] + [p for p in [os.environ.get('PYTHONPATH')] if p])
    return subprocess.run(command + list(argv), env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@needs_pygpu
def test_pygpu_imports_without_library_path(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != 'LD_LIBRARY_PATH'}
    proc = subprocess.run(
        [sys.executable, '-c', 'import pygpu, pygpu.gpuarray as g; '
         'print(pygpu.__version__, g.abi_version()[0], g.__file__)'],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    version, abi, path = proc.stdout.split()
    assert (version, abi) == ('0.7.6', '3')  # libgpuarray.so.3
    assert path.startswith(sys.prefix)


@needs_pygpu
def test_theano_compiles_against_the_venvs_libgpuarray(tmp_path):
    """What Theano 1.0.5 does for a GPU op: its GpuArrayType's headers, include and library dirs
    (sys.prefix/include, sys.prefix/lib, where build-gpuarray.sh installs), compiled and loaded."""
    from author2vec_keras.nn import backend
    backend.setup()
    from theano.gof.cmodule import GCC_compiler
    from theano.gpuarray.type import GpuArrayType
    gpu_type = GpuArrayType.__new__(GpuArrayType)  # its C paths need no GPU context
    assert os.path.join(sys.prefix, 'include') in gpu_type.c_header_dirs()
    assert gpu_type.c_lib_dirs() == [os.path.join(sys.prefix, 'lib')]
    includes = ''.join('#include %s\n' % (h if h.startswith('<') else '"%s"' % h)
                       for h in gpu_type.c_headers())
    code = '#include <Python.h>\n' + includes + r'''
static PyObject *error_string(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(gpuarray_error_str(GA_VALUE_ERROR));
}
static PyMethodDef methods[] = {{"error_string", error_string, METH_NOARGS, ""}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "gpuarray_check", NULL, -1, methods};
PyMODINIT_FUNC PyInit_gpuarray_check(void) {
    import_array();
    if (import_pygpu__gpuarray() < 0) return NULL;
    return PyModule_Create(&module);
}
'''  # noqa: E501 (the C source's methods[] line: wrapping it would change the string)
    module = GCC_compiler.compile_str(
        'gpuarray_check', code, location=tempfile.mkdtemp(dir=tmp_path),
        include_dirs=gpu_type.c_header_dirs(), lib_dirs=gpu_type.c_lib_dirs(),
        libs=gpu_type.c_libraries(), preargs=GCC_compiler.compile_args())
    assert module.error_string() == 'Value invalid or out of range'  # libgpuarray's own table


@needs_pygpu
def test_info_shows_pygpu(tmp_path):
    proc = _author2vec('info', cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r'^theano: +Theano 1\.0\.5$', proc.stdout, re.M), proc.stdout
    assert re.search(r'^pygpu: +True$', proc.stdout, re.M), proc.stdout
    assert re.search(r'^device: +cpu$', proc.stdout, re.M), proc.stdout


@needs_pygpu
@pytest.mark.skipif(_driver_visible(), reason='a GPU driver is visible (libcuda.so.1 loads)')
@pytest.mark.parametrize('argv', [
    ['info', '--device', 'cuda'],
    ['train', '--device', 'cuda', '--dataset', 'karate', '--epochs', '1', '--output', 'karate.emb'],
])
def test_cuda_without_a_driver_is_refused_in_one_sentence(tmp_path, argv):
    proc = _author2vec(*argv, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ''
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr  # Theano's own traceback of the failed init is not shown
    line = lines[0]
    assert line.startswith('author2vec: error: CUDA is not available: '
                           'Theano could not initialise a GPU')
    assert 'libgpuarray: Could not load "libcuda.so"' in line and 'make venv-gpu' in line
    assert line.endswith('.') and '. ' not in line  # one sentence
    assert list(tmp_path.iterdir()) == []  # nothing written


@needs_pygpu
@pytest.mark.skipif(not _driver_visible(),
                    reason='no GPU driver visible (libcuda.so.1 does not load)')
def test_cuda_with_a_driver_names_the_gpu(tmp_path):
    """On a GPU host, after `. docker/gpu-env.sh`."""
    proc = _author2vec('info', '--device', 'cuda', cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r'^device: +cuda', proc.stdout, re.M), proc.stdout
    assert re.search(r'^gpu: +(?!None$)\S', proc.stdout, re.M), proc.stdout
