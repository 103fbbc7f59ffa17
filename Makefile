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

.PHONY: dev test lint typecheck unit integration infra synth bench clean install lock web-assets browser-deps browser

# Exactly the locked versions, each checked against its hash; then this project itself, which adds nothing
$(STAMP): pyproject.toml requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --requirement requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps --editable .
	@touch $(STAMP)

install: $(STAMP)

## Lock the dependencies with every wheel's hash (requirements/): the dev set for any platform; the Lambda code's set,
## the same versions (the dependencies layer is built from it); the boto3 the Lambda runtime ships.
## UPGRADE=1 takes the newest versions pyproject.toml allows, else the locked ones stay
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(STAMP)
	$(UV_COMPILE) --universal --python-version 3.11 --extra dev pyproject.toml -o requirements/dev.txt
	$(UV_COMPILE) --universal --python-version 3.11 --constraint requirements/dev.txt pyproject.toml \
		-o requirements/runtime.txt
	$(UV_COMPILE) --python-version 3.12 --python-platform x86_64-manylinux_2_28 requirements/lambda-runtime.in \
		-o requirements/lambda-runtime.txt
	$(UV_COMPILE) --universal --python-version 3.11 requirements/checkov.in -o requirements/checkov.txt

## Start the whole product locally (moto in-process, real handlers, seeded demo agency); TODAY=YYYY-MM-DD to run as of that day
dev: $(STAMP) web-assets
	$(PY) -m local --port $(PORT) --seed $(SEED) $(if $(TODAY),--today $(TODAY))

# checkov has its own venv: it pins many libraries that the dev set also needs, at other versions. Locked with
# hashes like the rest (requirements/checkov.txt, `make lock`).
CHECKOV_STAMP := build/checkov-venv/.stamp-$(shell sha256sum requirements/checkov.txt | cut -c1-16)
$(CHECKOV_STAMP): requirements/checkov.txt
	rm -rf build/checkov-venv
	$(PYTHON) -m venv build/checkov-venv
	PYTHONPATH= build/checkov-venv/bin/pip install --quiet --require-hashes --requirement requirements/checkov.txt
	@touch $@

## Lint, type-check and run every test (in random order, seed in the header), then the date-sensitive ones again
## 400 days ahead (tests/clock.py: ARPORTAL_TEST_TODAY=YYYY-MM-DD runs the suite as if it were that day), then
## what a deploy must pass (the deploy-check below)
test: $(STAMP) lint typecheck web-assets browser-deps $(CHECKOV_STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup
	ARPORTAL_TEST_DAYS_AHEAD=400 $(PY) -m pytest -n 2 --dist loadgroup -m dates
	@test -x node_modules/.bin/asl-validator || npm ci --no-audit --no-fund
	$(PY) scripts/deploy_check.py

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
	@test node_modules/.package-lock.json -nt package-lock.json || npm ci --no-audit --no-fund

browser: $(STAMP) web-assets browser-deps
	$(PY) -m pytest tests/browser

## Synthesize the CloudFormation template with the CDK CLI (aws-cdk@2 from npm)
synth: $(STAMP)
	npm ci --no-audit --no-fund
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npx cdk synth -q


.PHONY: deploy-check
## What a deploy must pass, offline: a production-like synth through cfn-lint, cdk-nag, checkov (.checkov-skips.yaml
## says what it accepts and why), asl-validator and the isolated import test (scripts/deploy_check.py, docs/pipeline.md)
deploy-check: $(STAMP) $(CHECKOV_STAMP)
	@test -x node_modules/.bin/asl-validator || npm ci --no-audit --no-fund
	$(PY) scripts/deploy_check.py

## Performance and cost benchmarks (figures written to bench/results/)
bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) cdk.out node_modules .pytest_cache .mypy_cache .ruff_cache
