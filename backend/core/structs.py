"""Base msgspec structs for the API: inputs refuse unknown fields, all are keyword-only."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)

Id = Annotated[int, msgspec.Meta(ge=1)]
"""A reference to a record by its id, inside a request body."""


def to_output(row: Any, kind: type[S]) -> S:
    """A database row (dict) as a response struct; rows carry more columns than the struct."""
    return msgspec.convert(row, kind, strict=False)


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A request body. A field the client sends that we do not know is an error, not ignored.
    Subclasses repeat `kw_only=True` (msgspec applies it per class) so optional fields may
    come before required ones."""


class Output(msgspec.Struct, kw_only=True):
    """A response body."""


def set_fields(data: msgspec.Struct) -> dict[str, object]:
    """The fields a PATCH body actually sent (the others are msgspec.UNSET)."""
    return {
        name: getattr(data, name)
        for name in data.__struct_fields__
        if getattr(data, name) is not msgspec.UNSET
    }


_AT = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")


async def strict_body(request: Any) -> None:
    """A `before_request` hook: decode an `Input` body strictly, as the client sent it.

    Litestar converts bodies with msgspec's `strict=False`, which would take "5" for 5 and
    "true" for true; a client that sends text where a number belongs has a bug we want to
    hear about. Runs after the guards, before the handler; the body is read once and cached.
    """
    field = request.route_handler.parsed_fn_signature.parameters.get("data")
    target = getattr(field, "annotation", None)
    if not (isinstance(target, type) and issubclass(target, Input)):
        return None
    from litestar.exceptions import ValidationException

    body = await request.body()
    try:
        msgspec.json.decode(body, type=target, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        at = _AT.search(message)
        key = at.group("path") if at and at.group("path") else "data"
        raise ValidationException(
            detail="Validation failed",
            extra=[
                {"message": message[: at.start()] if at else message, "key": key, "source": "body"}
            ],
        ) from None
    except msgspec.DecodeError:
        return None  # not JSON at all: Litestar's own decoding answers MALFORMED_REQUEST
    return None
