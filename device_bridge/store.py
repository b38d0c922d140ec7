"""The durable local queue: a SQLite file (WAL) holding every frame from capture until acked.

A frame is committed (SQLite fsyncs with ``synchronous=FULL``) before it is ever sent, and is
deleted only when the server acknowledges its id. ``seq`` is AUTOINCREMENT so it never goes
back, even after every row was deleted: the uplink relies on it to send in capture order.
Frames the server refuses for good (and bytes that are not text) go to ``dead_letters``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

from device_bridge.errors import QueueUnavailable
from device_bridge.frames import encode, rfc3339_utc
from device_bridge.framing import Captured, Undecodable

P = ParamSpec("P")
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    captured_at TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
    id TEXT PRIMARY KEY,
    captured_at TEXT NOT NULL,
    dead_at TEXT NOT NULL,
    code TEXT NOT NULL,
    detail TEXT NOT NULL,
    body BLOB NOT NULL
);
"""

#: Dead-letter code for bytes that did not decode in the port's encoding.
UNDECODABLE = "UNDECODABLE"


@dataclass(frozen=True, slots=True)
class Pending:
    """A queued frame: its capture order, its id and the JSON to send."""

    seq: int
    id: str
    body: bytes


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A frame that will not be sent again, and why."""

    id: str
    captured_at: str
    dead_at: str
    code: str
    detail: str
    body: bytes


@dataclass(frozen=True, slots=True)
class QueueStats:
    """What ``status`` prints."""

    depth: int
    oldest_captured_at: str | None
    dead_letters: int


class FrameStore:
    """The queue itself; blocking, used from one thread at a time (see AsyncFrameStore)."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        """Open (``create``: and set up) the queue; ``create=False`` is for readers like status."""
        path = Path(path)
        if not create and not path.exists():
            raise FileNotFoundError(path)
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, a batch is one transaction.
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 5000")
            if create:
                self._db.execute("PRAGMA journal_mode = WAL")
                # FULL makes each COMMIT fsync the WAL: a frame counts as captured once on disk.
                self._db.execute("PRAGMA synchronous = FULL")
                self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise QueueUnavailable(f"cannot open the queue {path}: {exc}") from exc

    def close(self) -> None:
        self._db.close()

    def append(self, items: Sequence[Captured]) -> None:
        """Store captured frames in order, in one transaction."""
        if not items:
            return
        with self._transaction():
            for item in items:
                if isinstance(item, Undecodable):
                    self._db.execute(
                        "INSERT OR IGNORE INTO dead_letters VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            item.id,
                            item.captured_at,
                            rfc3339_utc(),
                            UNDECODABLE,
                            item.error,
                            encode(item),
                        ),
                    )
                else:
                    # OR IGNORE: storing the same frame twice (a retried batch) is harmless.
                    self._db.execute(
                        "INSERT OR IGNORE INTO outbox (id, captured_at, body) VALUES (?, ?, ?)",
                        (item.id, item.captured_at, encode(item)),
                    )

    def fetch_after(self, seq: int, limit: int) -> list[Pending]:
        """Up to ``limit`` queued frames captured after ``seq``, oldest first."""
        rows = self._db.execute(
            "SELECT seq, id, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
        ).fetchall()
        return [Pending(seq=row[0], id=row[1], body=row[2]) for row in rows]

    def ack(self, ids: Sequence[str]) -> None:
        """Forget frames the server has stored."""
        if not ids:
            return
        with self._transaction():
            self._db.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids])

    def dead_letter(self, refusals: Sequence[tuple[str, str, str]]) -> None:
        """Move frames the server refused, as ``(id, code, detail)``, to the dead letters."""
        if not refusals:
            return
        now = rfc3339_utc()
        with self._transaction():
            for frame_id, code, detail in refusals:
                self._db.execute(
                    "INSERT OR REPLACE INTO dead_letters "
                    "SELECT id, captured_at, ?, ?, ?, body FROM outbox WHERE id = ?",
                    (now, code, detail, frame_id),
                )
                self._db.execute("DELETE FROM outbox WHERE id = ?", (frame_id,))

    def locate(self, frame_id: str) -> str | None:
        """``"queued"``, ``"dead"`` or None (acked, or never seen) for one frame id."""
        if self._db.execute("SELECT 1 FROM outbox WHERE id = ?", (frame_id,)).fetchone():
            return "queued"
        if self._db.execute("SELECT 1 FROM dead_letters WHERE id = ?", (frame_id,)).fetchone():
            return "dead"
        return None

    def stats(self) -> QueueStats:
        depth, oldest = self._db.execute("SELECT count(*), min(captured_at) FROM outbox").fetchone()
        (dead,) = self._db.execute("SELECT count(*) FROM dead_letters").fetchone()
        return QueueStats(depth=depth, oldest_captured_at=oldest, dead_letters=dead)

    def dead_letters(self, limit: int = 20) -> list[DeadLetter]:
        """The most recent dead letters, newest first."""
        rows = self._db.execute(
            "SELECT id, captured_at, dead_at, code, detail, body FROM dead_letters "
            "ORDER BY dead_at DESC, captured_at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [DeadLetter(*row) for row in rows]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


class AsyncFrameStore:
    """The FrameStore for the event loop: every call runs on one dedicated thread, in order.

    One thread keeps SQLite's single connection safe and keeps calls in submission order: an
    ack submitted before a fetch is applied before that fetch reads.
    """

    def __init__(self, store: FrameStore) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="frame-store")

    @classmethod
    async def open(cls, path: str | Path) -> AsyncFrameStore:
        return cls(await asyncio.to_thread(FrameStore, path))

    async def append(self, items: Sequence[Captured]) -> None:
        await self._call(self.store.append, items)

    async def fetch_after(self, seq: int, limit: int) -> list[Pending]:
        return await self._call(self.store.fetch_after, seq, limit)

    async def ack(self, ids: Sequence[str]) -> None:
        await self._call(self.store.ack, ids)

    async def dead_letter(self, refusals: Sequence[tuple[str, str, str]]) -> None:
        await self._call(self.store.dead_letter, refusals)

    async def locate(self, frame_id: str) -> str | None:
        return await self._call(self.store.locate, frame_id)

    async def stats(self) -> QueueStats:
        return await self._call(self.store.stats)

    async def close(self) -> None:
        await self._call(self.store.close)
        self._executor.shutdown(wait=True)

    async def _call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)
