# The two entry points a newcomer needs: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
VENDOR_STAMP := govledger/portal/static/vendor/.installed

.PHONY: run test lint format install clean

install: $(STAMP) node_modules/.installed $(VENDOR_STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Solidity compiler (solcjs) and the Anvil JSON-RPC node come from npm, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The portal's browser libraries (sm-crypto, chart.js), copied from node_modules to be served locally.
$(VENDOR_STAMP): node_modules/.installed scripts/vendor_assets.py
	$(PYTHON) scripts/vendor_assets.py
	touch $@

run: install
	$(VENV)/bin/govledger run

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules .govledger .pytest_cache .mypy_cache .ruff_cache
