"""Pre-processing: terminators, GS stand-ins, NFKC, limits and AIM symbology identifiers."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from backend.scanning.decoding import MAX_SCAN_LENGTH, ScannerProfile, decode
from backend.scanning.decoding.errors import (
    BarcodeCharset,
    BarcodeEmpty,
    BarcodeSymbology,
    BarcodeTooLong,
)

TODAY = dt.date(2026, 11, 21)
GS = "\x1d"
GS1_DM = "0109506000134352172612311010X3" + GS + "21SN12345"


@pytest.mark.parametrize("terminator", ["\r", "\n", "\r\n", "\t"])
def test_the_configured_terminator_is_removed(terminator: str) -> None:
    result = decode("]d2" + GS1_DM + terminator, ScannerProfile(terminator=terminator), today=TODAY)
    assert result.serial == "SN12345"
    assert result.raw == "]d2" + GS1_DM + terminator


def test_only_the_configured_terminator_is_removed() -> None:
    with pytest.raises(BarcodeCharset):
        decode("]d2" + GS1_DM + "\n", ScannerProfile(terminator="\r"), today=TODAY)


def test_without_a_profile_nothing_is_stripped() -> None:
    with pytest.raises(BarcodeCharset):
        decode(GS1_DM + "\r", today=TODAY)


def test_a_trailing_gs_survives_preprocessing_and_is_tolerated() -> None:
    result = decode("]d2" + GS1_DM + GS, ScannerProfile(terminator="\n"), today=TODAY)
    assert result.serial == "SN12345"


def test_an_hibc_space_check_character_survives_the_terminator() -> None:
    result = decode("+A9990003 \r\n", ScannerProfile(terminator="\r\n"), today=TODAY)
    assert result.di == "A9990003"
    assert result.link == " "


def test_a_profile_refuses_an_unknown_terminator() -> None:
    with pytest.raises(ValueError):
        ScannerProfile(terminator=" ")


@pytest.mark.parametrize("standin", ["<GS>", "{GS}", "~", "^]"])
def test_the_gs_standin_is_mapped_back_to_gs(standin: str) -> None:
    scan = "]d2" + GS1_DM.replace(GS, standin)
    result = decode(scan, ScannerProfile(gs_standin=standin), today=TODAY)
    assert result.lot == "10X3"
    assert result.serial == "SN12345"
    assert result.raw == scan


def test_a_standin_sent_for_the_leading_fnc1_makes_it_gs1() -> None:
    scan = "~" + GS1_DM.replace(GS, "~")
    result = decode(scan, ScannerProfile(gs_standin="~"), today=TODAY)
    assert result.agency == "GS1"
    assert result.serial == "SN12345"


def test_without_the_standin_configured_the_text_gs_is_not_a_separator() -> None:
    result = decode("]d2" + GS1_DM.replace(GS, "<GS>"), today=TODAY)
    assert result.lot == "10X3<GS>21SN12345"  # valid CSET 82: the naive reading
    assert result.serial is None


def test_full_width_digits_from_a_chinese_ime_are_normalised() -> None:
    scan = "０１０９５０６０００１３４３５２１７２６１２３１１０ＡＢＣ"
    result = decode(scan, today=TODAY)
    assert result.gtin == "09506000134352"
    assert result.expiry == dt.date(2026, 12, 31)
    assert result.lot == "ABC"
    assert result.raw == scan


def test_nfkc_keeps_gs_between_full_width_fields() -> None:
    scan = "０１０９５０６０００１３４３５２１０ＡＢＣ" + GS + "２１ＳＮ１"
    result = decode(scan, today=TODAY)
    assert (result.lot, result.serial) == ("ABC", "SN1")


def test_full_width_ma_code_is_normalised() -> None:
    scan = "ＭＡ．１５６．Ｍ０．１００７６１．２１２３４５６１．Ｌ２０２２０１１７"
    result = decode(scan, today=TODAY)
    assert result.agency == "MA"
    assert result.lot == "20220117"


@pytest.mark.parametrize(
    ("scan", "symbology"),
    [
        ("]d2" + GS1_DM, "]d2"),
        ("]C1" + GS1_DM, "]C1"),
        ("]Q3" + GS1_DM, "]Q3"),
        ("]e0" + GS1_DM, "]e0"),
        ("]J1" + GS1_DM, "]J1"),
        (GS + GS1_DM, None),
        (GS1_DM, None),
    ],
)
def test_gs1_element_strings_are_read_behind_every_gs1_prefix(
    scan: str, symbology: str | None
) -> None:
    result = decode(scan, today=TODAY)
    assert result.symbology == symbology
    assert (result.gtin, result.lot, result.serial) == ("09506000134352", "10X3", "SN12345")


def test_an_unknown_aim_code_character_is_an_error() -> None:
    with pytest.raises(BarcodeSymbology):
        decode("]W0+A123BJC5D6E71G", today=TODAY)


def test_a_lone_bracket_is_a_symbology_error() -> None:
    with pytest.raises(BarcodeSymbology):
        decode("]", today=TODAY)


def test_an_unknown_modifier_of_a_known_symbology_is_a_warning() -> None:
    result = decode("]d9+A123BJC5D6E71G", today=TODAY)
    assert result.agency == "HIBC"
    assert result.symbology == "]d9"
    assert result.has_warning("SCAN_SYMBOLOGY_UNKNOWN")


@pytest.mark.parametrize("scan", ["", "]C1", "]d2", "\x1d", "]d2\x1d"])
def test_an_empty_scan_is_an_error(scan: str) -> None:
    with pytest.raises(BarcodeEmpty) as caught:
        decode(scan, today=TODAY)
    assert caught.value.code == "BARCODE_EMPTY"


def test_only_a_terminator_is_an_empty_scan() -> None:
    with pytest.raises(BarcodeEmpty):
        decode("\r", ScannerProfile(terminator="\r"), today=TODAY)


def test_a_scan_over_the_limit_is_refused_at_once() -> None:
    huge = "0" * (10 * 1024)
    start = time.perf_counter()
    for _ in range(1000):
        with pytest.raises(BarcodeTooLong) as caught:
            decode(huge, today=TODAY)
    assert time.perf_counter() - start < 1.0
    assert caught.value.code == "BARCODE_TOO_LONG"
    assert caught.value.params["limit"] == MAX_SCAN_LENGTH


def test_nfkc_expansion_past_the_limit_is_refused() -> None:
    # U+FDFA expands to 18 characters under NFKC.
    with pytest.raises(BarcodeTooLong):
        decode("\ufdfa" * 300, today=TODAY)


def test_a_scan_at_the_limit_is_decoded_or_refused_with_a_barcode_error() -> None:
    with pytest.raises(BarcodeCharset):
        decode("MA." + "." * (MAX_SCAN_LENGTH - 4) + " ", today=TODAY)


def test_without_today_the_clock_is_read_once_at_the_boundary() -> None:
    assert decode(GS1_DM).expiry == dt.date(2026, 12, 31)
