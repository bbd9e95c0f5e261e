"""Who is asking: the tokens (issuing, revoking, the bearer and cookie middleware) and
the role guards, shared by the JSON API and the pages so that ``web`` never imports
``api``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTCookieAuthenticationMiddleware, OAuth2PasswordBearerAuth, Token
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db import alchemy_config
from kohtaanto.db.models import Role, User
from kohtaanto.settings import get_settings

# Requests carry the user; handlers declare it as ``request: AuthRequest``.
AuthRequest = Request[User, Token, Any]


def requires(*roles: Role) -> Any:
    """A guard letting in only users with one of ``roles``."""

    # A coroutine function: Litestar runs a plain function guard in a worker thread
    # (a thread hop per request for a dictionary look-up).
    async def guard(connection: ASGIConnection[Any, User, Any, Any], _: BaseRouteHandler) -> None:
        # Litestar's own OPTIONS answer (the allowed methods, CORS) runs no handler and
        # carries no user: the auth middleware lets it through, so must the guard.
        if connection.scope.get("method") == "OPTIONS":
            return
        user = connection.user
        if not isinstance(user, User):
            raise NotAuthorizedException()
        if user.role not in roles:
            raise PermissionDeniedException(detail="Your role may not do this")

    guard.__name__ = "requires_" + "_or_".join(r.value for r in roles)
    return guard


# The claim carrying the user's token version: raising the version (logout, password
# change or reset) revokes every token issued before.
VERSION_CLAIM = "ver"

# Anonymous routes, anchored: an unanchored "/health" would also open "/api/x/health".
PUBLIC_PATHS = [
    "^/api/auth/login$",
    "^/api/auth/password-reset$",
    "^/api/auth/password-reset/confirm$",
    "^/api/employers/register$",
    "^/health$",
    "^/schema(/|$)",
]


async def _retrieve_user(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> User | None:
    try:
        user_id = UUID(token.sub)
    except ValueError:
        return None
    # The request's own session, the one its handler is given and the plugin's before-send
    # handler closes with the response (a refusal's too): one pooled connection and one
    # transaction per request, where a session of its own cost a second checkout and a
    # BEGIN, a query and a ROLLBACK more.
    session = alchemy_config().provide_session(connection.app.state, connection.scope)
    user = await session.get(User, user_id)
    if user is None:
        return None
    # Detached, as handlers have always had it: a handler that rolls back (a refused
    # form) would otherwise expire it, and ``session.get`` in a handler still reads the
    # row anew rather than trusting the identity map.
    session.expunge(user)
    if not user.is_active:
        return None
    if token.extras.get(VERSION_CLAIM, 0) != user.token_version:
        return None  # revoked by a logout or a password change
    return user


class SessionAuthenticationMiddleware(JWTCookieAuthenticationMiddleware):
    """The JSON API takes the bearer header only; the login cookie serves the pages.

    The pages are protected against cross-site posts by CSRF tokens and the API is not
    (it has no forms): were the cookie accepted on ``/api``, any site could post to it
    with the visitor's session (a ``text/plain`` form body is read as JSON).
    """

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        path = connection.scope["path"]
        if path == "/api" or path.startswith("/api/"):
            scheme, _, encoded = connection.headers.get(self.auth_header, "").partition(" ")
            if scheme.lower() != "bearer" or not encoded:
                raise NotAuthorizedException("The API takes a bearer token in the header")
            return await self.authenticate_token(encoded_token=encoded, connection=connection)
        return await super().authenticate_request(connection)


def build_auth() -> OAuth2PasswordBearerAuth[User]:
    """Bearer tokens for the API, the same token in a cookie for the pages."""
    settings = get_settings().auth
    return OAuth2PasswordBearerAuth[User](
        token_secret=settings.token_secret,
        token_url="/api/auth/login",
        retrieve_user_handler=_retrieve_user,
        default_token_expiration=timedelta(hours=settings.token_hours),
        exclude=PUBLIC_PATHS,
        authentication_middleware_class=SessionAuthenticationMiddleware,
    )


def create_token(user: User) -> str:
    """A signed token for ``user``, valid until it expires or their token version moves on."""
    return build_auth().create_token(
        identifier=str(user.id), token_extras={VERSION_CLAIM: user.token_version}
    )


async def revoke_tokens(session: AsyncSession, user_id: UUID) -> None:
    """Invalidate every token of the user issued so far (logout, password change)."""
    user = await session.get(User, user_id)
    if user is not None:
        user.token_version += 1
        await session.flush()
