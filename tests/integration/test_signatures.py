"""Electronic signatures: the password again, a stated meaning, the printed name and time,
the signed record's hash, linked to the audit entry that records the signing."""

from __future__ import annotations

import pytest

from backend.audit.rules import record_hash
from backend.audit.signatures import SignatureRefused, sign
from backend.audit.tables import AuditEntry, Signature
from backend.core.actor import SYSTEM
from backend.core.errors import InvalidInput
from backend.core.unit_of_work import unit_of_work
from tests.integration.foundation import written
from tests.support import PASSWORD, make_user

RECORD = {"lot": "A123", "product": 7, "status": "released", "expiry": "2027-06-30"}


async def test_a_signature_stores_name_meaning_time_record_hash_and_its_audit_entry(client):
    qa = await make_user("chen", ["qa"], full_name="质量员 陈晓")
    async with unit_of_work(qa.actor) as uow:
        view = await sign(
            uow, password=PASSWORD, meaning="released", entity="lot", entity_id=42, record=RECORD
        )
    row = await Signature.select().where(Signature.id == view.id).first()
    assert row["printed_name"] == "质量员 陈晓"
    assert row["meaning"] == "released"
    assert row["user_id"] == qa.id
    assert row["signed_at"] is not None
    assert (row["entity"], row["entity_id"]) == ("lot", "42")
    assert row["record_hash"] == record_hash(RECORD)
    entry = (
        await AuditEntry.select()
        .where(AuditEntry.id == row["audit_entry_id"])
        .output(load_json=True)
        .first()
    )
    assert (entry["action"], entry["entity"], entry["entity_id"]) == ("sign", "lot", "42")
    assert entry["new"] == {
        "meaning": "released",
        "record_hash": record_hash(RECORD),
        "printed_name": "质量员 陈晓",
    }
    assert entry["actor_id"] == qa.id

    listed = await client.get(
        "/api/v1/audit/signatures", params={"entity": "lot", "entity_id": "42"}, headers=qa.headers
    )
    assert listed.status_code == 200
    [shown] = listed.json()
    assert shown["printed_name"] == "质量员 陈晓"
    assert shown["meaning"] == "released"
    assert shown["record_hash"] == record_hash(RECORD)
    assert shown["signed_at"]
    other = await client.get(
        "/api/v1/audit/signatures", params={"entity": "lot", "entity_id": "43"}, headers=qa.headers
    )
    assert other.json() == []


async def test_a_wrong_password_refuses_the_signature_and_rolls_the_change_back(client):
    qa = await make_user("chen", ["qa"])
    before = await written()
    with pytest.raises(SignatureRefused) as refused:
        async with unit_of_work(qa.actor) as uow:
            uow.audit("release", "lot", 42, new={"status": "released"})
            await sign(
                uow,
                password="not-my-password",
                meaning="released",
                entity="lot",
                entity_id=42,
                record=RECORD,
            )
    assert refused.value.code == "SIGNATURE_PASSWORD"
    assert refused.value.field == "password"
    assert await written() == before
    assert await Signature.count() == 0


async def test_an_unknown_meaning_is_refused(client):
    qa = await make_user("chen", ["qa"])
    with pytest.raises(InvalidInput) as refused:
        async with unit_of_work(qa.actor) as uow:
            await sign(
                uow,
                password=PASSWORD,
                meaning="looked at it",
                entity="lot",
                entity_id=42,
                record=RECORD,
            )
    assert refused.value.field == "meaning"
    assert await Signature.count() == 0


async def test_the_system_cannot_sign():
    with pytest.raises(InvalidInput) as refused:
        async with unit_of_work(SYSTEM) as uow:
            await sign(
                uow, password=PASSWORD, meaning="released", entity="lot", entity_id=1, record=RECORD
            )
    assert refused.value.field == "signer"


async def test_signatures_of_a_record_are_listed_in_order(client):
    qa = await make_user("chen", ["qa"])
    head = await make_user("sun", ["department_head"], full_name="护士长 孙静")
    for user, meaning in ((qa, "reviewed"), (head, "approved")):
        async with unit_of_work(user.actor) as uow:
            await sign(
                uow,
                password=PASSWORD,
                meaning=meaning,
                entity="stocktake",
                entity_id="ST-1",
                record={"id": "ST-1"},
            )
    listed = await client.get(
        "/api/v1/audit/signatures",
        params={"entity": "stocktake", "entity_id": "ST-1"},
        headers=qa.headers,
    )
    assert [(s["meaning"], s["printed_name"]) for s in listed.json()] == [
        ("reviewed", "Test chen"),
        ("approved", "护士长 孙静"),
    ]
    from backend.audit import chain

    assert (await chain.verify())[1] is None


async def test_a_wrong_signature_password_is_not_mistaken_for_an_ended_session():
    """The PWA signs the user out on 401; a mistyped signature password must not do that."""
    error = SignatureRefused(field="password")
    assert error.status in (403, 422)


async def test_a_wrong_current_password_on_change_keeps_the_session(client):
    user = await make_user("lina", ["warehouse"])
    response = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "typo-typo-typo", "new_password": "a-much-longer-secret"},
        headers=user.headers,
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (
        "AUTH_WRONG_PASSWORD",
        "current_password",
    )
    assert (await client.get("/api/v1/auth/me", headers=user.headers)).status_code == 200
