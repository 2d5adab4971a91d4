# Territory Planner: two commands. `make run` sets up and serves the app;
# `make test` sets up (including Debian's chromium for browser tests) and runs every test.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: run test setup setup-dev browser lint bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

run: setup
	$(PY) -m app serve --host $(HOST) --port $(PORT)

# Debian's chromium and chromium-driver, only if missing (never a browser download).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

test: setup-dev browser
	$(PY) -m ruff check .
	$(PY) -m pytest --headless

lint: setup-dev
	$(PY) -m ruff check .

# Speed is measured, not asserted: each benchmark prints its figures and ratios from one run.
BENCHES := simulation scenario_page metrics dashboards balance sample import
bench: setup-dev
	@for b in $(BENCHES); do echo "== bench_$$b"; $(PY) -m tests.benchmarks.bench_$$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
