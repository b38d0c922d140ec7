"""Hand-written: reserving stock touches no indexed column, so PostgreSQL can update the row in
place (a HOT update: no new entry in any of the balance's indexes).

The FEFO and FIFO indexes were partial on ``on_hand > reserved``, which made ``reserved`` an
indexed column and every reservation write an entry into every index of stock_balance. They are
now partial on ``on_hand > 0``: the scans still read only balances with stock (and skip the
fully reserved ones by their condition). On PostgreSQL the table keeps a fifth of each page free
for those in-place updates. The same index text works on SQLite.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:42:33:000000"
VERSION = "1.38.0"
DESCRIPTION = "stock balance indexes that let reservations update in place"

STATEMENTS = (
    "DROP INDEX stock_balance_fefo",
    "CREATE INDEX stock_balance_fefo ON stock_balance "
    "(product, expiry, received_at, lot, location, id) WHERE on_hand > 0",
    "DROP INDEX stock_balance_fifo",
    "CREATE INDEX stock_balance_fifo ON stock_balance (product, received_at, lot, location, id) "
    "WHERE on_hand > 0",
)
POSTGRES_ONLY = ("ALTER TABLE stock_balance SET (fillfactor = 80)",)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="lotwise", description=DESCRIPTION)

    async def rebuild_indexes() -> None:
        from piccolo.engine import engine_finder

        db = engine_finder()
        assert db is not None
        for sql in STATEMENTS:
            await db.run_ddl(sql)
        if db.engine_type == "postgres":
            for sql in POSTGRES_ONLY:
                await db.run_ddl(sql)

    manager.add_raw(rebuild_indexes)
    return manager
