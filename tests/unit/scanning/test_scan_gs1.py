"""GS1 element strings, HRI and bare GTINs: biip plus the checks biip leaves out."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from biip.upc import Upc

from backend.scanning.decoding import decode
from backend.scanning.decoding.errors import (
    BarcodeCharset,
    BarcodeCheckDigit,
    BarcodeDate,
    BarcodeDuplicate,
    BarcodeExclusion,
    BarcodeLength,
    BarcodePairing,
    BarcodeSymbology,
    BarcodeTruncated,
    BarcodeUnknownAI,
)

TODAY = dt.date(2026, 11, 21)
GS = "\x1d"
GTIN = "09506000134352"  # standards.md §1.5: correct check digit 2


def test_a_gs1_datamatrix_gives_gtin_expiry_lot_and_serial() -> None:
    result = decode(f"]d201{GTIN}17261231 10ABC123{GS}21SN12345".replace(" ", ""), today=TODAY)
    assert result.agency == "GS1"
    assert result.di == GTIN
    assert result.gtin == GTIN
    assert result.expiry == dt.date(2026, 12, 31)
    assert result.lot == "ABC123"
    assert result.serial == "SN12345"
    assert result.extra == {"01": GTIN, "17": "261231", "10": "ABC123", "21": "SN12345"}
    assert result.warnings == ()


def test_the_result_is_a_frozen_hashable_value() -> None:
    result = decode(f"]d201{GTIN}10A", today=TODAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.lot = "B"  # type: ignore[misc]
    assert hash(result) == hash(decode(f"]d201{GTIN}10A", today=TODAY))
    assert not hasattr(result, "__dict__")  # slots


def test_production_date_quantity_and_software_version_are_read() -> None:
    scan = f"]C101{GTIN}11250301 17280300 30 12{GS}8012 V2.1".replace(" ", "")
    result = decode(scan, today=TODAY)
    assert result.production_date == dt.date(2025, 3, 1)
    assert result.expiry == dt.date(2028, 3, 31)
    assert result.quantity == 12
    assert result.software_version == "V2.1"


def test_the_hri_form_typed_by_hand_is_read() -> None:
    result = decode(f"(01){GTIN}(17)261231(10)ABC123(21)SN12345", today=TODAY)
    assert (result.gtin, result.lot, result.serial) == (GTIN, "ABC123", "SN12345")
    assert result.expiry == dt.date(2026, 12, 31)


def test_hri_with_spaces_between_fields_is_read() -> None:
    result = decode(f"(01) {GTIN} (10) ABC123", today=TODAY)
    assert result.lot == "ABC123"


def test_an_hri_with_an_unknown_ai_is_refused() -> None:
    with pytest.raises(BarcodeUnknownAI):
        decode(f"(01){GTIN}(23)X", today=TODAY)


def test_a_wrong_gtin_check_digit_is_an_error() -> None:
    with pytest.raises(BarcodeCheckDigit) as caught:
        decode(f"]d201{GTIN[:-1]}317261231", today=TODAY)
    assert caught.value.code == "BARCODE_CHECK_DIGIT"
    assert caught.value.status == 422


def test_a_wrong_sscc_check_digit_is_an_error() -> None:
    with pytest.raises(BarcodeCheckDigit):
        decode("]C100006141411234567891", today=TODAY)


def test_dd_00_means_the_last_day_of_the_month_with_a_warning() -> None:
    result = decode(f"]d201{GTIN}17261200", today=TODAY)
    assert result.expiry == dt.date(2026, 12, 31)
    assert result.has_warning("SCAN_DAY_UNSPECIFIED")


def test_dd_00_in_february_of_a_leap_year_is_the_29th() -> None:
    assert decode(f"]d201{GTIN}17280200", today=TODAY).expiry == dt.date(2028, 2, 29)


def test_dd_00_is_refused_where_the_ai_does_not_allow_it() -> None:
    with pytest.raises(BarcodeDate):
        decode(f"]d201{GTIN}70032612001200", today=TODAY)


@pytest.mark.parametrize("date", ["261301", "260230", "261132", "250229"])
def test_an_impossible_date_is_an_error(date: str) -> None:
    with pytest.raises(BarcodeDate) as caught:
        decode(f"]d201{GTIN}17{date}", today=TODAY)
    assert caught.value.code == "BARCODE_DATE"


def test_an_impossible_time_in_7003_is_an_error() -> None:
    with pytest.raises(BarcodeDate):
        decode(f"]d201{GTIN}70032612312460", today=TODAY)


def test_7003_expiry_with_time_sets_the_expiry() -> None:
    assert decode(f"]d201{GTIN}70032612311200", today=TODAY).expiry == dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("today", "yymmdd", "expected"),
    [
        (dt.date(2026, 11, 21), "991225", dt.date(1999, 12, 25)),
        (dt.date(2026, 11, 21), "510101", dt.date(2051, 1, 1)),  # a fixed pivot says 1951
        (dt.date(2026, 11, 21), "760101", dt.date(2076, 1, 1)),  # 50 years ahead
        (dt.date(2026, 11, 21), "770101", dt.date(1977, 1, 1)),  # 49 years back
        (dt.date(2080, 6, 1), "300101", dt.date(2130, 1, 1)),  # next century
        (dt.date(2080, 6, 1), "310101", dt.date(2031, 1, 1)),
        (dt.date(2001, 1, 1), "990101", dt.date(1999, 1, 1)),
    ],
)
def test_the_century_follows_the_sliding_window_around_today(
    today: dt.date, yymmdd: str, expected: dt.date
) -> None:
    assert decode(f"]d201{GTIN}11{yymmdd}", today=today).production_date == expected


def test_a_lot_without_a_gtin_breaks_the_pairing_rules() -> None:
    with pytest.raises(BarcodePairing) as caught:
        decode("]C110ABC123", today=TODAY)
    assert caught.value.code == "BARCODE_PAIRING"
    assert "(01)" in caught.value.message("en")


@pytest.mark.parametrize("scan", ["]C117261231", "]C121SN1", "]C1301", f"]C102{GTIN}"])
def test_each_ai_that_needs_a_partner_is_refused_alone(scan: str) -> None:
    with pytest.raises(BarcodePairing):
        decode(scan, today=TODAY)


def test_37_with_02_and_an_sscc_is_a_valid_logistic_label() -> None:
    scan = f"]C100006141411234567890 02{GTIN} 3725{GS}10LOT1".replace(" ", "")
    result = decode(scan, today=TODAY)
    assert (result.gtin, result.quantity, result.lot) == (GTIN, 25, "LOT1")


def test_37_without_an_sscc_is_refused() -> None:
    with pytest.raises(BarcodePairing):
        decode(f"]C102{GTIN}3725", today=TODAY)


def test_01_and_02_together_are_refused() -> None:
    with pytest.raises(BarcodeExclusion) as caught:
        decode(f"]C101{GTIN}02{GTIN}3710", today=TODAY)
    assert caught.value.code == "BARCODE_PAIRING"


def test_a_space_in_a_lot_is_a_charset_error() -> None:
    with pytest.raises(BarcodeCharset) as caught:
        decode(f"]d201{GTIN}10AB C", today=TODAY)
    assert caught.value.code == "BARCODE_CHARSET"


@pytest.mark.parametrize("char", ["$", "@", "[", "~", "é"])
def test_characters_outside_cset_82_are_refused(char: str) -> None:
    with pytest.raises(BarcodeCharset):
        decode(f"]d201{GTIN}10AB{char}", today=TODAY)


def test_lower_case_in_a_lot_is_kept_as_it_is() -> None:
    assert decode(f"]d201{GTIN}10abC-1/2", today=TODAY).lot == "abC-1/2"


def test_a_lot_longer_than_20_characters_is_a_length_error() -> None:
    with pytest.raises(BarcodeLength) as caught:
        decode(f"]d201{GTIN}10{'A' * 21}", today=TODAY)
    assert caught.value.code == "BARCODE_LENGTH"


def test_a_lot_running_into_the_next_field_is_a_length_error() -> None:
    # 20 characters and no GS before (21): biip alone would read a serial here.
    with pytest.raises(BarcodeLength):
        decode(f"]d201{GTIN}10{'A' * 20}21SN1", today=TODAY)


def test_a_lot_of_exactly_20_characters_is_accepted() -> None:
    assert decode(f"]d201{GTIN}10{'A' * 20}", today=TODAY).lot == "A" * 20


def test_a_gtin_cut_short_is_truncated() -> None:
    with pytest.raises(BarcodeTruncated) as caught:
        decode(f"]d201{GTIN[:10]}", today=TODAY)
    assert caught.value.code == "BARCODE_TRUNCATED"


def test_an_ai_with_no_value_is_truncated() -> None:
    with pytest.raises(BarcodeTruncated):
        decode(f"]d201{GTIN}10{GS}21SN1", today=TODAY)


def test_digits_that_are_no_ai_are_an_unknown_ai_error() -> None:
    with pytest.raises(BarcodeUnknownAI) as caught:
        decode(f"]d201{GTIN}2399", today=TODAY)
    assert caught.value.code == "BARCODE_UNKNOWN_AI"


def test_the_same_ai_twice_with_different_values_is_refused() -> None:
    with pytest.raises(BarcodeDuplicate) as caught:
        decode(f"]d201{GTIN}10A{GS}10B", today=TODAY)
    assert caught.value.code == "BARCODE_DUPLICATE"


def test_the_same_ai_twice_with_the_same_value_is_only_a_warning() -> None:
    result = decode(f"]d201{GTIN}10A{GS}10A", today=TODAY)
    assert result.lot == "A"
    assert result.has_warning("SCAN_DUPLICATE_ELEMENT")


def test_a_separator_after_a_fixed_length_field_is_tolerated() -> None:
    assert decode(f"]d201{GTIN}{GS}17261231{GS}10A", today=TODAY).lot == "A"


def test_a_lost_separator_before_an_expiry_is_warned_with_the_likely_split() -> None:
    result = decode(f"]d201{GTIN}10ABC17211231", today=TODAY)
    assert result.lot == "ABC17211231"
    (warning,) = [w for w in result.warnings if w.code == "SCAN_LOST_SEPARATOR"]
    assert warning.param("split") == "ABC + (17)211231"
    assert "ABC + (17)211231" in warning.message("en")
    assert "分隔符" in warning.message("zh-CN")


def test_a_lost_separator_before_a_serial_is_warned() -> None:
    result = decode(f"]d201{GTIN}10ABC12321SN12345", today=TODAY)
    assert result.serial is None
    split = next(w for w in result.warnings if w.code == "SCAN_LOST_SEPARATOR").param("split")
    assert split == "ABC123 + (21)SN12345"


def test_a_lost_separator_before_expiry_and_serial_shows_both() -> None:
    result = decode(f"]d201{GTIN}10ABC1726123121SN1234", today=TODAY)
    split = next(w for w in result.warnings if w.code == "SCAN_LOST_SEPARATOR").param("split")
    assert split == "ABC + (17)261231(21)SN1234"


def test_an_ordinary_lot_earns_no_lost_separator_warning() -> None:
    for lot in ("ABC123", "2024-07-A", "X17", "LOT1799"):
        assert not decode(f"]d201{GTIN}10{lot}", today=TODAY).warnings


def test_a_bare_ean_13_is_a_gtin_13_padded_to_14() -> None:
    result = decode("]E04006381333931", today=TODAY)
    assert (result.di, result.gtin, result.gtin_format) == (
        "4006381333931",
        "04006381333931",
        "GTIN-13",
    )
    assert result.symbology == "]E0"


@pytest.mark.parametrize(
    ("scan", "fmt"),
    [
        ("4006381333931", "GTIN-13"),
        ("036000291452", "GTIN-12"),
        ("96385074", "GTIN-8"),
        ("010950600013435", None),
        ("]I1" + GTIN, "GTIN-14"),
        ("]E496385074", "GTIN-8"),
    ],
)
def test_bare_gtins_of_every_length_are_read(scan: str, fmt: str | None) -> None:
    if fmt is None:  # 15 digits are no GTIN: read as an element string, and refused
        with pytest.raises(BarcodeTruncated):
            decode(scan, today=TODAY)
        return
    result = decode(scan, today=TODAY)
    assert result.gtin_format == fmt
    assert result.gtin is not None and len(result.gtin) == 14


def test_a_bare_gtin_with_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(BarcodeCheckDigit):
        decode("4006381333932", today=TODAY)


def test_upc_e_under_e0_is_expanded_like_biip_does() -> None:
    result = decode("]E001234565", today=TODAY)
    assert result.gtin == Upc.parse("01234565").as_upc_a().zfill(14)
    assert result.gtin_format == "GTIN-12"


def test_letters_under_an_ean_identifier_are_refused() -> None:
    with pytest.raises(BarcodeLength):
        decode("]E0ABC", today=TODAY)


def test_a_uri_inside_a_gs1_mode_symbol_is_a_symbology_error() -> None:
    with pytest.raises(BarcodeSymbology):
        decode(f"]d2https://id.gs1.org/01/{GTIN}", today=TODAY)
