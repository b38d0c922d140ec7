"""How a request becomes an Actor with a permission: the authentication middleware (token,
actor, the route's permission) and the `actor` dependency."""

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTCookieAuthenticationMiddleware, Token

from backend.auth.rules import Permission, allowed
from backend.core.actor import Actor
from backend.core.errors import AuthenticationFailed, Lang, PermissionDenied
from backend.core.i18n import pick_lang

PERMISSION_OPT = "permission"


def requires(permission: Permission) -> dict[str, Any]:
    """Keyword arguments for a route decorator: the permission it needs, kept in `opt` where
    the authentication middleware checks it (and the endpoint × role test reads it)."""
    return {"opt": {PERMISSION_OPT: permission}}


def check_permission(user: object, opt: Mapping[str, Any]) -> None:
    """Refuse a request to a route needing a permission that the user's roles lack."""
    permission = opt.get(PERMISSION_OPT)
    if permission is None:
        return
    if not isinstance(user, Actor):
        raise AuthenticationFailed()
    if not allowed(user.roles, permission):
        raise PermissionDenied()


class _TokenCache:
    """Tokens whose signature was verified, by their encoded text, until they expire: the text
    is what was signed, so the same text needs no second HMAC and JSON decode."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._tokens: dict[str, Token] = {}

    def get(self, encoded: str) -> Token | None:
        token = self._tokens.get(encoded)
        if token is not None and token.exp <= datetime.now(UTC):
            del self._tokens[encoded]
            return None
        return token

    def put(self, encoded: str, token: Token) -> None:
        if len(self._tokens) >= self.size:
            self._tokens.clear()
        self._tokens[encoded] = token


class ActorAuthenticationMiddleware(JWTCookieAuthenticationMiddleware):
    """Litestar's JWT (header or cookie) authentication, plus the route's permission.

    The permission is checked here rather than by a route guard: Litestar calls each guard with
    a copy of the route handler, made on every request, which cost more than the rest of a
    cheap request. Verified tokens are remembered until they expire (``_TokenCache``)."""

    tokens = _TokenCache()

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        # The header straight from the scope (Litestar would parse every header first); a
        # request without one is Litestar's (the sign-in cookie).
        header = self.auth_header.lower().encode()
        encoded = next((v for k, v in connection.scope["headers"] if k.lower() == header), b"")
        token = encoded.decode("latin-1").partition(" ")[-1]
        if token:
            result = await self.authenticate_token(encoded_token=token, connection=connection)
        else:
            result = await super().authenticate_request(connection)
        check_permission(result.user, connection.scope["route_handler"].opt)
        return result

    async def authenticate_token(
        self, encoded_token: str, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = self.tokens.get(encoded_token)
        if token is None:
            token = self.token_cls.decode(
                encoded_token=encoded_token,
                secret=self.token_secret,
                algorithm=self.algorithm,
                audience=self.token_audience,
                issuer=self.token_issuer,
                require_claims=self.require_claims,
                verify_exp=self.verify_expiry,
                verify_nbf=self.verify_not_before,
                strict_audience=self.strict_audience,
            )
            self.tokens.put(encoded_token, token)
        # The retrieve handler answers from the session cache when it can (``sessions``).
        user = await self.retrieve_user_handler(token, connection)
        if not user or (
            self.revoked_token_handler and await self.revoked_token_handler(token, connection)
        ):
            raise NotAuthorizedException()
        return AuthenticationResult(user=user, auth=token)


_langs: dict[str | None, Lang] = {}


def _lang(accept_language: str | None) -> Lang:
    """``pick_lang``, remembered per header value (clients send the same few)."""
    lang = _langs.get(accept_language)
    if lang is None:
        if len(_langs) >= 1000:
            _langs.clear()
        lang = _langs[accept_language] = pick_lang(accept_language)
    return lang


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    return actor_for_scope(request.scope)


def actor_for_scope(scope: Any) -> Actor:
    """The signed-in Actor of an HTTP request (the ASGI scope, after authentication), with the
    request's language, client address and Idempotency-Key."""
    user = scope.get("user")
    if not isinstance(user, Actor):
        raise AuthenticationFailed()
    accept_language: str | None = None
    idempotency_key: str | None = None
    for name, value in scope["headers"]:
        name = name.lower()
        if name == b"accept-language" and accept_language is None:
            accept_language = value.decode("latin-1")
        elif name == b"idempotency-key" and idempotency_key is None:
            idempotency_key = value.decode("latin-1")
    client = scope.get("client")
    return replace(
        user,
        lang=_lang(accept_language),
        address=client[0] if client else None,
        idempotency_key=idempotency_key,
    )


CurrentActor = NamedDependency[Actor]
"""A handler parameter `actor: CurrentActor` receives the signed-in user as an Actor."""
