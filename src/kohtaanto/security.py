"""Password hashing (Argon2 through pwdlib).

Argon2 is deliberately slow (tens of milliseconds of CPU): request handlers call the
``*_async`` forms, which run it in a worker thread so the event loop keeps serving.
"""

from __future__ import annotations

from functools import lru_cache

import anyio.to_thread
from pwdlib import PasswordHash


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when no account has the e-mail address, so an unknown address
    # takes as long as a wrong password (no account enumeration by timing).
    return _hasher().hash("no account has this password")


def hash_password(password: str) -> str:
    """An Argon2 hash of ``password`` for storage."""
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches the stored hash."""
    return _hasher().verify(password, password_hash)


async def hash_password_async(password: str) -> str:
    """:func:`hash_password` off the event loop."""
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_async(password: str, password_hash: str | None) -> bool:
    """:func:`verify_password` off the event loop; ``None`` (no account) takes as long."""
    if password_hash is None:
        await anyio.to_thread.run_sync(verify_password, password, _dummy_hash())
        return False
    return await anyio.to_thread.run_sync(verify_password, password, password_hash)
