"""One controller shape for every kind of master data: list, get, create, update, retire.

`crud_controller` builds a Litestar controller from a `Resource` and its three structs (output,
create input, update input with every field optional). Filters become documented query
parameters. Permissions: reading and writing each name one Permission.
"""

import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromQuery, JSONBody

from backend.auth.guards import CurrentActor, requires
from backend.auth.rules import Permission
from backend.core import crud
from backend.core.crud import has_column
from backend.core.pagination import Limit, Offset, Page, Search, page_of
from backend.core.params import PathId
from backend.core.structs import Input, set_fields, to_output


class RetireIn(Input, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


def crud_controller(
    *,
    path: str,
    tag: str,
    resource: crud.Resource,
    out: type[msgspec.Struct],
    create_in: type[msgspec.Struct],
    update_in: type[msgspec.Struct],
    read: Permission,
    write: Permission,
    filters: Mapping[str, type] | None = None,
    extra_search: Callable[[str], Any] | None = None,
    to_values: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> type[Controller]:
    """`to_values` turns a decoded body into column values (e.g. normalising a GTIN)."""
    filters = dict(filters or {})
    convert = to_values or (lambda values: values)

    async def list_records(self: Any, actor: CurrentActor, **params: Any) -> Page[Any]:
        rows, total = await crud.list_records(
            resource,
            actor,
            q=params.pop("q"),
            include_retired=params.pop("include_retired"),
            limit=params["limit"],
            offset=params["offset"],
            filters={name: params.get(name) for name in filters},
            extra_search=extra_search,
        )
        return page_of(rows, out, total, params["limit"], params["offset"])

    parameters = [
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("actor", inspect.Parameter.KEYWORD_ONLY, annotation=CurrentActor),
        inspect.Parameter("q", inspect.Parameter.KEYWORD_ONLY, annotation=Search, default=None),
        inspect.Parameter(
            "include_retired",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=FromQuery[bool],
            default=False,
        ),
        inspect.Parameter("limit", inspect.Parameter.KEYWORD_ONLY, annotation=Limit, default=50),
        inspect.Parameter("offset", inspect.Parameter.KEYWORD_ONLY, annotation=Offset, default=0),
    ]
    for name, kind in filters.items():
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=FromQuery[kind | None],  # type: ignore[misc, valid-type]
                default=None,
            )
        )
    list_records.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        parameters,
        return_annotation=Page[out],  # type: ignore[valid-type]
    )
    list_records.__annotations__ = {
        p.name: p.annotation for p in parameters if p.name != "self"
    } | {"return": Page[out]}  # type: ignore[valid-type]

    async def get_record(self: Any, actor: CurrentActor, record_id: PathId) -> Any:
        return to_output(await crud.get(resource, actor, record_id), out)

    async def create_record(self: Any, actor: CurrentActor, data: Any) -> Any:
        values = convert(msgspec.structs.asdict(data))
        return to_output(await crud.create(resource, actor, values), out)

    async def update_record(self: Any, actor: CurrentActor, record_id: PathId, data: Any) -> Any:
        changes = convert(set_fields(data))
        return to_output(await crud.update(resource, actor, record_id, changes), out)

    async def retire_record(
        self: Any, actor: CurrentActor, record_id: PathId, data: JSONBody[RetireIn]
    ) -> Any:
        return to_output(await crud.retire(resource, actor, record_id, data.reason), out)

    get_record.__annotations__["return"] = out
    create_record.__annotations__.update({"data": JSONBody[create_in], "return": out})  # type: ignore[misc, valid-type]
    update_record.__annotations__.update({"data": JSONBody[update_in], "return": out})  # type: ignore[misc, valid-type]
    retire_record.__annotations__["return"] = out

    members = {
        "path": path,
        "tags": [tag],
        "list_records": get("/", name=f"{tag}.list", **requires(read))(list_records),
        "get_record": get("/{record_id:int}", name=f"{tag}.get", **requires(read))(get_record),
        "create_record": post("/", name=f"{tag}.create", **requires(write))(create_record),
        "update_record": patch("/{record_id:int}", name=f"{tag}.update", **requires(write))(
            update_record
        ),
    }
    if has_column(resource.table, "active"):
        members["retire_record"] = post(
            "/{record_id:int}/retire", name=f"{tag}.retire", status_code=200, **requires(write)
        )(retire_record)
    return type(f"{tag.title().replace('_', '')}Controller", (Controller,), members)
