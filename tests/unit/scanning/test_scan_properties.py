"""Property tests: decode never fails with anything but a domain error, and round-trips."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.errors import DomainError
from backend.scanning.decoding import Decoded, ScannerProfile, decode
from backend.scanning.decoding.checks import gs1_check_digit, mod43_check

TODAY = dt.date(2026, 11, 21)
GS = "\x1d"
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FUZZ_SETTINGS = settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

PREFIXES = [
    "", "]d2", "]C1", "]Q3", "]e0", "]J1", "]E0", "]E4", "]I1", "]A3", "]A1", "]Q1", "]d1", "]",
    GS, "01", "0109506000134352", "]d20109506000134352", "(01)", "(01)09506000134352(",
    "https://id.gs1.org/01/", "https://id.gs1.org/01/09506000134352", "HTTP://a/00/",
    "+", "+A123", "+$$", "+$$+", "+A99912345/", "MA.", "MA.156.M0.100761.21234561.",
    "=", "=/", "&,1", "=+", "LW:", "LW:DOC:", "lw:loc:",
]  # fmt: skip
SCANNER_ALPHABET = st.sampled_from(
    [
        *"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz$/+%-. ()=&?#:,_<>{}[]~^\x1d\r\n\t\x00",
        *("０", "１", "Ａ", "＋", "\u3000", "\ufdfa", "é", "٣", "\u200b", "\ud800"),
    ]
)


def _decode_or_domain_error(raw: str, profile: ScannerProfile | None = None) -> None:
    try:
        result = decode(raw, profile, today=TODAY)
    except DomainError as exc:
        assert exc.status == 422
        assert exc.code.startswith("BARCODE_")
        assert exc.message("zh-CN") and exc.message("en")
        return
    assert isinstance(result, Decoded)
    assert result.raw == raw


@FUZZ_SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text_decodes_or_raises_a_domain_error(raw: str) -> None:
    _decode_or_domain_error(raw)


@FUZZ_SETTINGS
@given(st.sampled_from(PREFIXES), st.text(SCANNER_ALPHABET, max_size=80))
def test_scanner_like_text_behind_every_prefix_decodes_or_raises_a_domain_error(
    prefix: str, tail: str
) -> None:
    _decode_or_domain_error(prefix + tail)


@FUZZ_SETTINGS
@given(
    st.binary(max_size=200),
    st.sampled_from(["latin-1", "utf-8"]),
    st.sampled_from(["replace", "ignore", "surrogateescape", "backslashreplace"]),
)
def test_bytes_decoded_any_way_decode_or_raise_a_domain_error(
    data: bytes, encoding: str, errors: str
) -> None:
    _decode_or_domain_error(data.decode(encoding, errors=errors))


@FUZZ_SETTINGS
@given(
    st.text(SCANNER_ALPHABET, max_size=80),
    st.sampled_from([None, "\r", "\n", "\r\n", "\t"]),
    st.sampled_from([None, "<GS>", "{GS}", "~", "^]"]),
)
def test_any_profile_decodes_or_raises_a_domain_error(
    raw: str, terminator: str | None, standin: str | None
) -> None:
    _decode_or_domain_error(raw, ScannerProfile(terminator=terminator, gs_standin=standin))


@st.composite
def gtins(draw: st.DrawFn) -> str:
    body = draw(st.text("0123456789", min_size=13, max_size=13))
    return body + str(gs1_check_digit(body))


# Inside the sliding century window around TODAY (1977-2076), clear of its edges.
WINDOW_DATES = st.dates(dt.date(1978, 1, 1), dt.date(2075, 12, 31))


@st.composite
def gs1_labels(draw: st.DrawFn) -> dict[str, object]:
    return {
        "gtin": draw(gtins()),
        "expiry": draw(st.none() | WINDOW_DATES),
        "made": draw(st.none() | WINDOW_DATES),
        "lot": draw(st.none() | st.text(CSET82, min_size=1, max_size=20)),
        "serial": draw(st.none() | st.text(CSET82, min_size=1, max_size=20)),
        "count": draw(st.none() | st.integers(1, 99_999_999)),
    }


def _element_string(label: dict[str, object]) -> str:
    fixed = f"01{label['gtin']}"
    for ai, key in (("11", "made"), ("17", "expiry")):
        date = label[key]
        if isinstance(date, dt.date):
            fixed += ai + date.strftime("%y%m%d")
    variable = [
        f"{ai}{label[key]}"
        for ai, key in (("10", "lot"), ("21", "serial"), ("30", "count"))
        if label[key] is not None
    ]
    return fixed + GS.join(variable)


@settings(max_examples=400, deadline=None)
@given(gs1_labels(), st.sampled_from(["]d2", "]C1", "]Q3", GS, ""]))
def test_a_gs1_string_built_from_valid_ais_decodes_back_to_the_same_values(
    label: dict[str, object], prefix: str
) -> None:
    result = decode(prefix + _element_string(label), today=TODAY)
    assert result.gtin == label["gtin"]
    assert result.expiry == label["expiry"]
    assert result.production_date == label["made"]
    assert result.lot == label["lot"]
    assert result.serial == label["serial"]
    assert result.quantity == label["count"]


@settings(max_examples=300, deadline=None)
@given(gs1_labels())
def test_a_digital_link_built_from_valid_ais_decodes_back_to_the_same_values(
    label: dict[str, object],
) -> None:
    path = f"/01/{label['gtin']}"
    for ai, key in (("10", "lot"), ("21", "serial")):
        if label[key] is not None:
            path += f"/{ai}/{quote(str(label[key]), safe='')}"
    query = []
    for ai, key in (("11", "made"), ("17", "expiry")):
        date = label[key]
        if isinstance(date, dt.date):
            query.append(f"{ai}={date.strftime('%y%m%d')}")
    if label["count"] is not None:
        query.append(f"30={label['count']}")
    uri = "https://id.gs1.org" + path + ("?" + "&".join(query) if query else "")
    result = decode("]Q1" + uri, today=TODAY)
    assert (result.gtin, result.lot, result.serial) == (
        label["gtin"],
        label["lot"],
        label["serial"],
    )
    assert (result.expiry, result.production_date) == (label["expiry"], label["made"])
    assert result.quantity == label["count"]


@st.composite
def hibc_primaries(draw: st.DrawFn) -> tuple[str, str, str]:
    lic = draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) + draw(
        st.text(ALNUM, min_size=3, max_size=3)
    )
    pcn = draw(st.text(ALNUM, min_size=1, max_size=18))
    uom = draw(st.sampled_from("0123456789"))
    return lic, pcn, uom


@settings(max_examples=400, deadline=None)
@given(
    hibc_primaries(),
    st.text(ALNUM, min_size=1, max_size=18),
    WINDOW_DATES,
    st.none() | st.text(ALNUM, min_size=1, max_size=18),
)
def test_hibc_with_a_computed_check_character_decodes(
    primary: tuple[str, str, str], lot: str, expiry: dt.date, serial: str | None
) -> None:
    lic, pcn, uom = primary
    head = f"+{lic}{pcn}{uom}"
    body = f"{head}/$$3{expiry.strftime('%y%m%d')}{lot}" + (f"/S{serial}" if serial else "")
    result = decode(body + mod43_check(body), today=TODAY)
    assert result.di == lic + pcn + uom
    assert (result.lot, result.serial, result.expiry) == (lot, serial, expiry)

    # The same data as two linked linear symbols.
    primary_check = mod43_check(head)
    secondary = f"+$$3{expiry.strftime('%y%m%d')}{lot}{primary_check}"
    linked = decode(head + primary_check + secondary + mod43_check(secondary), today=TODAY)
    assert (linked.di, linked.lot, linked.expiry) == (lic + pcn + uom, lot, expiry)


@settings(max_examples=200, deadline=None)
@given(
    st.text(ALNUM + "abcxyz-", min_size=1, max_size=20),
    st.text(ALNUM, min_size=1, max_size=20),
    st.dates(dt.date(2000, 1, 1), dt.date(2075, 12, 31)),
)
def test_an_ma_code_decodes_back_to_its_values(serial: str, lot: str, made: dt.date) -> None:
    scan = f"MA.156.M0.100761.21234561.S{serial}.L{lot}.M{made.strftime('%Y%m%d')}"
    result = decode(scan, today=TODAY)
    assert (result.serial, result.lot, result.production_date) == (serial, lot, made)
