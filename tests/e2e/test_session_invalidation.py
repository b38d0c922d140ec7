"""Two real API servers sharing Redis: a session ended through one is refused by the other as
soon as the invalidation arrives, long before the cached actor would expire."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx

from backend.auth import sessions
from backend.auth.tables import User
from tests.e2e.conftest import LiveServer, free_port
from tests.support import make_user

PROPAGATION_S = 1.5
"""Well under the cache's TTL: a refusal within this time comes from the event."""


async def test_a_user_deactivated_through_one_server_is_refused_by_the_other_at_once(
    database: None, tmp_path: Path, redis_url: str
):
    assert sessions.TTL_S >= 2 * PROPAGATION_S
    admin = await make_user("boss", ["admin"])
    lina = await make_user("lina", ["warehouse"])
    env = {**os.environ, "REDIS_URL": redis_url, "LOTWISE_LOGIN_RATE_PER_MINUTE": "1000"}
    a = LiveServer(port=free_port(), env=env, log_path=tmp_path / "a.log")
    b = LiveServer(port=free_port(), env=env, log_path=tmp_path / "b.log")
    a.start()
    try:
        b.start()
        async with httpx.AsyncClient(timeout=10) as http:

            async def me(server: LiveServer) -> int:
                response = await http.get(server.url + "/api/v1/auth/me", headers=lina.headers)
                return response.status_code

            assert (await me(a), await me(b)) == (200, 200)  # both now hold lina's actor
            # B really serves her from its cache: a change behind the services' back (no
            # event) is not noticed there.
            await User.update({User.active: False}).where(User.id == lina.id)
            assert await me(b) == 200
            await User.update({User.active: True}).where(User.id == lina.id)

            patched = await http.patch(
                f"{a.url}/api/v1/users/{lina.id}", json={"active": False}, headers=admin.headers
            )
            assert patched.status_code == 200, patched.text
            assert await me(a) == 401  # the process that made the change: at once
            started = time.monotonic()
            while await me(b) == 200:
                assert time.monotonic() - started < PROPAGATION_S, "B still accepts lina"
                await asyncio.sleep(0.02)
    finally:
        b.stop()
        a.stop()
