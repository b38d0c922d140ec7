"""Sign-in, lock-out, rate limits, sign-out and password change over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from backend.auth.tables import LoginAttempt, User
from tests.support import PASSWORD, make_user


async def login(client: httpx.AsyncClient, username: str, password: str, **headers: str) -> Any:
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}, headers=headers
    )


async def test_a_user_signs_in_and_gets_a_bearer_token_and_an_httponly_cookie(client):
    await make_user("lina", ["warehouse"])
    response = await login(client, "lina", PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["username"] == "lina"
    assert "httponly" in response.headers["set-cookie"].lower()
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["roles"] == ["warehouse"]


async def test_a_wrong_password_is_refused_in_the_users_language(client):
    await make_user("lina", ["warehouse"])
    response = await login(client, "lina", "not-the-password", **{"Accept-Language": "zh-CN"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "AUTH_INVALID_CREDENTIALS"
    assert problem["detail"] == "用户名或密码错误"
    assert await LoginAttempt.count().where(LoginAttempt.success == False) == 1  # noqa: E712


async def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    response = await login(client, "nobody", "whatever-password")
    assert response.status_code == 401
    assert response.json()["code"] == "AUTH_INVALID_CREDENTIALS"


async def test_five_failures_in_a_row_lock_the_account_and_it_says_so(client):
    await make_user("lina", ["warehouse"])
    codes = [
        (await login(client, "lina", "wrong-password", **{"X-Forwarded-For": "x"})).json()["code"]
        for _ in range(5)
    ]
    assert codes[:4] == ["AUTH_INVALID_CREDENTIALS"] * 4
    assert codes[4] == "AUTH_ACCOUNT_LOCKED"
    # Even the right password is refused now, with the reason.
    response = await login(client, "lina", PASSWORD)
    assert response.status_code == 423
    assert response.json()["code"] == "AUTH_ACCOUNT_LOCKED"
    locked = await User.select(User.locked_at).where(User.username == "lina").first()
    assert locked["locked_at"] is not None


async def test_an_admin_unlocks_a_locked_account(client):
    admin = await make_user("boss", ["admin"])
    await make_user("lina", ["warehouse"])
    for _ in range(5):
        await login(client, "lina", "wrong-password")
    user = await User.select(User.id).where(User.username == "lina").first()
    response = await client.post(f"/api/v1/users/{user['id']}/unlock", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["locked"] is False
    assert (await login(client, "lina", PASSWORD)).status_code == 200


async def test_sign_in_attempts_are_rate_limited_per_address(client, monkeypatch):
    import dataclasses

    from backend.auth import service
    from backend.settings import get_settings

    strict = dataclasses.replace(get_settings(), login_rate_per_minute=3)
    monkeypatch.setattr(service, "get_settings", lambda: strict)
    statuses = [(await login(client, f"ghost{i}", "whatever-pass")).status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = await login(client, "ghost9", "whatever-pass")
    assert limited.json()["code"] == "AUTH_RATE_LIMITED"
    assert limited.headers["retry-after"] == "60"


async def test_logout_ends_the_token(client):
    await make_user("lina", ["warehouse"])
    token = (await login(client, "lina", PASSWORD)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    after = await client.get("/api/v1/auth/me", headers=headers)
    assert after.status_code == 401
    assert after.json()["code"] == "AUTH_SESSION_EXPIRED"


async def test_changing_the_password_ends_older_tokens_and_weak_ones_are_refused(client):
    user = await make_user("lina", ["warehouse"])
    weak = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=user.headers,
    )
    assert weak.status_code == 422
    assert weak.json()["field"] == "new_password"
    import asyncio

    await asyncio.sleep(1.05)  # token iat has one-second resolution
    changed = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a-much-longer-secret"},
        headers=user.headers,
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=user.headers)).status_code == 401
    assert (await login(client, "lina", "a-much-longer-secret")).status_code == 200


async def test_requests_without_a_token_are_refused(client):
    response = await client.get("/api/v1/products")
    assert response.status_code == 401
    assert response.json()["code"] == "AUTHENTICATION_REQUIRED"


async def test_concurrent_wrong_passwords_still_lock_the_account(client):
    import asyncio

    await make_user("lina", ["warehouse"])
    await asyncio.gather(*[login(client, "lina", f"wrong-password-{n}") for n in range(5)])
    locked = (
        await User.select(User.locked_at, User.failed_logins).where(User.username == "lina").first()
    )
    assert locked["failed_logins"] == 5
    assert locked["locked_at"] is not None
