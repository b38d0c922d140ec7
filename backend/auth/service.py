"""Sign-in, users and their scope: the use cases behind /api/v1/auth and /api/v1/users."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.auth import rules, sessions
from backend.auth.errors import (
    AccountLocked,
    InvalidCredentials,
    LoginRateLimited,
    SessionExpired,
    UnknownRole,
    WeakPassword,
    WrongCurrentPassword,
)
from backend.auth.passwords import hash_password, verify_password
from backend.auth.tables import LoginAttempt, RevokedToken, User
from backend.core import clock, db
from backend.core.actor import SYSTEM, Actor
from backend.core.errors import Duplicate, InvalidInput, NotFound
from backend.core.unit_of_work import unit_of_work
from backend.settings import get_settings

RATE_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    username: str
    full_name: str
    roles: list[str]
    warehouse_ids: list[int]
    department_ids: list[int]
    active: bool
    locked: bool


def _view(row: dict[str, Any]) -> UserView:
    return UserView(
        id=row["id"],
        username=row["username"],
        full_name=row["full_name"],
        roles=list(row["roles"]),
        warehouse_ids=list(row["warehouse_ids"]),
        department_ids=list(row["department_ids"]),
        active=row["active"],
        locked=row["locked_at"] is not None,
    )


def actor_from_row(row: dict[str, Any], address: str | None = None) -> Actor:
    roles = frozenset(row["roles"])
    return Actor(
        user_id=row["id"],
        username=row["username"],
        full_name=row["full_name"],
        roles=roles,
        warehouse_ids=frozenset(row["warehouse_ids"]),
        department_ids=frozenset(row["department_ids"]),
        all_scopes=rules.sees_all_scopes(roles),
        address=address,
    )


async def _load(user_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await User.select().where(User.id == user_id).output(load_json=True).first()
    )
    return row


async def _check_rate(username: str, address: str) -> None:
    limit = get_settings().login_rate_per_minute
    since = clock.now() - RATE_WINDOW
    by_user = await LoginAttempt.count().where(
        (LoginAttempt.username == username) & (LoginAttempt.at > since)
    )
    by_address = await LoginAttempt.count().where(
        (LoginAttempt.address == address) & (LoginAttempt.at > since)
    )
    if rules.over_rate(by_user, limit) or rules.over_rate(by_address, limit):
        raise LoginRateLimited(retry_after=int(RATE_WINDOW.total_seconds()))


async def authenticate(username: str, password: str, address: str) -> Actor:
    """Check the password; count failures, lock on too many, and record every attempt."""
    await _check_rate(username, address)
    row: dict[str, Any] | None = (
        await User.select().where(User.username == username).output(load_json=True).first()
    )
    ok = await verify_password(row["password_hash"] if row else None, password)
    failure: Exception | None = None
    locked_now = False
    async with unit_of_work(SYSTEM) as uow:
        await LoginAttempt.insert(
            LoginAttempt(username=username[:150], address=address[:64], success=ok and bool(row))
        )
        if row is None or not row["active"]:
            failure = InvalidCredentials()
        elif row["locked_at"] is not None:
            failure = AccountLocked()
        elif not ok:
            # Counted in the database, not from the row read before the (slow) password check:
            # concurrent wrong guesses must each count, or parallel guessing never locks.
            counted = await db.fetch(
                "UPDATE app_user SET failed_logins = failed_logins + 1 WHERE id = {} "
                "RETURNING failed_logins",
                row["id"],
            )
            failed = int(counted[0]["failed_logins"])
            if rules.locks_after_failure(failed, get_settings().login_max_failures):
                await User.update({User.locked_at: clock.now()}).where(
                    (User.id == row["id"]) & User.locked_at.is_null()
                )
                uow.audit("lock", "user", row["id"], reason=f"{failed} failed sign-ins in a row")
                failure = AccountLocked()
                locked_now = True
            else:
                failure = InvalidCredentials()
        elif row["failed_logins"]:
            await User.update({User.failed_logins: 0}).where(User.id == row["id"])
    if locked_now:
        assert row is not None
        await sessions.forget_user(row["id"])  # its open sessions end with the lock
    if failure is not None:
        raise failure
    assert row is not None
    return actor_from_row(row, address)


async def actor_for_token(user_id: int, issued_at: datetime, jti: str | None) -> Actor:
    """Who a token speaks for, if it still may: the user is active, not locked, has not changed
    password since, and did not log the token out. This runs on every request: the answer is
    cached for a few seconds by token id and dropped at once by every change that ends or
    narrows the session (``sessions.py``)."""
    return await sessions.resolve(jti, lambda: _actor_from_database(user_id, issued_at, jti))


async def _actor_from_database(user_id: int, issued_at: datetime, jti: str | None) -> Actor:
    """One query: the user row and the token's revocation together."""
    rows = await db.fetch(
        "SELECT id, username, full_name, roles, warehouse_ids, department_ids, active, locked_at,"
        " credentials_changed_at,"
        " EXISTS (SELECT 1 FROM revoked_token WHERE jti = {}) AS revoked"
        " FROM app_user WHERE id = {}",
        jti or "",
        user_id,
    )
    if not rows:
        raise SessionExpired()
    row = rows[0]
    if not row["active"] or row["locked_at"] is not None or row["revoked"]:
        raise SessionExpired()
    changed = row["credentials_changed_at"]
    if isinstance(changed, str):
        changed = datetime.fromisoformat(changed)
    if issued_at < changed.replace(microsecond=0):
        raise SessionExpired()
    for key in ("roles", "warehouse_ids", "department_ids"):
        if isinstance(row[key], str):
            row[key] = json.loads(row[key])
    return actor_from_row(row)


async def logout(actor: Actor, jti: str, expires_at: datetime) -> None:
    async with unit_of_work(actor) as uow:
        await RevokedToken.insert(RevokedToken(jti=jti, expires_at=expires_at))
        uow.audit("logout", "user", actor.user_id)
    await sessions.forget_token(jti)


async def change_password(actor: Actor, current: str, new: str) -> None:
    assert actor.user_id is not None
    row = await _load(actor.user_id)
    if row is None:
        raise NotFound(entity="user", key=actor.user_id)
    if not await verify_password(row["password_hash"], current):
        raise WrongCurrentPassword(field="current_password")
    problem = rules.password_problem(new, row["username"])
    if problem:
        raise WeakPassword(field="new_password", reason=problem)
    new_hash = await hash_password(new)
    async with unit_of_work(actor) as uow:
        await User.update(
            {User.password_hash: new_hash, User.credentials_changed_at: clock.now()}
        ).where(User.id == actor.user_id)
        uow.audit("change_password", "user", actor.user_id)
    await sessions.forget_user(actor.user_id)


def _check_roles(roles: list[str]) -> None:
    if not roles:
        raise InvalidInput(field="roles", reason="at least one role")
    for role in roles:
        if role not in rules.ALL_ROLES:
            raise UnknownRole(field="roles", value=role)


async def create_user(
    actor: Actor,
    *,
    username: str,
    full_name: str,
    password: str,
    roles: list[str],
    warehouse_ids: list[int] | None = None,
    department_ids: list[int] | None = None,
) -> UserView:
    _check_roles(roles)
    problem = rules.password_problem(password, username)
    if problem:
        raise WeakPassword(field="password", reason=problem)
    await _check_scope_ids(warehouse_ids or [], department_ids or [])
    password_hash = await hash_password(password)
    async with unit_of_work(actor) as uow:
        if await User.exists().where(User.username == username):
            raise Duplicate(field="username", value=username)
        rows = await User.insert(
            User(
                username=username,
                full_name=full_name,
                password_hash=password_hash,
                roles=roles,
                warehouse_ids=warehouse_ids or [],
                department_ids=department_ids or [],
            )
        )
        user_id = rows[0]["id"]
        uow.audit(
            "create",
            "user",
            user_id,
            new={
                "username": username,
                "full_name": full_name,
                "roles": roles,
                "warehouse_ids": warehouse_ids or [],
                "department_ids": department_ids or [],
            },
        )
    return await get_user(user_id)


async def _check_scope_ids(warehouse_ids: list[int], department_ids: list[int]) -> None:
    from backend.sites import service as sites

    missing = await sites.missing_warehouses(warehouse_ids)
    if missing:
        raise InvalidInput(field="warehouse_ids", reason=f"unknown warehouse {missing[0]}")
    missing = await sites.missing_departments(department_ids)
    if missing:
        raise InvalidInput(field="department_ids", reason=f"unknown department {missing[0]}")


async def update_user(actor: Actor, user_id: int, changes: dict[str, Any]) -> UserView:
    row = await _load(user_id)
    if row is None:
        raise NotFound(entity="user", key=user_id)
    if "roles" in changes:
        _check_roles(changes["roles"])
    await _check_scope_ids(changes.get("warehouse_ids", []), changes.get("department_ids", []))
    old = {k: row[k] for k in changes}
    update: dict[Any, Any] = {getattr(User, k): v for k, v in changes.items()}
    async with unit_of_work(actor) as uow:
        if update:
            await User.update(update).where(User.id == user_id)
        uow.audit("update", "user", user_id, old=old, new=changes)
    await sessions.forget_user(user_id)  # roles, scope, name or active may have changed
    return await get_user(user_id)


async def unlock_user(actor: Actor, user_id: int) -> UserView:
    row = await _load(user_id)
    if row is None:
        raise NotFound(entity="user", key=user_id)
    async with unit_of_work(actor) as uow:
        await User.update({User.locked_at: None, User.failed_logins: 0}).where(User.id == user_id)
        uow.audit("unlock", "user", user_id, old={"locked": row["locked_at"] is not None})
    return await get_user(user_id)


async def get_user(user_id: int) -> UserView:
    row = await _load(user_id)
    if row is None:
        raise NotFound(entity="user", key=user_id)
    return _view(row)


async def list_users(limit: int, offset: int) -> tuple[list[UserView], int]:
    rows = await User.select().order_by(User.id).limit(limit).offset(offset).output(load_json=True)
    return [_view(r) for r in rows], await User.count()


async def prune_revoked_tokens() -> int:
    now = clock.now()
    expired = await RevokedToken.count().where(RevokedToken.expires_at < now)
    await RevokedToken.delete().where(RevokedToken.expires_at < now)
    return int(expired)
