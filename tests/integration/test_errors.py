"""Errors the framework raises leave as problem+json too, and a crash never leaks its traceback."""

from __future__ import annotations

import logging

from backend.core import crud
from tests.support import make_user


async def test_an_unknown_route_is_a_404_problem(client):
    user = await make_user("lina", ["warehouse"])
    for url in ("/api/v1/nothing-here", "/api/v1/products/not-a-number"):
        response = await client.get(url, headers=user.headers)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "NOT_FOUND"


async def test_a_404_speaks_chinese_unless_english_is_preferred(client):
    zh = await client.get("/api/v1/nothing-here")
    assert zh.json()["detail"] == "请求的资源不存在"
    assert zh.headers["content-language"] == "zh-CN"
    en = await client.get("/api/v1/nothing-here", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert en.json()["detail"] == "There is nothing at this address"


async def test_a_missing_record_names_what_was_not_found(client):
    user = await make_user("lina", ["warehouse"])
    response = await client.get("/api/v1/products/12345", headers=user.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert response.json()["entity"] == "product"
    assert response.json()["key"] == 12345


async def test_a_method_the_route_does_not_have_is_405(client):
    user = await make_user("lina", ["admin"])
    response = await client.delete("/api/v1/products", headers=user.headers)
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


async def test_an_unexpected_exception_is_a_500_problem_without_the_traceback(
    client, monkeypatch, caplog
):
    user = await make_user("lina", ["warehouse"])

    async def broken(*args, **kwargs):
        raise ZeroDivisionError("secret internals: /srv/lotwise/db password=hunter2")

    monkeypatch.setattr(crud, "get", broken)
    with caplog.at_level(logging.ERROR):
        response = await client.get("/api/v1/products/1", headers=user.headers)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "INTERNAL_ERROR"
    assert set(problem) == {"type", "title", "status", "detail", "code"}
    for leak in ("Traceback", "ZeroDivisionError", "hunter2", "crud.py"):
        assert leak not in response.text
    # ... but it is in the log, for whoever runs the server.
    assert "ZeroDivisionError" in caplog.text


async def test_the_api_docs_are_served_without_signing_in(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Lotwise API"


async def test_a_unique_violation_that_escapes_a_use_case_is_a_409_not_a_500(client, monkeypatch):
    import sqlite3

    from asyncpg.exceptions import UniqueViolationError

    user = await make_user("lina", ["warehouse"])
    for error in (
        UniqueViolationError('duplicate key value violates unique constraint "x_key"'),
        sqlite3.IntegrityError("UNIQUE constraint failed: station_session.station"),
    ):

        async def racing(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(crud, "get", racing)
        response = await client.get("/api/v1/products/1", headers=user.headers)
        assert response.status_code == 409
        assert response.json()["code"] == "CONFLICT"
        assert "station_session" not in response.text
