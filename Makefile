# shoka — two commands: `make run` and `make test`. Both bootstrap .venv from nothing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PORT   ?= 8000
export SHOKA_HOME ?= $(CURDIR)/var
# The browser tests (tests/e2e, docs/testing.md): Debian's chromium and fonts for Japanese,
# and axe-core from the npm registry, pinned by version and checksum, kept in var/node/.
CHROMIUM      := /usr/bin/chromium
AXE_VERSION   := 4.14.1
# sha256 of the npm tarball axe-core-$(AXE_VERSION).tgz (npm also checks the registry's sha512)
AXE_SHA256    := e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
export SHOKA_AXE_JS := $(CURDIR)/var/node/axe-core-$(AXE_VERSION).min.js
# pytest exits 5 when it collects nothing: report it, do not fail on it
PYTEST := sh -c '$(BIN)/pytest "$$@"; rc=$$?; if [ $$rc -eq 5 ]; then echo "NOTICE: pytest collected no tests"; exit 0; fi; exit $$rc' pytest

.PHONY: run test test-sqlite test-postgresql release-gate lint bench clean venv browser-deps

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

## test: the whole suite on SQLite and on PostgreSQL (when a server is reachable)
## The two passes run side by side, one per core (their databases, temporary folders and
## servers are separate); each pass's output is printed whole when it ends (--output-sync).
## `make test-sqlite` or `make test-postgresql` runs one alone.
test: $(STAMP) browser-deps
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql
	@$(MAKE) --no-print-directory release-gate

test-sqlite: $(STAMP) browser-deps
	@echo "==> test suite on SQLite"
	SHOKA_TEST_DB=sqlite $(PYTEST) $(PYTEST_ARGS)

test-postgresql: $(STAMP) browser-deps
	@if $(BIN)/python -m shoka.devtools.pg_reachable "$(PG_URL)"; then \
		echo "==> test suite on PostgreSQL ($(PG_URL))"; \
		SHOKA_TEST_DB=postgresql SHOKA_TEST_PG_URL="$(PG_URL)" $(PYTEST) $(PYTEST_ARGS); \
	else \
		echo "!!! NOTICE: PostgreSQL is not reachable at $(PG_URL): the PostgreSQL pass is SKIPPED."; \
	fi

## browser-deps: what tests/e2e needs. As root, `apt-get install` of Debian's chromium and a
## Japanese font when missing; axe-core from the npm registry. Whatever cannot be installed
## (not root, no network, no npm) is reported in a NOTICE, and the tests that need it skip.
browser-deps: $(SHOKA_AXE_JS)
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing=" chromium"; \
	fc-list :lang=ja 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "!!! NOTICE: not root, cannot apt-get install$$missing: browser tests will be SKIPPED (docs/testing.md)."; \
		exit 0; \
	fi; \
	echo "==> apt-get install$$missing (for tests/e2e)"; \
	if apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing >/dev/null; then \
		echo "    installed:$$missing"; \
	else \
		echo "!!! NOTICE: apt-get install$$missing failed: browser tests will be SKIPPED (docs/testing.md)."; \
	fi

$(SHOKA_AXE_JS):
	@if ! command -v npm >/dev/null; then \
		echo "!!! NOTICE: npm not found, cannot fetch axe-core: accessibility checks will be SKIPPED."; \
		exit 0; \
	fi; \
	echo "==> axe-core $(AXE_VERSION) from the npm registry into var/node/"; \
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	if (cd "$$tmp" && npm pack --silent --ignore-scripts axe-core@$(AXE_VERSION) >/dev/null) \
		&& echo "$(AXE_SHA256)  $$tmp/axe-core-$(AXE_VERSION).tgz" | sha256sum --check --quiet \
		&& tar -xzOf "$$tmp/axe-core-$(AXE_VERSION).tgz" package/axe.min.js >"$$tmp/axe.min.js"; then \
		mkdir -p $(@D) && mv "$$tmp/axe.min.js" $@; \
	else \
		echo "!!! NOTICE: could not fetch axe-core $(AXE_VERSION): accessibility checks will be SKIPPED."; \
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
	$(BIN)/mypy bench  # separately: checked together with src, mypy resolves bench/ differently

## bench: benchmarks (not part of `make test`); results go to bench/results/
bench: $(STAMP)
	$(BIN)/python -m bench.circulation --db sqlite
	$(BIN)/python -m bench.search --db sqlite
	$(BIN)/python -m bench.desk --db sqlite
	@if $(BIN)/python -m shoka.devtools.pg_reachable "$(PG_URL)"; then \
		$(BIN)/python -m bench.circulation --db postgresql --pg-url "$(PG_URL)"; \
		$(BIN)/python -m bench.search --db postgresql --pg-url "$(PG_URL)"; \
		$(BIN)/python -m bench.desk --db postgresql --pg-url "$(PG_URL)"; fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
