"""Canonical hashing and finding the first break in a hash chain."""

from __future__ import annotations

from typing import Any

from backend.audit.rules import GENESIS, canonical_json, entry_hash, first_break, record_hash


def chain(n: int) -> list[tuple[int, str, str, dict[str, Any]]]:
    entries = []
    prev = GENESIS
    for i in range(1, n + 1):
        content = {
            "action": "update",
            "entity": "product",
            "entity_id": str(i),
            "new": {"name": f"名称 {i}"},
        }
        digest = entry_hash(prev, content)
        entries.append((i, prev, digest, content))
        prev = digest
    return entries


def test_canonical_json_sorts_keys_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": "注射器"}) == '{"a":"注射器","b":1}'


def test_a_record_hash_does_not_depend_on_key_order():
    assert record_hash({"lot": "A", "qty": 1}) == record_hash({"qty": 1, "lot": "A"})
    assert record_hash({"lot": "A", "qty": 1}) != record_hash({"lot": "A", "qty": 2})


def test_an_entry_hash_covers_the_previous_hash():
    content = {"x": 1}
    assert entry_hash(GENESIS, content) != entry_hash("1" * 64, content)


def test_a_clean_chain_has_no_break():
    assert first_break(chain(5)) is None
    assert first_break([]) is None


def test_an_edited_entry_is_the_first_break():
    entries = chain(5)
    i, prev, digest, content = entries[2]
    entries[2] = (i, prev, digest, {**content, "new": {"name": "改过"}})
    broken = first_break(entries)
    assert broken is not None and broken.entry_id == 3
    assert "edited" in broken.reason


def test_a_removed_entry_breaks_at_the_one_after_it():
    entries = chain(5)
    del entries[1]
    broken = first_break(entries)
    assert broken is not None and broken.entry_id == 3
    assert "prev_hash" in broken.reason


def test_removing_the_first_entry_is_noticed():
    broken = first_break(chain(3)[1:])
    assert broken is not None and broken.entry_id == 2


def test_a_rehashed_edit_still_breaks_the_next_entry():
    entries = chain(4)
    i, prev, _digest, content = entries[1]
    forged = {**content, "new": {"name": "伪造"}}
    entries[1] = (i, prev, entry_hash(prev, forged), forged)
    broken = first_break(entries)
    assert broken is not None and broken.entry_id == 3


def test_swapped_entries_are_noticed():
    entries = chain(4)
    entries[1], entries[2] = entries[2], entries[1]
    broken = first_break(entries)
    assert broken is not None and broken.entry_id == entries[1][0]
