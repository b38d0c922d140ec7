"""How an audit entry and a signed record are hashed: canonical JSON, SHA-256, chained."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def record_hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(record).encode()).hexdigest()


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """Each entry's hash covers the previous entry's hash, so removing or editing any entry
    (other than the newest) breaks every hash after it."""
    return hashlib.sha256((prev_hash + canonical_json(content)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    entry_id: int
    reason: str


def first_break(entries: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> ChainBreak | None:
    """Walk (id, prev_hash, hash, content) in id order; name the first entry that fails."""
    expected_prev = GENESIS
    for entry_id, prev_hash, stored_hash, content in entries:
        if prev_hash != expected_prev:
            return ChainBreak(entry_id, "prev_hash does not match the hash of the entry before it")
        if entry_hash(prev_hash, content) != stored_hash:
            return ChainBreak(entry_id, "content does not match its hash (edited after writing)")
        expected_prev = stored_hash
    return None
