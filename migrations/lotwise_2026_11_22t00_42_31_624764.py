"""Generated (--auto), then edited: audit entries are written unsealed and sealed after commit,
so ``seq`` (the chain position) is new and ``prev_hash``/``hash`` may be empty.

SQLite has no ALTER COLUMN: there the NOT NULLs are dropped by rebuilding the table (its own
DDL with the two constraints removed; no foreign key points at it), in place of the two
alter_column steps, which stay below so the schema snapshot of later --auto runs is right.
Sequence numbers of existing entries and the indexes: the hand-written migration after this.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.querystring import QueryString

ID = "2026-11-22T00:42:31:624764"
VERSION = "1.38.0"
DESCRIPTION = "audit entries sealed after commit"


NOT_NULL = {
    "\"prev_hash\" VARCHAR(64) NOT NULL DEFAULT ''": '"prev_hash" VARCHAR(64) DEFAULT null',
    "\"hash\" VARCHAR(64) UNIQUE NOT NULL DEFAULT ''": '"hash" VARCHAR(64) UNIQUE DEFAULT null',
}


async def _sqlite_drop_not_null() -> None:
    from piccolo.engine import engine_finder

    db = engine_finder()
    assert db is not None
    (table,) = await db.run_querystring(
        QueryString("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_entry'")
    )
    ddl = table["sql"]
    for old, new in NOT_NULL.items():
        if old not in ddl:
            raise RuntimeError(f"audit_entry DDL is not as expected: {ddl}")
        ddl = ddl.replace(old, new)
    ddl = ddl.replace('"audit_entry"', '"audit_entry_rebuilt"', 1)
    indexes = await db.run_querystring(
        QueryString(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_entry' "
            "AND sql IS NOT NULL"
        )
    )
    await db.run_ddl(ddl)
    await db.run_ddl('INSERT INTO "audit_entry_rebuilt" SELECT * FROM "audit_entry"')
    await db.run_ddl('DROP TABLE "audit_entry"')
    await db.run_ddl('ALTER TABLE "audit_entry_rebuilt" RENAME TO "audit_entry"')
    for index in indexes:
        await db.run_ddl(index["sql"])


class _Manager(MigrationManager):
    async def _run_alter_columns(self, backwards: bool = False) -> None:
        from piccolo.engine import engine_finder

        db = engine_finder()
        if db is not None and db.engine_type == "sqlite" and not backwards:
            await _sqlite_drop_not_null()
            return
        await super()._run_alter_columns(backwards=backwards)


async def forwards() -> MigrationManager:
    manager = _Manager(migration_id=ID, app_name="lotwise", description=DESCRIPTION)

    manager.add_column(
        table_class_name="AuditEntry",
        tablename="audit_entry",
        column_name="seq",
        db_column_name="seq",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="AuditEntry",
        tablename="audit_entry",
        column_name="prev_hash",
        db_column_name="prev_hash",
        params={"default": None, "null": True},
        old_params={"default": "", "null": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="AuditEntry",
        tablename="audit_entry",
        column_name="hash",
        db_column_name="hash",
        params={"default": None, "null": True},
        old_params={"default": "", "null": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
