# Benchmarks and the slow hardening tests; included by the main Makefile (after STAMP and VENV are set).
#   make bench                          the full run, writes benchmarks/results.md (several minutes),
#                                       with a PostgreSQL column on a private server (1 and 3 replicas)
#   make bench BENCH_ARGS=--quick       a smoke run;  BENCH_ARGS="--profile --http" for profiles and plain HTTP
#   make test-hard                      the hardening tests marked `hardening` (crash loops, fuzzing)
BENCH_ARGS ?=

.PHONY: bench test-hard

# The PostgreSQL column runs on a private server the run starts and deletes (tools/with-private-postgres).
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; }
	tools/with-private-postgres $(VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

test-hard: $(STAMP)
	$(VENV)/bin/python -m pytest -m hardening tests/hardening
