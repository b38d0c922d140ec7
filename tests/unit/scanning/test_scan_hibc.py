"""HIBC: primary, secondary, concatenated and linked symbols, dates, supplements, mod 43."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.scanning.decoding import decode
from backend.scanning.decoding.checks import mod43_check
from backend.scanning.decoding.errors import (
    BarcodeCharset,
    BarcodeCheckDigit,
    BarcodeDate,
    BarcodeDuplicate,
    BarcodeField,
    BarcodeLink,
    BarcodeTruncated,
    BarcodeUnknownAI,
    BarcodeUnsupported,
)

TODAY = dt.date(2026, 11, 21)


def hibc(body: str) -> str:
    return body + mod43_check(body)


def test_the_worked_mod_43_example_gives_g() -> None:
    assert mod43_check("+A123BJC5D6E71") == "G"


def test_a_primary_gives_lic_pcn_and_unit_of_measure() -> None:
    result = decode("+A123BJC5D6E71G", today=TODAY)
    assert result.agency == "HIBC"
    assert result.di == "A123BJC5D6E71"
    assert (result.extra["LIC"], result.extra["PCN"], result.extra["UOM"]) == (
        "A123",
        "BJC5D6E7",
        "1",
    )
    assert result.link == "G"


def test_a_secondary_alone_has_no_di_and_asks_for_its_primary() -> None:
    result = decode("+$$52001510X3GD", today=TODAY)
    assert result.di is None
    assert (result.lot, result.expiry, result.link) == ("10X3", dt.date(2020, 1, 15), "G")
    warning = next(w for w in result.warnings if w.code == "HIBC_SECONDARY_ONLY")
    assert warning.param("link") == "G"


def test_a_concatenated_symbol_has_one_check_character() -> None:
    result = decode("+A99912345/$$52001510X33", today=TODAY)
    assert (result.di, result.lot, result.expiry) == ("A99912345", "10X3", dt.date(2020, 1, 15))


def test_supplemental_fields_give_manufacture_expiry_and_quantity() -> None:
    result = decode("+A99912349/$10X3/16D20111231/14D20200131/Q500Z", today=TODAY)
    assert result.lot == "10X3"
    assert result.production_date == dt.date(2011, 12, 31)
    assert result.expiry == dt.date(2020, 1, 31)
    assert result.quantity == 500
    assert result.has_warning("HIBC_LEGACY_FORM")


def test_a_serial_comes_from_the_s_supplement() -> None:
    result = decode("+J123AQ3451/$$3231231BC34567/S4012R", today=TODAY)
    assert (result.expiry, result.lot, result.serial) == (dt.date(2023, 12, 31), "BC34567", "4012")


def test_mmyy_keeps_the_flag_digit_as_the_first_digit_of_the_month() -> None:
    result = decode("+J123AQ3451/$$1125BC34567/S4012L", today=TODAY)
    assert result.expiry == dt.date(2025, 11, 30)
    assert result.lot == "BC34567"


def test_an_18_character_pcn_lot_and_serial_with_a_dollar_check_character() -> None:
    scan = "+A123ABCDEFGHI1234567891/$$420020216LOT123456789012345/SXYZ456789012345678/16D20130202$"
    result = decode(scan, today=TODAY)
    assert result.extra["PCN"] == "ABCDEFGHI123456789"
    assert (result.lot, result.serial) == ("LOT123456789012345", "XYZ456789012345678")
    assert result.expiry == dt.date(2020, 2, 2)
    assert result.extra["expiry_hour_gmt"] == "16"
    assert result.production_date == dt.date(2013, 2, 2)


def test_the_invalid_example_from_the_standard_fails_its_check() -> None:
    with pytest.raises(BarcodeCheckDigit) as caught:
        decode("+A99912345/$$52001510X3/16D20111212/S77DEFG45/", today=TODAY)
    assert caught.value.code == "BARCODE_CHECK_DIGIT"


def test_the_same_example_with_check_7_is_accepted() -> None:
    result = decode("+A99912345/$$52001510X3/16D20111212/S77DEFG457", today=TODAY)
    assert result.serial == "77DEFG45"


def test_a_space_check_character_is_kept_and_verified() -> None:
    result = decode("+A9990003 ", today=TODAY)
    assert (result.di, result.link) == ("A9990003", " ")


def test_a_slash_check_character_is_taken_off_before_splitting() -> None:
    result = decode("+A9990005/", today=TODAY)
    assert (result.di, result.link) == ("A9990005", "/")


@pytest.mark.parametrize("check", ["$", "+", "%", "-", "."])
def test_special_check_characters_are_accepted(check: str) -> None:
    # Find a PCN whose check is the wanted character.
    for n in range(1000):
        body = f"+A999{n:03d}1"
        if mod43_check(body) == check:
            assert decode(body + check, today=TODAY).link == check
            return
    pytest.fail(f"no PCN found for check {check!r}")


def test_two_linear_symbols_read_as_one_string_are_paired_by_the_link() -> None:
    result = decode("+A123BJC5D6E71G+$$52001510X3GD", today=TODAY)
    assert (result.di, result.lot, result.expiry) == ("A123BJC5D6E71", "10X3", dt.date(2020, 1, 15))


def test_a_secondary_whose_link_does_not_match_is_refused() -> None:
    secondary = hibc("+$$52001510X3H")
    with pytest.raises(BarcodeLink) as caught:
        decode("+A123BJC5D6E71G" + secondary, today=TODAY)
    assert caught.value.code == "BARCODE_LINK"


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("$$0626LOT1", dt.date(2026, 6, 30)),  # MMYY
        ("$$2063026LOT1", dt.date(2026, 6, 30)),  # MMDDYY
        ("$$3260630LOT1", dt.date(2026, 6, 30)),  # YYMMDD
        ("$$426063023LOT1", dt.date(2026, 6, 30)),  # YYMMDDHH
        ("$$526181LOT1", dt.date(2026, 6, 30)),  # YYJJJ
        ("$$62618123LOT1", dt.date(2026, 6, 30)),  # YYJJJHH
        ("$$7LOT1", None),  # no date
    ],
)
def test_every_date_format_flag_is_read(form: str, expected: dt.date | None) -> None:
    result = decode(hibc(f"+A999ABC1/{form}"), today=TODAY)
    assert result.expiry == expected
    assert result.lot == "LOT1"


def test_quantity_flags_8_and_9_are_read() -> None:
    assert decode(hibc("+A999ABC1/$$8243260630LOT1"), today=TODAY).quantity == 24
    assert decode(hibc("+A999ABC1/$$9001203260630LOT1"), today=TODAY).quantity == 120


def test_dollar_dollar_plus_carries_a_serial() -> None:
    result = decode(hibc("+A999ABC1/$$+3260630SER9"), today=TODAY)
    assert (result.serial, result.lot) == ("SER9", None)


def test_dollar_plus_is_a_legacy_serial() -> None:
    result = decode(hibc("+A999ABC1/$+SER9"), today=TODAY)
    assert result.serial == "SER9"
    assert result.has_warning("HIBC_LEGACY_FORM")


def test_the_legacy_julian_secondary_is_read() -> None:
    result = decode(hibc("+26181LOT1") + "", today=TODAY)
    # A secondary alone: its last data character is the link.
    assert result.expiry == dt.date(2026, 6, 30)
    assert result.has_warning("HIBC_LEGACY_FORM")


def test_two_digit_years_follow_the_century_window() -> None:
    assert decode(hibc("+A999ABC1/$$3991231L"), today=TODAY).expiry == dt.date(1999, 12, 31)
    assert decode(hibc("+A999ABC1/$$3510101L"), today=TODAY).expiry == dt.date(2051, 1, 1)


@pytest.mark.parametrize("form", ["$$1326LOT", "$$3261340LOT", "$$5263670L", "$$8"])
def test_impossible_dates_are_refused(form: str) -> None:
    with pytest.raises((BarcodeDate, BarcodeTruncated, BarcodeField)):
        decode(hibc(f"+A999ABC1/{form}"), today=TODAY)


def test_an_unknown_date_flag_is_a_date_error() -> None:
    with pytest.raises(BarcodeDate):
        decode(hibc("+A999ABC1/$$ALOT"), today=TODAY)


def test_conflicting_expiries_are_refused() -> None:
    with pytest.raises(BarcodeDuplicate):
        decode(hibc("+A999ABC1/$$3260630LOT/14D20260701"), today=TODAY)


def test_an_unknown_supplement_is_kept_with_a_warning() -> None:
    result = decode(hibc("+A999ABC1/$LOT/ZABC"), today=TODAY)
    assert result.extra["/Z"] == "ABC"
    assert result.has_warning("HIBC_UNKNOWN_FIELD")


def test_lower_case_is_refused_not_upper_cased() -> None:
    with pytest.raises(BarcodeCharset):
        decode("+a123BJC5D6E71G", today=TODAY)


def test_a_primary_without_a_unit_of_measure_digit_is_refused() -> None:
    with pytest.raises(BarcodeField):
        decode(hibc("+A123BJCX"), today=TODAY)


def test_the_provider_applications_standard_is_not_supported() -> None:
    with pytest.raises(BarcodeUnsupported):
        decode(hibc("+/ABC"), today=TODAY)


def test_code_39_with_the_check_removed_by_the_scanner_is_accepted() -> None:
    result = decode("]A3+A123BJC5D6E71", today=TODAY)
    assert result.di == "A123BJC5D6E71"
    assert result.link == "G"  # recomputed, so the secondary can still be paired


def test_code_39_with_the_check_sent_is_verified() -> None:
    with pytest.raises(BarcodeCheckDigit):
        decode("]A1+A123BJC5D6E71H", today=TODAY)


def test_hibc_in_a_gs1_mode_symbol_is_read_as_gs1_and_refused() -> None:
    with pytest.raises(BarcodeUnknownAI):
        decode("]d2+A123BJC5D6E71G", today=TODAY)
