"""Hand-written: picks and puts update a balance in place (HOT on PostgreSQL).

The FEFO, FIFO and "a serial in one place" indexes were partial on ``on_hand > 0``, which made
``on_hand`` an indexed column: every take and put wrote a new entry into all ten indexes of
stock_balance. They are now partial on ``in_stock``, a column the database computes from
``on_hand > 0``; PostgreSQL compares the indexed values before and after an update, so a take
or a put that leaves stock on both sides of it writes no index entry at all (the table keeps a
fifth of each page free for such updates). Queries that want those indexes say ``in_stock``.

``in_stock`` is not declared on the Piccolo table: the database maintains it and nothing writes
it. Stored on PostgreSQL (an index predicate needs it there), virtual on SQLite (ALTER TABLE can
add only those).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T03:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stock balance indexes partial on a computed in_stock"

ADD_COLUMN = {
    "postgres": "ALTER TABLE stock_balance ADD COLUMN in_stock BOOLEAN "
    "GENERATED ALWAYS AS (on_hand > 0) STORED",
    "sqlite": "ALTER TABLE stock_balance ADD COLUMN in_stock BOOLEAN "
    "GENERATED ALWAYS AS (on_hand > 0) VIRTUAL",
}
INDEXES = (
    "DROP INDEX stock_balance_fefo",
    "CREATE INDEX stock_balance_fefo ON stock_balance "
    "(product, expiry, received_at, lot, location, id) WHERE in_stock",
    "DROP INDEX stock_balance_fifo",
    "CREATE INDEX stock_balance_fifo ON stock_balance (product, received_at, lot, location, id) "
    "WHERE in_stock",
    "DROP INDEX stock_balance_serial_one_place",
    "CREATE UNIQUE INDEX stock_balance_serial_one_place ON stock_balance (serial) "
    "WHERE serial IS NOT NULL AND in_stock",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="lotwise", description=DESCRIPTION)

    async def rebuild_indexes() -> None:
        from piccolo.engine import engine_finder

        db = engine_finder()
        assert db is not None
        await db.run_ddl(ADD_COLUMN["sqlite" if db.engine_type == "sqlite" else "postgres"])
        for sql in INDEXES:
            await db.run_ddl(sql)

    manager.add_raw(rebuild_indexes)
    return manager
