# Runegate: `make run` serves on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3
# pytest-xdist workers for `make test` (each gets its own PostgreSQL database).
TEST_WORKERS ?= auto
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint bench bench-peers bench-scim bench-orgs bench-soak docs clean

$(BIN)/python:
	@echo ">> creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "Runegate needs Python >= 3.11" >&2; exit 1)
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@echo ">> installing pinned dependencies"
	@$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml $(STAMP)
	@echo ">> installing dev dependencies"
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(STAMP)
	@$(BIN)/runegate serve --setup

test: $(DEV_STAMP)
	@echo ">> running tests (SQLite$${RUNEGATE_TEST_DATABASE_URL:+ and PostgreSQL})"
	@$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	@$(BIN)/ruff check src tests
	@$(BIN)/ruff format --check src tests
	@$(BIN)/mypy
	@$(BIN)/lint-imports --no-cache

bench: $(DEV_STAMP)
	@$(BIN)/python -m bench.run

bench-peers: $(DEV_STAMP)
	@$(BIN)/python -m bench.peers

# SCIM at a million users in PostgreSQL, alone (USERS=1000000 by default).
bench-scim: $(DEV_STAMP)
	@$(BIN)/python -m bench.scim_million $(USERS)

# B2B organizations: 10,000 sub-organizations of depth 5 in PostgreSQL (BENCH_ORGS=10000).
bench-orgs: $(DEV_STAMP)
	@$(BIN)/python -m bench.orgs_scale $(ORGS)

# Soak: 10 minutes of mixed traffic against two nodes on PostgreSQL (BENCH_SOAK_SECONDS).
bench-soak: $(DEV_STAMP)
	@$(BIN)/python -m bench.soak

docs: $(STAMP)
	@$(BIN)/runegate config-docs > docs/configuration.md

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
