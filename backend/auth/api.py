"""/api/v1/auth (sign-in, sign-out, me, password) and /api/v1/users (administration)."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody, PathParameter

from backend.auth import service
from backend.auth.guards import CurrentActor, requires
from backend.auth.rules import Permission
from backend.core.pagination import Limit, Offset, Page
from backend.core.structs import Input, Output, set_fields
from backend.settings import get_settings

TOKEN_COOKIE = "lotwise_token"


class UserOut(Output, kw_only=True):
    id: int
    username: str
    full_name: str
    roles: list[str]
    warehouse_ids: list[int]
    department_ids: list[int]
    active: bool
    locked: bool


def user_out(view: service.UserView) -> UserOut:
    return msgspec.convert(view, UserOut, from_attributes=True)


class LoginIn(Input, kw_only=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=150)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class LoginOut(Output, kw_only=True):
    access_token: str
    token_type: str
    expires_in: int
    user: UserOut


class PasswordChangeIn(Input, kw_only=True):
    current_password: Annotated[str, msgspec.Meta(max_length=1024)]
    new_password: Annotated[str, msgspec.Meta(max_length=1024)]


class UserCreateIn(Input, kw_only=True):
    username: Annotated[str, msgspec.Meta(min_length=2, max_length=150, pattern=r"^[\w.@-]+$")]
    full_name: Annotated[str, msgspec.Meta(min_length=1, max_length=150)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]
    roles: list[str]
    warehouse_ids: list[int] = []
    department_ids: list[int] = []


class UserUpdateIn(Input, kw_only=True):
    full_name: Annotated[str, msgspec.Meta(min_length=1, max_length=150)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    roles: list[str] | msgspec.UnsetType = msgspec.UNSET
    warehouse_ids: list[int] | msgspec.UnsetType = msgspec.UNSET
    department_ids: list[int] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", opt={"exclude_from_auth": True, "public": True}, status_code=200)
    async def login(
        self, request: Request[Any, Any, Any], data: JSONBody[LoginIn]
    ) -> Response[LoginOut]:
        from backend.app import jwt_auth

        address = request.client.host if request.client else "unknown"
        actor = await service.authenticate(data.username, data.password, address)
        minutes = get_settings().token_minutes
        token = jwt_auth.create_token(
            identifier=str(actor.user_id),
            token_expiration=timedelta(minutes=minutes),
            token_unique_jwt_id=uuid.uuid4().hex,
        )
        assert actor.user_id is not None
        body = LoginOut(
            access_token=token,
            token_type="bearer",
            expires_in=minutes * 60,
            user=user_out(await service.get_user(actor.user_id)),
        )
        cookie = Cookie(
            key=TOKEN_COOKIE,
            value=token,
            httponly=True,
            samesite="strict",
            max_age=minutes * 60,
            path="/",
        )
        return Response(body, cookies=[cookie])

    @post("/logout", status_code=204, **requires(Permission.account))
    async def logout(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[None]:
        token = request.auth
        jti = getattr(token, "jti", None) or ""
        exp = getattr(token, "exp", None) or datetime.now(UTC)
        if jti:
            await service.logout(actor, jti, exp)
        response: Response[None] = Response(None, status_code=204)
        response.delete_cookie(TOKEN_COOKIE, path="/")
        return response

    @get("/me", **requires(Permission.account))
    async def me(self, actor: CurrentActor) -> UserOut:
        assert actor.user_id is not None
        return user_out(await service.get_user(actor.user_id))

    @post("/password", status_code=204, **requires(Permission.account))
    async def change_password(self, actor: CurrentActor, data: JSONBody[PasswordChangeIn]) -> None:
        await service.change_password(actor, data.current_password, data.new_password)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["users"]

    @get("/", **requires(Permission.users_read))
    async def list_users(self, limit: Limit = 50, offset: Offset = 0) -> Page[UserOut]:
        views, total = await service.list_users(limit, offset)
        return Page(items=[user_out(v) for v in views], total=total, limit=limit, offset=offset)

    @get("/{user_id:int}", **requires(Permission.users_read))
    async def get_user(self, user_id: Annotated[int, PathParameter(ge=1)]) -> UserOut:
        return user_out(await service.get_user(user_id))

    @post("/", **requires(Permission.users_write))
    async def create_user(self, actor: CurrentActor, data: JSONBody[UserCreateIn]) -> UserOut:
        return user_out(
            await service.create_user(
                actor,
                username=data.username,
                full_name=data.full_name,
                password=data.password,
                roles=data.roles,
                warehouse_ids=data.warehouse_ids,
                department_ids=data.department_ids,
            )
        )

    @patch("/{user_id:int}", **requires(Permission.users_write))
    async def update_user(
        self,
        actor: CurrentActor,
        user_id: Annotated[int, PathParameter(ge=1)],
        data: JSONBody[UserUpdateIn],
    ) -> UserOut:
        return user_out(await service.update_user(actor, user_id, set_fields(data)))

    @post("/{user_id:int}/unlock", **requires(Permission.users_write), status_code=200)
    async def unlock_user(
        self, actor: CurrentActor, user_id: Annotated[int, PathParameter(ge=1)]
    ) -> UserOut:
        return user_out(await service.unlock_user(actor, user_id))
