"""Typed domain errors with stable codes, each carrying its own zh-CN and en message.

The tree (``backend/app.py`` maps it to RFC 9457 problem+json in one place)::

    DomainError                      400  anything the caller can fix
     ├── InvalidInput                422  a field's value is wrong (names the field)
     ├── RuleViolation               422  a domain rule refuses the action (LOT_EXPIRED, ...)
     ├── NotFound                    404  no such record, or outside the caller's scope
     ├── Conflict                    409  duplicate code, record changed meanwhile, replay in flight
     ├── AuthenticationFailed        401  no or bad credentials, locked account
     └── PermissionDenied            403  the caller's role may not do this

A concrete error is a subclass that sets ``code`` (stable, SCREAMING_SNAKE) and the two message
templates; ``str.format`` fills them from the keyword parameters given when raising::

    class LotExpired(RuleViolation):
        code = "LOT_EXPIRED"
        zh = "批次 {lot} 已于 {expiry} 过期，不能使用"
        en = "Lot {lot} expired on {expiry} and cannot be used"

    raise LotExpired(lot="A123", expiry="2026-01-31")

A ``reason`` parameter is written in English (it is also the problem document's machine-readable
member); the zh-CN message takes its words from ``backend/core/reasons.py``.

This module imports only the standard library and the pure ``reasons`` catalogue, so ``rules.py``
modules may raise these errors.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from backend.core import reasons

Lang = Literal["zh-CN", "en"]


class DomainError(Exception):
    """Base of every error the caller can act on."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "BAD_REQUEST"
    zh: ClassVar[str] = "请求无效"
    en: ClassVar[str] = "The request is not valid"
    zh_words: ClassVar[dict[str, dict[str, str]]] = {}
    """Parameters that carry a code (a status, an action): the Chinese word of each code, used
    in the zh-CN message; the problem document keeps the code."""

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        self.field = field
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: Lang) -> str:
        template, params = self.en, self.params
        if lang == "zh-CN":
            template = self.zh
            params = {key: self._zh_word(key, value) for key, value in params.items()}
            reason = params.get("reason")
            translated = reasons.zh(reason) if isinstance(reason, str) else None
            if translated is not None:
                params["reason"] = translated
        try:
            return template.format(field=self.field, **params)
        except (KeyError, IndexError, ValueError):
            return template

    def _zh_word(self, key: str, value: Any) -> Any:
        return self.zh_words.get(key, {}).get(value, value) if isinstance(value, str) else value

    def extra(self) -> dict[str, Any]:
        """Machine-readable members added to the problem document."""
        out: dict[str, Any] = {}
        if self.field is not None:
            out["field"] = self.field
        for key, value in self.params.items():
            if isinstance(value, str | int | float | bool) or value is None:
                out[key] = value
            else:
                out[key] = str(value)
        return out


class InvalidInput(DomainError):
    status = 422
    code = "INVALID_INPUT"
    zh = "字段 {field} 无效：{reason}"
    en = "Field {field} is not valid: {reason}"


class RuleViolation(DomainError):
    status = 422
    code = "RULE_VIOLATION"
    zh = "操作不符合业务规则"
    en = "The action breaks a business rule"


class NotFound(DomainError):
    status = 404
    code = "NOT_FOUND"
    zh = "未找到{entity} {key}"
    en = "No {entity} {key} was found"


class Conflict(DomainError):
    status = 409
    code = "CONFLICT"
    zh = "与现有数据冲突"
    en = "This conflicts with existing data"


class ChangedMeanwhile(Conflict):
    code = "CHANGED_MEANWHILE"
    zh = "数据刚被他人修改，请重试"
    en = "Someone else changed this at the same moment; please try again"


class Duplicate(Conflict):
    code = "DUPLICATE"
    zh = "{field} 为 {value} 的记录已存在"
    en = "A record with {field} {value} already exists"


class AuthenticationFailed(DomainError):
    status = 401
    code = "AUTHENTICATION_REQUIRED"
    zh = "请先登录"
    en = "Please sign in"


class PermissionDenied(DomainError):
    status = 403
    code = "PERMISSION_DENIED"
    zh = "您的角色无权执行此操作"
    en = "Your role may not do this"
