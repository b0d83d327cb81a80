# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test test-fast info benchmarks clean

$(STAMP): requirements.txt requirements-test.txt setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/author2vec train --output results/demo_ca-grqc.emb

test: $(STAMP)
	$(BIN)/python -m pytest -q tests

info: $(STAMP)
	$(BIN)/author2vec info

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/data_speed.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# --- Theano 1.0.5 CI leg and Docker images (docker/README.md) ---------------------------------
IMAGE ?= author2vec-keras
.PHONY: test-theano105 test-gpu venv-gpu lint-docker docker-gpu docker-cpu docker-notebooks

test-theano105:
	.ci/theano105

# GPU without Docker: Theano 1.0.5 + libgpuarray/pygpu 0.7.6 built from source (docker/README.md).
# LIBGPUARRAY_SRC=tarball or LIBGPUARRAY_URL=url replace the shipped third_party/libgpuarray source.
# The package goes in as a PEP 660 editable: a legacy one's `author2vec` script demands setup.py's
# Theano-PyMC (pkg_resources' DistributionNotFound), which this venv replaces by Theano 1.0.5.
VENV_GPU ?= .venv-gpu
venv-gpu: $(VENV_GPU)/.installed-gpu

$(VENV_GPU)/.installed-gpu: requirements-gpu.txt requirements-theano105.txt setup.py docker/build-gpuarray.sh
	test -x $(VENV_GPU)/bin/python || $(PYTHON) -m venv $(VENV_GPU)
	$(VENV_GPU)/bin/pip install --quiet --disable-pip-version-check -r requirements-gpu.txt
	docker/build-gpuarray.sh $(VENV_GPU)
	$(VENV_GPU)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
		--use-pep517 -e .
	touch $@

test-gpu:
	.ci/gpu

lint-docker:
	.ci/theano105 lint

docker-gpu:
	docker build -f docker/Dockerfile -t $(IMAGE):gpu .

docker-cpu:
	docker build -f docker/Dockerfile.cpu -t $(IMAGE):cpu .

# Jupyter on http://localhost:8888 serving ./notebooks (edits persist) and reading ./results
# (the host's files, mounted where the image carries its copies); GPU image, all GPUs.
docker-notebooks: docker-gpu
	docker run --rm -it --gpus all -p 8888:8888 \
		-v "$(CURDIR)/notebooks:/home/author2vec/notebooks" \
		-v "$(CURDIR)/results:/home/author2vec/results" $(IMAGE):gpu
