"""Authentication (JWT bearer tokens) and role guards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody
from litestar.security.jwt import OAuth2PasswordBearerAuth, Token
from sqlalchemy import select

from kohtaanto.api.schemas import Db
from kohtaanto.db import alchemy_config
from kohtaanto.db.models import Role, User
from kohtaanto.security import verify_password
from kohtaanto.settings import get_settings

# Requests carry the user; handlers declare it as ``request: Request[User, Token, Any]``.
AuthRequest = Request[User, Token, Any]


async def _retrieve_user(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> User | None:
    try:
        user_id = UUID(token.sub)
    except ValueError:
        return None
    async with alchemy_config().get_session() as session:
        user = await session.get(User, user_id)
    return user if user is not None and user.is_active else None


def build_auth() -> OAuth2PasswordBearerAuth[User]:
    """The bearer-token security of the API; everything but login, health and docs needs it."""
    settings = get_settings().auth
    return OAuth2PasswordBearerAuth[User](
        token_secret=settings.token_secret,
        token_url="/api/auth/login",
        retrieve_user_handler=_retrieve_user,
        default_token_expiration=timedelta(hours=settings.token_hours),
        exclude=["/api/auth/login", "/health", "/schema", "/api/employers/register"],
    )


def requires(*roles: Role) -> Any:
    """A guard letting in only users with one of ``roles``."""

    def guard(connection: ASGIConnection[Any, User, Any, Any], _: BaseRouteHandler) -> None:
        user = connection.user
        if not isinstance(user, User):
            raise NotAuthorizedException()
        if user.role not in roles:
            raise PermissionDeniedException(detail="Your role may not do this")

    guard.__name__ = "requires_" + "_or_".join(r.value for r in roles)
    return guard


class LoginForm(msgspec.Struct):
    email: str = msgspec.field(name="username")
    password: str = ""


class Login(msgspec.Struct):
    email: str
    password: str


class AccessToken(msgspec.Struct):
    access_token: str
    token_type: str
    role: Role


class Me(msgspec.Struct):
    id: UUID
    email: str
    name: str
    role: Role
    employer_id: UUID | None


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", operation_id="login", status_code=200)
    async def login(self, data: JSONBody[Login], db_session: Db) -> AccessToken:
        """Exchange an e-mail address and password for a bearer token."""
        user = await db_session.scalar(select(User).where(User.email == data.email.strip().lower()))
        if (
            user is None
            or not user.is_active
            or not verify_password(data.password, user.password_hash)
        ):
            raise NotAuthorizedException(detail="Wrong e-mail address or password")
        token = build_auth().create_token(identifier=str(user.id))
        return AccessToken(access_token=token, token_type="bearer", role=user.role)

    @get("/me", operation_id="me")
    async def me(self, request: AuthRequest) -> Me:
        """Who the token belongs to."""
        u = request.user
        return Me(id=u.id, email=u.email, name=u.name, role=u.role, employer_id=u.employer_id)
