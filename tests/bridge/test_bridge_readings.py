"""The logger line format, parsed strictly."""

from __future__ import annotations

import pytest

from device_bridge.readings import Reading, ReadingFormatError, parse_reading


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ID=FRIDGE-03;T=4.6;H=55.2", Reading("FRIDGE-03", 4.6, 55.2)),
        ("T=4.6;ID=FRIDGE-03", Reading("FRIDGE-03", 4.6, None)),
        ("H=0;T=-20;ID=freezer_1", Reading("freezer_1", -20.0, 0.0)),
        ("ID=LN2.TANK;T=-196.05", Reading("LN2.TANK", -196.05, None)),
        ("ID=X;T=0;H=100", Reading("X", 0.0, 100.0)),
    ],
)
def test_good_lines_parse(line: str, expected: Reading) -> None:
    assert parse_reading(line) == expected


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("", "empty"),
        ("ID=FRIDGE-03", "missing T"),
        ("T=4.6", "missing ID"),
        ("ID=FRIDGE-03;T=4.6;", "not KEY=VALUE"),
        ("ID=FRIDGE-03; T=4.6", "unknown key"),
        ("ID=FRIDGE-03;T=4.6 ", "not a plain decimal"),
        ("ID=FRIDGE-03;T=4.6\r", "not a plain decimal"),
        ("id=FRIDGE-03;T=4.6", "unknown key"),
        ("ID=FRIDGE-03;T=4.6;T=4.7", "twice"),
        ("ID=FRIDGE-03;T=4.6;P=1013", "unknown key"),
        ("ID=FRIDGE-03;T=+4.6", "not a plain decimal"),
        ("ID=FRIDGE-03;T=4e1", "not a plain decimal"),
        ("ID=FRIDGE-03;T=nan", "not a plain decimal"),
        ("ID=FRIDGE-03;T=04.6", "not a plain decimal"),
        ("ID=FRIDGE-03;T=4.", "not a plain decimal"),
        ("ID=FRIDGE-03;T=４.6", "not a plain decimal"),
        ("ID=FRIDGE-03;T=-300", "outside"),
        ("ID=FRIDGE-03;T=4.6;H=100.1", "outside"),
        ("ID=FRIDGE-03;T=4.6;H=-1", "outside"),
        ("ID=;T=4.6", "sensor id"),
        ("ID=-X;T=4.6", "sensor id"),
        ("ID=冰箱;T=4.6", "sensor id"),
        ("FRIDGE-03,2026-11-21T10:00:00Z,4.6,55.2", "not KEY=VALUE"),
    ],
)
def test_bad_lines_are_refused_with_a_reason(line: str, why: str) -> None:
    with pytest.raises(ReadingFormatError, match=why):
        parse_reading(line)
