"""What a valid product, packaging level, licence and supplier term is; and qualification."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from backend.core.errors import InvalidInput

RISK_CLASSES = ("I", "II", "III")
TRACKING_MODES = ("none", "lot", "serial", "lot_serial")
ALLOCATIONS = ("fefo", "fifo")
LICENCE_KINDS = ("business_licence", "operating_licence", "filing")
PRIORITIES = ("primary", "backup")


def _one_of(values: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> None:
    if values.get(name) not in allowed:
        raise InvalidInput(field=name, reason="one of " + ", ".join(allowed))


def _non_negative(values: Mapping[str, Any], *names: str) -> None:
    for name in names:
        value = values.get(name)
        if value is not None and value < 0:
            raise InvalidInput(field=name, reason="must not be negative")


def check_temperature_range(values: Mapping[str, Any], low: str, high: str) -> None:
    lo, hi = values.get(low), values.get(high)
    if (lo is None) != (hi is None):
        raise InvalidInput(field=high if hi is None else low, reason="give both bounds or neither")
    if lo is not None and hi is not None:
        if not -200 <= lo <= 100 or not -200 <= hi <= 100:
            raise InvalidInput(field=low, reason="between -200 and 100 °C")
        if lo >= hi:
            raise InvalidInput(field=high, reason=f"must be above {low}")


def check_product(values: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> None:
    _one_of(values, "risk_class", RISK_CLASSES)
    _one_of(values, "tracking", TRACKING_MODES)
    _one_of(values, "allocation", ALLOCATIONS)
    _non_negative(values, "shelf_life_days", "min_remaining_shelf_life_days", "unit_cost")
    check_temperature_range(values, "storage_temp_min", "storage_temp_max")
    if values.get("cold_chain") and values.get("storage_temp_max") is None:
        raise InvalidInput(field="storage_temp_max", reason="a cold-chain product needs its range")
    shelf = values.get("shelf_life_days")
    if shelf is not None and (values.get("min_remaining_shelf_life_days") or 0) > shelf:
        raise InvalidInput(field="min_remaining_shelf_life_days", reason="exceeds shelf_life_days")
    if values.get("allocation") == "fifo" and values.get("shelf_life_days") is not None:
        # FIFO is for devices without an expiry; a dated device must go out FEFO.
        raise InvalidInput(field="allocation", reason="fifo only for products without shelf life")


def check_packaging(values: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> None:
    if (values.get("quantity") or 0) < 1:
        raise InvalidInput(field="quantity", reason="at least 1 base unit")


def check_licence(values: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> None:
    _one_of(values, "kind", LICENCE_KINDS)


def check_supplier_product(values: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> None:
    _one_of(values, "priority", PRIORITIES)
    _non_negative(values, "lead_time_days", "price")
    for name in ("moq", "pack_size"):
        if (values.get(name) or 0) < 1:
            raise InvalidInput(field=name, reason="at least 1")


def registration_lapsed(valid_until: date | None, today: date) -> bool:
    """A registration (or licence) valid until a date is valid through that whole day."""
    return valid_until is not None and valid_until < today


def lapsed_licences(licences: list[tuple[str, date | None]], today: date) -> list[str]:
    """The kinds of a supplier's active licences that have lapsed."""
    return [kind for kind, until in licences if registration_lapsed(until, today)]
