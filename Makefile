# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATABASE_URL ?= sqlite:///tryggest.db
export DATABASE_URL

.PHONY: run test install lint typecheck unit clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed

## make run: set up, migrate a SQLite database, load demo data, start the bot and the Playground.
run: $(BIN)/.installed node_modules/.installed
	$(BIN)/tryggest db upgrade
	$(BIN)/tryggest demo-data
	scripts/run-local.sh

## make test: lint, types and the whole suite (SQLite and PostgreSQL).
test: lint typecheck unit

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules tryggest.db tryggest.db-* .pytest_cache .mypy_cache .ruff_cache
