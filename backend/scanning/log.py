"""Writing the scan log with group commit: one statement for the rows of all scans waiting.

Every scan waits until its own row is committed (nothing is acknowledged before it is stored),
but concurrent scans share the statement (``batching.Batcher``, ``statements.insert_rows``):
while one batch is being written, the next gathers, so under load the cost of a commit (on
SQLite also the single write lock and the sync to disk) is paid once per batch instead of once
per scan, and scans never queue on the database's lock against each other.

A batch whose data the database refuses (a constraint, a value) is split in halves and each
half written again, down to the single row: one bad row costs only its own scan an error,
never the others their rows (nor a wrong answer: each waiter gets the id of its own row). A
batch that fails as a whole (database locked or gone) fails every scan in it; none of them is
answered as logged.
"""

from __future__ import annotations

from typing import Any, Final

from backend.scanning.batching import Batcher
from backend.scanning.statements import insert_rows, is_row_error
from backend.scanning.tables import ScanLog

COLUMNS: Final = {
    c._meta.db_column_name: c.column_type
    for c in ScanLog._meta.columns
    if c is not ScanLog._meta.primary_key
}
"""Every column but the id: the keys of a row given to ``write`` (a missing one is NULL)."""


async def _write_batch(rows: list[dict[str, Any]]) -> list[int | Exception]:
    """One statement for the batch; if the database refuses some row's data, the halves
    apart, down to the row at fault."""
    try:
        return list(await insert_rows("scan_log", COLUMNS, rows))
    except Exception as error:
        if len(rows) == 1 or not is_row_error(error):
            return [error] * len(rows)
    half = len(rows) // 2
    return [*await _write_batch(rows[:half]), *await _write_batch(rows[half:])]


_writer: Batcher[dict[str, Any], int] = Batcher(_write_batch)


async def write(values: dict[str, Any]) -> int:
    """Store one scan_log row (column name → value) and return its id once committed."""
    assert values.keys() <= COLUMNS.keys(), f"not scan_log columns: {values.keys() - COLUMNS}"
    return await _writer.submit(values)
