"""Every status code a JSON route can answer is in the OpenAPI schema.

Rather than listing the same error answers on each handler, they are derived from
what the route is, once the app is built:

- 401 when the route needs a signed-in user (anything outside ``PUBLIC_PATHS``);
- 403 when a guard checks the role;
- 404 when the path names an object (``{vacancy_id}``: unknown, or not yours);
- 503 on writes: a write that lost a race in the database saved nothing and
  answers ``Retry-After`` (``kohtaanto.web.failures``).

400 (bad input naming the field) Litestar documents itself for routes with
parameters or a body. A handler that answers something else lists it in its own
``raises=``; ``tests/test_schema_fuzz.py`` finds any that is missing.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ServiceUnavailableException,
)
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from kohtaanto.auth import PUBLIC_PATHS

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class DatabaseBusy(ServiceUnavailableException):
    """The write lost a race with a concurrent one (deadlock, serialization failure,
    lock timeout); nothing was saved: try again after ``Retry-After`` seconds."""

    detail = "The database was busy with a conflicting change; nothing was saved. Try again."


def _public(path: str) -> bool:
    return any(re.search(pattern, path) for pattern in PUBLIC_PATHS)


def error_answers(route: HTTPRoute, handler: HTTPRouteHandler) -> list[type[HTTPException]]:
    """The error answers ``handler`` on ``route`` can give besides 400."""
    answers: list[type[HTTPException]] = []
    if not (_public(route.path) or handler.opt.get("exclude_from_auth")):
        answers.append(NotAuthorizedException)
    if handler.resolve_guards():
        answers.append(PermissionDeniedException)
    if route.path_parameters:
        answers.append(NotFoundException)
    if set(handler.http_methods) & WRITES:
        answers.append(DatabaseBusy)
    return answers


def document_error_answers(app: Litestar) -> None:
    """Add each JSON route's error answers to its ``raises`` (what OpenAPI shows)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            known: list[Any] = list(handler.raises or [])
            for answer in error_answers(route, handler):
                if not any(k.status_code == answer.status_code for k in known):
                    known.append(answer)
            handler.raises = known
