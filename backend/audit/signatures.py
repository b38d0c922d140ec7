"""Electronic signatures: password re-entered, meaning stated, linked for good to the record.

A signing use case (QA release, recall closure, stocktake approval, disposal) calls `sign`
inside its own unit of work, so the signature and the signed change commit together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.audit.rules import record_hash
from backend.audit.tables import Signature
from backend.auth.passwords import verify_password
from backend.auth.tables import User
from backend.core import clock
from backend.core.errors import InvalidInput
from backend.core.unit_of_work import UnitOfWork


class Meaning(StrEnum):
    released = "released"
    rejected = "rejected"
    approved = "approved"
    reviewed = "reviewed"
    verified = "verified"
    closed = "closed"
    disposed = "disposed"


class SignatureRefused(InvalidInput):
    """422, not 401: the session is fine, the re-entered password is not (a client signs the
    user out on 401)."""

    status = 422
    code = "SIGNATURE_PASSWORD"
    zh = "签名失败：密码错误"
    en = "Signature refused: the password is wrong"


@dataclass(frozen=True, slots=True)
class SignatureView:
    id: int
    user_id: int
    printed_name: str
    meaning: str
    signed_at: datetime
    entity: str
    entity_id: str
    record_hash: str


async def sign(
    uow: UnitOfWork,
    *,
    password: str,
    meaning: str,
    entity: str,
    entity_id: object,
    record: Mapping[str, Any],
) -> SignatureView:
    actor = uow.actor
    if actor.user_id is None:
        raise InvalidInput(field="signer", reason="a person must sign")
    if meaning not in Meaning.__members__:
        raise InvalidInput(field="meaning", reason="one of " + ", ".join(Meaning))
    row = (
        await User.select(User.password_hash, User.full_name)
        .where(User.id == actor.user_id)
        .first()
    )
    if row is None or not await verify_password(row["password_hash"], password):
        raise SignatureRefused(field="password")
    digest = record_hash(record)
    audit_id = await uow.audit_now(
        "sign",
        entity,
        entity_id,
        new={"meaning": meaning, "record_hash": digest, "printed_name": row["full_name"]},
    )
    signed_at = clock.now()
    rows = await Signature.insert(
        Signature(
            user_id=actor.user_id,
            printed_name=row["full_name"],
            meaning=meaning,
            signed_at=signed_at,
            entity=entity,
            entity_id=str(entity_id),
            record_hash=digest,
            audit_entry_id=audit_id,
        )
    )
    return SignatureView(
        id=rows[0]["id"],
        user_id=actor.user_id,
        printed_name=row["full_name"],
        meaning=meaning,
        signed_at=signed_at,
        entity=entity,
        entity_id=str(entity_id),
        record_hash=digest,
    )


async def signatures_of(entity: str, entity_id: object) -> list[SignatureView]:
    rows = await (
        Signature.select()
        .where((Signature.entity == entity) & (Signature.entity_id == str(entity_id)))
        .order_by(Signature.id)
    )
    return [
        SignatureView(
            id=r["id"],
            user_id=r["user_id"],
            printed_name=r["printed_name"],
            meaning=r["meaning"],
            signed_at=r["signed_at"],
            entity=r["entity"],
            entity_id=r["entity_id"],
            record_hash=r["record_hash"],
        )
        for r in rows
    ]
