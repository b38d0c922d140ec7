"""Hand-written: open pick lists count their open lines (a confirmation decrements the count
under the list's row lock, so the last one closes the list even when two lines are confirmed
at once), and, on PostgreSQL, the function a one-statement write calls to undo itself when a
required change changed nothing (backend/core/write.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T06:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "open line counts, and lotwise_require for one-statement writes"

REQUIRE = """
CREATE OR REPLACE FUNCTION lotwise_require(ok boolean[]) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. coalesce(array_length(ok, 1), 0) LOOP
        IF NOT ok[i] THEN
            RAISE EXCEPTION USING ERRCODE = 'LW001', MESSAGE = 'required change ' || i;
        END IF;
    END LOOP;
    RETURN true;
END
$$
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="lotwise", description=DESCRIPTION)

    async def count_and_create() -> None:
        from piccolo.engine import engine_finder

        db = engine_finder()
        assert db is not None
        await db.run_ddl(
            "UPDATE pick_list SET open_lines = (SELECT COUNT(*) FROM pick_line l "
            "WHERE l.pick_list = pick_list.id AND l.status = 'open')"
        )
        if db.engine_type != "sqlite":
            await db.run_ddl(REQUIRE)

    manager.add_raw(count_and_create)
    return manager
