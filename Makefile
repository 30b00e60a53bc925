# Everything a fresh machine needs: `make run` and `make test` set up the venv themselves.
PYTHON ?= python3
VENV ?= .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint generate clean

run: $(STAMP)
	$(VENV)/bin/arm-emulator serve

test: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { apt-get update && apt-get install -y python3-venv; }
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .arm-emulator .pytest_cache

include Makefile.generate
