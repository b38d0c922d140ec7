"""Helpers shared by integration and end-to-end tests: users per role, tokens, small sites."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from backend.auth.passwords import hash_password
from backend.auth.rules import Role
from backend.auth.tables import User
from backend.core.actor import Actor

PASSWORD = "correct-horse-battery"
_hash_cache: dict[str, str] = {}


async def password_hash() -> str:
    if PASSWORD not in _hash_cache:
        _hash_cache[PASSWORD] = await hash_password(PASSWORD)
    return _hash_cache[PASSWORD]


@dataclass(frozen=True)
class TestUser:
    id: int
    username: str
    role: str
    headers: dict[str, str]
    actor: Actor


def token_for(user_id: int) -> str:
    from backend.app import jwt_auth

    return jwt_auth.create_token(
        identifier=str(user_id),
        token_expiration=timedelta(hours=1),
        token_unique_jwt_id=uuid.uuid4().hex,
    )


async def make_user(
    username: str,
    roles: list[str],
    warehouse_ids: list[int] | None = None,
    department_ids: list[int] | None = None,
    full_name: str | None = None,
) -> TestUser:
    from backend.auth.service import actor_from_row

    rows = await User.insert(
        User(
            username=username,
            full_name=full_name or f"Test {username}",
            password_hash=await password_hash(),
            roles=roles,
            warehouse_ids=warehouse_ids or [],
            department_ids=department_ids or [],
        )
    )
    user_id = rows[0]["id"]
    row: dict[str, Any] = (
        await User.select().where(User.id == user_id).output(load_json=True).first()
    )
    return TestUser(
        id=user_id,
        username=username,
        role=roles[0],
        headers={"Authorization": f"Bearer {token_for(user_id)}", "Accept-Language": "en"},
        actor=actor_from_row(row),
    )


async def make_role_users(
    warehouse_ids: list[int], department_ids: list[int]
) -> dict[str, TestUser]:
    """One user per role, scoped to the given warehouses and departments."""
    return {
        role.value: await make_user(
            f"user_{role.value}", [role.value], warehouse_ids, department_ids
        )
        for role in Role
    }
