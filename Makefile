# shoka — two commands: `make run` and `make test`. Both bootstrap .venv from nothing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PORT   ?= 8000
export SHOKA_HOME ?= $(CURDIR)/var
# pytest exits 5 when it collects nothing: report it, do not fail on it
PYTEST := sh -c '$(BIN)/pytest "$$@"; rc=$$?; if [ $$rc -eq 5 ]; then echo "NOTICE: pytest collected no tests"; exit 0; fi; exit $$rc' pytest

.PHONY: run test test-sqlite test-postgresql release-gate lint bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: set up, create the demo library on SQLite (once) and serve it on http://127.0.0.1:$(PORT)
run: $(STAMP)
	$(BIN)/shoka init --if-needed
	$(BIN)/shoka demo --if-empty
	$(BIN)/shoka serve --site both --port $(PORT)

## test: the whole suite on SQLite, then again on PostgreSQL when a server is reachable
test: $(STAMP) test-sqlite test-postgresql release-gate

test-sqlite: $(STAMP)
	@echo "==> test suite on SQLite"
	SHOKA_TEST_DB=sqlite $(PYTEST) $(PYTEST_ARGS)

test-postgresql: $(STAMP)
	@if $(BIN)/python -m shoka.devtools.pg_reachable "$(PG_URL)"; then \
		echo "==> test suite on PostgreSQL ($(PG_URL))"; \
		SHOKA_TEST_DB=postgresql SHOKA_TEST_PG_URL="$(PG_URL)" $(PYTEST) $(PYTEST_ARGS); \
	else \
		echo "!!! NOTICE: PostgreSQL is not reachable at $(PG_URL): the PostgreSQL pass is SKIPPED."; \
	fi

## release-gate: build the sdist and wheel, scan them and `git archive HEAD` for personal data
## (docs/audit.md); fails (exit 3) when the scanner finds any
release-gate: $(STAMP)
	@echo "==> release gate: personal-data scan of the sdist, the wheel and the git tree"
	$(BIN)/python -m shoka.devtools.release_gate --out var/release-gate

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

## bench: benchmarks (not part of `make test`); results go to bench/results/
bench: $(STAMP)
	$(BIN)/python -m bench.circulation --db sqlite
	$(BIN)/python -m bench.search --db sqlite
	@if $(BIN)/python -m shoka.devtools.pg_reachable "$(PG_URL)"; then \
		$(BIN)/python -m bench.circulation --db postgresql --pg-url "$(PG_URL)"; \
		$(BIN)/python -m bench.search --db postgresql --pg-url "$(PG_URL)"; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
