"""Abuse limits: request rates per client over all processes (Litestar's rate-limit
middleware on a Redis store) for the routes an attacker would hammer."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address
from litestar.stores.redis import RedisStore

from kohtaanto.db.models import User
from kohtaanto.settings import Settings

STORE = "rate_limit"


def rate_limit_store(settings: Settings) -> RedisStore:
    """Counts live in the queue's Redis, so every API process sees the same ones."""
    return RedisStore.with_client(url=settings.queue.redis_url, namespace="kohtaanto:rate")


def _limit(name: str, rate: tuple[str, int], routes: set[tuple[str, str]]) -> RateLimitConfig:
    # A coroutine function: Litestar runs a plain function here in a worker thread, and
    # every limit asks it of every request (four thread hops per request).
    async def applies(request: Request[Any, Any, Any]) -> bool:
        return (request.method, request.url.path) in routes

    def identifier(request: Request[Any, Any, Any]) -> str:
        # Signed-in callers are counted per account (many share an office's address);
        # anonymous ones per address.
        user = request.scope.get("user")
        who = f"user:{user.id}" if isinstance(user, User) else get_remote_address(request)
        return f"{name}:{who}"

    return RateLimitConfig(
        rate_limit=rate,  # type: ignore[arg-type]
        check_throttle_handler=applies,
        identifier_for_request=identifier,
        store=STORE,
    )


def rate_limits(settings: Settings) -> list[RateLimitConfig]:
    """Login, registration, password reset and the CPU-heavy skill suggestions."""
    auth = settings.auth
    return [
        _limit("login", auth.login_rate, {("POST", "/api/auth/login"), ("POST", "/login")}),
        _limit("register", auth.register_rate, {("POST", "/api/employers/register")}),
        _limit(
            "reset",
            auth.reset_rate,
            {("POST", "/api/auth/password-reset"), ("POST", "/forgot-password")},
        ),
        _limit(
            "suggest",
            auth.suggest_rate,
            {("POST", "/api/esco/suggest"), ("POST", "/ui/esco/suggest")},
        ),
    ]
