"""Offset pagination: one query-parameter shape and one page shape for every list endpoint."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import Parameter

T = TypeVar("T")

MAX_LIMIT = 200

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="Page size")]
Offset = Annotated[int, Parameter(ge=0, description="Rows to skip")]
Search = Annotated[
    str | None,
    Parameter(max_length=100, description="Case-insensitive substring of name, model or code"),
]


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    total: int
    limit: int
    offset: int
