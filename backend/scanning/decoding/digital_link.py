"""GS1 Digital Link URIs (uncompressed form only), read to the DL URI syntax rules.

``http(s)://<host>[/<prefix…>]/<key AI>/<value>[/<qualifier AI>/<value>…][?<AI>=<value>&…][#…]``

* The scheme and host are case-insensitive (RFC 3986 §3.1, §3.2.2), so ``HtTpS://ID.GS1.ORG``
  is read like ``https://id.gs1.org``; the host and any path prefix do not change the data.
  (The GS1 syntax engine refuses a mixed-case scheme; we follow the URI standard instead.)
* The primary key is found from the right: the path ends in AI/value pairs, the rightmost key
  wins, anything before it is a prefix (so ``/00/faux/00/<sscc>`` is read correctly).
* Qualifiers only in the path, in the order the standard gives (01 → 22 → 10 → 21, or 01 →
  235; 8006 → 22 → 10 → 21; 414 → 254 or 7040, …), each at most once. A qualifier of the key in
  the query string is an error; so is any AI twice.
* Data attributes (17, 11, 30, 8012, …) come from the query string. Non-numeric parameters are
  ignored with a warning, except the deprecated short names (``exp``, ``lot``, …), which are
  refused. ``+`` in a query value is a space, and a space is not GS1 data.
* Each path segment is percent-decoded after splitting on ``/`` (``%2F`` is data).
* The 01 value must have 14 digits (the legacy 8/12/13-digit form is refused).
* Compressed Digital Link URIs are not supported: they fail as "no primary key".

Every element is then checked by biip and ``gs1.build`` (check digits, dates, pairing).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final
from urllib.parse import unquote

from biip.gs1_application_identifiers import _GS1_APPLICATION_IDENTIFIERS as AI_TABLE
from biip.gs1_element_strings import GS1ElementString

from backend.scanning.decoding import gs1
from backend.scanning.decoding.checks import is_ascii_digits
from backend.scanning.decoding.errors import (
    DigitalLinkDuplicate,
    DigitalLinkNoKey,
    DigitalLinkOrder,
    DigitalLinkQualifierInQuery,
    DigitalLinkShortGtin,
    DigitalLinkShortName,
    DigitalLinkSyntax,
)
from backend.scanning.decoding.result import Decoded, DecodeWarning, warning

# Primary key -> the qualifier paths allowed after it, each in its required order.
QUALIFIER_PATHS: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "01": (("22", "10", "21"), ("235",)),
    "8006": (("22", "10", "21"),),
    "414": (("254",), ("7040",)),
    "417": (("7040",),),
    "8004": (("7040",),),
    "415": (("8020",),),
    "8010": (("8011",),),
    "8017": (("8019",),),
    "8018": (("8019",),),
    "253": (),
    "255": (),
    "00": (),
    "401": (),
    "402": (),
    "8003": (),
    "8013": (),
}
QUALIFIERS: Final = frozenset(q for paths in QUALIFIER_PATHS.values() for p in paths for q in p)
SHORT_NAMES: Final = frozenset(
    {"gtin", "itip", "cpv", "lot", "ser", "exp", "expdt", "bbd", "sscc", "gln", "gmn", "gsrn"}
)
_URI_CHARS: Final = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def is_digital_link(data: str) -> bool:
    head = data[:8].lower()
    return head.startswith(("https://", "http://"))


def decode_digital_link(
    data: str,
    *,
    raw: str,
    symbology: str | None,
    today: dt.date,
    warnings: list[DecodeWarning],
) -> Decoded:
    if _URI_CHARS.fullmatch(data) is None:
        bad = next(c for c in data if _URI_CHARS.fullmatch(c) is None)
        raise DigitalLinkSyntax(part=repr(bad))
    rest = data[data.index("//") + 2 :]
    rest = rest.split("#", 1)[0]
    path_and_host, _, query = rest.partition("?")
    host, slash, path = path_and_host.partition("/")
    if not host:
        raise DigitalLinkSyntax(part="host")
    segments = path.split("/") if slash else []
    key, key_value, qualifiers = _read_path(segments)
    attributes = _read_query(query, key, key_value, qualifiers, warnings)

    if key == "01" and is_ascii_digits(key_value) and len(key_value) in (8, 12, 13):
        raise DigitalLinkShortGtin(value=key_value)
    elements: list[tuple[str, GS1ElementString]] = [(key, gs1.parse_element(key, key_value))]
    elements += [(ai, gs1.parse_element(ai, value)) for ai, value in qualifiers]
    elements += [(ai, gs1.parse_element(ai, value)) for ai, value in attributes]
    return gs1.build(elements, raw=raw, symbology=symbology, today=today, warnings=warnings)


def _read_path(segments: list[str]) -> tuple[str, str, list[tuple[str, str]]]:
    """Find the primary key from the right; return it, its value and its qualifiers in order."""
    if any(segment == "" for segment in segments[1:]) or (segments and segments[-1] == ""):
        raise DigitalLinkSyntax(part="/" + "/".join(segments))
    collected: list[tuple[str, str]] = []
    i = len(segments) - 2
    while i >= 0:
        ai, value = segments[i], unquote(segments[i + 1])
        if ai in QUALIFIER_PATHS:
            qualifiers = collected[::-1]
            _check_order(ai, qualifiers)
            return ai, value, qualifiers
        if ai in QUALIFIERS:
            collected.append((ai, value))
            i -= 2
            continue
        if ai in AI_TABLE:
            # A data attribute (e.g. 17) in the path: it belongs in the query string.
            raise DigitalLinkOrder(element=f"({ai})", key="-", order="?")
        break
    raise DigitalLinkNoKey()


def _check_order(key: str, qualifiers: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for ai, _ in qualifiers:
        if ai in seen:
            raise DigitalLinkDuplicate(element=f"({ai})")
        seen.add(ai)
    used = [ai for ai, _ in qualifiers]
    if not used:
        return
    paths = QUALIFIER_PATHS[key]
    for path in paths:
        positions = [path.index(ai) for ai in used if ai in path]
        if len(positions) == len(used) and positions == sorted(positions):
            return
    order = " | ".join(" → ".join(path) for path in paths) or "-"
    offending = next((ai for ai in used if not any(ai in p for p in paths)), used[-1])
    raise DigitalLinkOrder(element=f"({offending})", key=f"({key})", order=order)


def _read_query(
    query: str,
    key: str,
    key_value: str,
    qualifiers: list[tuple[str, str]],
    warnings: list[DecodeWarning],
) -> list[tuple[str, str]]:
    if not query:
        return []
    used = {ai for ai, _ in qualifiers}
    # Qualifiers of every path still compatible with what the path used: with 235 in the
    # path, 10 is an ordinary attribute; with nothing, all of 22, 10, 21, 235 are qualifiers.
    forbidden: set[str] = set()
    for path in QUALIFIER_PATHS.get(key, ()):
        if used <= set(path):
            forbidden.update(path)
    seen = {key, *used}
    out: list[tuple[str, str]] = []
    for param in query.split("&"):
        if not param:
            continue
        name, has_value, value = param.partition("=")
        name = unquote(name)
        if not is_ascii_digits(name):
            if name.lower() in SHORT_NAMES:
                raise DigitalLinkShortName(name=name)
            warnings.append(warning("DL_PARAM_IGNORED", name=name))
            continue
        if name not in AI_TABLE:
            raise DigitalLinkSyntax(part=param)
        if name in forbidden:
            raise DigitalLinkQualifierInQuery(element=f"({name})")
        if name in seen:
            raise DigitalLinkDuplicate(element=f"({name})")
        seen.add(name)
        if not has_value:
            raise DigitalLinkSyntax(part=param)
        out.append((name, unquote(value.replace("+", " "))))
    return out
