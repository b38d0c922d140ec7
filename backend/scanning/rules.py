"""Pure decisions about a resolved scan: which status warnings apply, what the user may do next.

Plain values in, decisions out; ``today`` is passed in. Lot and serial statuses are the stock
domain's words (``pending_inspection``, ``released``, ``rejected``, ``on_hold``, ``recalled``);
expiry is a date, not a status, and wins over any status (a lot past its expiry is blocked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final, Literal

from backend.core.errors import Lang
from backend.stock.rules import (
    AVAILABLE_LOT_STATUSES,
    AVAILABLE_SERIAL_STATUSES,
    ON_HOLD,
    PENDING,
    RECALLED,
    REJECTED,
    is_expired,
)

# Near-expiry levels in days (近效期: 180 / 90 / 30), widest first. Per-category levels belong
# to the alerts domain; a scan warns with these until it exists.
NEAR_EXPIRY_DAYS: Final = (180, 90, 30)

# ---- what the scan turned out to be ---------------------------------------------------------

Outcome = Literal[
    "product",
    "product_unknown",
    "location",
    "location_unknown",
    "lot_unknown",
    "pick_list",
    "pick_list_unknown",
    "document",
    "unsupported",
]
"""The outcome of a decoded scan; an undecodable one is logged with its error code instead."""

# ---- what the user may do next ----------------------------------------------------------------

Action = Literal[
    "receive",
    "pick",
    "put_away",
    "look_up",
    "create_product",
    "open_pick_list",
    "open_document",
]

ACTION_TEXT: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "receive": ("收货", "Receive"),
        "pick": ("拣货", "Pick this line"),
        "put_away": ("上架", "Put away"),
        "look_up": ("查询", "Look up"),
        "create_product": ("新建产品", "Create the product"),
        "open_pick_list": ("打开拣货单", "Open the pick list"),
        "open_document": ("打开单据", "Open the document"),
    }
)


def action_label(action: str, lang: Lang) -> str:
    zh, en = ACTION_TEXT.get(action, (action, action))
    return zh if lang == "zh-CN" else en


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What is known about the scanned unit: the product, and the lot and serial if they are
    already in stock records (``None`` when unknown or not on the label)."""

    product_active: bool = True
    lot_known: bool = False
    lot_status: str | None = None
    serial_known: bool = False
    serial_status: str | None = None
    expiry: date | None = None
    """The stricter of the label's and the lot record's expiry."""


_NOT_RECEIVABLE: Final = frozenset({RECALLED, REJECTED})


def item_actions(facts: ItemFacts, today: date) -> tuple[Action, ...]:
    """Actions for a scanned product (with or without lot and serial), best first."""
    expired = is_expired(facts.expiry, today)
    out: list[Action] = []
    if (
        facts.product_active
        and facts.lot_status not in _NOT_RECEIVABLE
        and facts.serial_status not in _NOT_RECEIVABLE
        and not expired
    ):
        out.append("receive")
    usable = (
        facts.lot_known
        and facts.lot_status in AVAILABLE_LOT_STATUSES
        and not expired
        and (not facts.serial_known or facts.serial_status in AVAILABLE_SERIAL_STATUSES)
    )
    if usable:
        out += ["pick", "put_away"]
    out.append("look_up")
    return tuple(out)


def unknown_product_actions(may_create_product: bool) -> tuple[Action, ...]:
    return ("create_product",) if may_create_product else ()


def location_actions(kind: str) -> tuple[Action, ...]:
    """A location label: see what is there; put away into it where stock is kept or held."""
    if kind in ("storage", "point_of_use", "quarantine", "receiving"):
        return ("put_away", "look_up")
    return ("look_up",)


def pick_list_actions(status: str) -> tuple[Action, ...]:
    return ("open_pick_list", "pick") if status == "open" else ("open_pick_list",)


def document_actions() -> tuple[Action, ...]:
    return ("open_document",)


# ---- status warnings ----------------------------------------------------------------------


STATUS_TEXT: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "LOT_EXPIRED": ("批次 {lot} 已于 {expiry} 过期，不能使用", "Lot {lot} expired on {expiry}"),
        "LOT_NEAR_EXPIRY": (
            "批次 {lot} 将于 {expiry} 过期（剩余 {days} 天，近效期 {level} 天）",
            "Lot {lot} expires on {expiry} ({days} days left, within {level} days)",
        ),
        "LOT_ON_HOLD": ("批次 {lot} 已冻结", "Lot {lot} is on hold"),
        "LOT_RECALLED": ("批次 {lot} 已召回", "Lot {lot} is recalled"),
        "LOT_REJECTED": ("批次 {lot} 验收不合格", "Lot {lot} was rejected"),
        "LOT_NOT_RELEASED": ("批次 {lot} 待验，尚未放行", "Lot {lot} is awaiting inspection"),
        "LOT_EXPIRY_MISMATCH": (
            "标签上的有效期 {label} 与批次记录 {record} 不一致，按较早日期处理",
            "The label's expiry {label} differs from the lot record's {record}; the earlier "
            "one applies",
        ),
        "SERIAL_ON_HOLD": ("序列号 {serial} 已冻结", "Serial {serial} is on hold"),
        "SERIAL_RECALLED": ("序列号 {serial} 已召回", "Serial {serial} is recalled"),
        "SERIAL_REJECTED": ("序列号 {serial} 验收不合格", "Serial {serial} was rejected"),
        "SERIAL_NOT_RELEASED": (
            "序列号 {serial} 待验，尚未放行",
            "Serial {serial} is awaiting inspection",
        ),
        "PRODUCT_INACTIVE": ("产品 {product} 已停用", "Product {product} is retired"),
        "REGISTRATION_EXPIRED": (
            "产品 {product} 的注册证已于 {until} 过期",
            "The registration of product {product} expired on {until}",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class StatusWarning:
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, lang: Lang) -> str:
        zh, en = STATUS_TEXT.get(self.code, (self.code, self.code))
        try:
            return (zh if lang == "zh-CN" else en).format(**dict(self.params))
        except (KeyError, IndexError, ValueError):
            return zh if lang == "zh-CN" else en


def _warn(code: str, **params: object) -> StatusWarning:
    return StatusWarning(code, tuple((k, str(v)) for k, v in params.items()))


def effective_expiry(label: date | None, record: date | None) -> date | None:
    """Lock on the earlier when both exist."""
    if label is None:
        return record
    if record is None:
        return label
    return min(label, record)


def near_expiry_level(
    expiry: date | None, today: date, levels: Sequence[int] = NEAR_EXPIRY_DAYS
) -> int | None:
    """The tightest level (in days) the expiry falls within, or None; None when expired."""
    if expiry is None or is_expired(expiry, today):
        return None
    left = (expiry - today).days
    reached = [level for level in levels if left <= level]
    return min(reached) if reached else None


_LOT_STATUS_CODES: Final = {
    ON_HOLD: "LOT_ON_HOLD",
    RECALLED: "LOT_RECALLED",
    REJECTED: "LOT_REJECTED",
    PENDING: "LOT_NOT_RELEASED",
}
_SERIAL_STATUS_CODES: Final = {
    ON_HOLD: "SERIAL_ON_HOLD",
    RECALLED: "SERIAL_RECALLED",
    REJECTED: "SERIAL_REJECTED",
    PENDING: "SERIAL_NOT_RELEASED",
}


def status_warnings(
    *,
    today: date,
    lot: str | None = None,
    lot_status: str | None = None,
    label_expiry: date | None = None,
    record_expiry: date | None = None,
    serial: str | None = None,
    serial_status: str | None = None,
    product: str | None = None,
    product_active: bool = True,
    registration_valid_until: date | None = None,
    levels: Sequence[int] = NEAR_EXPIRY_DAYS,
) -> tuple[StatusWarning, ...]:
    """Every warning that applies, the most serious first: expiry (whatever the status says),
    recall, hold, rejection, inspection, then the product's own state."""
    out: list[StatusWarning] = []
    lot_text = lot or "-"
    if label_expiry is not None and record_expiry is not None and label_expiry != record_expiry:
        out.append(_warn("LOT_EXPIRY_MISMATCH", label=label_expiry, record=record_expiry))
    expiry = effective_expiry(label_expiry, record_expiry)
    if is_expired(expiry, today):
        out.append(_warn("LOT_EXPIRED", lot=lot_text, expiry=expiry))
    elif (level := near_expiry_level(expiry, today, levels)) is not None:
        assert expiry is not None
        days = (expiry - today).days
        out.append(_warn("LOT_NEAR_EXPIRY", lot=lot_text, expiry=expiry, days=days, level=level))
    if lot_status in _LOT_STATUS_CODES:
        out.append(_warn(_LOT_STATUS_CODES[lot_status], lot=lot_text))
    if serial_status in _SERIAL_STATUS_CODES and serial_status != lot_status:
        out.append(_warn(_SERIAL_STATUS_CODES[serial_status], serial=serial or "-"))
    if not product_active:
        out.append(_warn("PRODUCT_INACTIVE", product=product or "-"))
    if registration_valid_until is not None and registration_valid_until < today:
        out.append(
            _warn("REGISTRATION_EXPIRED", product=product or "-", until=registration_valid_until)
        )
    return tuple(out)
