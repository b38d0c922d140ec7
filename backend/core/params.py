"""Typed path and query parameters shared by every controller."""

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

PathId = Annotated[int, PathParameter(ge=1, description="The record's id")]
QueryId = Annotated[int | None, QueryParameter(ge=1)]
