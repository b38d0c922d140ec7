"""One write of many changes (backend/core/write.py): all of them or none, on PostgreSQL as one
statement and on SQLite in order in one transaction."""

from __future__ import annotations

import pytest

from backend.core import db
from backend.core.write import Write


class Refusal(Exception):
    pass


async def _refuse() -> Exception:
    return Refusal("nothing matched")


async def _topics() -> list[str]:
    return [r["topic"] for r in await db.fetch("SELECT topic FROM outbox_event ORDER BY id")]


def _event(write: Write, topic: str) -> None:
    write.add("INSERT INTO outbox_event (topic, payload) VALUES ({}, {})", topic, "{}")


async def test_every_change_is_written_when_the_required_ones_find_their_rows():
    write = Write()
    _event(write, "a")
    write.add("UPDATE outbox_event SET attempts = 1 WHERE topic = 'a' RETURNING id")
    _event(write, "b")
    await write.run()
    # One statement's changes run in no set order (PostgreSQL): compare as sets.
    assert sorted(await _topics()) == ["a", "b"]


async def test_a_required_change_that_finds_nothing_undoes_every_change_before_and_after_it():
    first = Write()
    _event(first, "kept")
    await first.run()
    write = Write()
    _event(write, "before")
    write.add("UPDATE outbox_event SET attempts = 9 WHERE topic = 'kept' RETURNING id")
    write.add(
        "UPDATE outbox_event SET attempts = 1 WHERE topic = 'missing' RETURNING id",
        required=_refuse,
    )
    _event(write, "after")
    with pytest.raises(Exception) as raised:
        await write.run()
    assert type(raised.value).__name__ == "Refused"
    assert raised.value.change.refusal is _refuse  # type: ignore[attr-defined]
    assert await _topics() == ["kept"]
    assert (await db.fetch("SELECT attempts FROM outbox_event"))[0]["attempts"] == 0
    assert not db.in_transaction()


@pytest.mark.parametrize("in_order", [False, True])
async def test_a_change_reads_what_an_earlier_one_returned(in_order: bool):
    """``uses``: the second change runs only where the first one's returned count is 0."""
    seed = Write()
    _event(seed, "counted")
    await seed.run()
    for attempts_after, expected in ((1, ["counted"]), (0, ["counted", "reached zero"])):
        write = Write(in_order=in_order)
        counted = write.add(
            "UPDATE outbox_event SET attempts = {} WHERE topic = 'counted' RETURNING attempts",
            attempts_after,
            required=_refuse,
        )
        write.add(
            "INSERT INTO outbox_event (topic, payload) SELECT 'reached zero', '{{}}' "
            f"WHERE EXISTS (SELECT 1 FROM w{counted} WHERE attempts = 0)",
            uses=counted,
        )
        await write.run()
        assert await _topics() == expected
