"""Hand-written, PostgreSQL only: a reservation's product, lot, serial and location are copies of
its balance's, which never change, and the pick line keeps its foreign key to that balance (whose
own keys check all four). The pick line's four copies drop their foreign key constraints, so
writing a 50-line pick list checks two parents per line instead of five (each check reads and
key-share-locks the parent row). The columns stay as they are in the tables and on SQLite.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:42:34:000000"
VERSION = "1.38.0"
DESCRIPTION = "pick line: no foreign key checks on the copies of its balance's keys"

COPIES = ("product", "lot", "serial", "location")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="lotwise", description=DESCRIPTION)

    async def drop_copy_constraints() -> None:
        from piccolo.engine import engine_finder

        db = engine_finder()
        assert db is not None
        if db.engine_type != "postgres":
            return
        for column in COPIES:
            await db.run_ddl(
                f"ALTER TABLE pick_line DROP CONSTRAINT IF EXISTS pick_line_{column}_fkey"
            )

    manager.add_raw(drop_copy_constraints)
    return manager
