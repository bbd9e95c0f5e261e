"""Password change and reset.

A reset link carries a token signed with the server's secret over the user's id, an
expiry, the current password hash and token version. Nothing is stored: once the
password changes (or the user logs out everywhere) the signature no longer matches,
so a link works once and only until it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import User
from kohtaanto.security import hash_password_async
from kohtaanto.settings import get_settings

MIN_LENGTH = 8
MAX_LENGTH = 128


class ResetTokenError(ValueError):
    """The link is malformed, expired, already used or not ours."""


def _mac(user: User, expires: int) -> str:
    key = (get_settings().auth.token_secret + ":password-reset").encode()
    message = f"{user.id}:{expires}:{user.password_hash}:{user.token_version}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def reset_token(user: User, *, now: float | None = None) -> str:
    """A one-time token for ``user``, valid ``KOHTAANTO_RESET_MINUTES``."""
    minutes = get_settings().auth.reset_minutes
    expires = int((time.time() if now is None else now) + minutes * 60)
    return f"{user.id.hex}.{expires}.{_mac(user, expires)}"


def reset_link(user: User) -> str:
    return f"{get_settings().auth.public_url}/reset-password?token={reset_token(user)}"


async def user_of_reset_token(
    session: AsyncSession, token: str, *, now: float | None = None
) -> User:
    """The user the (valid, unused, unexpired) token was made for."""
    try:
        user_hex, expires_text, mac = token.split(".")
        user_id, expires = UUID(hex=user_hex), int(expires_text)
    except ValueError as e:
        raise ResetTokenError("the link is not valid") from e
    if expires < (time.time() if now is None else now):
        raise ResetTokenError("the link has expired: ask for a new one")
    user = await session.get(User, user_id)
    if user is None or not user.is_active or not hmac.compare_digest(mac, _mac(user, expires)):
        raise ResetTokenError("the link is not valid or has been used already")
    return user


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    """Store the new password and revoke every token issued before."""
    user.password_hash = await hash_password_async(password)
    user.token_version += 1
    await session.flush()
