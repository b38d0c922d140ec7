"""One SQL statement for a whole batch of scans: the batch goes in as ONE JSON parameter, the
answer of a read comes back as ONE JSON value.

The statement's text does not depend on the batch size (planned once on PostgreSQL), and
neither the values going in nor the rows coming out pass through per-value Python code
(Piccolo's query building, SQLite's per-row type converters and row factory).

How a statement runs, outside any transaction (a single statement is atomic by itself):

- PostgreSQL: ``db.fetch``, one round trip.
- SQLite: every awaited query is a hop into another thread, and on a busy event loop a thread
  waits for the GIL (up to the switch interval, 5 ms) each time it needs it. So a read runs on
  the event loop's own thread: an indexed look-up of a batch takes less time than one hop,
  and in WAL mode a reader does not wait for writers (if it ever must, it gives up after
  ``READ_BUSY_TIMEOUT_S`` and goes through Piccolo instead). A write (it may wait for the
  write lock, and syncs to disk) runs in a thread of its own, one hop per statement; the
  connection autocommits, so the rows are committed when the call returns.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import msgspec
from piccolo.engine.sqlite import SQLiteEngine

from backend.core import db

READ_BUSY_TIMEOUT_S: Final = 0.05


def keys_source(columns: Mapping[str, str], alias: str = "k") -> str:
    """A FROM item ``<alias>(i, <columns>)`` over the rows of the JSON parameter (``{}``, see
    ``json_param``). ``columns`` maps each name to its PostgreSQL type; SQLite takes the JSON
    values as they are."""
    if db.is_sqlite():
        fields = ", ".join(f"json_extract(value, '$.{c}') AS \"{c}\"" for c in columns)
        return f"(SELECT json_extract(value, '$.i') AS i, {fields} FROM json_each({{}})) AS {alias}"
    fields = ", ".join(f'"{c}" {kind}' for c, kind in columns.items())
    return f"json_to_recordset({{}}::json) AS {alias}(i int, {fields})"


def json_param(rows: Sequence[Mapping[str, Any]]) -> str:
    """The parameter of a ``keys_source``; each row's ``i`` is its position. Dates are written
    as ISO dates; give a timestamp as the text its column stores."""
    return msgspec.json.encode([{"i": i, **row} for i, row in enumerate(rows)]).decode()


def _json_objects(fields: Mapping[str, str]) -> str:
    """An aggregate: all rows as one JSON array of objects ``{name: expression}``."""
    pairs = ", ".join(f"'{name}', {expression}" for name, expression in fields.items())
    if db.is_sqlite():
        return f"json_group_array(json_object({pairs}))"
    return f"coalesce(json_agg(json_build_object({pairs})), '[]'::json)"


async def select_objects(
    fields: Mapping[str, str], from_where: str, param: str
) -> list[dict[str, Any]]:
    """``SELECT <fields> FROM <from_where>`` as dicts: dates as ISO text, booleans as
    true/false (PostgreSQL) or 1/0 (SQLite)."""
    sql = f"SELECT {_json_objects(fields)} AS objects FROM {from_where}"
    engine = db.engine()
    text: str | None = None
    if isinstance(engine, SQLiteEngine):
        try:
            text = _reader(engine).execute(sql.replace("{}", "?"), [param]).fetchone()[0]
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
    if text is None:
        rows = await db.fetch(sql, param)
        text = rows[0]["objects"]
    objects: list[dict[str, Any]] = msgspec.json.decode(text)
    return objects


async def insert_rows(
    table: str, columns: Mapping[str, str], rows: list[dict[str, Any]]
) -> list[int]:
    """Insert the rows (column name → value; ``columns`` maps every name to its PostgreSQL
    type) in one statement, committed when this returns; their ids, in the order given."""
    names = ", ".join(f'"{name}"' for name in columns)
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {keys_source(columns, 'r')} "
        "ORDER BY r.i"
    )
    param = json_param(rows)
    engine = db.engine()
    if isinstance(engine, SQLiteEngine):
        loop = asyncio.get_running_loop()
        last, count = await loop.run_in_executor(
            _write_thread, _sqlite_insert, engine, sql.replace("{}", "?"), param
        )
        if count != len(rows):
            raise RuntimeError(f"{count} rows inserted of {len(rows)}")
        # One statement holding the write lock: its rows got consecutive ids, in order.
        return list(range(last - count + 1, last + 1))
    inserted = await db.fetch(sql + " RETURNING id", param)
    # Ids come from the sequence in the order of ORDER BY r.i; sorting does not rely on the
    # order RETURNING happens to use.
    return sorted(int(r["id"]) for r in inserted)


def is_row_error(error: BaseException) -> bool:
    """The database refused the data of some row (a constraint, a value), rather than failing
    as a whole (locked, gone, out of space): trying the rows apart can save the others."""
    if isinstance(error, sqlite3.IntegrityError | sqlite3.DataError):
        return True
    # asyncpg's errors carry the SQLSTATE: class 22 is data exception, 23 integrity constraint.
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate[:2] in ("22", "23")


_readers: dict[tuple[int, str], sqlite3.Connection] = {}


def _connect(engine: SQLiteEngine, **options: Any) -> sqlite3.Connection:
    """A connection opened like the engine's own (file, types, autocommit)."""
    connection: sqlite3.Connection = sqlite3.connect(**{**engine.connection_kwargs, **options})
    connection.execute("PRAGMA foreign_keys = 1")
    return connection


def _reader(engine: SQLiteEngine) -> sqlite3.Connection:
    """This thread's read-only connection."""
    key = (threading.get_ident(), str(engine.path))
    connection = _readers.get(key)
    if connection is None:
        connection = _readers[key] = _connect(engine, timeout=READ_BUSY_TIMEOUT_S)
        connection.execute("PRAGMA query_only = 1")
    return connection


_write_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan-batch-writer")
_writers: dict[str, sqlite3.Connection] = {}
"""The write thread's connections, by database file (used only on that thread)."""


def _sqlite_insert(engine: SQLiteEngine, sql: str, param: str) -> tuple[int, int]:
    connection = _writers.get(str(engine.path))
    if connection is None:
        connection = _writers[str(engine.path)] = _connect(engine, check_same_thread=False)
    cursor = connection.execute(sql, [param])
    return int(cursor.lastrowid or 0), cursor.rowcount
