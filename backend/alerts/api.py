"""/api/v1 alerts inbox, badge counts, acknowledge, snooze, actions; the rule set (get, update,
versions, rollback); Web Push subscriptions; webhooks (admin); stock policies."""

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter
from msgspec import Meta

from backend.alerts import push, service, webhooks
from backend.alerts.ruleset import RuleSet, Severity
from backend.alerts.tables import SensorLocation, StockPolicy
from backend.auth.guards import CurrentActor, requires
from backend.auth.rules import Permission
from backend.core.errors import InvalidInput, NotFound
from backend.core.pagination import Limit, Offset, Page, page_of
from backend.core.params import PathId
from backend.core.structs import Input, Output, set_fields, to_output
from backend.core.unit_of_work import unit_of_work
from backend.sites.tables import Location

Note = Annotated[str, Meta(max_length=500)]


# ---- alerts ----------------------------------------------------------------------------------


class AlertOut(Output, kw_only=True):
    id: int
    rule: str
    subject: str
    state: str
    severity: str
    level: int
    title: str
    title_en: str
    roles: list[str]
    warehouse: int | None
    department: int | None
    product: int | None
    lot: int | None
    location: int | None
    facts: dict[str, Any]
    raised_at: dt.datetime
    updated_at: dt.datetime
    escalated_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: int | None
    snoozed_until: dt.datetime | None
    snooze_reason: str | None
    resolved_at: dt.datetime | None
    times_raised: int


class CountsOut(Output, kw_only=True):
    open: int
    by_state: dict[str, int]
    open_by_severity: dict[str, int]


class SnoozeIn(Input, kw_only=True):
    until: dt.datetime
    reason: Annotated[str, Meta(min_length=1, max_length=500)]


class ActionIn(Input, kw_only=True):
    kind: Literal["requisition", "cycle_count", "transfer", "hold"]
    quantity: Annotated[int, Meta(ge=1, le=10_000_000)] | None = None
    to_warehouse: Annotated[int, Meta(ge=1)] | None = None
    to_location: Annotated[int, Meta(ge=1)] | None = None
    note: Note | None = None


class ActionOut(Output, kw_only=True):
    kind: str
    id: int
    """The requisition, cycle-count task or transfer suggestion created; the lot held."""
    alert: int
    status: str


StateQuery = Annotated[
    Literal["active", "open", "acknowledged", "snoozed", "resolved"] | None,
    QueryParameter(
        name="state",
        description="active (default: not resolved), open, acknowledged, snoozed, resolved",
    ),
]


class AlertController(Controller):
    path = "/api/v1/alerts"
    tags = ["alerts"]

    @get("/", **requires(Permission.alerts_read))
    async def inbox(
        self,
        actor: CurrentActor,
        severity: Annotated[Severity | None, QueryParameter()] = None,
        rule: Annotated[
            str | None, QueryParameter(max_length=40, description="The alert type")
        ] = None,
        warehouse: Annotated[int | None, QueryParameter(ge=1)] = None,
        alert_state: StateQuery = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[AlertOut]:
        rows, total = await service.inbox(
            actor,
            service.InboxFilter(severity, rule, warehouse, alert_state),
            limit=limit,
            offset=offset,
        )
        return page_of(rows, AlertOut, total, limit, offset)

    @get("/counts", **requires(Permission.alerts_read))
    async def counts(self, actor: CurrentActor) -> CountsOut:
        return to_output(await service.counts(actor), CountsOut)

    @get("/{alert_id:int}", **requires(Permission.alerts_read))
    async def read(self, actor: CurrentActor, alert_id: PathId) -> AlertOut:
        return to_output(await service.get(actor, alert_id), AlertOut)

    @post("/{alert_id:int}/acknowledge", status_code=200, **requires(Permission.alerts_act))
    async def acknowledge(self, actor: CurrentActor, alert_id: PathId) -> AlertOut:
        return to_output(await service.acknowledge(actor, alert_id), AlertOut)

    @post("/{alert_id:int}/snooze", status_code=200, **requires(Permission.alerts_act))
    async def snooze(
        self, actor: CurrentActor, alert_id: PathId, data: JSONBody[SnoozeIn]
    ) -> AlertOut:
        return to_output(await service.snooze(actor, alert_id, data.until, data.reason), AlertOut)

    @post("/{alert_id:int}/actions", **requires(Permission.alerts_act))
    async def act(
        self, actor: CurrentActor, alert_id: PathId, data: JSONBody[ActionIn]
    ) -> ActionOut:
        done = await service.act(
            actor,
            alert_id,
            service.ActionIn(
                data.kind, data.quantity, data.to_warehouse, data.to_location, data.note
            ),
        )
        return to_output(done, ActionOut)


# ---- the rule set ----------------------------------------------------------------------------


class RuleSetOut(Output, kw_only=True):
    version: int
    """0: the built-in defaults (never edited)."""
    params: RuleSet


class RuleSetIn(Input, kw_only=True):
    params: RuleSet
    note: Note | None = None
    expected_version: Annotated[int, Meta(ge=0)] | None = None
    """If given, the update is refused (409) when another admin changed the rule set since."""


class RuleSetVersionOut(Output, kw_only=True):
    version: int
    params: RuleSet
    note: str | None
    based_on: int | None
    created_by_name: str
    created_at: dt.datetime
    active: bool


class RollbackIn(Input, kw_only=True):
    version: Annotated[int, Meta(ge=0)]
    note: Note | None = None


def _active(active: service.ActiveRuleSet) -> RuleSetOut:
    return RuleSetOut(version=active.version, params=active.rule_set)


class AlertRuleController(Controller):
    path = "/api/v1/alert-rules"
    tags = ["alerts"]

    @get("/", **requires(Permission.alerts_read))
    async def active(self, actor: CurrentActor) -> RuleSetOut:
        return _active(await service.active_rule_set())

    @put("/", **requires(Permission.alerts_configure))
    async def update(self, actor: CurrentActor, data: JSONBody[RuleSetIn]) -> RuleSetOut:
        return _active(
            await service.update_rule_set(
                actor, data.params, note=data.note, expected_version=data.expected_version
            )
        )

    @get("/versions", **requires(Permission.alerts_configure))
    async def versions(
        self, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0
    ) -> Page[RuleSetVersionOut]:
        rows, total = await service.rule_set_versions(limit, offset)
        return page_of(rows, RuleSetVersionOut, total, limit, offset)

    @post("/rollback", status_code=200, **requires(Permission.alerts_configure))
    async def rollback(self, actor: CurrentActor, data: JSONBody[RollbackIn]) -> RuleSetOut:
        return _active(await service.rollback(actor, data.version, data.note))


# ---- Web Push --------------------------------------------------------------------------------


class PushKeyOut(Output, kw_only=True):
    public_key: str
    """applicationServerKey for pushManager.subscribe (base64url, uncompressed P-256 point)."""


class PushKeysIn(Input, kw_only=True):
    p256dh: Annotated[str, Meta(min_length=20, max_length=200)]
    auth: Annotated[str, Meta(min_length=8, max_length=100)]


class PushSubscriptionIn(Input, kw_only=True):
    endpoint: Annotated[str, Meta(min_length=10, max_length=1000, pattern=r"^https?://")]
    keys: PushKeysIn
    device: Annotated[str, Meta(max_length=200)] | None = None


class PushSubscriptionOut(Output, kw_only=True):
    id: int
    endpoint: str
    device: str | None
    created_at: dt.datetime
    last_sent_at: dt.datetime | None


class PushController(Controller):
    path = "/api/v1/push"
    tags = ["alerts"]

    @get("/key", **requires(Permission.alerts_read))
    async def key(self, actor: CurrentActor) -> PushKeyOut:
        return PushKeyOut(public_key=push.public_key())

    @get("/subscriptions", **requires(Permission.alerts_read))
    async def mine(self, actor: CurrentActor) -> list[PushSubscriptionOut]:
        return [to_output(r, PushSubscriptionOut) for r in await push.mine(actor)]

    @post("/subscriptions", **requires(Permission.alerts_read))
    async def subscribe(
        self, actor: CurrentActor, data: JSONBody[PushSubscriptionIn]
    ) -> PushSubscriptionOut:
        row = await push.subscribe(
            actor,
            endpoint=data.endpoint,
            p256dh=data.keys.p256dh,
            auth=data.keys.auth,
            device=data.device,
        )
        return to_output(row, PushSubscriptionOut)

    @delete("/subscriptions/{sub_id:int}", **requires(Permission.alerts_read))
    async def unsubscribe(self, actor: CurrentActor, sub_id: PathId) -> None:
        await push.unsubscribe(actor, sub_id)


# ---- webhooks --------------------------------------------------------------------------------

Kind = Literal["generic", "wecom", "dingtalk"]


class WebhookIn(Input, kw_only=True):
    name: Annotated[str, Meta(min_length=1, max_length=100)]
    kind: Kind
    url: Annotated[str, Meta(min_length=8, max_length=1000)]
    secret: Annotated[str, Meta(max_length=200)] | None = None
    min_severity: Severity = "warning"
    warehouse: Annotated[int, Meta(ge=1)] | None = None
    active: bool = True


class WebhookPatch(Input, kw_only=True):
    name: Annotated[str, Meta(min_length=1, max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    kind: Kind | msgspec.UnsetType = msgspec.UNSET
    url: Annotated[str, Meta(min_length=8, max_length=1000)] | msgspec.UnsetType = msgspec.UNSET
    secret: Annotated[str, Meta(max_length=200)] | msgspec.UnsetType | None = msgspec.UNSET
    min_severity: Severity | msgspec.UnsetType = msgspec.UNSET
    warehouse: Annotated[int, Meta(ge=1)] | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class WebhookOut(Output, kw_only=True):
    id: int
    name: str
    kind: str
    url: str
    has_secret: bool
    min_severity: str
    warehouse: int | None
    active: bool
    created_at: dt.datetime


class DeliveryOut(Output, kw_only=True):
    id: int
    event_id: int
    topic: str
    alert: int
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    last_status: int | None
    delivered_at: dt.datetime | None


class WebhookController(Controller):
    path = "/api/v1/alert-webhooks"
    tags = ["alerts"]

    @get("/", **requires(Permission.alerts_configure))
    async def list_hooks(self, actor: CurrentActor) -> list[WebhookOut]:
        return [to_output(r, WebhookOut) for r in await webhooks.list_hooks()]

    @post("/", **requires(Permission.alerts_configure))
    async def create(self, actor: CurrentActor, data: JSONBody[WebhookIn]) -> WebhookOut:
        return to_output(await webhooks.create_hook(actor, msgspec.to_builtins(data)), WebhookOut)

    @get("/{hook_id:int}", **requires(Permission.alerts_configure))
    async def read(self, actor: CurrentActor, hook_id: PathId) -> WebhookOut:
        return to_output(await webhooks.get_hook(hook_id), WebhookOut)

    @patch("/{hook_id:int}", **requires(Permission.alerts_configure))
    async def update(
        self, actor: CurrentActor, hook_id: PathId, data: JSONBody[WebhookPatch]
    ) -> WebhookOut:
        return to_output(await webhooks.update_hook(actor, hook_id, set_fields(data)), WebhookOut)

    @delete("/{hook_id:int}", **requires(Permission.alerts_configure))
    async def retire(self, actor: CurrentActor, hook_id: PathId) -> None:
        await webhooks.delete_hook(actor, hook_id)

    @get("/{hook_id:int}/deliveries", **requires(Permission.alerts_configure))
    async def deliveries(
        self, actor: CurrentActor, hook_id: PathId, limit: Limit = 50, offset: Offset = 0
    ) -> Page[DeliveryOut]:
        rows, total = await webhooks.deliveries(hook_id, limit, offset)
        return page_of(rows, DeliveryOut, total, limit, offset)


# ---- stock policies (min / reorder point / par level) ----------------------------------------

Qty = Annotated[int, Meta(ge=0, le=10_000_000)]


class StockPolicyIn(Input, kw_only=True):
    product: Annotated[int, Meta(ge=1)]
    warehouse: Annotated[int, Meta(ge=1)]
    location: Annotated[int, Meta(ge=1)] | None = None
    minimum: Qty | None = None
    reorder_point: Qty | None = None
    par_level: Qty | None = None


class StockPolicyOut(Output, kw_only=True):
    id: int
    product: int
    warehouse: int
    location: int | None
    minimum: int | None
    reorder_point: int | None
    par_level: int | None


class StockPolicyController(Controller):
    path = "/api/v1/stock-policies"
    tags = ["alerts"]

    @get("/", **requires(Permission.alerts_read))
    async def list_policies(
        self,
        actor: CurrentActor,
        warehouse: Annotated[int | None, QueryParameter(ge=1)] = None,
        product: Annotated[int | None, QueryParameter(ge=1)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[StockPolicyOut]:
        query = StockPolicy.select()
        count = StockPolicy.count()
        for column, value in ((StockPolicy.warehouse, warehouse), (StockPolicy.product, product)):
            if value is not None:
                query = query.where(column == value)
                count = count.where(column == value)
        rows = await query.order_by(StockPolicy._meta.primary_key).limit(limit).offset(offset)
        visible = [r for r in rows if actor.sees_warehouse(r["warehouse"])]
        return page_of(visible, StockPolicyOut, await count, limit, offset)

    @put("/", **requires(Permission.alerts_configure))
    async def upsert(self, actor: CurrentActor, data: JSONBody[StockPolicyIn]) -> StockPolicyOut:
        """Set the policy of (product, warehouse[, location]); replaces an existing one."""
        if data.location is None and data.minimum is None and data.reorder_point is None:
            raise InvalidInput(field="reorder_point", reason="give a minimum or reorder point")
        if data.location is not None and data.par_level is None:
            raise InvalidInput(field="par_level", reason="a location's policy is its par level")
        values = msgspec.to_builtins(data)
        async with unit_of_work(actor) as uow:
            where = (StockPolicy.product == data.product) & (
                StockPolicy.warehouse == data.warehouse
            )
            where &= (
                StockPolicy.location.is_null()
                if data.location is None
                else StockPolicy.location == data.location
            )
            old = await StockPolicy.select().where(where).first()
            if old:
                await StockPolicy.update(
                    {getattr(StockPolicy, k): v for k, v in values.items()}
                ).where(StockPolicy._meta.primary_key == old["id"])
                policy_id = old["id"]
            else:
                policy_id = (await StockPolicy.insert(StockPolicy(**values)))[0]["id"]
            uow.audit(
                "update" if old else "create",
                "stock_policy",
                policy_id,
                old=dict(old) if old else None,
                new=values,
            )
        row = await StockPolicy.select().where(StockPolicy._meta.primary_key == policy_id).first()
        return to_output(row, StockPolicyOut)

    @delete("/{policy_id:int}", **requires(Permission.alerts_configure))
    async def remove(self, actor: CurrentActor, policy_id: PathId) -> None:
        async with unit_of_work(actor) as uow:
            old = (
                await StockPolicy.select().where(StockPolicy._meta.primary_key == policy_id).first()
            )
            if old is None:
                raise NotFound(entity="stock policy", key=policy_id)
            await StockPolicy.delete().where(StockPolicy._meta.primary_key == policy_id)
            uow.audit("delete", "stock_policy", policy_id, old=dict(old))


# ---- temperature sensors -> locations --------------------------------------------------------


class SensorIn(Input, kw_only=True):
    location: Annotated[int, Meta(ge=1)]


class SensorOut(Output, kw_only=True):
    sensor: str
    location: int


SensorName = Annotated[str, PathParameter(min_length=1, max_length=64)]


class SensorController(Controller):
    """Which location each device-bridge temperature sensor watches (for excursion alerts)."""

    path = "/api/v1/alert-sensors"
    tags = ["alerts"]

    @get("/", **requires(Permission.alerts_configure))
    async def list_sensors(self, actor: CurrentActor) -> list[SensorOut]:
        rows = await SensorLocation.select().order_by(SensorLocation.sensor)
        return [to_output(r, SensorOut) for r in rows]

    @put("/{sensor:str}", **requires(Permission.alerts_configure))
    async def assign(
        self, actor: CurrentActor, sensor: SensorName, data: JSONBody[SensorIn]
    ) -> SensorOut:
        if not await Location.exists().where(Location._meta.primary_key == data.location):
            raise NotFound(entity="location", key=data.location)
        async with unit_of_work(actor) as uow:
            old = await SensorLocation.select().where(SensorLocation.sensor == sensor).first()
            if old:
                await SensorLocation.update({SensorLocation.location: data.location}).where(
                    SensorLocation.sensor == sensor
                )
            else:
                await SensorLocation.insert(SensorLocation(sensor=sensor, location=data.location))
            uow.audit(
                "assign",
                "alert_sensor_location",
                sensor,
                old={"location": old["location"]} if old else None,
                new={"location": data.location},
            )
        return SensorOut(sensor=sensor, location=data.location)

    @delete("/{sensor:str}", **requires(Permission.alerts_configure))
    async def unassign(self, actor: CurrentActor, sensor: SensorName) -> None:
        async with unit_of_work(actor) as uow:
            old = await SensorLocation.select().where(SensorLocation.sensor == sensor).first()
            if old is None:
                raise NotFound(entity="sensor", key=sensor)
            await SensorLocation.delete().where(SensorLocation.sensor == sensor)
            uow.audit(
                "unassign", "alert_sensor_location", sensor, old={"location": old["location"]}
            )


CONTROLLERS = [
    AlertController,
    AlertRuleController,
    PushController,
    WebhookController,
    StockPolicyController,
    SensorController,
]
