# critmin — make targets (see README)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
REF    ?= ../shared/reference

.PHONY: demo test lint typecheck bench data install clean browser frontend-assets serve bench-api

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: set up and run the main job on the embedded DuckDB store
demo: $(STAMP)
	$(BIN)/critmin demo

## make browser: Debian's chromium for the browser tests (skipped where it cannot be installed)
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "chromium not installed: browser tests will be skipped"

## make frontend-assets: offline map topojson + Swagger UI (npm) into ~/.cache/critmin/frontend (optional)
frontend-assets:
	-@bash scripts/frontend-assets.sh

## make serve: the HTTP API and dashboard on http://127.0.0.1:8000
serve: $(STAMP)
	$(BIN)/critmin serve

## make bench-api: load benchmark of the HTTP API (loopback only)
bench-api: $(STAMP)
	$(BIN)/python bench/bench_api.py --write bench/RESULTS-api.md

## make test: set up, lint, type-check and run the test suite
test: $(STAMP) browser frontend-assets
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/ruff format --check src tests bench examples

typecheck: $(STAMP)
	$(BIN)/mypy

## make data: rebuild the bundled dataset from ../shared/reference
data: $(STAMP)
	$(BIN)/critmin data build --reference $(REF)

## make bench: run the benchmarks and print results (see bench/RESULTS.md)
bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
