"""GS1 Digital Link URIs: path order, duplicates, query attributes and their errors."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.scanning.decoding import decode
from backend.scanning.decoding.errors import (
    BarcodeCharset,
    BarcodeCheckDigit,
    BarcodeDate,
    BarcodeLength,
    BarcodePairing,
    BarcodeSymbology,
    DigitalLinkDuplicate,
    DigitalLinkError,
    DigitalLinkNoKey,
    DigitalLinkOrder,
    DigitalLinkQualifierInQuery,
    DigitalLinkShortGtin,
    DigitalLinkShortName,
    DigitalLinkSyntax,
)

TODAY = dt.date(2026, 11, 21)
GTIN = "09520123456788"
DL = f"https://id.gs1.org/01/{GTIN}/10/ABC1/21/12345?17=180426"


def test_the_example_uri_gives_gtin_lot_serial_and_expiry() -> None:
    result = decode(DL, today=TODAY)
    assert result.agency == "GS1"
    assert (result.gtin, result.lot, result.serial) == (GTIN, "ABC1", "12345")
    assert result.expiry == dt.date(2018, 4, 26)
    assert result.raw == DL


@pytest.mark.parametrize("carrier", ["]Q1", "]d1"])
def test_a_uri_behind_a_plain_qr_or_datamatrix_identifier_is_read(carrier: str) -> None:
    result = decode(carrier + DL, today=TODAY)
    assert result.symbology == carrier
    assert result.serial == "12345"


def test_a_mixed_case_scheme_and_host_are_read_like_lower_case() -> None:
    scan = f"HtTpS://ID.GS1.Org/01/{GTIN}/10/ABC1"
    assert decode(scan, today=TODAY).lot == "ABC1"


def test_plain_http_and_a_brand_domain_with_a_path_prefix_are_read() -> None:
    result = decode(f"http://example.com/products/01/{GTIN}/21/XYZ", today=TODAY)
    assert result.serial == "XYZ"


def test_the_rightmost_primary_key_wins() -> None:
    result = decode("https://a/00/faux/00/006141411234567890", today=TODAY)
    assert result.extra == {"00": "006141411234567890"}


def test_an_sscc_with_query_attributes_is_read() -> None:
    scan = f"https://id.gs1.org/00/952012345678912345?02={GTIN}&37=25&10=ABC123"
    result = decode(scan, today=TODAY)
    assert (result.gtin, result.quantity, result.lot) == (GTIN, 25, "ABC123")


def test_qualifiers_out_of_order_are_refused() -> None:
    with pytest.raises(DigitalLinkOrder) as caught:
        decode(f"https://id.gs1.org/01/{GTIN}/21/12345/10/ABC1", today=TODAY)
    assert caught.value.code == "BARCODE_DIGITAL_LINK"


def test_a_qualifier_the_key_does_not_have_is_refused() -> None:
    with pytest.raises(DigitalLinkOrder):
        decode("https://id.gs1.org/00/952012345678912345/10/ABC", today=TODAY)


def test_a_data_attribute_in_the_path_is_refused() -> None:
    with pytest.raises(DigitalLinkOrder):
        decode(f"https://id.gs1.org/01/{GTIN}/17/261231", today=TODAY)


def test_a_qualifier_twice_in_the_path_is_refused() -> None:
    with pytest.raises(DigitalLinkDuplicate):
        decode(f"https://id.gs1.org/01/{GTIN}/10/A/10/B", today=TODAY)


def test_an_attribute_twice_in_the_query_is_refused() -> None:
    with pytest.raises(DigitalLinkDuplicate):
        decode(f"https://id.gs1.org/01/{GTIN}?17=261231&17=261231", today=TODAY)


def test_the_key_repeated_in_the_query_is_refused() -> None:
    with pytest.raises(DigitalLinkDuplicate):
        decode(f"https://id.gs1.org/01/{GTIN}?01={GTIN}", today=TODAY)


@pytest.mark.parametrize("qualifier", ["10=ABC", "21=1", "22=V1"])
def test_a_qualifier_in_the_query_string_is_refused(qualifier: str) -> None:
    with pytest.raises(DigitalLinkQualifierInQuery) as caught:
        decode(f"https://id.gs1.org/01/{GTIN}?{qualifier}", today=TODAY)
    assert caught.value.code == "BARCODE_DIGITAL_LINK"


def test_the_lot_is_an_attribute_when_the_path_uses_235() -> None:
    result = decode(f"https://id.gs1.org/01/{GTIN}/235/TPX1?10=ABC", today=TODAY)
    assert (result.lot, result.extra["235"]) == ("ABC", "TPX1")


def test_a_short_gtin_is_refused() -> None:
    with pytest.raises(DigitalLinkShortGtin):
        decode("https://id.gs1.org/01/9520123456788", today=TODAY)


def test_a_wrong_check_digit_in_the_path_is_refused() -> None:
    with pytest.raises(BarcodeCheckDigit):
        decode("https://id.gs1.org/01/09520123456789", today=TODAY)


def test_a_deprecated_short_name_is_refused() -> None:
    with pytest.raises(DigitalLinkShortName):
        decode(f"https://id.gs1.org/01/{GTIN}?exp=261231", today=TODAY)


def test_short_names_in_the_path_find_no_primary_key() -> None:
    with pytest.raises(DigitalLinkNoKey):
        decode(f"https://id.gs1.org/gtin/{GTIN}", today=TODAY)


def test_a_compressed_uri_is_not_supported() -> None:
    with pytest.raises(DigitalLinkNoKey) as caught:
        decode("https://id.gs1.org/ARHKVAdpQgTuwgTyIgXAjlhcAw", today=TODAY)
    assert "compressed" in caught.value.message("en")


def test_unknown_non_numeric_parameters_are_ignored_with_a_warning() -> None:
    result = decode(f"https://id.gs1.org/01/{GTIN}?utm_source=x&17=261200", today=TODAY)
    assert result.expiry == dt.date(2026, 12, 31)
    assert result.has_warning("DL_PARAM_IGNORED")


def test_a_numeric_parameter_that_is_no_ai_is_refused() -> None:
    with pytest.raises(DigitalLinkSyntax):
        decode(f"https://id.gs1.org/01/{GTIN}?2399=1", today=TODAY)


def test_percent_encoded_slash_is_part_of_the_value() -> None:
    assert decode(f"https://id.gs1.org/01/{GTIN}/10/AB%2F1", today=TODAY).lot == "AB/1"


def test_a_plus_in_a_query_value_is_a_space_and_refused() -> None:
    with pytest.raises(BarcodeCharset):
        decode(f"https://id.gs1.org/01/{GTIN}/235/T?10=A+B", today=TODAY)


def test_a_space_in_the_uri_is_refused() -> None:
    with pytest.raises(DigitalLinkSyntax):
        decode(f"https://id.gs1.org/01/{GTIN}/10/A B", today=TODAY)


def test_an_impossible_date_in_the_query_is_refused() -> None:
    with pytest.raises(BarcodeDate):
        decode(f"https://id.gs1.org/01/{GTIN}?17=261340", today=TODAY)


def test_a_too_long_lot_in_the_path_is_refused() -> None:
    with pytest.raises(BarcodeLength):
        decode(f"https://id.gs1.org/01/{GTIN}/10/{'A' * 21}", today=TODAY)


def test_pairing_rules_apply_to_digital_links_too() -> None:
    with pytest.raises(BarcodePairing):
        decode(f"https://id.gs1.org/00/952012345678912345?02={GTIN}", today=TODAY)


@pytest.mark.parametrize("scan", ["https://", "https:///01/x", f"https://a/01/{GTIN}/"])
def test_malformed_uris_are_digital_link_errors(scan: str) -> None:
    with pytest.raises(DigitalLinkError):
        decode(scan, today=TODAY)


def test_a_uri_under_a_gs1_mode_identifier_is_refused() -> None:
    with pytest.raises(BarcodeSymbology):
        decode("]C1" + DL, today=TODAY)
