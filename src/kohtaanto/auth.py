"""Who is asking, and the role guards: shared by the JSON API and the pages.

The tokens themselves (issuing, revoking, the cookie and bearer middleware) are in
``kohtaanto.api.auth``; this module holds what both doors need so that ``web``
never imports ``api``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import Token

from kohtaanto.db.models import Role, User

# Requests carry the user; handlers declare it as ``request: AuthRequest``.
AuthRequest = Request[User, Token, Any]


def requires(*roles: Role) -> Any:
    """A guard letting in only users with one of ``roles``."""

    def guard(connection: ASGIConnection[Any, User, Any, Any], _: BaseRouteHandler) -> None:
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
