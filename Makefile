# Two commands: `make serve` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/kg serve

lint: $(STAMP)
	$(BIN)/ruff check kg tests bench
	$(BIN)/ruff format --check kg tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy kg

# The graphql-http audit (tests/js) and the playground's GraphiQL files (kg/assets.lock.json).
NPM_AUDIT := tests/js/node_modules/.package-lock.json
VENDOR    := kg/static/vendor/.lock.json

$(NPM_AUDIT): tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund
	touch $@

$(VENDOR): $(STAMP) kg/assets.lock.json
	$(BIN)/python -m kg.http.assets
	touch $@

unit: $(STAMP) $(NPM_AUDIT) $(VENDOR)
	$(BIN)/pytest -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
