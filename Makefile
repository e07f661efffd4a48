# The two commands: `make run` and `make test`. Everything else is installed by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Start Fleetyard on the embedded defaults with a demo tenant; prints the URL and login.
run: $(STAMP)
	$(BIN)/fleetyard serve --demo

## Run the whole test suite against the machine's PostgreSQL (and Redis).
test: $(STAMP)
	$(BIN)/python -m pytest

## ruff (lint + format check) and mypy --strict.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## Benchmarks; each prints the figures it promises.
bench: $(STAMP)
	$(BIN)/python bench/api.py
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) .fleetyard
