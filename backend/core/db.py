"""The database engine chosen from DATABASE_URL, transactions, and raw SQL helpers."""

from __future__ import annotations

import functools
import sqlite3
import string
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from backend.core.pg_engine import SafePostgresEngine
from backend.core.sqlite_pool import PooledSQLiteEngine
from backend.settings import Settings

# SQLite waits this long for another writer's lock before raising "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30.0


def make_engine(settings: Settings) -> Engine[Any]:
    """SQLite for `sqlite:///...`, PostgreSQL (asyncpg) for `postgresql://...`."""
    url = settings.database_url
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # The busy timeout makes writers queue, not fail; connections are kept open and reused.
        return PooledSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "postgresql+asyncpg"}:
        raise ValueError(
            f"DATABASE_URL must start with sqlite:/// or postgresql://, not {scheme}://"
        )
    return SafePostgresEngine(config={"dsn": url.replace("postgresql+asyncpg://", "postgresql://")})


def prepare_sqlite_file(path: str) -> None:
    """WAL lets readers run beside the one writer; it is a property of the file, set once."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


_engine: Engine[Any] | None = None


def engine() -> Engine[Any]:
    """piccolo_conf.DB, found once: the tables are bound to it when they are defined, so it
    never changes in a process (Piccolo's finder imports the conf module on every call)."""
    global _engine
    if _engine is None:
        from piccolo.engine import engine_finder

        found = engine_finder()
        if found is None:  # pragma: no cover - piccolo_conf always defines DB
            raise RuntimeError("piccolo_conf.DB is not defined")
        _engine = found
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE),
    so two writers queue on the busy timeout instead of failing half-way with SQLITE_BUSY."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


def in_transaction() -> bool:
    return engine().current_transaction.get() is not None


def is_unique_violation(exc: BaseException) -> bool:
    """A unique index refused a write (asyncpg's UniqueViolationError, sqlite3's
    IntegrityError "UNIQUE constraint failed")."""
    if type(exc).__name__ == "UniqueViolationError":
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE constraint failed" in str(exc)


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run raw SQL inside the current transaction, if any. Values go in as `{}` placeholders
    (Piccolo's QueryString), never by string formatting."""
    db = engine()
    if isinstance(db, PostgresEngine) and db.pool is not None and not _nested(args):
        # The hot path: the same statement text as Piccolo would send, numbered once per text
        # (Piccolo re-parses the template on every call), straight to asyncpg.
        query = _numbered(sql)
        current = db.current_transaction.get()
        if current is not None:
            rows = await current.connection.fetch(query, *args)
        else:
            async with db.pool.acquire() as connection:
                rows = await connection.fetch(query, *args)
    else:
        from piccolo.querystring import QueryString

        rows = await db.run_querystring(QueryString(sql, *args))
    # asyncpg answers with Records, SQLite with dicts: callers get dicts from both.
    return [dict(row) for row in rows or []]


def _nested(args: tuple[Any, ...]) -> bool:
    """A QueryString or a Column among the values: Piccolo splices those into the text."""
    from piccolo.columns import Column
    from piccolo.querystring import QueryString

    return any(isinstance(a, (QueryString, Column)) for a in args)


@functools.lru_cache(maxsize=2048)
def _numbered(template: str) -> str:
    """``{}`` placeholders as PostgreSQL's ``$1, $2, ...``, the way Piccolo's QueryString
    compiles them (``{{`` and ``}}`` stand for literal braces)."""
    parts: list[str] = []
    for n, (literal, field, _spec, _conversion) in enumerate(string.Formatter().parse(template)):
        parts.append(literal)
        if field is not None:
            parts.append(f"${n + 1}")
    return "".join(parts)


def and_in(column: str, values: Iterable[Any]) -> tuple[str, list[Any]]:
    """`` AND <column> IN ({}, ...)`` over the distinct values, and its parameters; an empty
    set matches nothing."""
    distinct = sorted(set(values))
    if not distinct:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join('{}' for _ in distinct)})", distinct


def as_date(value: Any) -> date | None:
    """A date as the database hands it back: a date (PostgreSQL) or ISO text (SQLite), or a
    timestamp's date."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> datetime | None:
    """A timestamp as the database hands it back: SQLite answers aggregates of timestamps as
    text (UTC when it names no offset)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_users = 0


async def _keep_session(connection: object) -> None:
    """asyncpg's pool, on release, rolls back an open transaction and then by default sends
    ``RESET ALL; UNLISTEN *; CLOSE ALL; pg_advisory_unlock_all()``: a round trip per request.
    Lotwise keeps no session state on pooled connections (advisory locks are transaction-scoped,
    LISTEN has its own connection, no session SET), so the rollback is all a release needs."""


async def start(settings: Settings) -> None:
    """Open the connection pool; nested start/stop pairs (a CLI command inside a test, the
    app's lifespan inside a session) share one pool, closed by the last stop."""
    global _users
    _users += 1
    if _users > 1:
        return
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(
            # asyncpg opens 10 at start by default and refuses a smaller maximum.
            min_size=min(10, settings.pg_pool_max),
            max_size=settings.pg_pool_max,
            reset=_keep_session,
        )
    elif isinstance(db, SQLiteEngine):
        prepare_sqlite_file(db.path)


async def stop() -> None:
    global _users
    _users = max(0, _users - 1)
    if _users:
        return
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
    elif isinstance(db, PooledSQLiteEngine):
        await db.close_pool()
