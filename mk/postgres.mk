# PostgreSQL, as a shared emulator runs it (README, "A shared emulator"); included by the main Makefile.
#   make test-postgres    the store contract, the HTTP contract suites and the replica tests
#                         (tests/postgres) on a private PostgreSQL server: a temporary cluster on a
#                         unix socket, stopped and deleted afterwards (tools/with-private-postgres)
POSTGRES_TESTS := tests/store tests/arm/test_http_contract.py tests/arm/test_lro_http.py \
	tests/control/test_control_api.py tests/postgres

.PHONY: test-postgres

test-postgres: $(STAMP)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; }
	tools/with-private-postgres $(VENV)/bin/python -m pytest -m "not sqlite_only" $(POSTGRES_TESTS)
