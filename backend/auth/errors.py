"""Errors of sign-in and user management."""

from __future__ import annotations

from backend.core.errors import AuthenticationFailed, DomainError, InvalidInput


class InvalidCredentials(AuthenticationFailed):
    code = "AUTH_INVALID_CREDENTIALS"
    zh = "用户名或密码错误"
    en = "The user name or password is wrong"


class AccountLocked(DomainError):
    status = 423
    code = "AUTH_ACCOUNT_LOCKED"
    zh = "账户已因多次登录失败被锁定，请联系管理员解锁"
    en = "This account is locked after repeated failed sign-ins; ask an administrator to unlock it"


class LoginRateLimited(DomainError):
    status = 429
    code = "AUTH_RATE_LIMITED"
    zh = "登录尝试过于频繁，请 {retry_after} 秒后再试"
    en = "Too many sign-in attempts; try again in {retry_after} seconds"


class SessionExpired(AuthenticationFailed):
    code = "AUTH_SESSION_EXPIRED"
    zh = "登录已过期，请重新登录"
    en = "Your session has ended; please sign in again"


class WeakPassword(InvalidInput):
    code = "AUTH_WEAK_PASSWORD"
    zh = "密码不符合要求：{reason}"
    en = "The password is not acceptable: {reason}"


class UnknownRole(InvalidInput):
    code = "AUTH_UNKNOWN_ROLE"
    zh = "未知角色：{value}"
    en = "Unknown role: {value}"


class WrongCurrentPassword(InvalidInput):
    """422, not 401: the session is valid; only the re-typed current password is wrong."""

    code = "AUTH_WRONG_PASSWORD"
    zh = "当前密码错误"
    en = "The current password is wrong"
