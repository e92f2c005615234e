# Gatehouse: `make run` sets up and serves on http://127.0.0.1:5000; `make test` runs every test.
# Each step installs only what changed (stamp files), so running again is quick and keeps data.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
# Caps glibc's malloc arenas: measured to halve peak memory under concurrent XML parsing.
export MALLOC_ARENA_MAX := 2

.PHONY: run test reliability scanners setup deps dev-deps assets db demo lint chromium bench clean

run: setup demo
	$(FLASK) serve

setup: deps assets db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.deps

dev-deps: deps $(VENV)/.dev-deps

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

assets: node_modules/.package-lock.json
	node scripts/build_assets.mjs

db: deps
	$(FLASK) migrate

demo: db
	$(FLASK) demo-data --if-empty

# Debian's chromium drives the browser tests; installed only when absent.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

lint: dev-deps
	$(BIN)/ruff check .

test: dev-deps assets chromium lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# The scanners of the reliability suite, each in its own venv: their exact pins clash with ours and each other's.
$(VENV)-wapiti/.installed: requirements-wapiti.txt
	$(PYTHON) -m venv $(VENV)-wapiti
	$(VENV)-wapiti/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-wapiti/bin/pip install --quiet -r requirements-wapiti.txt
	touch $@

$(VENV)-semgrep/.installed: requirements-semgrep.txt
	$(PYTHON) -m venv $(VENV)-semgrep
	$(VENV)-semgrep/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-semgrep/bin/pip install --quiet -r requirements-semgrep.txt
	touch $@

scanners: $(VENV)-wapiti/.installed $(VENV)-semgrep/.installed

# The standing reliability suite: crashes, load, backup under load, scanners (tests/reliability).
reliability: dev-deps assets scanners
	$(BIN)/python -m pytest -m reliability tests/reliability -q

bench: dev-deps assets
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(VENV)-wapiti $(VENV)-semgrep node_modules static/dist
