"""The durable local queue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from device_bridge.errors import QueueUnavailable
from device_bridge.frames import ReadingFrame, ScanFrame, new_frame_id
from device_bridge.framing import Undecodable
from device_bridge.store import UNDECODABLE, FrameStore


def scan(raw: str) -> ScanFrame:
    return ScanFrame(
        id=new_frame_id(),
        station="ST",
        port="dock",
        profile=None,
        raw=raw,
        captured_at="2026-11-21T10:00:00.000000Z",
    )


@pytest.fixture
def store(tmp_path: Path) -> FrameStore:
    return FrameStore(tmp_path / "q.sqlite3")


def test_frames_come_back_in_capture_order_as_the_json_to_send(store: FrameStore) -> None:
    frames = [scan(f"S{i}") for i in range(5)]
    store.append(frames)
    pending = store.fetch_after(0, 10)
    assert [p.id for p in pending] == [f.id for f in frames]
    assert json.loads(pending[0].body) == {
        "type": "scan",
        "id": frames[0].id,
        "station": "ST",
        "port": "dock",
        "profile": None,
        "raw": "S0",
        "captured_at": "2026-11-21T10:00:00.000000Z",
    }
    assert [p.id for p in store.fetch_after(pending[1].seq, 2)] == [frames[2].id, frames[3].id]


def test_only_an_ack_removes_a_frame(store: FrameStore) -> None:
    frames = [scan("A"), scan("B")]
    store.append(frames)
    store.ack([frames[0].id, "never-seen"])
    assert [p.id for p in store.fetch_after(0, 10)] == [frames[1].id]
    assert store.stats().depth == 1


def test_the_queue_survives_closing_and_reopening(tmp_path: Path) -> None:
    first = FrameStore(tmp_path / "q.sqlite3")
    frames = [scan("A"), scan("B")]
    first.append(frames)
    first.close()
    again = FrameStore(tmp_path / "q.sqlite3")
    assert [p.id for p in again.fetch_after(0, 10)] == [f.id for f in frames]


def test_the_sequence_never_goes_back_even_when_the_queue_empties(store: FrameStore) -> None:
    first = scan("A")
    store.append([first])
    (pending,) = store.fetch_after(0, 1)
    store.ack([first.id])
    store.append([scan("B")])
    # The uplink asks for frames after the last one it sent; a reused seq would be skipped.
    assert [p.seq > pending.seq for p in store.fetch_after(pending.seq, 10)] == [True]


def test_storing_the_same_frame_twice_keeps_one(store: FrameStore) -> None:
    frame = scan("A")
    store.append([frame])
    store.append([frame])
    assert store.stats().depth == 1


def test_a_refused_frame_moves_to_the_dead_letters(store: FrameStore) -> None:
    bad, good = scan("BAD"), scan("GOOD")
    store.append([bad, good])
    store.dead_letter([(bad.id, "UNKNOWN_STATION", "no such station")])
    assert [p.id for p in store.fetch_after(0, 10)] == [good.id]
    (letter,) = store.dead_letters()
    assert (letter.id, letter.code, letter.detail) == (bad.id, "UNKNOWN_STATION", "no such station")
    assert json.loads(letter.body)["raw"] == "BAD"
    assert store.locate(bad.id) == "dead"
    assert store.locate(good.id) == "queued"
    assert store.locate("other") is None


def test_undecodable_bytes_are_kept_as_dead_letters_not_sent(store: FrameStore) -> None:
    junk = Undecodable(
        id=new_frame_id(),
        station="ST",
        port="dock",
        raw_hex="ff",
        error="not utf-8",
        captured_at="t",
    )
    reading = ReadingFrame(
        id=new_frame_id(),
        station="ST",
        sensor="F1",
        temperature_c=4.0,
        humidity_pct=None,
        captured_at="t",
    )
    store.append([junk, reading])
    assert [p.id for p in store.fetch_after(0, 10)] == [reading.id]
    stats = store.stats()
    assert (stats.depth, stats.dead_letters) == (1, 1)
    assert store.dead_letters()[0].code == UNDECODABLE


def test_the_file_is_in_wal_mode(tmp_path: Path, store: FrameStore) -> None:
    store.append([scan("A")])
    assert (tmp_path / "q.sqlite3-wal").exists()


def test_status_does_not_create_a_missing_queue(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        FrameStore(tmp_path / "absent.sqlite3", create=False)
    assert not (tmp_path / "absent.sqlite3").exists()


def test_a_queue_that_cannot_be_opened_is_a_bridge_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(QueueUnavailable, match="cannot open the queue"):
        FrameStore(blocker / "q.sqlite3")
