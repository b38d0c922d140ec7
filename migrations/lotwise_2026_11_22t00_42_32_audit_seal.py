"""Hand-written: the audit chain's seal positions.

Entries written before sealing existed were chained in id order at insert time, so their
position is their id (positions only need to be unique and increasing; the sealer continues
after the largest). ``seq`` is unique, the chain is walked by it, and the sealer finds what is
still unsealed through a partial index. Works the same on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:42:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit chain seal positions and indexes"

STATEMENTS = (
    "UPDATE audit_entry SET seq = id WHERE seq IS NULL AND hash IS NOT NULL",
    "CREATE UNIQUE INDEX audit_entry_seq ON audit_entry (seq)",
    "CREATE INDEX audit_entry_unsealed ON audit_entry (id) WHERE seq IS NULL",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="lotwise", description=DESCRIPTION)

    async def seal_positions() -> None:
        from piccolo.engine import engine_finder

        db = engine_finder()
        assert db is not None
        for sql in STATEMENTS:
            await db.run_ddl(sql)

    manager.add_raw(seal_positions)
    return manager
