"""Accounts: checking a password at login, and the password-reset e-mail.

Both doors call these (``api/auth.py``, ``web/account.py``, ``web/password.py``); the
tokens themselves are ``kohtaanto.auth``'s.
"""

from __future__ import annotations

import hashlib
import logging
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import User
from kohtaanto.domain import account_mail, passwords
from kohtaanto.security import verify_password_async
from kohtaanto.settings import get_settings

log = logging.getLogger(__name__)


async def authenticate(
    session: AsyncSession, email: str, password: str, client: str = "?"
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
        client,
    )
    return None


async def request_reset(session: AsyncSession, email: str) -> EmailMessage | None:
    """The reset e-mail for the address's active user, if there is one (sent after the
    answer, which is the same either way)."""
    address = email.strip().lower()
    user = await session.scalar(select(User).where(User.email == address))
    if user is None or not user.is_active:
        return None
    minutes = get_settings().auth.reset_minutes
    return account_mail.password_reset(
        user.email, passwords.reset_link(user), minutes, user.language, user.name
    )
