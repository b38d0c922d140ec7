"""What a valid location, department and budget is."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from backend.catalog.rules import check_temperature_range
from backend.core.errors import InvalidInput

LOCATION_KINDS = (
    "receiving",
    "storage",
    "quarantine",
    "point_of_use",
    "in_transit",
    "disposal",
)
ENFORCEMENT = ("warn", "block")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_location(values: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> None:
    if values.get("kind") not in LOCATION_KINDS:
        raise InvalidInput(field="kind", reason="one of " + ", ".join(LOCATION_KINDS))
    check_temperature_range(values, "temp_min", "temp_max")
    if values.get("kind") == "point_of_use" and values.get("department") is None:
        raise InvalidInput(field="department", reason="a point-of-use location belongs to a ward")
    if values.get("kind") != "point_of_use" and values.get("department") is not None:
        raise InvalidInput(field="department", reason="only point-of-use locations have one")


def check_department(values: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> None:
    if values.get("budget_enforcement") not in ENFORCEMENT:
        raise InvalidInput(field="budget_enforcement", reason="warn or block")


def check_period(values: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> None:
    if not _PERIOD.match(str(values.get("period", ""))):
        raise InvalidInput(field="period", reason="YYYY-MM")
    for name in ("amount", "quantity"):
        if name in values and values[name] < 0:
            raise InvalidInput(field=name, reason="must not be negative")
