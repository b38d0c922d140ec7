"""Splitting port bytes into frames, GS handling and frame building."""

from __future__ import annotations

import pytest

from device_bridge.config import ConfigError, PortConfig, ProfileConfig, parse_terminator
from device_bridge.frames import ReadingErrorFrame, ReadingFrame, ScanFrame
from device_bridge.framing import GS, FrameSplitter, Undecodable, build_frame

GS1_WITH_GS = "]d2010401234567890310ABC123\x1d17261231\x1d21SER 42"
HIBC_SPACE_CHECK = "+H123ABC01234561/$$3231231BC34567/S4012 "


def frames_of(terminator: str, *chunks: bytes) -> list[bytes]:
    splitter = FrameSplitter(parse_terminator(terminator))
    out: list[bytes] = []
    for chunk in chunks:
        out += splitter.feed(chunk)
    return out


@pytest.mark.parametrize(
    ("terminator", "stream", "expected"),
    [
        ("CR", b"A1\rB2\r", [b"A1", b"B2"]),
        ("LF", b"A1\nB2\n", [b"A1", b"B2"]),
        ("CRLF", b"A1\r\nB2\r\n", [b"A1", b"B2"]),
        ("TAB", b"A1\tB2\t", [b"A1", b"B2"]),
        ("hex:03", b"A1\x03B2\x03", [b"A1", b"B2"]),
        ("hex:0d0a", b"A1\r\nB2\r\n", [b"A1", b"B2"]),
    ],
)
def test_frames_split_on_each_kind_of_terminator(
    terminator: str, stream: bytes, expected: list[bytes]
) -> None:
    assert frames_of(terminator, stream) == expected


def test_a_terminator_split_across_reads_still_ends_one_frame() -> None:
    assert frames_of("CRLF", b"A1\r", b"\nB", b"2\r", b"\n") == [b"A1", b"B2"]


def test_a_partial_frame_waits_for_its_terminator() -> None:
    splitter = FrameSplitter(b"\r")
    assert splitter.feed(b"0104012") == []
    assert splitter.pending == b"0104012"
    assert splitter.feed(b"345\r") == [b"0104012345"]


def test_only_the_configured_terminator_splits_never_whitespace() -> None:
    stream = f"{GS1_WITH_GS}\r\n {HIBC_SPACE_CHECK}\r\n".encode()
    assert frames_of("CRLF", stream) == [GS1_WITH_GS.encode(), f" {HIBC_SPACE_CHECK}".encode()]
    # A lone CR inside a CRLF-terminated frame is data, not a terminator.
    assert frames_of("CRLF", b"A\rB\r\n") == [b"A\rB"]
    # With LF configured, a scanner sending CRLF keeps its CR: visible, not silently stripped.
    assert frames_of("LF", b"A1\r\n") == [b"A1\r"]


def test_an_overlong_unterminated_frame_is_reported_and_dropped() -> None:
    overflowed: list[bytes] = []
    splitter = FrameSplitter(b"\r", max_frame_bytes=16, on_overflow=overflowed.append)
    assert splitter.feed(b"x" * 20) == []
    assert overflowed == [b"x" * 20]
    assert splitter.feed(b"OK\r") == [b"OK"]


@pytest.mark.parametrize("spec", ["", "NUL", "hex:", "hex:zz", "crlf"])
def test_an_unknown_terminator_is_a_config_error(spec: str) -> None:
    with pytest.raises(ConfigError):
        parse_terminator(spec)


def scanner(profile: str | None = None, encoding: str = "utf-8") -> PortConfig:
    return PortConfig(name="dock", url="loop://", profile=profile, encoding=encoding)


def test_a_scan_keeps_gs_and_spaces_exactly() -> None:
    for raw in (GS1_WITH_GS, HIBC_SPACE_CHECK, f"{GS}{GS1_WITH_GS}{GS}"):
        frame = build_frame(scanner(), None, "ST", raw.encode(), "id-1", "2026-11-21T10:00:00Z")
        assert frame == ScanFrame(
            id="id-1",
            station="ST",
            port="dock",
            profile=None,
            raw=raw,
            captured_at="2026-11-21T10:00:00Z",
        )


@pytest.mark.parametrize("standin", ["<GS>", "~"])
def test_a_profile_gs_standin_is_turned_back_into_gs(standin: str) -> None:
    sent = GS1_WITH_GS.replace(GS, standin).encode()
    frame = build_frame(scanner("p1"), ProfileConfig(gs_standin=standin), "ST", sent, "id-1", "t")
    assert isinstance(frame, ScanFrame)
    assert frame.raw == GS1_WITH_GS
    assert frame.profile == "p1"


def test_without_a_standin_profile_a_tilde_is_just_a_tilde() -> None:
    frame = build_frame(scanner(), None, "ST", b"AB~CD", "id-1", "t")
    assert isinstance(frame, ScanFrame)
    assert frame.raw == "AB~CD"


def test_bytes_that_are_not_text_become_an_undecodable_record() -> None:
    frame = build_frame(scanner(), None, "ST", b"AB\xff", "id-1", "t")
    assert isinstance(frame, Undecodable)
    assert frame.raw_hex == "4142ff"
    assert "utf-8" in frame.error


def test_another_encoding_decodes_chinese_text() -> None:
    data = "批号A1".encode("gb18030")
    frame = build_frame(scanner(encoding="gb18030"), None, "ST", data, "id-1", "t")
    assert isinstance(frame, ScanFrame)
    assert frame.raw == "批号A1"


def test_a_logger_line_becomes_a_reading_and_a_bad_one_a_reading_error() -> None:
    logger = PortConfig(name="fridge", url="loop://", kind="logger")
    good = build_frame(logger, None, "ST", b"ID=FRIDGE-03;T=4.6;H=55.2", "id-1", "t")
    assert good == ReadingFrame(
        id="id-1",
        station="ST",
        sensor="FRIDGE-03",
        temperature_c=4.6,
        humidity_pct=55.2,
        captured_at="t",
    )
    bad = build_frame(logger, None, "ST", b"ID=FRIDGE-03;T=hot", "id-2", "t")
    assert isinstance(bad, ReadingErrorFrame)
    assert bad.raw == "ID=FRIDGE-03;T=hot"
    assert bad.port == "fridge"
    assert "T='hot'" in bad.error
