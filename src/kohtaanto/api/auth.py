"""The login, password and logout endpoints (the JSON door of ``kohtaanto.auth`` and
``kohtaanto.domain.accounts``)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody

from kohtaanto.api.errors import invalid
from kohtaanto.api.schemas import Db
from kohtaanto.auth import (
    PUBLIC_PATHS,
    AuthRequest,
    build_auth,
    create_token,
    requires,
    revoke_tokens,
)
from kohtaanto.db.models import Role, User
from kohtaanto.domain import passwords
from kohtaanto.domain.accounts import authenticate, request_reset
from kohtaanto.mail import send_if_any
from kohtaanto.security import verify_password_async

# The tokens, guards and the request type live in kohtaanto.auth (the pages use them too).
__all__ = ["PUBLIC_PATHS", "AuthRequest", "build_auth", "create_token", "requires", "revoke_tokens"]


# Caps: an address is at most 254 characters; a password of kilobytes would only make
# Argon2 work harder.
LoginEmail = Annotated[str, msgspec.Meta(max_length=255)]
LoginPassword = Annotated[str, msgspec.Meta(max_length=128)]


class Login(msgspec.Struct):
    email: LoginEmail
    password: LoginPassword


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
        user = await authenticate(
            db_session, data.email, data.password, request.client.host if request.client else "?"
        )
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
