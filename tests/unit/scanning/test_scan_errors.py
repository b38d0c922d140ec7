"""The error tree and warnings: stable codes, status 422, messages in zh-CN and en."""

from __future__ import annotations

import pytest

from backend.core.errors import DomainError, InvalidInput
from backend.scanning.decoding import errors
from backend.scanning.decoding.errors import BarcodeError
from backend.scanning.decoding.result import WARNING_TEXT, DecodeWarning, Lang, warning

LANGS: tuple[Lang, ...] = ("zh-CN", "en")

# Parameters each concrete error is raised with, so every template can be filled.
PARAMS: dict[str, dict[str, object]] = {
    "BarcodeTooLong": {"length": 5000, "limit": 4096},
    "BarcodeUnsupported": {"what": "HIBC PAS"},
    "BarcodeSymbology": {"identifier": "]W0"},
    "BarcodeCheckDigit": {"element": "(01)", "value": "09506000134353"},
    "BarcodeDate": {"element": "(17)", "value": "261340"},
    "BarcodePairing": {"element": "(10)", "others": "(01) (02)"},
    "BarcodeExclusion": {"element": "(01)", "others": "(02)"},
    "BarcodeTruncated": {"element": "(01)"},
    "BarcodeCharset": {"char": "' '", "position": 3, "element": "(10)"},
    "BarcodeLength": {"element": "(10)", "length": 21, "allowed": "1-20"},
    "BarcodeUnknownAI": {"data": "2399"},
    "BarcodeDuplicate": {"element": "(10)"},
    "BarcodeLink": {"link": "H", "check": "G"},
    "BarcodeField": {"element": "HIBC lot", "value": "a"},
    "DigitalLinkOrder": {"element": "(10)", "key": "(01)", "order": "22 → 10 → 21"},
    "DigitalLinkDuplicate": {"element": "(10)"},
    "DigitalLinkQualifierInQuery": {"element": "(10)"},
    "DigitalLinkShortGtin": {"value": "9520123456788"},
    "DigitalLinkShortName": {"name": "exp"},
    "DigitalLinkSyntax": {"part": "host"},
}


def _all_errors() -> list[type[BarcodeError]]:
    found: list[type[BarcodeError]] = []
    pending: list[type[BarcodeError]] = [BarcodeError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("cls", _all_errors(), ids=lambda cls: cls.__name__)
def test_every_barcode_error_is_invalid_input_with_a_stable_code(cls: type[BarcodeError]) -> None:
    assert issubclass(cls, InvalidInput)
    assert issubclass(cls, DomainError)
    assert cls.status == 422
    assert cls.code.startswith("BARCODE_")
    assert cls.code == cls.code.upper()


@pytest.mark.parametrize("cls", _all_errors(), ids=lambda cls: cls.__name__)
def test_every_barcode_error_has_filled_messages_in_both_languages(
    cls: type[BarcodeError],
) -> None:
    error = cls(**PARAMS.get(cls.__name__, {}))  # type: ignore[arg-type]
    for lang in LANGS:
        text = error.message(lang)
        assert text and "{" not in text, (cls.__name__, lang, text)
    assert error.message("zh-CN") != error.message("en")
    assert error.field == "barcode"
    assert error.extra()["field"] == "barcode"


def test_the_codes_the_issue_asks_for_all_exist() -> None:
    codes = {cls.code for cls in _all_errors()}
    assert {
        "BARCODE_CHECK_DIGIT",
        "BARCODE_DATE",
        "BARCODE_PAIRING",
        "BARCODE_UNKNOWN_FORMAT",
        "BARCODE_EMPTY",
        "BARCODE_TRUNCATED",
        "BARCODE_CHARSET",
        "BARCODE_LENGTH",
        "BARCODE_SYMBOLOGY",
        "BARCODE_DIGITAL_LINK",
        "BARCODE_TOO_LONG",
    } <= codes


def test_errors_module_names_every_class_in_its_docstring() -> None:
    doc = errors.__doc__ or ""
    for cls in _all_errors():
        assert cls.__name__ in doc, cls.__name__


SAMPLE_WARNING_PARAMS = {
    "element": "(10)",
    "value": "ABC17261231",
    "split": "ABC + (17)261231",
    "date": "2026-12-31",
    "identifier": "]d9",
    "form": "$",
    "link": "G",
    "name": "utm_source",
}


@pytest.mark.parametrize("code", sorted(WARNING_TEXT))
def test_every_warning_has_filled_messages_in_both_languages(code: str) -> None:
    item = warning(code, **SAMPLE_WARNING_PARAMS)
    assert isinstance(item, DecodeWarning)
    for lang in LANGS:
        text = item.message(lang)
        assert text and "{" not in text, (code, lang, text)


def test_warnings_are_hashable_values() -> None:
    assert warning("HIBC_LEGACY_FORM", form="$") == warning("HIBC_LEGACY_FORM", form="$")
    assert len({warning("HIBC_LEGACY_FORM", form="$"), warning("HIBC_LEGACY_FORM", form="$")}) == 1
