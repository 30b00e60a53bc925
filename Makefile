# Everything a fresh machine needs: `make run` and `make test` set up the venv themselves.
PYTHON ?= python3
VENV ?= .venv
STAMP := $(VENV)/.installed-stamp
# The real Azure CLI for `make test-clients`, in a venv of its own (its pins clash with the SDKs in $(VENV)).
AZURE_CLI_VERSION := 2.91.0
AZCLI_VENV := .venv-azcli
AZCLI_STAMP := $(AZCLI_VENV)/.installed-azure-cli-$(AZURE_CLI_VERSION)
# The official JavaScript SDKs for `make test-clients`, pinned in tests/clients/js/package.json.
JS_DIR := tests/clients/js
JS_STAMP := $(JS_DIR)/node_modules/.installed-stamp
# Older Python SDK releases, each at its own default api-version (tests/clients/test_legacy_sdk.py),
# in a venv of their own: they cannot share $(VENV) with the current releases of the same packages.
# azure-mgmt-healthcareapis 1.1.0 imports six without depending on it.
SDK_LEGACY_PACKAGES := azure-mgmt-healthcareapis==1.1.0 azure-mgmt-deviceupdate==1.0.0 six azure-identity azure-mgmt-resource
SDK_LEGACY_VENV := .venv-sdk-legacy
_space := $(subst ,, )
# Named after the package list, so changing the list reinstalls.
SDK_LEGACY_STAMP := $(SDK_LEGACY_VENV)/.installed-$(subst ==,-,$(subst $(_space),+,$(SDK_LEGACY_PACKAGES)))
# Tests that need those clients are deselected (not skipped) from `make test`.
CLIENT_MARKERS := azcli or jsclient or legacysdk

# Fragments: the browser for the dashboard test, benchmarks, docker, PostgreSQL (make test-postgres). Included
# before the rules below so their variables are set when those rules read them; `run` stays the default goal.
.DEFAULT_GOAL := run
-include mk/*.mk

.PHONY: run test test-clients lint generate clean

run: $(STAMP)
	$(VENV)/bin/arm-emulator serve

test: $(STAMP) $(BROWSER_STAMP)
	$(VENV)/bin/ruff check src tests tools
	$(VENV)/bin/python -m pytest -m "not ($(CLIENT_MARKERS) or hardening or docker)"

# Drives the real `az`, the JavaScript SDKs and older Python SDKs against the emulator (tests/clients/).
test-clients: $(STAMP) $(AZCLI_STAMP) $(JS_STAMP) $(SDK_LEGACY_STAMP)
	ARM_EMULATOR_AZ=$(CURDIR)/$(AZCLI_VENV)/bin/az ARM_EMULATOR_LEGACY_PYTHON=$(CURDIR)/$(SDK_LEGACY_VENV)/bin/python \
		$(VENV)/bin/python -m pytest -m "$(CLIENT_MARKERS)" tests/clients

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests tools

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { apt-get update && apt-get install -y python3-venv; }
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Order-only on $(STAMP): that recipe makes sure `python3 -m venv` works.
$(AZCLI_STAMP): | $(STAMP)
	test -x $(AZCLI_VENV)/bin/python || $(PYTHON) -m venv $(AZCLI_VENV)
	$(AZCLI_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AZCLI_VENV)/bin/python -m pip install --quiet 'azure-cli==$(AZURE_CLI_VERSION)'
	rm -f $(AZCLI_VENV)/.installed-azure-cli-*
	touch $@

# Order-only on $(STAMP), as above.
$(SDK_LEGACY_STAMP): | $(STAMP)
	test -x $(SDK_LEGACY_VENV)/bin/python || $(PYTHON) -m venv $(SDK_LEGACY_VENV)
	$(SDK_LEGACY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SDK_LEGACY_VENV)/bin/python -m pip install --quiet $(SDK_LEGACY_PACKAGES)
	rm -f $(SDK_LEGACY_VENV)/.installed-*
	touch $@

$(JS_STAMP): $(JS_DIR)/package.json
	@command -v npm >/dev/null 2>&1 || { apt-get update && apt-get install -y nodejs npm; }
	cd $(JS_DIR) && npm install --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) $(AZCLI_VENV) $(SDK_LEGACY_VENV) $(JS_DIR)/node_modules .arm-emulator .pytest_cache

include Makefile.generate
