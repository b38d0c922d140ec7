"""Device identifiers as stored: a GTIN as 14 digits (check digit verified by biip), an HIBC DI
as LIC + PCN + unit of measure, an MA code's DI as its first five segments."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from biip import ParseError
from biip.gtin import Gtin

from backend.core.errors import InvalidInput


class BadIdentifier(InvalidInput):
    code = "IDENTIFIER_INVALID"
    zh = "{field} 不是有效的 {agency} 标识：{reason}"
    en = "{field} is not a valid {agency} identifier: {reason}"


class BadCheckDigit(InvalidInput):
    code = "BARCODE_CHECK_DIGIT"
    zh = "{field} 的校验位错误：{value}"
    en = "{field} has a wrong check digit: {value}"


@dataclass(frozen=True, slots=True)
class DeviceIdentifier:
    agency: str
    di: str
    original: str


_HIBC_DI = re.compile(r"^\+?([A-Z][A-Z0-9]{3})([A-Z0-9]{1,18})([0-9])$")
_MA = re.compile(r"^MA\.\d{3}\.[A-Z0-9]+\.[A-Z0-9]+\.[A-Z0-9]+")


def normalise(agency: str, value: str, field: str = "di") -> DeviceIdentifier:
    text = unicodedata.normalize("NFKC", value)
    if agency == "GS1":
        if not text.isdigit() or len(text) not in (8, 12, 13, 14):
            raise BadIdentifier(field=field, agency=agency, reason="8, 12, 13 or 14 digits")
        try:
            gtin = Gtin.parse(text)
        except ParseError:
            raise BadCheckDigit(field=field, value=text) from None
        return DeviceIdentifier("GS1", gtin.as_gtin_14(), text)
    if agency == "HIBC":
        m = _HIBC_DI.match(text.upper())
        if not m:
            raise BadIdentifier(
                field=field, agency=agency, reason="LIC (4), product number (1-18), unit (1 digit)"
            )
        return DeviceIdentifier("HIBC", "".join(m.groups()), text)
    if agency == "MA":
        m = _MA.match(text.upper())
        if not m:
            raise BadIdentifier(field=field, agency=agency, reason="MA.<country>.<…> five segments")
        return DeviceIdentifier("MA", m.group(0), text)
    raise InvalidInput(field="agency", reason="GS1, HIBC or MA")
