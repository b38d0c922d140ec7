"""Hand-written: the stock ledger's composite unique keys and the indexes its queries need.

- lot (product, lot_number) and serial (product, serial) are unique;
- a balance is unique per (location, lot) without serial, per (location, lot, serial) with one
  (two partial indexes: NULLs are distinct in a plain unique index);
- a serial is on hand in at most one place: unique (serial) where on_hand > 0, so the database
  itself refuses a second place;
- FEFO (and FIFO) read balances with something available in allocation order, straight from
  an index, and stop at the first rows that are usable;
- the ledger is read by lot, serial and location in entry order (lot page, trace).
Partial and composite indexes work the same on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T22:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stock unique keys and query indexes"

INDEXES = (
    "CREATE UNIQUE INDEX lot_product_number ON lot (product, lot_number)",
    "CREATE INDEX lot_product_expiry ON lot (product, expiry, first_received_at)",
    "CREATE INDEX lot_expiry ON lot (expiry)",
    "CREATE UNIQUE INDEX serial_number_product_serial ON serial_number (product, serial)",
    "CREATE UNIQUE INDEX stock_balance_lot_key ON stock_balance (location, lot) "
    "WHERE serial IS NULL",
    "CREATE UNIQUE INDEX stock_balance_serial_key ON stock_balance (location, lot, serial) "
    "WHERE serial IS NOT NULL",
    "CREATE UNIQUE INDEX stock_balance_serial_one_place ON stock_balance (serial) "
    "WHERE serial IS NOT NULL AND on_hand > 0",
    "CREATE INDEX stock_balance_fefo ON stock_balance "
    "(product, expiry, received_at, lot, location, id) WHERE on_hand > reserved",
    "CREATE INDEX stock_balance_fifo ON stock_balance (product, received_at, lot, location, id) "
    "WHERE on_hand > reserved",
    "CREATE INDEX stock_balance_product_location ON stock_balance (product, location)",
    "CREATE INDEX stock_ledger_lot ON stock_ledger (lot, id)",
    "CREATE INDEX stock_ledger_serial ON stock_ledger (serial, id) WHERE serial IS NOT NULL",
    "CREATE INDEX stock_ledger_location ON stock_ledger (location, id)",
    "CREATE INDEX stock_ledger_document ON stock_ledger (document_type, document_id)",
    "CREATE INDEX lot_status_event_lot_at ON lot_status_event (lot, at)",
    "CREATE UNIQUE INDEX receipt_line_number ON receipt_line (receipt, line_no)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="lotwise", description=DESCRIPTION)

    async def create_indexes() -> None:
        from piccolo.engine import engine_finder

        db = engine_finder()
        assert db is not None
        for sql in INDEXES:
            await db.run_ddl(sql)

    manager.add_raw(create_indexes)
    return manager
