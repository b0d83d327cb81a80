# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test lint test-fast test-distributed info benchmarks clean

$(STAMP): requirements.txt requirements-test.txt setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/author2vec train --output results/demo_ca-grqc.emb

test: $(STAMP)
	$(BIN)/python -m pytest -q tests

# pyflakes, import order and pycodestyle (ruff.toml)
lint: $(STAMP)
	$(BIN)/ruff check .

# Partitioned training on a local Ray cluster: installs the optional Ray extra into .venv.
test-distributed: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-distributed.txt
	$(BIN)/python -m pytest -q tests/training/test_distributed.py

info: $(STAMP)
	$(BIN)/author2vec info

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/data_speed.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# --- Theano 1.0.5 CI leg and Docker images (docker/README.md) ---------------------------------
IMAGE ?= author2vec-keras
.PHONY: test-theano105 test-gpu test-opencl venv-gpu lint-docker docker-gpu docker-cpu docker-notebooks test-containers

test-theano105:
	.ci/theano105

# GPU without Docker: Theano 1.0.5 + libgpuarray/pygpu 0.7.6 built from source (docker/README.md).
# LIBGPUARRAY_SRC=tarball or LIBGPUARRAY_URL=url replace the shipped third_party/libgpuarray source.
# The package goes in as a PEP 660 editable: a legacy one's `author2vec` script demands setup.py's
# Theano-PyMC (pkg_resources' DistributionNotFound), which this venv replaces by Theano 1.0.5.
# CUDA's user-space libraries come as NVIDIA's wheels (requirements-cuda.txt, 2 GiB unpacked), as in
# the GPU image, so that a GPU host needs only the driver; CUDA_WHEELS=0 leaves them out (the host's
# CUDA toolkit is used; CI's .ci/gpu, whose image leg installs them).
VENV_GPU ?= .venv-gpu
CUDA_WHEELS ?= 1
CUDA_WHEELS_REQUIREMENTS = $(if $(filter 1 yes true,$(CUDA_WHEELS)),-r requirements-cuda.txt)
venv-gpu: $(VENV_GPU)/.installed-gpu

$(VENV_GPU)/.installed-gpu: requirements-gpu.txt requirements-theano105.txt requirements-cuda.txt setup.py docker/build-gpuarray.sh
	test -x $(VENV_GPU)/bin/python || $(PYTHON) -m venv $(VENV_GPU)
	$(VENV_GPU)/bin/pip install --quiet --disable-pip-version-check -r requirements-gpu.txt $(CUDA_WHEELS_REQUIREMENTS)
	docker/build-gpuarray.sh $(VENV_GPU)
	$(VENV_GPU)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
		--use-pep517 -e .
	touch $@

test-gpu:
	.ci/gpu

# The GPU code path on OpenCL without a GPU (POCL), in the venv-gpu venv (docker/README.md).
test-opencl:
	.ci/opencl

test-containers:
	.ci/containers

lint-docker:
	.ci/theano105 lint

# The engine: CONTAINER=docker, podman or buildah; by default docker when its daemon answers, else
# podman, else buildah. Docker reads docker/Dockerfile*.dockerignore itself; Podman and Buildah get it
# by --ignorefile, and --format docker, without which their default OCI format drops the Dockerfiles'
# `SHELL [... pipefail]`. CONTAINER_BUILD_FLAGS go to the build (e.g. --network host, mounts).
CONTAINER ?= $(shell docker info >/dev/null 2>&1 && echo docker || { command -v podman >/dev/null 2>&1 && echo podman; } || { command -v buildah >/dev/null 2>&1 && echo buildah; } || echo docker)
CONTAINER_BUILD_FLAGS ?=
# $(call container-build,DOCKERFILE,TAG)
container-build = $(if $(filter docker,$(CONTAINER)),docker build,$(if $(filter buildah,$(CONTAINER)),buildah bud,$(CONTAINER) build) --format docker --ignorefile $(1).dockerignore)$(if $(CONTAINER_BUILD_FLAGS), $(CONTAINER_BUILD_FLAGS)) -f $(1) -t $(2) .
# all GPUs: Docker's flag, or CDI's name for them (Podman, with the NVIDIA Container Toolkit's CDI spec)
container-gpus = $(if $(filter podman,$(CONTAINER)),--device nvidia.com/gpu=all,--gpus all)

docker-gpu:
	$(call container-build,docker/Dockerfile,$(IMAGE):gpu)

docker-cpu:
	$(call container-build,docker/Dockerfile.cpu,$(IMAGE):cpu)

# Jupyter on http://localhost:8888 serving ./notebooks (edits persist) and reading ./results
# (the host's files, mounted where the image carries its copies); GPU image, all GPUs.
# Docker or Podman (Buildah builds but does not serve).
docker-notebooks: docker-gpu
	@if [ "$(CONTAINER)" = buildah ]; then echo 'make docker-notebooks: buildah cannot run a server; CONTAINER=docker or podman' >&2; exit 2; fi
	$(CONTAINER) run --rm -it $(container-gpus) -p 8888:8888 \
		-v "$(CURDIR)/notebooks:/home/author2vec/notebooks" \
		-v "$(CURDIR)/results:/home/author2vec/results" $(IMAGE):gpu
