"""Alerts, the versioned rule set, stock policies, the drafts alerts create, push subscriptions,
webhooks and their deliveries."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.auth.tables import User
from backend.catalog.tables import Product
from backend.sites.tables import Location, Warehouse


class AlertRuleSetVersion(Table, tablename="alert_rule_set_version"):
    """One version of the rule set's parameters. Versions are never changed: an edit or a
    rollback writes a new row and moves the active pointer."""

    id = BigSerial(primary_key=True)
    version = Integer(unique=True, help_text="1, 2, 3, ... in the order written")
    params = JSON(help_text="The whole RuleSet document (backend/alerts/ruleset.py)")
    note = Varchar(length=500, null=True, default=None, help_text="Why it changed")
    based_on = Integer(
        null=True, default=None, help_text="Version it was edited from / rolled back to"
    )
    created_by = Integer(null=True, default=None)
    created_by_name = Varchar(length=150)
    created_at = Timestamptz(default=TimestamptzNow())


class AlertRuleSetActive(Table, tablename="alert_rule_set_active"):
    """The active version pointer: a single row (id 1)."""

    version = Integer(help_text="The AlertRuleSetVersion.version in force")
    changed_at = Timestamptz(default=TimestamptzNow())


class Alert(Table, tablename="alert"):
    """One alert per (rule, subject), for ever: raised, escalated, resolved and raised again in
    place. Unique (rule, subject): unique index in migrations/ (SQLite adds no constraints)."""

    id = BigSerial(primary_key=True)
    rule = Varchar(length=40, help_text="The rule's name (backend/alerts/rules.py RULES)")
    subject = Varchar(length=120, help_text="What it is about, e.g. lot:12@wh:3")
    state = Varchar(length=20, default="open", help_text="open, acknowledged, snoozed, resolved")
    severity = Varchar(length=10, help_text="info, warning or critical")
    level = Integer(default=1, help_text="The threshold crossed; higher is worse")
    audience = Varchar(
        length=200, default=",", help_text="Roles told, as ',role,role,' (filterable with LIKE)"
    )
    warehouse = Integer(null=True, default=None, index=True)
    department = Integer(null=True, default=None, index=True)
    product = Integer(null=True, default=None, index=True)
    lot = BigInt(null=True, default=None, index=True)
    location = Integer(null=True, default=None)
    facts = JSON(default={}, help_text="The condition's figures when last evaluated")
    raised_at = Timestamptz(default=TimestamptzNow(), help_text="Last raised (or raised again)")
    updated_at = Timestamptz(default=TimestamptzNow())
    escalated_at = Timestamptz(null=True, default=None)
    acknowledged_at = Timestamptz(null=True, default=None)
    acknowledged_by = Integer(null=True, default=None)
    snoozed_until = Timestamptz(null=True, default=None)
    snooze_reason = Varchar(length=500, null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    times_raised = Integer(default=1)


class StockPolicy(Table, tablename="stock_policy"):
    """Minimum, reorder point and par level of a product in a warehouse, or in one
    point-of-use location (a ward cabinet's par level). Unique (product, warehouse, location)
    with location NULL counted as one value: unique index in migrations/."""

    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    warehouse = ForeignKey(Warehouse, null=False, on_delete=OnDelete.restrict, index=True)
    location = ForeignKey(
        Location,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        index=True,
        help_text="Set for a point-of-use par level; empty for the whole warehouse",
    )
    minimum = Integer(null=True, default=None, help_text="Base units; below it is low stock")
    reorder_point = Integer(null=True, default=None, help_text="Base units; reorder below it")
    par_level = Integer(null=True, default=None, help_text="Base units a ward cabinet holds")
    created_at = Timestamptz(default=TimestamptzNow())


class PurchaseRequisition(Table, tablename="purchase_requisition"):
    """A draft purchase requisition (请购单) created from an alert; purchasing takes it on."""

    id = BigSerial(primary_key=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    warehouse = ForeignKey(Warehouse, null=False, on_delete=OnDelete.restrict, index=True)
    quantity = Integer(help_text="Base units suggested")
    status = Varchar(length=20, default="draft", help_text="draft (later: submitted, ordered)")
    alert = BigInt(null=True, default=None, index=True)
    note = Varchar(length=500, null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class CycleCountTask(Table, tablename="cycle_count_task"):
    """Count this product/lot/location now (a small stocktake), created from an alert."""

    id = BigSerial(primary_key=True)
    warehouse = ForeignKey(Warehouse, null=False, on_delete=OnDelete.restrict, index=True)
    location = Integer(null=True, default=None)
    product = Integer(null=True, default=None)
    lot = BigInt(null=True, default=None)
    status = Varchar(length=20, default="open", help_text="open, done or cancelled")
    alert = BigInt(null=True, default=None, index=True)
    note = Varchar(length=500, null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class TransferSuggestion(Table, tablename="transfer_suggestion"):
    """Move stock from one warehouse to another (or to a ward): a suggestion to turn into a
    transfer order."""

    id = BigSerial(primary_key=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    lot = BigInt(null=True, default=None)
    from_warehouse = Integer(null=True, default=None)
    to_warehouse = Integer(null=True, default=None)
    to_location = Integer(null=True, default=None)
    quantity = Integer()
    status = Varchar(length=20, default="suggested", help_text="suggested, accepted, dismissed")
    alert = BigInt(null=True, default=None, index=True)
    note = Varchar(length=500, null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SensorLocation(Table, tablename="alert_sensor_location"):
    """Which location a temperature sensor (device bridge reading) watches."""

    sensor = Varchar(length=64, unique=True)
    location = ForeignKey(Location, null=False, on_delete=OnDelete.restrict, index=True)


class PushSubscription(Table, tablename="push_subscription"):
    """A browser's Web Push subscription, per user and device."""

    id = BigSerial(primary_key=True)
    user = ForeignKey(User, null=False, on_delete=OnDelete.restrict, index=True)
    endpoint = Varchar(length=1000, unique=True, help_text="The push service URL")
    p256dh = Varchar(length=200, help_text="The browser's public key (base64url)")
    auth = Varchar(length=100, help_text="The browser's auth secret (base64url)")
    device = Varchar(length=200, null=True, default=None, help_text="A label: 'Pixel 7, Chrome'")
    created_at = Timestamptz(default=TimestamptzNow())
    last_sent_at = Timestamptz(null=True, default=None)


class AlertWebhook(Table, tablename="alert_webhook"):
    """An outgoing webhook: generic signed JSON, WeCom (企业微信) or DingTalk (钉钉) robot."""

    name = Varchar(length=100)
    kind = Varchar(length=20, help_text="generic, wecom or dingtalk")
    url = Varchar(length=1000)
    secret = Varchar(
        length=200,
        null=True,
        default=None,
        help_text="generic: HMAC key; dingtalk: the robot's signing secret",
    )
    min_severity = Varchar(length=10, default="warning")
    warehouse = Integer(null=True, default=None, help_text="Only this warehouse's alerts")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class WebhookDelivery(Table, tablename="alert_webhook_delivery"):
    """One event to one webhook: its own row and attempts, so a dead endpoint blocks nothing
    else. Unique (webhook, event_id): unique index in migrations/."""

    id = BigSerial(primary_key=True)
    webhook = ForeignKey(AlertWebhook, null=False, on_delete=OnDelete.restrict, index=True)
    event_id = BigInt(help_text="The outbox event delivered")
    topic = Varchar(length=40)
    alert = BigInt(index=True)
    status = Varchar(
        length=20,
        default="pending",
        index=True,
        help_text="pending, delivered or failed (attempts exhausted)",
    )
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    last_error = Text(null=True, default=None)
    last_status = Integer(null=True, default=None, help_text="HTTP status of the last attempt")
    delivered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
