"""Which live channels an event goes to, and which channels a user listens on: pure rules.

An event naming a user, warehouse or department reaches only those; one naming none of them
is for everybody. An event that also names `roles` (alerts do: who is to be told) reaches only
people holding one of those roles within that scope, through role-qualified channels such as
`warehouse:3|role:qa`. A station scan with nobody signed in names user None and reaches no one
(it is stored all the same)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

BROADCAST = "broadcast"
_SCOPES = (("user_id", "user"), ("warehouse_id", "warehouse"), ("department_id", "department"))


def channels_for_event(payload: Mapping[str, Any]) -> list[str]:
    named = [(prefix, payload[key]) for key, prefix in _SCOPES if key in payload]
    bases = [f"{prefix}:{value}" for prefix, value in named if value is not None]
    if not named:
        bases = [BROADCAST]
    roles = sorted(set(payload.get("roles") or []))
    if not roles:
        return bases
    return [b if b.startswith("user:") else f"{b}|role:{r}" for b in bases for r in roles]


def channels_for_user(
    user_id: int | None,
    warehouse_ids: Iterable[int],
    department_ids: Iterable[int],
    roles: Iterable[str] = (),
) -> list[str]:
    bases = (
        [BROADCAST]
        + [f"warehouse:{w}" for w in sorted(set(warehouse_ids))]
        + [f"department:{d}" for d in sorted(set(department_ids))]
    )
    qualified = [f"{b}|role:{r}" for b in bases for r in sorted(set(roles))]
    return [f"user:{user_id}", *bases, *qualified]
