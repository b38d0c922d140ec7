"""Base msgspec structs for the API: inputs refuse unknown fields, all are keyword-only."""

from __future__ import annotations

import msgspec


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
