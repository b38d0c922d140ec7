"""Which live channels an event goes to, and which channels a user listens on: pure rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

BROADCAST = "broadcast"


def channels_for_event(payload: Mapping[str, Any]) -> list[str]:
    """An event naming a user, warehouse or department reaches only those; one naming none of
    them is for everybody. A station scan with nobody signed in reaches no one (it is stored)."""
    targets: list[str] = []
    for key, prefix in (
        ("user_id", "user"),
        ("warehouse_id", "warehouse"),
        ("department_id", "department"),
    ):
        if key in payload:
            value = payload[key]
            if value is not None:
                targets.append(f"{prefix}:{value}")
    if not targets and not any(k in payload for k in ("user_id", "warehouse_id", "department_id")):
        targets.append(BROADCAST)
    return targets


def channels_for_user(
    user_id: int, warehouse_ids: Iterable[int], department_ids: Iterable[int]
) -> list[str]:
    return (
        [BROADCAST, f"user:{user_id}"]
        + [f"warehouse:{w}" for w in sorted(set(warehouse_ids))]
        + [f"department:{d}" for d in sorted(set(department_ids))]
    )
