"""Pure receiving rules: who may deliver what, what a receipt line must carry, what an
inspection must add up to. Plain values in, decisions out; ``today`` passed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from backend.catalog.rules import lapsed_licences, registration_lapsed
from backend.core.errors import InvalidInput
from backend.receiving.errors import (
    ColdChainTemperature,
    ColdChainTemperatureMissing,
    ExpiryRequired,
    InspectionMismatch,
    LotNumberRequired,
    PromisedBeforeOrder,
    RegistrationLapsed,
    SerialCountMismatch,
    ShelfLifeTooShort,
    SupplierLicenceLapsed,
)
from backend.stock.errors import LotExpired
from backend.stock.rules import is_expired, is_serial_tracked


def check_supplier(code: str, licences: list[tuple[str, date | None]], today: date) -> None:
    lapsed = lapsed_licences(licences, today)
    if lapsed:
        raise SupplierLicenceLapsed(field="supplier", supplier=code, kinds=", ".join(lapsed))


def check_registration(
    product_code: str, registration_no: str | None, valid_until: date | None, today: date
) -> None:
    if registration_lapsed(valid_until, today):
        raise RegistrationLapsed(
            field="product",
            product=product_code,
            registration=registration_no or "-",
            valid_until=str(valid_until),
        )


@dataclass(frozen=True, slots=True)
class ProductFacts:
    code: str
    tracking: str
    shelf_life_days: int | None
    min_remaining_shelf_life_days: int
    cold_chain: bool
    storage_temp_min: float | None
    storage_temp_max: float | None


def needs_lot_number(tracking: str) -> bool:
    return tracking in ("lot", "lot_serial")


def check_line(
    product: ProductFacts,
    *,
    lot_number: str | None,
    expiry: date | None,
    serials: Sequence[str],
    quantity: int,
    arrival_temperature: float | None,
    today: date,
) -> None:
    """Everything a receipt line must satisfy that needs no database."""
    if quantity <= 0:
        raise InvalidInput(field="quantity", reason="must be at least 1")
    if needs_lot_number(product.tracking) and not (lot_number and lot_number.strip()):
        raise LotNumberRequired(field="lot_number")
    if product.shelf_life_days is not None and expiry is None:
        raise ExpiryRequired(field="expiry")
    if is_expired(expiry, today):
        raise LotExpired(field="expiry", lot=lot_number or "-", expiry=str(expiry))
    if expiry is not None and product.min_remaining_shelf_life_days:
        days = (expiry - today).days
        if days < product.min_remaining_shelf_life_days:
            raise ShelfLifeTooShort(
                field="expiry",
                lot=lot_number or "-",
                days=days,
                minimum=product.min_remaining_shelf_life_days,
            )
    if is_serial_tracked(product.tracking):
        if len(serials) != quantity:
            raise SerialCountMismatch(field="serials", serials=len(serials), quantity=quantity)
        if len(set(serials)) != len(serials):
            raise InvalidInput(field="serials", reason="a serial appears twice")
    elif serials:
        raise InvalidInput(field="serials", reason="this product is not serial-tracked")
    if product.cold_chain:
        if arrival_temperature is None:
            raise ColdChainTemperatureMissing(field="arrival_temperature")
        low = product.storage_temp_min if product.storage_temp_min is not None else -273.0
        high = product.storage_temp_max if product.storage_temp_max is not None else 1000.0
        if not low <= arrival_temperature <= high:
            raise ColdChainTemperature(
                field="arrival_temperature", temperature=arrival_temperature, low=low, high=high
            )


def check_inspection(
    *,
    quantity: int,
    accepted: int,
    rejected: int,
    serials: Sequence[str],
    rejected_serials: Sequence[str],
    reject_reason: str | None,
) -> None:
    if accepted < 0 or rejected < 0:
        raise InspectionMismatch(field="accepted", reason="quantities cannot be negative")
    if accepted + rejected != quantity:
        raise InspectionMismatch(field="accepted", reason=f"accepted + rejected must be {quantity}")
    if rejected and not (reject_reason and reject_reason.strip()):
        raise InspectionMismatch(field="reject_reason", reason="say why units were rejected")
    if serials:
        unknown = [s for s in rejected_serials if s not in serials]
        if unknown:
            raise InspectionMismatch(field="rejected_serials", reason=f"{unknown[0]} not received")
        if len(set(rejected_serials)) != rejected:
            raise InspectionMismatch(
                field="rejected_serials", reason=f"name the {rejected} rejected serials"
            )
    elif rejected_serials:
        raise InspectionMismatch(field="rejected_serials", reason="no serials on this line")


def auto_lot_number(receipt_id: int, line_no: int) -> str:
    """For devices without lot numbers: one lot per receipt line keeps FIFO by receipt."""
    return f"R{receipt_id:06d}-{line_no:02d}"


def promised_by_lead_time(ordered: date, lead_times: Sequence[int | None]) -> date | None:
    """The default promised delivery date of an order: the order date plus the longest agreed
    lead time of its lines (None when no line has one)."""
    known = [days for days in lead_times if days is not None]
    return ordered + timedelta(days=max(known)) if known else None


def check_promised(ordered: date, promised: date | None) -> None:
    if promised is not None and promised < ordered:
        raise PromisedBeforeOrder(
            field="promised_date", promised=promised.isoformat(), ordered=ordered.isoformat()
        )
