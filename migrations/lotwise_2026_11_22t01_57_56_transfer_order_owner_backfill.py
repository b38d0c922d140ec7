"""Hand-written: transfer orders that requisitions made before the owner column existed are
marked as theirs, so only the requisition moves them. Same on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T01:57:56:000000"
VERSION = "1.38.0"
DESCRIPTION = "requisition transfer orders marked as owned"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="lotwise", description=DESCRIPTION)

    async def mark_requisition_orders() -> None:
        from piccolo.engine import engine_finder

        db = engine_finder()
        assert db is not None
        await db.run_ddl(
            "UPDATE transfer_order SET owner = 'requisition' "
            "WHERE id IN (SELECT transfer_order FROM requisition_shipment)"
        )

    manager.add_raw(mark_requisition_orders)
    return manager
