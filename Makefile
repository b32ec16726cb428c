# policykg's one task runner. `make serve` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install build serve check test lint typecheck reliability clean

$(BIN)/policykg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/policykg  ## create .venv and install policykg with its development tools

build: install  ## build the graph of the report into graphs/ (validated against the shapes)
	$(BIN)/policykg build

serve: build  ## build and validate the graph, then serve it on 127.0.0.1:8000
	$(BIN)/policykg validate
	$(BIN)/policykg serve

check: install  ## does graphs/ match a fresh build?
	$(BIN)/policykg build --check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: lint typecheck  ## ruff, mypy --strict and the whole test suite
	$(BIN)/pytest

reliability: install  ## load, faults and hostile input against a real server (≤ 10 min): bench/results/reliability.md
	$(BIN)/python bench/reliability.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
