"""Authentication (JWT bearer tokens) and role guards."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from email.message import EmailMessage
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import AuthenticationResult
from litestar.params import JSONBody
from litestar.security.jwt import JWTCookieAuthenticationMiddleware, OAuth2PasswordBearerAuth, Token
from sqlalchemy import select

from kohtaanto.api.errors import invalid
from kohtaanto.api.schemas import Db
from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import alchemy_config
from kohtaanto.db.models import Role, User
from kohtaanto.domain import account_mail, passwords
from kohtaanto.security import verify_password_async
from kohtaanto.settings import get_settings

log = logging.getLogger(__name__)

# The guards and the request type live in kohtaanto.auth (the pages use them too).
__all__ = ["AuthRequest", "requires"]


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
    async with alchemy_config().get_session() as session:
        user = await session.get(User, user_id)
    if user is None or not user.is_active:
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


async def revoke_tokens(session: Any, user_id: UUID) -> None:
    """Invalidate every token of the user issued so far (logout, password change)."""
    user = await session.get(User, user_id)
    if user is not None:
        user.token_version += 1
        await session.flush()


# Caps: an address is at most 254 characters; a password of kilobytes would only make
# Argon2 work harder.
LoginEmail = Annotated[str, msgspec.Meta(max_length=255)]
LoginPassword = Annotated[str, msgspec.Meta(max_length=128)]


class Login(msgspec.Struct):
    email: LoginEmail
    password: LoginPassword


async def authenticate(
    session: Any, request: Request[Any, Any, Any], email: str, password: str
) -> User | None:
    """The active user with this address and password, else ``None`` (and a log line).

    An unknown address is checked against a dummy hash, so it takes as long as a
    known one: the answer's timing does not tell which addresses have accounts.
    """
    address = email.strip().lower()
    user = await session.scalar(select(User).where(User.email == address))
    known = user is not None and user.is_active
    ok = await verify_password_async(password, user.password_hash if known and user else None)
    if ok and user is not None:
        return user
    # A hash of the address: repeated attempts on one account correlate without the
    # log holding the address itself.
    log.warning(
        "failed login: account %s (%s) from %s",
        hashlib.sha256(address.encode()).hexdigest()[:12],
        "known" if known else "unknown",
        request.client.host if request.client else "?",
    )
    return None


NewPassword = Annotated[str, msgspec.Meta(min_length=8, max_length=128)]


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: LoginPassword
    new_password: NewPassword


class ResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: LoginEmail


class ResetConfirm(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(max_length=200)]
    new_password: NewPassword


class Accepted(msgspec.Struct):
    status: str
    detail: str


RESET_SENT = Accepted(
    status="received",
    detail="If the address has an account, a link to set a new password was sent to it.",
)


async def request_reset(session: Any, email: str) -> EmailMessage | None:
    """The reset e-mail for the address's active user, if there is one (sent after the
    answer, which is the same either way)."""
    address = email.strip().lower()
    user = await session.scalar(select(User).where(User.email == address))
    if user is None or not user.is_active:
        return None
    minutes = get_settings().auth.reset_minutes
    return account_mail.password_reset(user.email, passwords.reset_link(user), minutes)


async def send_if_any(message: EmailMessage | None) -> None:
    if message is not None:
        await account_mail.send(message)


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

    @post("/login", operation_id="login", status_code=200, raises=[NotAuthorizedException])
    async def login(
        self, request: Request[Any, Any, Any], data: JSONBody[Login], db_session: Db
    ) -> AccessToken:
        """Exchange an e-mail address and password for a bearer token."""
        user = await authenticate(db_session, request, data.email, data.password)
        if user is None:
            raise NotAuthorizedException(detail="Wrong e-mail address or password")
        return AccessToken(access_token=create_token(user), token_type="bearer", role=user.role)

    @post("/password", operation_id="changePassword", status_code=200)
    async def change_password(
        self, request: AuthRequest, db_session: Db, data: JSONBody[PasswordChange]
    ) -> AccessToken:
        """Change the password; every earlier token stops working, the answer has a new one."""
        user = await db_session.get(User, request.user.id)
        assert user is not None
        if not await verify_password_async(data.current_password, user.password_hash):
            raise invalid("current_password", "the current password is wrong")
        await passwords.set_password(db_session, user, data.new_password)
        return AccessToken(access_token=create_token(user), token_type="bearer", role=user.role)

    @post("/password-reset", operation_id="requestPasswordReset", status_code=202)
    async def request_password_reset(
        self, db_session: Db, data: JSONBody[ResetRequest]
    ) -> Response[Accepted]:
        """E-mail a one-time link to set a new password. The answer is the same whether or
        not the address has an account."""
        message = await request_reset(db_session, data.email)
        return Response(
            RESET_SENT, status_code=202, background=BackgroundTask(send_if_any, message)
        )

    @post("/password-reset/confirm", operation_id="confirmPasswordReset", status_code=200)
    async def confirm_password_reset(
        self, db_session: Db, data: JSONBody[ResetConfirm]
    ) -> Accepted:
        """Set a new password with the link's token (once, before it expires); every
        earlier token of the user stops working."""
        try:
            user = await passwords.user_of_reset_token(db_session, data.token)
        except passwords.ResetTokenError as e:
            raise invalid("token", str(e)) from e
        await passwords.set_password(db_session, user, data.new_password)
        return Accepted(status="changed", detail="The password is changed: log in with it.")

    @post("/logout", operation_id="logout", status_code=204)
    async def logout(self, request: AuthRequest, db_session: Db) -> None:
        """Revoke every token of the signed-in user (all their sessions)."""
        await revoke_tokens(db_session, request.user.id)

    @get("/me", operation_id="me")
    async def me(self, request: AuthRequest) -> Me:
        """Who the token belongs to."""
        u = request.user
        return Me(id=u.id, email=u.email, name=u.name, role=u.role, employer_id=u.employer_id)
