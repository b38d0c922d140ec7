# Lotwise: `make run` sets up and serves the demo; `make test` runs every check. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION ?= 0.13.8
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
# A `pip install --user` uv is not on a fresh machine's PATH; the PWA's browser tests spawn it too.
export PATH := $(dir $(UV)):$(PATH)
export UV_LINK_MODE ?= copy

# Debian packages: WeasyPrint's Pango and a CJK font for PDFs; Chromium for the PWA's tests.
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
TEST_DEBS := $(RUN_DEBS) chromium postgresql-client redis-server

.PHONY: help run test lint types test-python test-sqlite test-postgres test-pwa pwa deps \
        system-deps system-deps-test screenshots bench clean

help:
	@echo "make run    set up everything and serve Lotwise with demo data on http://$(HOST):$(PORT)"
	@echo "make test   lint, types, tests on SQLite and PostgreSQL, PWA and browser tests"

$(UV):
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet "uv==$(UV_VERSION)" \
	  || $(PYTHON) -m pip install --quiet --break-system-packages "uv==$(UV_VERSION)"

# Installs missing Debian packages when run as root; otherwise names them and stops.
define ensure_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install these Debian packages first: sudo apt-get install$$missing"; exit 1; fi; \
	fi
endef

system-deps:
	$(call ensure_debs,$(RUN_DEBS))

system-deps-test:
	$(call ensure_debs,$(TEST_DEBS))

deps: $(UV)
	$(UV) sync --frozen

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund

pwa: pwa/node_modules/.package-lock.json
	cd pwa && npm run build

run: system-deps deps pwa
	$(UV) run lotwise migrate
	$(UV) run lotwise demo --if-empty
	@echo "Lotwise on http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/schema)"
	@echo "demo logins: admin warehouse warehouse2 qa purchaser nurse head auditor, password lotwise-demo-2026"
	exec $(UV) run lotwise serve --host $(HOST) --port $(PORT)

lint: deps
	$(UV) run ruff check backend device_bridge tests bench migrations piccolo_conf.py
	$(UV) run ruff format --check backend device_bridge tests bench piccolo_conf.py

types: deps
	$(UV) run mypy

# End-to-end tests run in their own session: they start real `lotwise serve` processes whose
# outbox must not be drained by the in-process app of the integration tests.
test-sqlite: deps
	LOTWISE_TEST_DB=sqlite $(UV) run pytest -q tests/unit tests/bridge tests/integration
	LOTWISE_TEST_DB=sqlite $(UV) run pytest -q tests/e2e

test-postgres: deps
	LOTWISE_TEST_DB=postgres $(UV) run pytest -q tests/integration
	LOTWISE_TEST_DB=postgres $(UV) run pytest -q tests/e2e

test-pwa: pwa/node_modules/.package-lock.json
	cd pwa && npm run typecheck && npm run test:unit && npm run test:e2e

test: system-deps-test deps lint types test-sqlite test-postgres test-pwa

screenshots: deps pwa/node_modules/.package-lock.json
	cd pwa && npm run screenshots

bench: deps
	@ls bench/*.py | sed 's/^/  uv run python /'

clean:
	rm -rf .venv pwa/node_modules pwa/dist .pytest_cache .mypy_cache .ruff_cache
