# The two commands: `make run` and `make test`. Everything else is installed by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Each install or build step prints one line; its tools' output goes to a log under $(LOGS),
# printed whole if the step fails. `make run VERBOSE=1` shows it as it comes.
LOGS := .fleetyard/logs
STEP := bash scripts/step.sh

WEB := web
WEB_STAMP := $(WEB)/node_modules/.installed
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json

.PHONY: run web test test-web lint bench install clean

$(STAMP): pyproject.toml
	@$(STEP) "Install the project and its dependencies into $(VENV)" $(LOGS)/install.log \
		sh -c 'test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) && \
		$(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e ".[dev]"'
	@touch $(STAMP)

install: $(STAMP)

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	@$(STEP) "Install the web app's packages ($(WEB)/node_modules)" $(LOGS)/web-install.log \
		npm --prefix $(WEB) ci --no-audit --no-fund
	@touch $(WEB_STAMP)

# Built again only when its sources changed, so a second `make run` starts in seconds.
$(WEB)/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES)
	@$(STEP) "Build the web app ($(WEB)/dist)" $(LOGS)/web-build.log npm --prefix $(WEB) run build

## The web app, built into web/dist (the server serves it at /).
web: $(WEB)/dist/index.html

## The demo on the embedded defaults: PostgreSQL, migrations, the Demo Fleet and Harbour
## Logistics tenants, the server and simulated vehicles on Helsinki's streets; prints the URL,
## the logins and the device ports. Ctrl-C stops everything; a second run reuses the data.
run: $(STAMP) web
	@$(BIN)/fleetyard demo

## Run the whole test suite: Python against the machine's PostgreSQL (and Redis), then the
## web app's checks and its browser tests in Debian's headless Chromium (installed if missing).
## pytest runs in two workers, a test file each at a time (each worker has its own database).
test: $(STAMP) web
	$(BIN)/python -m pytest -n 2 --dist loadfile
	$(MAKE) test-web

test-web: $(STAMP) web
	bash scripts/ensure-chromium.sh
	npm --prefix $(WEB) run lint
	npm --prefix $(WEB) test
	npm --prefix $(WEB) run check-bundle
	npm --prefix $(WEB) run e2e

## ruff (lint + format check) and mypy --strict.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## Benchmarks; each prints the figures it promises.
bench: $(STAMP)
	$(BIN)/python bench/api.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/realtime.py
	$(BIN)/python bench/providers.py
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) .fleetyard $(WEB)/node_modules $(WEB)/dist
