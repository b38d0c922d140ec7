"""/api/v1/audit: the audit trail and the signatures on a record (read-only)."""

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import QueryParameter

from backend.audit.signatures import signatures_of
from backend.audit.tables import AuditEntry
from backend.auth.guards import requires
from backend.auth.rules import Permission
from backend.core.pagination import Limit, Offset, Page
from backend.core.structs import Output


class AuditEntryOut(Output, kw_only=True):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: str
    old: Any
    new: Any
    reason: str | None
    seq: int | None
    """Position in the hash chain; empty until the entry is sealed (moments after commit)."""
    hash: str | None


class SignatureOut(Output, kw_only=True):
    id: int
    user_id: int
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    entity: str
    entity_id: str
    record_hash: str


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]

    @get("/entries", **requires(Permission.audit_read))
    async def entries(
        self,
        entity: Annotated[str | None, QueryParameter(max_length=60)] = None,
        entity_id: Annotated[str | None, QueryParameter(max_length=60)] = None,
        actor_id: Annotated[int | None, QueryParameter(ge=1)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[AuditEntryOut]:
        clauses: list[Any] = []
        if entity is not None:
            clauses.append(AuditEntry.entity == entity)
        if entity_id is not None:
            clauses.append(AuditEntry.entity_id == entity_id)
        if actor_id is not None:
            clauses.append(AuditEntry.actor_id == actor_id)
        query = AuditEntry.select().order_by(AuditEntry.id, ascending=False)
        count = AuditEntry.count()
        for clause in clauses:
            query = query.where(clause)
            count = count.where(clause)
        rows = await query.limit(limit).offset(offset).output(load_json=True)
        return Page(
            items=[
                AuditEntryOut(**{k: r[k] for k in AuditEntryOut.__struct_fields__}) for r in rows
            ],
            total=await count,
            limit=limit,
            offset=offset,
        )

    @get("/signatures", **requires(Permission.audit_read))
    async def signatures(
        self,
        entity: Annotated[str, QueryParameter(max_length=60)],
        entity_id: Annotated[str, QueryParameter(max_length=60)],
    ) -> list[SignatureOut]:
        views = await signatures_of(entity, entity_id)
        fields = SignatureOut.__struct_fields__
        return [SignatureOut(**{k: getattr(v, k) for k in fields}) for v in views]


CONTROLLERS = [AuditController]
