"""Resolving a scan: decode it, say what it is and what may be done with it, and log it.

Every scan is logged, decoded or not, and answered only once its log row is committed: a
refused one before its error is raised (the refusal reaches the caller as a 422 problem and the
log keeps the raw text). Rows of concurrent scans share one transaction (``log.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

from backend.auth.rules import Permission, allowed
from backend.core import clock, db
from backend.core.actor import Actor
from backend.scanning import log, resolve, rules
from backend.scanning.decoding import MAX_SCAN_LENGTH, BarcodeError, Decoded, ScannerProfile, decode
from backend.scanning.resolve import ProductHit, StockUnit

INLINE_PROFILE: Final = "inline"


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a scan is. ``product`` etc. are set as the outcome says; ``log_id`` is its row in
    the scan log."""

    outcome: rules.Outcome
    decoded: Decoded
    log_id: int = 0
    product: ProductHit | None = None
    unit: StockUnit = field(default_factory=StockUnit)
    location: dict[str, Any] | None = None
    document: tuple[str, str] | None = None
    """(type, id) of an internal document label; type ``pick_list`` for ``LW:PICK``."""
    document_status: str | None = None
    actions: tuple[rules.Action, ...] = ()
    warnings: tuple[rules.StatusWarning, ...] = ()


async def scan(
    actor: Actor,
    raw: str,
    *,
    profile: ScannerProfile,
    profile_name: str | None,
    station: str | None,
    today: date,
) -> Resolution:
    """Decode, resolve and log one scan; a scan that cannot be decoded raises its
    ``BarcodeError`` after it is logged."""
    try:
        decoded = decode(raw, profile, today=today)
    except BarcodeError as error:
        await _log(actor, raw, station, profile_name, error.code)
        raise
    resolution = await _resolve(actor, decoded, today)
    log_id = await _log(actor, raw, station, profile_name, resolution.outcome, resolution)
    return replace(resolution, decoded=decoded, log_id=log_id)


async def _resolve(actor: Actor, decoded: Decoded, today: date) -> Resolution:
    if decoded.internal is not None:
        return await _internal(actor, decoded, today)
    key = decoded.gtin if decoded.agency == "GS1" else decoded.di
    if key is None:
        # An HIBC secondary symbol alone, or GS1 data without a GTIN (an SSCC, say).
        return Resolution(outcome="unsupported", decoded=decoded)
    found = await resolve.item_by_di(decoded.agency, key, decoded.lot, decoded.serial)
    if found is None:
        may_create = allowed(actor.roles, Permission.catalog_write)
        return Resolution(
            outcome="product_unknown",
            decoded=decoded,
            actions=rules.unknown_product_actions(may_create),
            warnings=rules.status_warnings(
                today=today, lot=decoded.lot, label_expiry=decoded.expiry
            ),
        )
    hit, unit = found
    return _item(decoded, hit, unit, today)


def _item(decoded: Decoded, hit: ProductHit, unit: StockUnit, today: date) -> Resolution:
    lot, serial, product = unit.lot, unit.serial, hit.product
    record_expiry = db.as_date(lot["expiry"]) if lot else None
    facts = rules.ItemFacts(
        product_active=bool(product["active"]),
        lot_known=lot is not None,
        lot_status=lot["status"] if lot else None,
        serial_known=serial is not None,
        serial_status=serial["status"] if serial else None,
        expiry=rules.effective_expiry(decoded.expiry, record_expiry),
    )
    warnings = rules.status_warnings(
        today=today,
        lot=lot["lot_number"] if lot else decoded.lot,
        lot_status=facts.lot_status,
        label_expiry=decoded.expiry,
        record_expiry=record_expiry,
        serial=decoded.serial,
        serial_status=facts.serial_status,
        product=str(product["code"]),
        product_active=facts.product_active,
        registration_valid_until=db.as_date(product.get("registration_valid_until")),
    )
    return Resolution(
        outcome="product",
        decoded=decoded,
        product=hit,
        unit=unit,
        actions=rules.item_actions(facts, today),
        warnings=warnings,
    )


async def _internal(actor: Actor, decoded: Decoded, today: date) -> Resolution:
    ref = decoded.internal
    assert ref is not None
    if ref.kind == "LOC":
        location = await resolve.location_by_label(actor, ref.warehouse, ref.value)
        if location is None:
            return Resolution(outcome="location_unknown", decoded=decoded)
        return Resolution(
            outcome="location",
            decoded=decoded,
            location=location,
            actions=rules.location_actions(str(location["kind"])),
        )
    if ref.kind == "LOT":
        lot = await resolve.lot_by_id(int(ref.value)) if ref.value.isdigit() else None
        product = await resolve.product_by_id(int(lot["product"])) if lot else None
        if lot is None or product is None:
            return Resolution(outcome="lot_unknown", decoded=decoded)
        # Our own lot label stands for the unit of use: the lot's base unit, one at a time.
        hit = ProductHit(product=product, level="each", quantity=1)
        return _item(decoded, hit, StockUnit(lot=lot), today)
    if ref.kind == "PICK":
        pick = await resolve.pick_list_by_id(actor, int(ref.value)) if ref.value.isdigit() else None
        if pick is None:
            return Resolution(outcome="pick_list_unknown", decoded=decoded)
        status = str(pick["status"])
        return Resolution(
            outcome="pick_list",
            decoded=decoded,
            document=("pick_list", ref.value),
            document_status=status,
            actions=rules.pick_list_actions(status),
        )
    # LW:DOC:<type>:<id>: the documents' own domains open and check them.
    return Resolution(
        outcome="document",
        decoded=decoded,
        document=((ref.doc_type or "").lower(), ref.value),
        actions=rules.document_actions(),
    )


def _loggable(text: str) -> str:
    """What a database can store: no NUL (PostgreSQL refuses it in text), no unpaired
    surrogates (not UTF-8), at most the decoder's own limit."""
    text = text[:MAX_SCAN_LENGTH]
    if "\x00" in text:
        text = text.replace("\x00", "\u2400")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text


def _short(value: str | None, length: int) -> str | None:
    return None if value is None else _loggable(value)[:length]


async def _log(
    actor: Actor,
    raw: str,
    station: str | None,
    profile_name: str | None,
    outcome: str,
    resolution: Resolution | None = None,
) -> int:
    """Write the scan's scan_log row (keys: ``log.COLUMNS``) and return its id once committed."""
    values: dict[str, Any] = {
        "at": str(clock.now()),  # the text Piccolo writes for a timestamp
        "user_id": actor.user_id,
        "username": actor.username[:150],
        "raw_text": _loggable(raw),
        "raw_length": len(raw),
        "station": _short(station, 100),
        "profile": _short(profile_name, 40),
        "outcome": outcome[:40],
    }
    if resolution is not None:
        decoded = resolution.decoded
        values["agency"] = decoded.agency
        values["symbology"] = _short(decoded.symbology, 3)
        values["di"] = _short(decoded.gtin if decoded.agency == "GS1" else decoded.di, 60)
        values["lot"] = _short(decoded.lot, 60)
        values["serial"] = _short(decoded.serial, 60)
        values["expiry"] = decoded.expiry
        values["product"] = resolution.product.product["id"] if resolution.product else None
        values["location"] = resolution.location["id"] if resolution.location else None
    return await log.write(values)
