"""Generated (--auto): a transfer order's owner (the next migration marks older ones)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T01:57:55:225056"
VERSION = "1.38.0"
DESCRIPTION = "transfer order owner"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="lotwise", description=DESCRIPTION)

    manager.add_column(
        table_class_name="TransferOrder",
        tablename="transfer_order",
        column_name="owner",
        db_column_name="owner",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 30,
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

    return manager
