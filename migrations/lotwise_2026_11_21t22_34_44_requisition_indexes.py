"""Hand-written: the requisitions' composite unique keys and the indexes their queries use.

A product appears once in a department's catalogue; a department has one approval policy;
requisitions are listed per department and status, and reports read them by submission time.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T22:34:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "requisition unique keys and indexes"

INDEXES = (
    "CREATE UNIQUE INDEX department_catalogue_key ON department_catalogue (department, product)",
    "CREATE UNIQUE INDEX approval_policy_key ON approval_policy (department)",
    "CREATE INDEX requisition_department_status ON requisition (department, status)",
    "CREATE INDEX requisition_submitted ON requisition (submitted_at)",
    "CREATE INDEX back_order_requisition_status ON back_order (requisition, status)",
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
