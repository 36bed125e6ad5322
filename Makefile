# Two commands do everything on a fresh clone with Python 3.11 and make:
#   make run    set up the virtualenv if needed, run the whole pipeline on raw/
#   make test   set up the virtualenv if needed, lint, run the whole test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# No usage statistics and no version checks leave this machine, from any tool.
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup browser postgres run test lint dev sample docs bench clean

setup: $(INSTALLED)

# requirements.lock pins every transitive package the pyproject's pins resolved to.
$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable '.[dev]'
	touch $@

run: setup
	$(BIN)/idream run

# The brief's browser test drives Debian's chromium (Playwright's own browser download is
# never used). CI runs as root on a fresh machine; elsewhere, install the package once.
browser:
	@command -v chromium >/dev/null || { \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

# The PostgreSQL tests start a throwaway server of their own from Debian's postgresql
# package (tests/postgres.py), never a server already running here. Installed like chromium.
postgres:
	@{ command -v initdb && command -v pg_ctl; } >/dev/null 2>&1 || \
		ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }

test: setup lint browser postgres
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

dev: setup
	$(BIN)/dg dev

sample: setup
	$(BIN)/idream generate-sample --out raw

# Each stage at x1, x100 and x1000 beside its floor; writes bench/results/latest.md (minutes).
bench: setup
	$(BIN)/python -m bench

# The catalog of every model and column, as one file that opens offline from disk.
docs: setup
	$(BIN)/idream dbt docs generate --static
	@echo "dbt docs: open transforms/target/static_index.html"

clean:
	rm -rf $(VENV) transforms/target transforms/logs
