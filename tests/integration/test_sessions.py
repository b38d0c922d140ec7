"""The per-process cache of who a token speaks for (backend/auth/sessions.py): used for a few
seconds, dropped at once by every change that ends or narrows a session in this process, and
by the invalidations other processes publish on the channels backend. (A password change:
tests/integration/test_auth.py, whose first request caches the token. Across real processes
over Redis: tests/e2e/test_session_invalidation.py.)"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from backend.auth import sessions
from backend.auth.tables import User
from tests.support import TestUser, make_user


def _jti(user: TestUser) -> str:
    from backend.app import jwt_auth

    token = user.headers["Authorization"].removeprefix("Bearer ")
    return str(jwt_auth.token_cls.decode(token, jwt_auth.token_secret, jwt_auth.algorithm).jti)


async def me(client: httpx.AsyncClient, user: TestUser) -> httpx.Response:
    return await client.get("/api/v1/auth/me", headers=user.headers)


async def test_a_tokens_actor_is_read_once_and_then_served_from_the_cache(client):
    lina = await make_user("lina", ["warehouse"])
    assert sessions.CACHE.get(_jti(lina)) is None
    assert (await me(client, lina)).status_code == 200
    cached = sessions.CACHE.get(_jti(lina))
    assert cached is not None and cached.username == "lina"
    # A change made behind the services' back (no invalidation) is not seen while cached...
    await User.update({User.active: False}).where(User.id == lina.id)
    assert (await me(client, lina)).status_code == 200


async def test_a_cached_actor_expires_after_the_ttl(client, monkeypatch):
    monkeypatch.setattr(sessions.CACHE, "ttl", 0.2)
    lina = await make_user("lina", ["warehouse"])
    assert (await me(client, lina)).status_code == 200
    await User.update({User.active: False}).where(User.id == lina.id)
    await asyncio.sleep(0.3)
    assert (await me(client, lina)).status_code == 401


async def test_logout_ends_a_cached_token_at_once(client):
    lina = await make_user("lina", ["warehouse"])
    other = await make_user("lina2", ["warehouse"])
    assert (await me(client, lina)).status_code == 200
    assert (await me(client, other)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=lina.headers)).status_code == 204
    after = await me(client, lina)
    assert (after.status_code, after.json()["code"]) == (401, "AUTH_SESSION_EXPIRED")
    assert sessions.CACHE.get(_jti(other)) is not None  # only that token


async def _admin_patch(client: httpx.AsyncClient, user: TestUser, **changes: Any) -> None:
    admin = await make_user("boss", ["admin"])
    response = await client.patch(f"/api/v1/users/{user.id}", json=changes, headers=admin.headers)
    assert response.status_code == 200, response.text


async def test_deactivating_a_user_ends_their_cached_sessions_at_once(client):
    lina = await make_user("lina", ["warehouse"])
    assert (await me(client, lina)).status_code == 200
    await _admin_patch(client, lina, active=False)
    assert (await me(client, lina)).status_code == 401


async def test_a_role_change_applies_to_the_next_request(client):
    lina = await make_user("lina", ["warehouse"])
    scan = {"raw": "]E06901234567892"}
    assert (await client.post("/api/v1/scans", json=scan, headers=lina.headers)).is_success
    await _admin_patch(client, lina, roles=["auditor"])  # auditors may not scan
    refused = await client.post("/api/v1/scans", json=scan, headers=lina.headers)
    assert refused.status_code == 403


async def test_a_scope_change_applies_to_the_next_request(client):
    from backend.sites.tables import Warehouse

    rows = await Warehouse.insert(
        Warehouse(code="WH-A", name="A"), Warehouse(code="WH-B", name="B")
    )
    wh_a, wh_b = (int(r["id"]) for r in rows)
    lina = await make_user("lina", ["warehouse"], warehouse_ids=[wh_a])
    assert sessions.CACHE.get(_jti(lina)) is None
    assert (await me(client, lina)).status_code == 200
    assert sessions.CACHE.get(_jti(lina)).warehouse_ids == {wh_a}  # type: ignore[union-attr]
    await _admin_patch(client, lina, warehouse_ids=[wh_b])
    assert (await me(client, lina)).status_code == 200
    assert sessions.CACHE.get(_jti(lina)).warehouse_ids == {wh_b}  # type: ignore[union-attr]


async def test_locking_an_account_by_failed_sign_ins_ends_its_cached_sessions(client):
    lina = await make_user("lina", ["warehouse"])
    assert (await me(client, lina)).status_code == 200
    for _ in range(5):
        await client.post("/api/v1/auth/login", json={"username": "lina", "password": "wrong-one"})
    assert (await me(client, lina)).status_code == 401


async def test_an_invalidation_from_another_process_drops_the_entry(client, app):
    lina = await make_user("lina", ["warehouse"])
    assert (await me(client, lina)).status_code == 200
    assert sessions.CACHE.get(_jti(lina)) is not None
    # What another API instance publishes after deactivating lina:
    await app.state.channels.wait_published(b'{"user_id": %d}' % lina.id, [sessions.CHANNEL])
    for _ in range(100):
        if sessions.CACHE.get(_jti(lina)) is None:
            break
        await asyncio.sleep(0.01)
    assert sessions.CACHE.get(_jti(lina)) is None


async def test_a_malformed_invalidation_is_ignored_and_the_listener_goes_on(client, app):
    lina = await make_user("lina", ["warehouse"])
    await app.state.channels.wait_published(b"not json", [sessions.CHANNEL])
    await app.state.channels.wait_published(b'{"jti": "x"}', [sessions.CHANNEL])
    await asyncio.sleep(0.05)
    assert sessions.CACHE.enabled
    assert (await me(client, lina)).status_code == 200
    assert sessions.CACHE.get(_jti(lina)) is not None


def test_a_look_up_that_began_before_an_invalidation_is_not_stored():
    from backend.core.actor import Actor

    cache = sessions.SessionCache()
    cache.enabled = True
    began = cache.generation
    cache.apply(sessions.Invalidation(user_id=7))  # lands while the database is being read
    cache.put("t1", Actor(user_id=7, username="lina"), began)
    assert cache.get("t1") is None
    cache.put("t1", Actor(user_id=7, username="lina"), cache.generation)
    assert cache.get("t1") is not None


def test_nothing_is_cached_while_no_process_link_listens():
    from backend.core.actor import Actor

    cache = sessions.SessionCache()
    cache.put("t1", Actor(user_id=7, username="lina"), cache.generation)
    assert cache.get("t1") is None


@pytest.mark.parametrize("change", [{"user_id": 7}, {"jti": "t1"}])
def test_an_invalidation_drops_the_users_tokens_or_the_one_token(change):
    from backend.core.actor import Actor

    cache = sessions.SessionCache()
    cache.enabled = True
    cache.put("t1", Actor(user_id=7, username="lina"), cache.generation)
    cache.put("t2", Actor(user_id=8, username="omar"), cache.generation)
    cache.apply(sessions.Invalidation(**change))
    assert cache.get("t1") is None
    assert cache.get("t2") is not None
