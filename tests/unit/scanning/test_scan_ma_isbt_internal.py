"""China MA codes, ISBT 128 product codes and Lotwise's own labels."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.scanning.decoding import InternalRef, decode
from backend.scanning.decoding.errors import (
    BarcodeCharset,
    BarcodeDate,
    BarcodeDuplicate,
    BarcodeField,
    BarcodeTruncated,
    BarcodeUnknownFormat,
)
from backend.scanning.decoding.internal import location_label

TODAY = dt.date(2026, 11, 21)
MA = "MA.156.M0.100761.21234561.Sx00008.M220117.L20220117.D20220118.E220130.V220117.C3"
ISBT = "=+06000=/A9999XYZ100T0476=,000025=A99972312345600=>025032=}023032&,1000000000000XYZ123"


def test_an_ma_code_gives_the_first_five_segments_as_di() -> None:
    result = decode(MA, today=TODAY)
    assert result.agency == "MA"
    assert result.di == "MA.156.M0.100761.21234561"
    assert (result.serial, result.lot) == ("x00008", "20220117")
    assert result.production_date == dt.date(2022, 1, 17)
    assert result.extra["D"] == "20220118"  # sterilisation lot
    assert result.extra["C"] == "3"  # stored, not recomputed


def test_ma_expiry_is_the_stricter_of_valid_until_and_the_day_before_invalid_from() -> None:
    assert decode(MA, today=TODAY).expiry == dt.date(2022, 1, 17)  # V earlier than E - 1
    only_e = decode("MA.156.M0.100761.21234561.L1.E220130", today=TODAY)
    assert only_e.expiry == dt.date(2022, 1, 29)
    only_v = decode("MA.156.M0.100761.21234561.L1.V20220130", today=TODAY)
    assert only_v.expiry == dt.date(2022, 1, 30)
    both = decode("MA.156.M0.100761.21234561.V220131.E220130", today=TODAY)
    assert both.expiry == dt.date(2022, 1, 29)
    assert (both.extra["E"], both.extra["V"]) == ("220130", "220131")


def test_ma_segments_may_come_in_any_order() -> None:
    result = decode("MA.156.M0.100761.21234561.LABC.S1.M20220117", today=TODAY)
    assert (result.lot, result.serial) == ("ABC", "1")
    assert result.production_date == dt.date(2022, 1, 17)


def test_the_old_p_production_date_is_read() -> None:
    result = decode("MA.156.M0.100761.21234561.P220117", today=TODAY)
    assert result.production_date == dt.date(2022, 1, 17)


def test_an_unknown_ma_segment_is_kept_with_a_warning() -> None:
    result = decode("MA.156.M0.100761.21234561.QX1", today=TODAY)
    assert result.extra["Q"] == "X1"
    assert result.has_warning("MA_UNKNOWN_SEGMENT")


def test_an_ma_code_with_fewer_than_five_segments_is_truncated() -> None:
    with pytest.raises(BarcodeTruncated):
        decode("MA.156.M0.100761", today=TODAY)


@pytest.mark.parametrize("date", ["E221301", "M2201", "V20220230"])
def test_an_impossible_ma_date_is_refused(date: str) -> None:
    with pytest.raises(BarcodeDate):
        decode(f"MA.156.M0.100761.21234561.{date}", today=TODAY)


def test_an_ma_segment_twice_with_different_values_is_refused() -> None:
    with pytest.raises(BarcodeDuplicate):
        decode("MA.156.M0.100761.21234561.L1.L2", today=TODAY)


def test_an_ma_code_with_a_space_or_gs_is_refused() -> None:
    with pytest.raises(BarcodeCharset):
        decode("MA.156.M0.100761.21234561.L1 2", today=TODAY)
    with pytest.raises(BarcodeCharset):
        decode("MA.156.M0.100761.21234561.L1\x1d", today=TODAY)


def test_an_ma_code_with_an_empty_segment_is_refused() -> None:
    with pytest.raises(BarcodeField):
        decode("MA.156.M0.100761.21234561..L1", today=TODAY)


def test_an_isbt_128_compound_message_gives_ppic_divisions_lot_and_dates() -> None:
    result = decode(ISBT, today=TODAY)
    assert result.agency == "ICCBBA"
    assert result.di == "A9999XYZ100T0476"
    assert result.serial == "000025"
    assert result.lot == "000000000000XYZ123"
    assert result.expiry == dt.date(2025, 2, 1)
    assert result.production_date == dt.date(2023, 2, 1)
    assert result.extra["DIN"] == "A99972312345600"


def test_a_single_isbt_structure_is_read() -> None:
    assert decode("=/A9999XYZ100T0476", today=TODAY).di == "A9999XYZ100T0476"


def test_an_unknown_isbt_structure_is_kept_with_a_warning() -> None:
    result = decode("=/A9999XYZ100T0476&)123", today=TODAY)
    assert result.extra["unread"] == "&)123"
    assert result.has_warning("ISBT_UNSUPPORTED_STRUCTURE")


def test_isbt_product_divisions_of_zero_are_refused() -> None:
    with pytest.raises(BarcodeField):
        decode("=,000000", today=TODAY)


def test_a_cut_isbt_structure_is_truncated() -> None:
    with pytest.raises(BarcodeTruncated):
        decode("=/A9999XYZ", today=TODAY)


def test_an_impossible_isbt_julian_date_is_refused() -> None:
    with pytest.raises(BarcodeDate):
        decode("=>025400", today=TODAY)


@pytest.mark.parametrize(
    ("scan", "ref"),
    [
        ("LW:LOC:WH1-A-01-02", InternalRef("LOC", "WH1-A-01-02")),
        ("LW:LOT:01HZX3K9V7", InternalRef("LOT", "01HZX3K9V7")),
        ("LW:PICK:PK-2026-000123", InternalRef("PICK", "PK-2026-000123")),
        ("LW:DOC:PO:PO-2026-0042", InternalRef("DOC", "PO-2026-0042", "PO")),
        ("lw:loc:wh1-a", InternalRef("LOC", "wh1-a")),
        ("LW:LOC:WH-C:A-01-2", InternalRef("LOC", "A-01-2", warehouse="WH-C")),
        ("LW:LOC:WH/1:K/02", InternalRef("LOC", "K/02", warehouse="WH/1")),
    ],
)
def test_our_own_labels_are_read(scan: str, ref: InternalRef) -> None:
    result = decode(scan, today=TODAY)
    assert result.agency == "INTERNAL"
    assert result.internal == ref
    assert result.di is None


@pytest.mark.parametrize("scan", ["LW:BIN:1", "LW:LOC", "LW:DOC:PO"])
def test_an_unknown_or_incomplete_internal_label_is_refused(scan: str) -> None:
    with pytest.raises((BarcodeUnknownFormat, BarcodeField)):
        decode(scan, today=TODAY)


@pytest.mark.parametrize(
    "scan",
    [
        "LW:LOC:",
        "LW:LOC:a b",
        "LW:DOC:P1:X",
        "LW:LOT:" + "x" * 65,
        "LW:LOC::A-01",
        "LW:LOC:WH-C:",
        "LW:LOC:WH-C:A:01",
        "LW:LOT:A:1",
    ],
)
def test_a_malformed_internal_value_is_a_field_error(scan: str) -> None:
    with pytest.raises(BarcodeField) as caught:
        decode(scan, today=TODAY)
    assert caught.value.code == "BARCODE_FIELD"


@pytest.mark.parametrize("scan", ["hello", "ABC", "*", "ma.156.m0.1.2", "httpx://a/01/1"])
def test_data_no_decoder_recognises_is_an_unknown_format(scan: str) -> None:
    with pytest.raises(BarcodeUnknownFormat) as caught:
        decode(scan, today=TODAY)
    assert caught.value.code == "BARCODE_UNKNOWN_FORMAT"


def test_a_printed_location_label_reads_back_as_its_warehouse_and_code() -> None:
    label = location_label("WH-C", "A-01-2")
    assert label == "LW:LOC:WH-C:A-01-2"
    assert decode(label, today=TODAY).internal == InternalRef("LOC", "A-01-2", warehouse="WH-C")


def test_a_code_an_internal_label_cannot_carry_is_refused_when_printing() -> None:
    with pytest.raises(ValueError):
        location_label("WH C", "A-01")
