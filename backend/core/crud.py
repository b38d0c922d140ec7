"""Master-data records: create, read, list, update and retire, the same way for every kind.

A `Resource` describes one kind of record (its table, which fields are unique, searchable,
filterable, which references must exist and be in the caller's scope, and its own validation
rule). The functions below do the rest inside one unit of work: audit entry with old and new
values, an outbox event, and typed errors that name the field. Records are never deleted:
retiring sets ``active`` to false, so history keeps pointing at them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import Column, Real
from piccolo.columns.combination import And, Or, Where, WhereRaw
from piccolo.table import Table

from backend.core import db
from backend.core.actor import Actor
from backend.core.errors import Conflict, Duplicate, InvalidInput, NotFound
from backend.core.unit_of_work import unit_of_work

ScopeFilter = Callable[[Actor], Any | None]
"""Returns a Piccolo where-clause limiting rows to the actor's scope, or None for no limit."""

Validator = Callable[[dict[str, Any], Mapping[str, Any] | None], None]
"""Checks the record as it will be (new values merged over the old row); raises InvalidInput."""


@dataclass(frozen=True)
class Reference:
    table: type[Table]
    entity: str
    scope: ScopeFilter | None = None


@dataclass(frozen=True)
class Resource:
    table: type[Table]
    entity: str
    unique: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    references: Mapping[str, Reference] = field(default_factory=dict)
    scope: ScopeFilter | None = None
    validate: Validator | None = None
    unique_together: tuple[tuple[str, ...], ...] = ()
    field_names: Mapping[str, str] = field(default_factory=dict)
    """Column -> the request field it comes from, where they differ (errors name the field)."""

    def column(self, name: str) -> Column:
        column: Column = getattr(self.table, name)
        return column


def has_column(table: type[Table], name: str) -> bool:
    return any(column._meta.name == name for column in table._meta.columns)


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        out[key] = value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
    return out


def _combine(clauses: list[Any]) -> Any:
    """The clauses joined with AND; None for none (callers that filter always pass one)."""
    where: Any | None = None
    for clause in clauses:
        where = clause if where is None else And(where, clause)
    return where


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column: Column, text: str) -> Any:
    """Case-insensitive substring match in which a % or _ the user typed is literal. SQLite's
    LIKE has no default escape character (and is case-insensitive already), so the ESCAPE is
    spelled out for both databases."""
    operator = "LIKE" if db.is_sqlite() else "ILIKE"
    name = f'"{column._meta.table._meta.tablename}"."{column._meta.db_column_name}"'
    return WhereRaw(f"{name} {operator} {{}} ESCAPE '\\'", f"%{escape_like(text)}%")


async def _row(resource: Resource, actor: Actor, record_id: int) -> dict[str, Any]:
    clauses: list[Any] = [resource.table._meta.primary_key == record_id]
    if resource.scope is not None and (limit := resource.scope(actor)) is not None:
        clauses.append(limit)
    row: dict[str, Any] | None = (
        await resource.table.select().where(_combine(clauses)).output(load_json=True).first()
    )
    if row is None:
        # Outside the caller's scope reads the same as not existing: nothing leaks.
        raise NotFound(entity=resource.entity, key=record_id)
    return _as_written(resource.table, row)


def _as_written(table: type[Table], row: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL keeps a Real column as float4 and hands 2.1 back as 2.0999999046325684; a
    float4 holds 7 significant digits, so the value written is the one with 7 digits (SQLite
    keeps doubles: unchanged). Without this, lists show 7.699999809 °C and a PATCH with the
    same value looks like a change."""
    for column in table._meta.columns:
        name = column._meta.name
        if isinstance(column, Real) and isinstance(row.get(name), float):
            row[name] = float(f"{row[name]:.7g}")
    return row


async def get(resource: Resource, actor: Actor, record_id: int) -> dict[str, Any]:
    return await _row(resource, actor, record_id)


async def list_records(
    resource: Resource,
    actor: Actor,
    *,
    q: str | None = None,
    filters: Mapping[str, Any] | None = None,
    include_retired: bool = False,
    limit: int = 50,
    offset: int = 0,
    extra_search: Callable[[str], Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    table = resource.table
    clauses: list[Any] = []
    if resource.scope is not None and (limit_clause := resource.scope(actor)) is not None:
        clauses.append(limit_clause)
    if not include_retired and has_column(table, "active"):
        clauses.append(resource.column("active") == True)  # noqa: E712 - a Piccolo expression
    for name, value in (filters or {}).items():
        if value is not None:
            clauses.append(resource.column(name) == value)
    if q:
        terms: list[Any] = [contains(resource.column(name), q) for name in resource.search]
        if extra_search is not None:
            terms.append(extra_search(q))
        any_term: Any | None = None
        for term in terms:
            any_term = term if any_term is None else Or(any_term, term)
        if any_term is not None:
            clauses.append(any_term)
    where = _combine(clauses)
    query = table.select().order_by(table._meta.primary_key).limit(limit).offset(offset)
    count = table.count()
    if where is not None:
        query = query.where(where)
        count = count.where(where)
    rows = await query.output(load_json=True)
    return [_as_written(table, row) for row in rows], int(await count)


async def _check_references(resource: Resource, actor: Actor, values: Mapping[str, Any]) -> None:
    for name, ref in resource.references.items():
        ref_id = values.get(name)
        if ref_id is None:
            continue
        clauses: list[Any] = [ref.table._meta.primary_key == ref_id]
        if has_column(ref.table, "active"):
            clauses.append(getattr(ref.table, "active") == True)  # noqa: B009, E712
        if ref.scope is not None and (limit := ref.scope(actor)) is not None:
            clauses.append(limit)
        if not await ref.table.exists().where(_combine(clauses)):
            raise NotFound(field=name, entity=ref.entity, key=ref_id)


async def _check_unique(
    resource: Resource, values: Mapping[str, Any], record_id: int | None
) -> None:
    table = resource.table
    groups = [(name,) for name in resource.unique] + list(resource.unique_together)
    for group in groups:
        if not any(name in values for name in group):
            continue
        clauses: list[Any] = [resource.column(name) == values.get(name) for name in group]
        if record_id is not None:
            clauses.append(table._meta.primary_key != record_id)
        if await table.exists().where(_combine(clauses)):
            column = group[-1]
            raise Duplicate(
                field=resource.field_names.get(column, column), value=values.get(column)
            )


def _validate(resource: Resource, merged: dict[str, Any], old: Mapping[str, Any] | None) -> None:
    if resource.validate is not None:
        resource.validate(merged, old)


async def create(resource: Resource, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    _validate(resource, dict(values), None)
    try:
        async with unit_of_work(actor) as uow:
            await _check_references(resource, actor, values)
            await _check_unique(resource, values, None)
            rows = await resource.table.insert(resource.table(**values))
            record_id = rows[0][resource.table._meta.primary_key._meta.name]
            row = await _row(resource, actor, record_id)
            uow.audit("create", resource.entity, record_id, new=_jsonable(values))
            uow.emit("masterdata.changed", {"entity": resource.entity, "id": record_id})
    except Exception as exc:
        if db.is_unique_violation(exc):
            await _lost_race(resource, values, None)
        raise
    return row


async def _lost_race(resource: Resource, values: Mapping[str, Any], record_id: int | None) -> None:
    """A concurrent writer committed the same key between our check and our write (PostgreSQL
    runs both transactions at once): answer as the check would have, never a 500."""
    await _check_unique(resource, values, record_id)
    raise Conflict()


async def update(
    resource: Resource, actor: Actor, record_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    try:
        return await _update(resource, actor, record_id, changes)
    except Exception as exc:
        if db.is_unique_violation(exc):
            old = await _row(resource, actor, record_id)
            await _lost_race(resource, {**old, **changes}, record_id)
        raise


async def _update(
    resource: Resource, actor: Actor, record_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    async with unit_of_work(actor) as uow:
        old = await _row(resource, actor, record_id)
        if not old.get("active", True) and changes.get("active") is not True:
            raise InvalidInput(field="active", reason="retired; reactivate it first")
        if old.get("active") is True and changes.get("active") is False:
            # Retiring records its reason in the audit trail; a PATCH would skip it.
            raise InvalidInput(field="active", reason="retire it with a reason instead")
        merged = {**old, **changes}
        _validate(resource, merged, old)
        changed = {k: v for k, v in changes.items() if old.get(k) != v}
        if changed:
            await _check_references(resource, actor, changed)
            await _check_unique(resource, {**old, **changed}, record_id)
            await resource.table.update({resource.column(k): v for k, v in changed.items()}).where(
                resource.table._meta.primary_key == record_id
            )
            uow.audit(
                "update",
                resource.entity,
                record_id,
                old=_jsonable({k: old.get(k) for k in changed}),
                new=_jsonable(changed),
            )
            uow.emit("masterdata.changed", {"entity": resource.entity, "id": record_id})
        return {**old, **changed}


async def retire(resource: Resource, actor: Actor, record_id: int, reason: str) -> dict[str, Any]:
    async with unit_of_work(actor) as uow:
        old = await _row(resource, actor, record_id)
        if old.get("active") is False:
            return old
        await resource.table.update({resource.column("active"): False}).where(
            resource.table._meta.primary_key == record_id
        )
        uow.audit(
            "retire",
            resource.entity,
            record_id,
            old={"active": True},
            new={"active": False},
            reason=reason,
        )
        uow.emit("masterdata.changed", {"entity": resource.entity, "id": record_id})
        return {**old, "active": False}


__all__ = ["Reference", "Resource", "Where", "create", "get", "list_records", "retire", "update"]
