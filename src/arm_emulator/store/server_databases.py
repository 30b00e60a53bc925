"""Empty databases on a database server, for the test suites and benchmarks that give each store or
server a database of its own (`make test-postgres`, the PostgreSQL column of `make bench`)."""

from __future__ import annotations

import sqlalchemy
from sqlalchemy.engine import make_url


def create_empty_database(server_url: str, name: str) -> str:
    """Make database `name` on the server `server_url` points at; its URL, password kept."""
    admin = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
