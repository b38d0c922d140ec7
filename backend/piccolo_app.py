"""The one Piccolo app: every table of every domain, and the migrations folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

TABLE_MODULES = [
    "backend.core.tables",
    "backend.audit.tables",
    "backend.auth.tables",
    "backend.catalog.tables",
    "backend.sites.tables",
    "backend.stock.tables",
    "backend.receiving.tables",
    "backend.devices.tables",
    "backend.scanning.tables",
    "backend.alerts.tables",
    "backend.requisitions.tables",
]

APP_CONFIG = AppConfig(
    app_name="lotwise",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations"),
    table_classes=table_finder(modules=TABLE_MODULES, exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
