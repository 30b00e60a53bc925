# Headless Chromium for tests/control/test_dashboard.py: Debian's package, driven over the DevTools
# protocol by the test itself (no WebDriver, no browser download). `make test` depends on $(BROWSER_STAMP).
VENV ?= .venv
CHROMIUM ?= /usr/bin/chromium
BROWSER_STAMP := $(VENV)/.browser-stamp

$(BROWSER_STAMP):
	test -x $(CHROMIUM) || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	$(CHROMIUM) --version 2>/dev/null
	mkdir -p $(dir $@)
	touch $@
