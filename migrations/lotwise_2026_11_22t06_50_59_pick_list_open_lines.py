from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T06:50:59:519534"
VERSION = "1.38.0"
DESCRIPTION = "pick list counts its open lines"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="lotwise", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="PickList",
        tablename="pick_list",
        column_name="open_lines",
        db_column_name="open_lines",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
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
