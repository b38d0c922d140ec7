"""Idempotency-Key: a replay returns the first answer and writes nothing."""

from __future__ import annotations

import asyncio

import httpx

from backend.catalog.tables import Product
from backend.core import crud
from backend.core.tables import IdempotencyRecord
from tests.integration.foundation import product_body, written
from tests.support import make_user


def keyed(user, key: str) -> dict[str, str]:
    return {**user.headers, "Idempotency-Key": key}


async def test_a_replayed_post_returns_the_first_answer_and_writes_nothing(client):
    admin = await make_user("boss", ["admin"])
    first = await client.post("/api/v1/products", json=product_body(), headers=keyed(admin, "k-1"))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    before = (await Product.count(), *await written())
    again = await client.post("/api/v1/products", json=product_body(), headers=keyed(admin, "k-1"))
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert (await Product.count(), *await written()) == before


async def test_the_same_key_with_a_different_body_is_refused_naming_the_header(client):
    admin = await make_user("boss", ["admin"])
    await client.post("/api/v1/products", json=product_body("P-1"), headers=keyed(admin, "k-1"))
    before = (await Product.count(), *await written())
    other = await client.post(
        "/api/v1/products",
        json=product_body("P-2"),
        headers={**keyed(admin, "k-1"), "Accept-Language": "zh-CN"},
    )
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    problem = other.json()
    assert problem["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert problem["field"] == "Idempotency-Key"
    assert problem["detail"] == "该 Idempotency-Key 已用于另一个不同的请求"
    assert other.headers["content-language"] == "zh-CN"
    assert (await Product.count(), *await written()) == before


async def test_the_same_key_on_another_path_is_a_different_request(client):
    admin = await make_user("boss", ["admin"])
    await client.post("/api/v1/products", json=product_body(), headers=keyed(admin, "k-1"))
    other = await client.post(
        "/api/v1/suppliers", json={"code": "S1", "name": "n"}, headers=keyed(admin, "k-1")
    )
    assert other.status_code == 422
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_a_key_whose_first_request_is_in_flight_answers_409(client):
    admin = await make_user("boss", ["admin"])
    body = product_body()
    first = client.build_request("POST", "/api/v1/products", json=body, headers=keyed(admin, "k-1"))
    # The first request is still running: its claim is recorded, without an answer yet.
    import hashlib

    digest = hashlib.sha256(b"\n".join([b"POST", b"/api/v1/products", first.content])).hexdigest()
    await IdempotencyRecord.insert(
        IdempotencyRecord(scope=f"u{admin.id}:k-1", request_hash=digest, state="in_progress")
    )
    before = (await Product.count(), *await written())
    response = await client.send(first)
    assert response.status_code == 409
    assert response.json()["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert (await Product.count(), *await written()) == before


async def test_a_slow_first_request_makes_a_concurrent_duplicate_answer_409(client, monkeypatch):
    admin = await make_user("boss", ["admin"])
    release = asyncio.Event()
    entered = asyncio.Event()
    real_create = crud.create

    async def slow_create(*args, **kwargs):
        entered.set()
        await release.wait()
        return await real_create(*args, **kwargs)

    monkeypatch.setattr(crud, "create", slow_create)
    first = asyncio.create_task(
        client.post("/api/v1/products", json=product_body(), headers=keyed(admin, "k-1"))
    )
    await asyncio.wait_for(entered.wait(), 5)
    duplicate = await client.post(
        "/api/v1/products", json=product_body(), headers=keyed(admin, "k-1")
    )
    release.set()
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert (await first).status_code == 201
    assert await Product.count() == 1


async def test_keys_belong_to_one_user(client):
    one = await make_user("one", ["admin"])
    two = await make_user("two", ["admin"])
    a = await client.post("/api/v1/products", json=product_body("P-1"), headers=keyed(one, "k"))
    b = await client.post("/api/v1/products", json=product_body("P-2"), headers=keyed(two, "k"))
    assert (a.status_code, b.status_code) == (201, 201)
    assert "idempotent-replayed" not in b.headers
    assert await Product.count() == 2


async def test_a_refusal_is_replayed_too(client):
    admin = await make_user("boss", ["admin"])
    bad = product_body(risk_class="IV")
    first = await client.post("/api/v1/products", json=bad, headers=keyed(admin, "k-1"))
    assert first.status_code == 422
    again = await client.post("/api/v1/products", json=bad, headers=keyed(admin, "k-1"))
    assert again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json() == first.json()


async def test_a_server_error_releases_the_key_so_the_client_may_retry(client, monkeypatch):
    admin = await make_user("boss", ["admin"])

    async def broken(*args, **kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(crud, "create", broken)
    failed = await client.post("/api/v1/products", json=product_body(), headers=keyed(admin, "k-1"))
    assert failed.status_code == 500
    assert await IdempotencyRecord.count() == 0
    monkeypatch.undo()
    retried = await client.post(
        "/api/v1/products", json=product_body(), headers=keyed(admin, "k-1")
    )
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers


async def test_a_key_longer_than_128_characters_is_refused(client):
    admin = await make_user("boss", ["admin"])
    response = await client.post(
        "/api/v1/products", json=product_body(), headers=keyed(admin, "k" * 129)
    )
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"
    assert await Product.count() == 0


async def test_reads_ignore_the_key(client: httpx.AsyncClient):
    admin = await make_user("boss", ["admin"])
    response = await client.get("/api/v1/products", headers=keyed(admin, "k-1"))
    assert response.status_code == 200
    assert await IdempotencyRecord.count() == 0


async def test_a_claim_abandoned_by_a_crashed_process_is_released_after_ten_minutes(client):
    import hashlib
    from datetime import timedelta

    from backend.core import clock

    admin = await make_user("boss", ["admin"])
    request = client.build_request(
        "POST", "/api/v1/products", json=product_body(), headers=keyed(admin, "k-1")
    )
    digest = hashlib.sha256(b"\n".join([b"POST", b"/api/v1/products", request.content])).hexdigest()
    await IdempotencyRecord.insert(
        IdempotencyRecord(
            scope=f"u{admin.id}:k-1",
            request_hash=digest,
            state="in_progress",
            created_at=clock.now() - timedelta(minutes=11),
        )
    )
    response = await client.send(request)
    assert response.status_code == 201, response.text
    assert await Product.count() == 1
    replay = await client.post("/api/v1/products", json=product_body(), headers=keyed(admin, "k-1"))
    assert replay.headers["idempotent-replayed"] == "true"
