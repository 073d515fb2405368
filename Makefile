# The README's two commands. Needs only Python 3.11+ and make; everything else goes into .venv.
#
#   make run                               the product with demo data, until Ctrl-C
#   make test                              the tests
#   make test PYTEST_ARGS="tests/queueing -x"
#   make check                             ruff, the format check and mypy: what CI runs first
#
# DATABASE_URL, REDIS_URL, CI and the other settings come from the environment (see README.md).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Re-install only when pyproject.toml is newer than this stamp.
STAMP := $(VENV)/.branchsite-installed
VAR_DIR := $(or $(BRANCHSITE_VAR_DIR),var)
PORT ?= 8000
PYTEST_ARGS ?=

export PORT

.DEFAULT_GOAL := help
.PHONY: help run test check venv clean

help:
	@echo "make run    sets up and runs branchsite with demo data: http://127.0.0.1:$(PORT)/"
	@echo "make test   sets up and runs the tests (extra pytest arguments: PYTEST_ARGS=...)"
	@echo "make check  lints (ruff), checks the formatting (ruff format) and the types (mypy)"
	@echo "make venv   only sets up .venv"
	@echo "make clean  removes .venv and the demo data in $(VAR_DIR)/"

venv: $(STAMP)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"branchsite needs Python 3.11 or newer; choose one with: make PYTHON=python3.12 ...")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	@echo "Installing branchsite and its dependencies into $(VENV) ..."
	$(PY) -m pip install --quiet --editable ".[dev]"
	@touch $@

run: export DEBUG := 1
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	@mkdir -p $(VAR_DIR)
	@$(PY) manage.py seed_demo --always-open > $(VAR_DIR)/seed_demo.txt \
		|| { cat $(VAR_DIR)/seed_demo.txt; exit 1; }
	@exec $(PY) scripts/run_demo.py --banner $(VAR_DIR)/seed_demo.txt

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Fails on any finding. `ruff check --fix .` and `ruff format .` fix most of what the first two find.
check: export DEBUG := 1
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

clean:
	rm -rf $(VENV) $(VAR_DIR) staticfiles .pytest_cache .mypy_cache .ruff_cache
