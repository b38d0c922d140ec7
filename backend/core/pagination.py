"""Offset pagination: one query-parameter shape and one page shape for every list endpoint."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

from backend.core.structs import to_output

T = TypeVar("T", bound=msgspec.Struct)

MAX_LIMIT = 200

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size")]
Offset = Annotated[int, QueryParameter(ge=0, description="Rows to skip")]
Search = Annotated[
    str | None,
    QueryParameter(max_length=100, description="Case-insensitive substring of name, model or code"),
]


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    total: int
    limit: int
    offset: int


def page_of(rows: Iterable[Any], kind: type[T], total: int, limit: int, offset: int) -> Page[T]:
    """A page of database rows (dicts) as response structs."""
    return Page(
        items=[to_output(r, kind) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
