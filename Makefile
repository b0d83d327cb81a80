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
.PHONY: test-theano105 lint-docker docker-gpu docker-cpu docker-notebooks

test-theano105:
	.ci/theano105

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
