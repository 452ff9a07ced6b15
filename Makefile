# Osseo: `make run` serves the demo, `make test` runs every test. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Synthetic implants in demonstration centres, the registry's labelled comparator (0: none).
REGISTRY_DEMO ?= 3000
# Tests run in parallel, one worker per core (pytest-xdist); the live-server tests share one worker.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup

.PHONY: help setup run demo test lint test-sqlite test-postgres system-deps schema bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

setup: ## Install Python >= 3.12 dependencies (uv, pinned by uv.lock) into .venv
	@scripts/setup.sh

run: setup ## Migrate the SQLite database under var/, seed the demo if empty, serve on http://127.0.0.1:8000
	@$(BIN)/osseo migrate --no-input -v0
	@$(BIN)/osseo demo --registry $(REGISTRY_DEMO)
	@$(BIN)/osseo collectstatic --no-input -v0
	@echo "Serving Osseo on http://$(HOST):$(PORT)/ (Ctrl-C stops it; the data stays in var/)"
	@$(BIN)/osseo runserver $(HOST):$(PORT) --noreload

system-deps: ## Install Debian's chromium and postgresql when missing (as root)
	@scripts/system-deps.sh

lint: setup ## ruff, mypy, import-linter, migrations and deploy checks
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy osseo
	$(BIN)/lint-imports
	$(BIN)/osseo makemigrations --check --dry-run
	OSSEO_SECURE=on OSSEO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') $(BIN)/osseo check --deploy --fail-level WARNING

test-sqlite: setup ## The whole suite on SQLite
	$(PYTEST)

# The pages are the same on either database: the browser tests run once, on SQLite (the demo's
# database); every other test, live servers and threads included, runs on both.
test-postgres: setup ## The whole suite but the browser tests on a throwaway PostgreSQL server
	scripts/with-postgres.sh $(PYTEST) -m "not browser"

test: system-deps setup lint test-sqlite test-postgres ## Linters and every test, on SQLite and on PostgreSQL
	@echo "make test: all checks passed on SQLite and PostgreSQL"

schema: setup ## Rewrite the committed OpenAPI schema (docs/openapi.json)
	$(BIN)/python scripts/export_openapi.py > docs/openapi.json

clean: ## Remove the virtualenv and caches (keeps var/, your data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
