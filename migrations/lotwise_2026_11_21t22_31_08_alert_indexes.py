"""Hand-written: the alerts' composite unique keys and the indexes their queries use.

Unique (rule, subject) is the alerts' dedupe key and the target of the evaluation's
INSERT ... ON CONFLICT; a stock policy is unique per product, warehouse and location (NULL, the
whole warehouse, counted as one value); a webhook delivery is unique per (webhook, event).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-21T22:31:08:000000"
VERSION = "1.38.0"
DESCRIPTION = "alert unique keys and indexes"

INDEXES = (
    "CREATE UNIQUE INDEX alert_rule_subject ON alert (rule, subject)",
    "CREATE INDEX alert_state_severity ON alert (state, severity)",
    "CREATE UNIQUE INDEX stock_policy_key ON stock_policy "
    "(product, warehouse, COALESCE(location, 0))",
    "CREATE UNIQUE INDEX alert_webhook_delivery_key ON alert_webhook_delivery (webhook, event_id)",
    "CREATE INDEX alert_webhook_delivery_due ON alert_webhook_delivery (status, next_attempt_at)",
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
