"""Every error leaves as RFC 9457 problem+json, in the user's language: the one mapping."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from backend.core.errors import Conflict, DomainError, Lang
from backend.core.i18n import pick_lang

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
TYPE_BASE = "https://lotwise.dev/problems/"

# Texts for refusals raised by the framework rather than by our code.
_FRAMEWORK: dict[str, tuple[int, str, str]] = {
    "AUTHENTICATION_REQUIRED": (401, "请先登录", "Please sign in"),
    "PERMISSION_DENIED": (403, "您的角色无权执行此操作", "Your role may not do this"),
    "NOT_FOUND": (404, "请求的资源不存在", "There is nothing at this address"),
    "METHOD_NOT_ALLOWED": (405, "不支持此请求方法", "This method is not allowed here"),
    "MALFORMED_REQUEST": (400, "请求体不是有效的 JSON", "The request body is not valid JSON"),
    "PAYLOAD_TOO_LARGE": (413, "请求体过大", "The request body is too large"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "不支持的内容类型", "Unsupported content type"),
    "INTERNAL_ERROR": (
        500,
        "服务器内部错误，已记录，请稍后重试",
        "Something went wrong on the server; it has been logged, please try again",
    ),
}

# msgspec's validation messages, rewritten per language. Order matters: first match wins.
_VALIDATION_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"Object contains unknown field `(?P<f>[^`]+)`"), "未知字段", "unknown field"),
    (re.compile(r"Object missing required field `(?P<f>[^`]+)`"), "缺少必填字段", "required"),
    (re.compile(r"Expected `(?P<t>[^`]+)`, got `(?P<g>[^`]+)`"), "类型应为 {t}", "must be {t}"),
    (
        re.compile(r"Expected `(?P<t>[^`]+)` (?P<op>[<>]=?) (?P<n>\S+)"),
        "应 {op} {n}",
        "must be {op} {n}",
    ),
    (
        re.compile(r"Expected `(?P<t>[^`]+)` of length (?P<op>[<>]=?) (?P<n>\S+)"),
        "长度应 {op} {n}",
        "length must be {op} {n}",
    ),
    (re.compile(r"Expected `str` matching regex"), "格式不正确", "does not have the required form"),
    (
        re.compile(r"Invalid RFC3339 encoded date"),
        "日期格式应为 YYYY-MM-DD",
        "must be a date YYYY-MM-DD",
    ),
    (
        re.compile(r"Invalid enum value [`']?(?P<v>[^`']*)[`']?"),
        "不允许的取值 {v}",
        "value {v} is not allowed",
    ),
]


def _field_reason(message: str, key: str | None, lang: Lang) -> tuple[str | None, str]:
    # Litestar names the whole request body `data` (the handler's parameter); the client
    # knows it as the body.
    field = "body" if key == "data" else key
    for pattern, zh, en in _VALIDATION_PATTERNS:
        m = pattern.search(message)
        if m:
            groups = m.groupdict()
            if "f" in groups:
                field = f"{key}.{groups['f']}" if key and key != "data" else groups["f"]
            reason = (zh if lang == "zh-CN" else en).format(**groups)
            return field, reason
    return field, message


def problem_body(
    status: int, code: str, title: str, detail: str, extra: Mapping[str, Any] = {}
) -> dict[str, Any]:
    # An error's own parameters never replace the standard members (an error parameter named
    # "status" must not turn a 422 into something else).
    return {
        **extra,
        "type": TYPE_BASE + code.lower().replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }


def domain_problem_body(error: DomainError, lang: Lang) -> dict[str, Any]:
    return problem_body(
        error.status, error.code, error.message("en"), error.message(lang), error.extra()
    )


def problem(
    status: int, code: str, title: str, detail: str, lang: Lang, extra: Mapping[str, Any] = {}
) -> Response[dict[str, Any]]:
    body = problem_body(status, code, title, detail, extra)
    headers: dict[str, str] = {"Content-Language": lang}
    if status == 429 and "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def lang_of(request: Request[Any, Any, Any]) -> Lang:
    return pick_lang(request.headers.get("accept-language"))


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    lang = lang_of(request)
    return problem(exc.status, exc.code, exc.message("en"), exc.message(lang), lang, exc.extra())


def _framework(code: str, lang: Lang, **extra: Any) -> Response[Any]:
    status, zh, en = _FRAMEWORK[code]
    return problem(status, code, en, zh if lang == "zh-CN" else en, lang, extra)


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    lang = lang_of(request)
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        key = item.get("key") if isinstance(item, dict) else None
        message = str(item.get("message", "")) if isinstance(item, dict) else str(item)
        field, reason = _field_reason(message, key, lang)
        errors.append({"field": field, "reason": reason, "source": item.get("source")})
    if not errors:
        return _framework("MALFORMED_REQUEST", lang, field="body")
    first = errors[0]
    zh = f"字段 {first['field']} 无效：{first['reason']}"
    en = f"Field {first['field']} is not valid: {first['reason']}"
    return problem(
        422,
        "INVALID_INPUT",
        en if lang == "en" else "Invalid input",
        zh if lang == "zh-CN" else en,
        lang,
        {"field": first["field"], "errors": errors},
    )


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    lang = lang_of(request)
    if isinstance(exc, NotAuthorizedException):
        return _framework("AUTHENTICATION_REQUIRED", lang)
    if isinstance(exc, PermissionDeniedException):
        return _framework("PERMISSION_DENIED", lang)
    if isinstance(exc, NotFoundException):
        return _framework("NOT_FOUND", lang)
    by_status = {405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE"}
    if exc.status_code in by_status:
        return _framework(by_status[exc.status_code], lang)
    if isinstance(exc, ClientException) or 400 <= exc.status_code < 500:
        return _framework("MALFORMED_REQUEST", lang, field="body")
    log.error("HTTP %s on %s: %s", exc.status_code, request.url.path, exc.detail)
    return _framework("INTERNAL_ERROR", lang)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    from backend.core.db import is_unique_violation

    if is_unique_violation(exc):
        # A check-then-insert lost a race to a concurrent request (PostgreSQL runs both at
        # once): the data conflicts, the server is fine. Use cases should catch it and name
        # the field; this keeps the ones that do not from answering 500.
        log.warning("unique violation on %s %s: %s", request.method, request.url.path, exc)
        return domain_error_handler(request, Conflict())
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _framework("INTERNAL_ERROR", lang_of(request))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_exception_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
    Exception: internal_error_handler,
}
