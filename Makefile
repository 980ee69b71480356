# Two commands: `make serve` and `make test` (`make check` is the quick tier). All create .venv
# on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test check lint typecheck bench clean

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

# Tests run in two worker processes (pytest-xdist; each starts its own servers), the long ones
# taken first by whichever worker is free. Markers say what a test needs (tests/conftest.py).
PYTEST := $(BIN)/pytest -q -n 2 --dist worksteal
QUICK  := not oxigraph and not virtuoso and not browser and not serve and not slow

# Every test: both SPARQL engines, kg serve processes, the browser, the slow ones.
test: lint typecheck $(NPM_AUDIT) $(VENDOR)
	$(PYTEST)

# The quick tier for the edit-run loop: lint, types, and the tests that need no SPARQL server,
# kg serve process or browser, on the embedded store.
check: lint typecheck $(VENDOR)
	$(PYTEST) -m "$(QUICK)"

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
