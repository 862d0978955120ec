"""A throw-away PostgreSQL database for the system suites that need one.

The server is the one `.ci/run` starts (on developers' machines, any server the
``PAERIA_TEST_PG_ADMIN_DSN`` names, by default 127.0.0.1:5432 as user postgres).
Tests that need it skip, saying why, only when no server answers."""

import os
import pytest
import uuid


ADMIN_DSN = os.environ.get(
    "PAERIA_TEST_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)


def _connect(dsn):
    import psycopg2

    connection = psycopg2.connect(dsn, connect_timeout=5)
    connection.autocommit = True
    return connection


def admin_connection():
    import psycopg2

    try:
        return _connect(ADMIN_DSN)
    except psycopg2.OperationalError as error:
        pytest.skip(
            "no PostgreSQL server is reachable with PAERIA_TEST_PG_ADMIN_DSN="
            f"{ADMIN_DSN!r} ({' '.join(str(error).split())}); .ci/run starts one"
        )


def dsn_for(database):
    parts = [p for p in ADMIN_DSN.split() if not p.startswith("dbname=")]
    return " ".join([*parts, f"dbname={database}"])


class ScratchDatabase:
    def __init__(self, prefix="paeria_test"):
        self.name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.dsn = dsn_for(self.name)

    def __enter__(self):
        connection = admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            connection.close()
        return self

    def __exit__(self, *exc_info):
        connection = admin_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            connection.close()
