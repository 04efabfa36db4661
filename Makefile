# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint unit integration e2e bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.stamp-run

run: $(VENV)/.stamp-run
	$(BIN)/python -m recruiting run

test: $(VENV)/.stamp-dev lint
	$(BIN)/python -m pytest -q -ra

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest -q tests/unit

integration: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest -q -ra tests/integration

e2e: $(VENV)/.stamp-dev
	$(BIN)/python -m pytest -q -ra tests/e2e

bench: $(VENV)/.stamp-dev
	$(BIN)/python bench/callbacks.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
