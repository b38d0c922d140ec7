"""Test set-up: one throwaway database per run (SQLite file or a PostgreSQL database created on
the local server and dropped at the end), migrated once, emptied between tests.

LOTWISE_TEST_DB=sqlite (default) or postgres chooses the backend; `make test` runs both.
With CI=true an unreachable PostgreSQL or Redis fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("LOTWISE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("LOTWISE_TEST_REDIS", "redis://127.0.0.1:6379/15")
BACKEND = os.environ.get("LOTWISE_TEST_DB", "sqlite")
IN_CI = os.environ.get("CI", "").lower() == "true"
_PG_DB = f"lotwise_test_{os.getpid()}_{secrets.token_hex(3)}"
_TMP = tempfile.mkdtemp(prefix="lotwise-test-")


async def _pg_admin(sql: str) -> None:
    import asyncpg

    con = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await con.execute(sql)
    finally:
        await con.close()


def _pg_url(db: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{db}"


# The engine is bound when piccolo_conf is first imported, so the URL is set here, before any
# test module imports the backend.
if BACKEND == "postgres":
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{_PG_DB}"'))
    except Exception as exc:  # unreachable server
        message = f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {exc!r}"
        if IN_CI:
            raise SystemExit(f"CI=true and {message}") from exc
        pytest.exit(f"skipping the PostgreSQL run: {message}", returncode=0)
    os.environ["DATABASE_URL"] = _pg_url(_PG_DB)
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(_TMP) / 'lotwise.db'}"
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ["LOTWISE_PWA_DIST"] = str(Path(_TMP) / "no-pwa")

import piccolo_conf  # noqa: E402, F401  (binds the engine now)


def pytest_report_header(config: pytest.Config) -> str:
    return f"lotwise database: {BACKEND} ({os.environ['DATABASE_URL']})"


def pytest_unconfigure(config: pytest.Config) -> None:
    if BACKEND == "postgres":
        try:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_PG_DB}" WITH (FORCE)'))
        except Exception as exc:  # pragma: no cover - best effort clean-up
            print(f"could not drop {_PG_DB}: {exc!r}")


@pytest.fixture(scope="session")
def backend_name() -> str:
    return BACKEND


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[None]:
    from backend.cli import migrate_database
    from backend.core import db
    from backend.settings import get_settings

    await db.start(get_settings())
    await migrate_database()
    yield
    await db.stop()


@pytest.fixture
async def clean_tables(database: None) -> AsyncIterator[None]:
    """Empties every table after the test; integration and e2e tests use it automatically."""
    yield
    await truncate_all()


async def truncate_all() -> None:
    from piccolo.table import sort_table_classes

    from backend.core import db
    from backend.piccolo_app import APP_CONFIG

    # Children before parents: SQLite enforces foreign keys on DELETE.
    tables = sort_table_classes(list(APP_CONFIG.table_classes))
    names = [t._meta.tablename for t in reversed(tables)]
    if db.is_sqlite():
        async with db.transaction():
            for name in names:
                await db.fetch(f'DELETE FROM "{name}"')
            if await db.fetch("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'"):
                await db.fetch("DELETE FROM sqlite_sequence")
    else:
        # DELETE and resetting the sequences takes milliseconds on these small tables, where
        # TRUNCATE of every table takes most of a second per test.
        deletes = "; ".join(f'DELETE FROM "{n}"' for n in names)
        await db.fetch(
            "DO $$ BEGIN "
            + deletes
            + "; PERFORM setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema(); "
            "END $$"
        )


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A reachable Redis (database 15, flushed), or a skip; a failure when CI=true."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"CI=true and Redis at {REDIS_TEST_URL} is unreachable: {exc!r}")
        pytest.skip(f"Redis unreachable: {exc!r}")
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()
