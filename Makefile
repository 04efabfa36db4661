# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint unit integration e2e bench speech clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt $(VENV)/.stamp-speech | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@scripts/os-packages.sh
	touch $@ $(VENV)/.stamp-run

# PaddleSpeech pins opencv-python 4.6 (built for numpy 1) through paddleslim; it and our
# opencv-python-headless share the cv2 folder, so drop it and put the headless 4.x back.
$(VENV)/.stamp-speech: requirements.txt requirements-speech.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-speech.txt -r requirements.txt
	$(BIN)/pip uninstall --quiet --yes opencv-python
	$(BIN)/pip install --quiet --force-reinstall --no-deps \
		$$(grep -E '^opencv-python-headless==' requirements.txt)
	$(BIN)/python -c "import cv2, paddle; cv2.CascadeClassifier"
	touch $@

speech: $(VENV)/.stamp-speech

run: $(VENV)/.stamp-run
	$(BIN)/python -m recruiting run

# The suite runs on TEST_WORKERS pytest-xdist processes (TEST_WORKERS=0: one process); each
# has its own PostgreSQL database and Redis db (tests/conftest.py). Most e2e time is spent
# waiting on sockets, so more workers than cores pays.
TEST_WORKERS ?= 4
PYTEST := $(BIN)/python -m pytest -q -ra -n $(TEST_WORKERS) --dist loadgroup

test: $(VENV)/.stamp-dev lint
	$(PYTEST) --durations=15

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(VENV)/.stamp-dev
	$(PYTEST) tests/unit

integration: $(VENV)/.stamp-dev
	$(PYTEST) tests/integration

e2e: $(VENV)/.stamp-dev
	$(PYTEST) tests/e2e

bench: $(VENV)/.stamp-dev
	$(BIN)/python bench/callbacks.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
