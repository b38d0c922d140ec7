"""Many changes written as one: all of them, or none.

On PostgreSQL the changes run as one statement, each a data-modifying WITH: one round trip, and
atomic without BEGIN or COMMIT when no transaction is open. A change can be *required*: it must
change at least one row (its condition, such as ``status = 'open'`` or ``reserved >= 3``, is
re-checked on the newest version of the row under its lock). If one changes nothing, the
statement raises and PostgreSQL undoes every change in it; the caller then raises the change's
refusal. Where one statement cannot hold the changes (it cannot change a row twice, and unique
indexes are checked row by row, so an order between changes would not hold), and on SQLite,
which has no data-modifying WITH, the same changes run in order inside one transaction.

The function ``lotwise_require`` that raises is created by a migration (PostgreSQL only).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from backend.core import db
from backend.core.errors import ChangedMeanwhile

T = TypeVar("T")

Refusal = Callable[[], Awaitable[Exception]]
"""Builds the error a failed required change is refused with (it may read what is there now)."""

REQUIRED_SQLSTATE = "LW001"


@dataclass(frozen=True, slots=True)
class Change:
    sql: str
    """INSERT, UPDATE or DELETE with ``{}`` placeholders (a required one ends in RETURNING), or
    a SELECT: a required one checks that a row is still as it was read."""
    args: tuple[Any, ...]
    refusal: Refusal | None
    uses: int | None
    """An earlier change whose RETURNING rows this one reads, as ``w<n>``."""


class Refused(Exception):
    def __init__(self, change: Change) -> None:
        super().__init__(change.sql)
        self.change = change


@dataclass(slots=True)
class Write:
    changes: list[Change] = field(default_factory=list)
    in_order: bool = False
    """Set when the changes must run one after the other (see the module's note)."""

    def add(
        self, sql: str, *args: Any, required: Refusal | None = None, uses: int | None = None
    ) -> int:
        """Add a change; returns its number ``n``. A later change may read this one's RETURNING
        rows as ``w<n>`` (declaring ``uses=n``): its condition can then depend on what this
        one changed, such as a count that reached 0."""
        self.changes.append(Change(sql, args, required, uses))
        return len(self.changes) - 1

    @property
    def one_statement(self) -> bool:
        return not self.in_order and not db.is_sqlite()

    async def run(self) -> None:
        """Write every change, or raise ``Refused`` naming the first required one that changed
        nothing, having written nothing. Run it outside a transaction (``UnitOfWork.apply``
        does): on PostgreSQL a refused statement aborts the transaction it runs in, and the
        refusal may need to read what is there now."""
        if self.one_statement:
            await self._run_as_one_statement()
            return
        async with db.transaction():
            returned: list[list[dict[str, Any]]] = []
            for change in self.changes:
                sql, args = change.sql, change.args
                if change.uses is not None:
                    sql, args = _with_rows(change.uses, returned[change.uses], sql, args)
                rows = await db.fetch(sql, *args)
                if change.refusal is not None and not rows:
                    raise Refused(change)
                returned.append(rows)

    async def _run_as_one_statement(self) -> None:
        parts: list[str] = []
        args: list[Any] = []
        required: list[tuple[int, Change]] = []
        for n, change in enumerate(self.changes):
            parts.append(f"w{n} AS ({change.sql})")
            args += change.args
            if change.refusal is not None:
                required.append((n, change))
        checks = ", ".join(f"EXISTS (SELECT 1 FROM w{n})" for n, _ in required)
        final = f"SELECT lotwise_require(ARRAY[{checks}])" if required else "SELECT 1"
        try:
            await db.fetch(f"WITH {', '.join(parts)} {final}", *args)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) != REQUIRED_SQLSTATE:
                raise
            failed = int(str(getattr(exc, "message", exc)).rsplit(" ", 1)[-1])
            raise Refused(required[failed - 1][1]) from None


def _with_rows(
    n: int, rows: list[dict[str, Any]], sql: str, args: tuple[Any, ...]
) -> tuple[str, tuple[Any, ...]]:
    """Change ``n``'s RETURNING rows as the ``w<n>`` a later change reads, run in order."""
    if not rows:
        return f"WITH w{n}(none) AS (SELECT NULL WHERE 1 = 0) {sql}", args
    columns = list(rows[0])
    spliced = [r[c] for r in rows for c in columns]
    marks = iter(_typed(v) for v in spliced)
    values = ", ".join("(" + ", ".join(next(marks) for _ in columns) + ")" for _ in rows)
    return f"WITH w{n}({', '.join(columns)}) AS (VALUES {values}) {sql}", (*spliced, *args)


def _typed(value: Any) -> str:
    """A placeholder PostgreSQL can type inside VALUES (it would take it as text)."""
    if db.is_sqlite() or value is None:
        return "{}"
    if isinstance(value, bool):
        return "CAST({} AS BOOLEAN)"
    if isinstance(value, int):
        return "CAST({} AS BIGINT)"
    return "{}"


class Stale(Exception):
    """What a use case read before writing changed before its write: read again."""


async def stale() -> Exception:
    """The refusal of a change that holds only while what was read is unchanged."""
    return Stale()


STALE_ATTEMPTS = 5


async def retrying_stale(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run a read-then-write use case again while its write finds its reads stale (another
    user wrote the same rows in between); after ``STALE_ATTEMPTS`` say so."""
    for _ in range(STALE_ATTEMPTS):
        try:
            return await attempt()
        except Stale:
            continue
    raise ChangedMeanwhile()
