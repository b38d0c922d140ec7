"""The one structure every decoder returns, and the typed warnings it may carry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Agency = Literal["GS1", "HIBC", "MA", "ICCBBA", "INTERNAL"]
InternalKind = Literal["LOC", "LOT", "PICK", "DOC"]
Lang = Literal["zh-CN", "en"]

_EMPTY: Mapping[str, str] = MappingProxyType({})

# code -> (zh-CN template, en template); str.format fills them from the warning's params.
WARNING_TEXT: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "SCAN_LOST_SEPARATOR": (
            "{element} 的值 {value} 中似乎含有另一个字段，可能丢失了分隔符（可能为 {split}）",
            "The value {value} of {element} seems to hold another field; a separator may "
            "have been lost (likely {split})",
        ),
        "SCAN_DAY_UNSPECIFIED": (
            "{element} 的日期 {value} 未指定日（00），按当月最后一天 {date} 处理",
            "The date {value} in {element} has no day (00); read as the last day of the "
            "month, {date}",
        ),
        "SCAN_SYMBOLOGY_UNKNOWN": (
            "未知的条码类型标识 {identifier}，已按内容识别",
            "Unknown symbology identifier {identifier}; decoded by content",
        ),
        "SCAN_DUPLICATE_ELEMENT": (
            "{element} 重复出现（值相同），已忽略重复项",
            "{element} appears twice with the same value; the repeat was ignored",
        ),
        "HIBC_LEGACY_FORM": (
            "HIBC 次级数据使用了仅为向后兼容保留的格式 {form}",
            "The HIBC secondary data uses the form {form}, kept for backward compatibility only",
        ),
        "HIBC_SECONDARY_ONLY": (
            "仅扫描到 HIBC 次级条码（无产品标识）；请扫描校验字符为 {link} 的主条码",
            "Only the HIBC secondary symbol was scanned (no device identifier); scan the "
            "primary whose check character is {link}",
        ),
        "HIBC_UNKNOWN_FIELD": (
            "未知的 HIBC 补充字段 {value}，已原样保留",
            "Unknown HIBC supplemental field {value}; kept as it is",
        ),
        "MA_UNKNOWN_SEGMENT": (
            "MA 码中未知的字段 {value}，已原样保留",
            "Unknown MA code segment {value}; kept as it is",
        ),
        "DL_PARAM_IGNORED": (
            "GS1 数字链接中的参数 {name} 不是应用标识符，已忽略",
            "The Digital Link parameter {name} is not an AI and was ignored",
        ),
        "ISBT_UNSUPPORTED_STRUCTURE": (
            "ISBT 128 数据结构 {identifier} 未解析，已原样保留",
            "ISBT 128 data structure {identifier} was not decoded; kept as it is",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class DecodeWarning:
    """Something worth showing the user, though the scan was decoded."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, lang: Lang) -> str:
        zh, en = WARNING_TEXT.get(self.code, (self.code, self.code))
        template = zh if lang == "zh-CN" else en
        try:
            return template.format(**dict(self.params))
        except (KeyError, IndexError, ValueError):
            return template

    def param(self, name: str) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return None


def warning(code: str, **params: object) -> DecodeWarning:
    assert code in WARNING_TEXT, code
    return DecodeWarning(code, tuple((k, str(v)) for k, v in params.items()))


@dataclass(frozen=True, slots=True)
class InternalRef:
    """One of Lotwise's own labels (see ``internal.py`` for the scheme)."""

    kind: InternalKind
    value: str
    doc_type: str | None = None
    warehouse: str | None = None
    """LOC only: the warehouse code, when the label names it (location codes are unique per
    warehouse, not overall)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """What a scan says, whichever agency issued it.

    ``expiry`` is the last day on which the unit may be used (有效期至). ``extra`` holds every
    element as it was read (GS1: AI → raw value; HIBC, MA, ISBT: their own keys), so nothing
    on the label is lost even when it has no field of its own.
    """

    agency: Agency
    raw: str
    symbology: str | None = None
    di: str | None = None
    gtin: str | None = None
    gtin_format: str | None = None
    lot: str | None = None
    serial: str | None = None
    production_date: dt.date | None = None
    expiry: dt.date | None = None
    quantity: int | None = None
    software_version: str | None = None
    link: str | None = None
    internal: InternalRef | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False)
    warnings: tuple[DecodeWarning, ...] = ()

    def has_warning(self, code: str) -> bool:
        return any(w.code == code for w in self.warnings)


def frozen_mapping(items: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(items)) if items else _EMPTY
