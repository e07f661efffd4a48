# The two commands: `make run` and `make test`. Everything else is installed by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run web test lint bench install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## HOOK: the web front end's build goes here (web/ and its build come in another change);
## `make run` builds it before starting, so the server can serve the built files.
web:
	@:

## The demo on the embedded defaults: PostgreSQL, migrations, the Demo Fleet and Harbour
## Logistics tenants, the server and simulated vehicles on Helsinki's streets; prints the URL,
## the logins and the device ports. Ctrl-C stops everything; a second run reuses the data.
run: $(STAMP) web
	$(BIN)/fleetyard demo

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
