"""GET /health: the database and the job queue, without signing in."""

from __future__ import annotations


async def test_health_reports_the_database_and_the_jobs(client, backend_name):
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["database_kind"] == ("sqlite" if backend_name == "sqlite" else "postgresql")
    assert body["jobs"] == "in-process"


async def test_health_says_degraded_when_redis_is_unreachable(client, monkeypatch):
    import dataclasses

    from backend import health
    from backend.settings import get_settings

    broken = dataclasses.replace(get_settings(), redis_url="redis://127.0.0.1:1/0")
    monkeypatch.setattr(health, "get_settings", lambda: broken)
    response = await client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["jobs"].startswith("redis error")


async def test_health_reports_a_reachable_redis(client, monkeypatch, redis_url):
    import dataclasses

    from backend import health
    from backend.settings import get_settings

    with_redis = dataclasses.replace(get_settings(), redis_url=redis_url)
    monkeypatch.setattr(health, "get_settings", lambda: with_redis)
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["jobs"] == "redis ok"


async def test_health_says_degraded_when_the_database_does_not_answer(client, monkeypatch):
    from backend import health

    async def down(*args, **kwargs):
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(health.db, "fetch", down)
    response = await client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "error: ConnectionRefusedError"
    assert "database down" not in response.text
