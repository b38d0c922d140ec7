"""Every endpoint × every role, discovered from the app itself: a new route is covered (or,
without a permission, fails) without anyone editing this file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from backend.auth.guards import PERMISSION_OPT
from backend.auth.rules import PERMISSIONS, Permission, Role
from tests.integration.foundation import seed
from tests.support import make_role_users, token_for

_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def endpoints(app: Litestar) -> Iterator[tuple[str, str, Any]]:
    """(method, path template, handler) for every HTTP handler of the app but OPTIONS/HEAD."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                yield method, route.path, handler


def guarded(app: Litestar) -> list[tuple[str, str, Permission]]:
    return [
        (method, path, handler.opt[PERMISSION_OPT])
        for method, path, handler in endpoints(app)
        if not handler.opt.get("public")
    ]


def concrete(path: str) -> str:
    """Fill path parameters: every seeded table's first record has id 1."""

    def fill(m: re.Match[str]) -> str:
        return "1" if m.group(2) in (None, "int", "str") else "x"

    return _PARAM.sub(fill, path)


def test_every_non_public_endpoint_names_a_permission(app):
    missing = [
        f"{method} {path}"
        for method, path, handler in endpoints(app)
        if not handler.opt.get("public")
        and not isinstance(handler.opt.get(PERMISSION_OPT), Permission)
    ]
    assert missing == [], "endpoints without opt['permission'] (use **requires(...)): " + ", ".join(
        missing
    )


def test_the_public_endpoints_are_only_health_sign_in_and_the_api_docs(app):
    public = {path for method, path, handler in endpoints(app) if handler.opt.get("public")}
    assert "/health" in public
    assert "/api/v1/auth/login" in public
    assert any(p.startswith("/schema") for p in public)
    allowed = {"/api/v1/auth/login", "/", "/{path:path}"}
    assert all(p in allowed or p.startswith(("/health", "/schema")) for p in public), public


def test_the_matrix_covers_the_foundations_endpoints(app):
    paths = {path for _m, path, _p in guarded(app)}
    for expected in (
        "/api/v1/products",
        "/api/v1/locations/{record_id:int}/retire",
        "/api/v1/users/{user_id:int}",
        "/api/v1/audit/signatures",
        "/api/v1/auth/me",
    ):
        assert expected in paths


async def test_without_a_token_every_guarded_endpoint_answers_401(app, client: httpx.AsyncClient):
    wrong = []
    for method, path, _permission in guarded(app):
        response = await client.request(method, concrete(path), json={})
        if response.status_code != 401 or response.json().get("code") != "AUTHENTICATION_REQUIRED":
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
    assert wrong == []


async def test_each_role_is_refused_exactly_where_the_permission_table_says(
    app, client: httpx.AsyncClient
):
    s = await seed()
    users = await make_role_users([s.warehouse_a], [s.department_a])
    assert {u.role for u in users.values()} == set(Role)
    wrong: list[str] = []
    asked = 0

    async def ask(method: str, path: str, permission: Permission, role: str, user: Any) -> None:
        # A fresh token per request: a sign-out endpoint must not end the next request's.
        headers = {"Authorization": f"Bearer {token_for(user.id)}", "Accept-Language": "en"}
        response = await client.request(method, concrete(path), json={}, headers=headers)
        status = response.status_code
        if role in PERMISSIONS[permission]:
            if status in (401, 403) or status >= 500:
                wrong.append(
                    f"{role} {method} {path}: allowed but got {status} {response.text[:160]}"
                )
        elif status != 403 or response.json().get("code") != "PERMISSION_DENIED":
            wrong.append(
                f"{role} {method} {path}: not allowed but got {status} {response.text[:160]}"
            )
        elif not response.headers["content-type"].startswith("application/problem+json"):
            wrong.append(f"{role} {method} {path}: refusal is not problem+json")

    for method, path, permission in guarded(app):
        # One role after another: asked at once, two allowed writers race each other (that
        # is a concurrency test's business, not this table's).
        for role, user in users.items():
            await ask(method, path, permission, role, user)
            asked += 1
    assert wrong == [], "\n".join(wrong)
    assert asked >= 7 * 50  # the foundation alone has more than 50 guarded endpoints


@pytest.mark.parametrize("role", list(Role))
def test_every_permission_names_only_known_roles_and_auditors_never_write(role):
    for permission, roles in PERMISSIONS.items():
        assert roles <= set(Role)
        if role is Role.auditor and role in roles:
            assert permission.endswith(".read") or permission in {"masterdata.read", "account"}


def test_every_websocket_is_public_by_choice_or_names_a_permission(app):
    """WebSockets check their token themselves (a browser cannot send headers); each must say
    so with `public`, or carry a permission like an HTTP route."""
    from litestar.routes import WebSocketRoute

    unmarked = [
        route.path
        for route in app.routes
        if isinstance(route, WebSocketRoute)
        if not route.route_handler.opt.get("public")
        and PERMISSION_OPT not in route.route_handler.opt
    ]
    assert unmarked == []
