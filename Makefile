# The two commands: `make run` and `make test`. Everything else is for developers.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
PYTHON ?= python3

.PHONY: run test test-fast test-browser lint lock schema messages migrations screenshots bench soak clean

# Every dependency (and the test tools) at the version and hash of requirements.lock, then
# the project itself, without letting pip pick other versions.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Re-resolve requirements.lock from pyproject.toml (after changing a dependency, or to take
## new releases), then reinstall from it.
lock:
	test -x $(BIN)/uv || { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); $(BIN)/python -m pip install --quiet uv; }
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
	  --generate-hashes --upgrade --quiet -o requirements.lock
	$(MAKE) $(STAMP)

## Run the app on http://127.0.0.1:8000 (SQLite, development mailbox, sandbox payments).
run: $(STAMP)
	$(BIN)/sijil migrate
	$(BIN)/sijil demo
	$(BIN)/sijil serve --host 127.0.0.1 --port 8000

# graphql-http's audit (tests/tools), where Node is installed.
TOOLS_STAMP := tests/tools/node_modules/.package-lock.json
$(TOOLS_STAMP): tests/tools/package-lock.json
	if command -v npm >/dev/null 2>&1; then cd tests/tools && npm ci --no-audit --no-fund --loglevel=error; fi

## Run the whole suite: lint, the asyncio tests, then the browser tests (headless Chromium).
test: $(STAMP) $(TOOLS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not browser"
	$(BIN)/pytest -m browser -p no:asyncio; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ] || exit $$rc

test-fast: $(STAMP) $(TOOLS_STAMP)
	$(BIN)/pytest -m "not browser" -x -q

test-browser: $(STAMP)
	$(BIN)/pytest -m browser -p no:asyncio

lint: $(STAMP)
	$(BIN)/ruff check .

## Regenerate schema.graphql after changing the schema.
schema: $(STAMP)
	$(BIN)/python -c "from server.schema import printed_schema; open('schema.graphql', 'w').write(printed_schema())"

## Add new template and code strings to the catalogues (then translate the Arabic ones).
messages: $(STAMP)
	$(BIN)/python -m server.i18n_catalogue update

## Write a migration for model changes.
migrations: $(STAMP)
	$(BIN)/sijil makemigrations

clean:
	rm -rf $(VENV) var .pytest_cache

## Screenshots of pages in Arabic and English, phone and desktop, into docs/screenshots/.
screenshots: $(STAMP)
	$(BIN)/python -m tests.browser.screenshots

## Benchmarks (bench/run.py): a fresh database with 100,000 practitioners, the app on
## 127.0.0.1, wrk and asyncio load; writes bench/results/<date>.json and docs/performance.md.
## Needs Debian's wrk. BENCH_ARGS="--practitioners 20000" for a quicker run.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## Soak (bench/soak.py): a fresh SQLite database and the app on 127.0.0.1 under a steady mix for
## SOAK_ARGS="--minutes N" (default 5, at most 10); appends a "Soak" section to
## docs/performance.md. Not run in CI.
soak: $(STAMP)
	$(BIN)/python -m bench.soak $(SOAK_ARGS)
