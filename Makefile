# Two commands do everything on a fresh machine: `make dev` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SEED ?= 42
STAMP := $(VENV)/.stamp-deps
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PYTHONPATH := layers/arportal/python:functions:.
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: dev test lint typecheck unit integration infra synth bench clean install web-assets browser-deps browser

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## Start the whole product locally (moto in-process, real handlers, seeded demo agency); TODAY=YYYY-MM-DD to run as of that day
dev: $(STAMP) web-assets
	$(PY) -m local --port $(PORT) --seed $(SEED) $(if $(TODAY),--today $(TODAY))

## Lint, type-check and run every test (in random order, seed in the header), then the date-sensitive ones again
## 400 days ahead (tests/clock.py: ARPORTAL_TEST_TODAY=YYYY-MM-DD runs the suite as if it were that day)
test: $(STAMP) lint typecheck web-assets browser-deps
	$(PY) -m pytest -n 2 --dist loadgroup
	ARPORTAL_TEST_DAYS_AHEAD=400 $(PY) -m pytest -n 2 --dist loadgroup -m dates

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(PY) -m pytest tests/unit tests/property

integration: $(STAMP)
	$(PY) -m pytest tests/integration

infra: $(STAMP)
	$(PY) -m pytest tests/infrastructure

## USWDS assets for the front-ends: copied from node_modules when it is there, else the committed copy is checked
web-assets:
	$(PYTHON) web/build.py

## What the browser tests need: Debian's Chromium (no browser download) and axe-core from npm
browser-deps:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
	@test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund

browser: $(STAMP) web-assets browser-deps
	$(PY) -m pytest tests/browser

## Synthesize the CloudFormation template with the CDK CLI (aws-cdk@2 from npm)
synth: $(STAMP)
	npm ci --no-audit --no-fund
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npx cdk synth -q

## Performance and cost benchmarks (figures written to bench/results/)
bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) cdk.out node_modules .pytest_cache .mypy_cache .ruff_cache
