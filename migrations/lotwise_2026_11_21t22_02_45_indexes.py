"""Hand-written: composite unique keys and the outbox's partial index.

Unique indexes work the same on SQLite and PostgreSQL, where SQLite cannot
ALTER TABLE ... ADD CONSTRAINT; the partial index keeps the dispatcher's
"unpublished events" query cheap however many events were published.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T22:02:45:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique keys and outbox index"

INDEXES = (
    "CREATE UNIQUE INDEX packaging_agency_di ON packaging (agency, di)",
    "CREATE UNIQUE INDEX supplier_product_terms ON supplier_product (supplier, product)",
    "CREATE UNIQUE INDEX location_warehouse_code ON location (warehouse, code)",
    "CREATE UNIQUE INDEX department_budget_period ON department_budget (department, period)",
    "CREATE UNIQUE INDEX department_quota_key ON department_quota (department, product, period)",
    "CREATE INDEX outbox_event_unpublished ON outbox_event (id) WHERE published_at IS NULL",
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
