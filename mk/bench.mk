# Benchmarks and the slow hardening tests; included by the main Makefile (after STAMP and VENV are set).
#   make bench                          the full run, writes benchmarks/results.md (several minutes)
#   make bench BENCH_ARGS=--quick       a smoke run;  BENCH_ARGS="--profile --http" for profiles and plain HTTP
#   make test-hard                      the hardening tests marked `hardening` (crash loops, fuzzing)
BENCH_ARGS ?=

.PHONY: bench test-hard

bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	$(VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

test-hard: $(STAMP)
	$(VENV)/bin/python -m pytest -m hardening tests/hardening
