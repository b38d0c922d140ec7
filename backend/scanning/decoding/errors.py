"""Typed errors raised while decoding a scan; every one is a 422 with a stable code.

The subtree (all under ``backend.core.errors.InvalidInput``, field ``barcode``)::

    BarcodeError              BARCODE_INVALID         base, never raised itself
     ├── BarcodeEmpty         BARCODE_EMPTY           no data after prefix and terminator
     ├── BarcodeTooLong       BARCODE_TOO_LONG        over MAX_SCAN_LENGTH, refused at once
     ├── BarcodeUnknownFormat BARCODE_UNKNOWN_FORMAT  no decoder recognises the data
     ├── BarcodeUnsupported   BARCODE_UNSUPPORTED     recognised, deliberately not decoded
     ├── BarcodeSymbology     BARCODE_SYMBOLOGY       bad AIM identifier, or one that
     │                                                cannot carry this data
     ├── BarcodeCheckDigit    BARCODE_CHECK_DIGIT     GS1 mod 10 or HIBC mod 43 fails
     ├── BarcodeDate          BARCODE_DATE            impossible date, DD=00 not allowed
     ├── BarcodePairing       BARCODE_PAIRING         GS1 mandatory association missing
     │    └── BarcodeExclusion                        two AIs that may not appear together
     ├── BarcodeTruncated     BARCODE_TRUNCATED       data ends inside a field
     ├── BarcodeCharset       BARCODE_CHARSET         a character the format does not allow
     ├── BarcodeLength        BARCODE_LENGTH          field too long/short (or lost separator)
     ├── BarcodeUnknownAI     BARCODE_UNKNOWN_AI      digits that are no GS1 AI
     ├── BarcodeDuplicate     BARCODE_DUPLICATE       same element twice, different values
     ├── BarcodeLink          BARCODE_LINK            HIBC link ≠ the primary's check
     ├── BarcodeField         BARCODE_FIELD           a field's value has the wrong shape
     └── DigitalLinkError     BARCODE_DIGITAL_LINK    GS1 Digital Link URI syntax broken
          ├── DigitalLinkNoKey, DigitalLinkOrder, DigitalLinkDuplicate, DigitalLinkSyntax,
          └── DigitalLinkQualifierInQuery, DigitalLinkShortGtin, DigitalLinkShortName

This module imports only the standard library and ``backend.core.errors``.
"""

from __future__ import annotations

from typing import Any

from backend.core.errors import InvalidInput


class BarcodeError(InvalidInput):
    """Base of every decoding error: the scan is refused, the caller can rescan or type it."""

    code = "BARCODE_INVALID"
    zh = "条码无效"
    en = "The barcode is not valid"

    def __init__(self, *, field: str | None = "barcode", **params: Any) -> None:
        super().__init__(field=field, **params)


class BarcodeEmpty(BarcodeError):
    code = "BARCODE_EMPTY"
    zh = "条码内容为空"
    en = "The barcode holds no data"


class BarcodeTooLong(BarcodeError):
    code = "BARCODE_TOO_LONG"
    zh = "条码过长（{length} 个字符，上限 {limit}）"
    en = "The barcode is too long ({length} characters, at most {limit})"


class BarcodeUnknownFormat(BarcodeError):
    code = "BARCODE_UNKNOWN_FORMAT"
    zh = "无法识别的条码格式"
    en = "The barcode format is not recognised"


class BarcodeUnsupported(BarcodeError):
    code = "BARCODE_UNSUPPORTED"
    zh = "不支持的条码类型：{what}"
    en = "This kind of barcode is not supported: {what}"


class BarcodeSymbology(BarcodeError):
    code = "BARCODE_SYMBOLOGY"
    zh = "条码类型标识 {identifier} 无效或与内容不符"
    en = "The symbology identifier {identifier} is not valid or does not fit the data"


class BarcodeCheckDigit(BarcodeError):
    code = "BARCODE_CHECK_DIGIT"
    zh = "{element} 的校验位错误：{value}"
    en = "Wrong check digit in {element}: {value}"


class BarcodeDate(BarcodeError):
    code = "BARCODE_DATE"
    zh = "{element} 中的日期 {value} 无效"
    en = "The date {value} in {element} is not valid"


class BarcodePairing(BarcodeError):
    code = "BARCODE_PAIRING"
    zh = "{element} 必须与 {others} 之一同时出现"
    en = "{element} must appear together with one of {others}"


class BarcodeExclusion(BarcodePairing):
    zh = "{element} 不能与 {others} 同时出现"
    en = "{element} may not appear together with {others}"


class BarcodeTruncated(BarcodeError):
    code = "BARCODE_TRUNCATED"
    zh = "条码在 {element} 处不完整"
    en = "The barcode ends inside {element}"


class BarcodeCharset(BarcodeError):
    code = "BARCODE_CHARSET"
    zh = "条码第 {position} 个字符 {char} 不允许出现在 {element} 中"
    en = "Character {char} at position {position} is not allowed in {element}"


class BarcodeLength(BarcodeError):
    code = "BARCODE_LENGTH"
    zh = "{element} 的长度不符（{length}，允许 {allowed}）；可能缺少分隔符"
    en = "{element} has the wrong length ({length}, allowed {allowed}); a separator may be missing"


class BarcodeUnknownAI(BarcodeError):
    code = "BARCODE_UNKNOWN_AI"
    zh = "无法识别的 GS1 应用标识符：{data}"
    en = "No GS1 Application Identifier found at: {data}"


class BarcodeDuplicate(BarcodeError):
    code = "BARCODE_DUPLICATE"
    zh = "{element} 出现多次且值不同"
    en = "{element} appears more than once with different values"


class BarcodeLink(BarcodeError):
    code = "BARCODE_LINK"
    zh = "HIBC 次级条码的链接字符 {link} 与主条码的校验字符 {check} 不符"
    en = "The HIBC secondary's link character {link} does not match the primary's check {check}"


class BarcodeField(BarcodeError):
    code = "BARCODE_FIELD"
    zh = "{element} 的值 {value} 格式不对"
    en = "The value {value} of {element} has the wrong shape"


class DigitalLinkError(BarcodeError):
    code = "BARCODE_DIGITAL_LINK"
    zh = "GS1 数字链接无效"
    en = "The GS1 Digital Link URI is not valid"


class DigitalLinkNoKey(DigitalLinkError):
    zh = "GS1 数字链接的路径中没有主键（如 /01/GTIN）；不支持压缩形式"
    en = (
        "The GS1 Digital Link path holds no primary key (such as /01/GTIN); "
        "compressed URIs are not supported"
    )


class DigitalLinkOrder(DigitalLinkError):
    zh = "GS1 数字链接路径中 {element} 不能出现在该位置（{key} 后的限定符顺序为 {order}）"
    en = "{element} may not appear there in the Digital Link path (qualifiers after {key}: {order})"


class DigitalLinkDuplicate(DigitalLinkError):
    zh = "GS1 数字链接中 {element} 重复出现"
    en = "{element} appears more than once in the Digital Link URI"


class DigitalLinkQualifierInQuery(DigitalLinkError):
    zh = "限定符 {element} 必须在路径中，不能在查询字符串中"
    en = "The qualifier {element} belongs in the path, not in the query string"


class DigitalLinkShortGtin(DigitalLinkError):
    zh = "GS1 数字链接中的 GTIN 必须为 14 位：{value}"
    en = "The GTIN in a Digital Link URI must have 14 digits: {value}"


class DigitalLinkShortName(DigitalLinkError):
    zh = "GS1 数字链接的简称 {name} 已废弃，请使用数字应用标识符"
    en = "The Digital Link short name {name} is deprecated; use the numeric AI"


class DigitalLinkSyntax(DigitalLinkError):
    zh = "GS1 数字链接的 URI 格式错误：{part}"
    en = "The Digital Link URI is malformed at: {part}"
