# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP_PY := $(VENV)/.installed
STAMP_NODE := reports/node_modules/.installed

export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export PYTHONPATH := $(CURDIR)/orchestration
export DO_NOT_TRACK := 1

.PHONY: run run-spark test test-spark benchmark setup serve dagster lint format docs clean browser

run: setup ## Set up, then load the demo extracts, build, check and publish the report site
	$(PY) -m loyalty_warehouse run

test: setup browser ## Set up, then run the whole test suite
	$(PY) -m pytest -n 2 --dist loadgroup

run-spark: setup ## The same pipeline with dbt on Apache Spark (SPARK_MASTER, default local[2])
	LOYALTY_DBT_TARGET=spark $(PY) -m loyalty_warehouse run --skip-docs

test-spark: setup ## Only the DuckDB-vs-Spark parity tests (local and standalone master)
	$(PY) -m pytest tests/test_spark_parity.py -v

benchmark: setup ## Figures for docs/performance.md: make benchmark TIER=medium
	$(PY) benchmarks/run.py --tier $(or $(TIER),demo)

setup: $(STAMP_PY) $(STAMP_NODE)

# uv installs the locked set in seconds; bytecode is compiled so imports stay fast.
$(STAMP_PY): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV) pip sync --quiet --python $(PY) --compile-bytecode requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $@

# Not `npm ci`: the registry here lacks other platforms' optional binaries, so the lock file
# cannot list them and `npm ci` refuses. `install` installs exactly the locked versions, leaves
# the lock file untouched and then checks node_modules against it (reports/README.md).
$(STAMP_NODE): reports/package-lock.json reports/package.json reports/scripts/patch-duckdb-client.mjs $(STAMP_PY)
	$(PY) -m loyalty_warehouse.report_site install
	touch $@

# Report tests drive Debian's chromium (no browser download works offline).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

serve: ## Serve the built report site on http://127.0.0.1:3000
	$(PY) -m http.server 3000 --bind 127.0.0.1 --directory reports/build

dagster: setup ## Dagster UI on http://127.0.0.1:3001
	$(VENV)/bin/dagster dev -m loyalty_warehouse.definitions -h 127.0.0.1 -p 3001

lock: ## Re-resolve requirements.lock after editing pyproject.toml
	$(UV) pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

lint: setup
	$(VENV)/bin/ruff check orchestration tests benchmarks
	$(VENV)/bin/ruff format --check orchestration tests benchmarks

format: setup
	$(VENV)/bin/ruff format orchestration tests benchmarks
	$(VENV)/bin/ruff check --fix orchestration tests benchmarks

docs: setup ## Regenerate docs/landing-contract.md and the dbt sources from the contract
	$(PY) -m loyalty_warehouse.contract_docs
	$(PY) -m loyalty_warehouse.exposures

clean: ## Remove the warehouse and built outputs (keeps installed dependencies)
	rm -rf data reports/build reports/.evidence/template/static/data dbt_project/target
