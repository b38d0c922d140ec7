"""The temperature/humidity logger line format, parsed strictly.

One reading per line: ``ID=<sensor>;T=<degrees Celsius>[;H=<percent relative humidity>]``,
for example ``ID=FRIDGE-03;T=4.6;H=55.2``. Fields are separated by ``;`` and may come in any
order; ``ID`` and ``T`` are required, ``H`` is optional; each key appears at most once and no
other key is allowed. No whitespace anywhere. Numbers are plain decimals (``-12``, ``4.6``,
``-196.05``): at most three digits before and three after the point, no sign other than a
leading ``-``, no exponent. Temperature must lie in -273.15..200, humidity in 0..100.
A sensor id is 1 to 64 of ``A-Z a-z 0-9 . _ -``, starting with a letter or digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,2})(?:\.[0-9]{1,3})?")
_SENSOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_KEYS = ("ID", "T", "H")


class ReadingFormatError(ValueError):
    """A logger line does not follow the format; the message says why."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One parsed logger reading."""

    sensor: str
    temperature_c: float
    humidity_pct: float | None


def parse_reading(line: str) -> Reading:
    """Parse one line (without its terminator) or raise ReadingFormatError."""
    if not line:
        raise ReadingFormatError("empty line")
    fields: dict[str, str] = {}
    for part in line.split(";"):
        key, sep, value = part.partition("=")
        if not sep:
            raise ReadingFormatError(f"field {part!r} is not KEY=VALUE")
        if key not in _KEYS:
            raise ReadingFormatError(f"unknown key {key!r} (allowed: ID, T, H)")
        if key in fields:
            raise ReadingFormatError(f"key {key} appears twice")
        fields[key] = value
    if "ID" not in fields:
        raise ReadingFormatError("missing ID")
    if "T" not in fields:
        raise ReadingFormatError("missing T")
    sensor = fields["ID"]
    if not _SENSOR.fullmatch(sensor):
        raise ReadingFormatError(f"sensor id {sensor!r} is not 1-64 of A-Z a-z 0-9 . _ -")
    temperature = _number("T", fields["T"], -273.15, 200.0)
    humidity = _number("H", fields["H"], 0.0, 100.0) if "H" in fields else None
    return Reading(sensor=sensor, temperature_c=temperature, humidity_pct=humidity)


def _number(key: str, text: str, low: float, high: float) -> float:
    if not _NUMBER.fullmatch(text):
        raise ReadingFormatError(f"{key}={text!r} is not a plain decimal number")
    value = float(text)
    if not low <= value <= high:
        raise ReadingFormatError(f"{key}={text} is outside {low:g}..{high:g}")
    return value
