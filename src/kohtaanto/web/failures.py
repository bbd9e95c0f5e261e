"""What a user sees when the server fails: never a bare 500.

- An unhandled exception is logged with its traceback and the request id; the
  JSON API answers ``{"status_code": 500, "detail": …, "request_id": …}``, a page
  answers a friendly translated error page naming the id, and an htmx request gets
  an error fragment that ``static/errors.js`` shows where the user acted.
- A write that lost a race in the database (deadlock, serialization failure, lock
  timeout) is not a bug: it answers 503 with ``Retry-After`` and says so; nothing
  was saved, trying again works.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from sqlalchemy.exc import DBAPIError

from kohtaanto.domain.errors import DomainError
from kohtaanto.observability import current_request_id
from kohtaanto.web.i18n import language_of, translations
from kohtaanto.web.rendering import page, wants_page

log = logging.getLogger("kohtaanto.errors")

# PostgreSQL's codes for a transaction that lost to a concurrent one: serialization
# failure, deadlock detected, lock not available (lock_timeout / NOWAIT).
RETRYABLE_SQLSTATES = {
    "40001": "serialization failure",
    "40P01": "deadlock",
    "55P03": "lock timeout",
}
RETRY_AFTER_SECONDS = 1


def lost_race(exc: BaseException) -> str | None:
    """The name of the race a database error reports, or None for any other error."""
    orig = getattr(exc, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None), exc):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code in RETRYABLE_SQLSTATES:
            return RETRYABLE_SQLSTATES[str(code)]
    return None


def _request_id(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("state", {}).get("request_id") or current_request_id() or "-")


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def _answer(
    request: Request[Any, Any, Any],
    *,
    status_code: int,
    detail: str,
    kind: str,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    request_id = _request_id(request)
    headers = {**(headers or {}), "X-Request-ID": request_id}
    if not wants_page(request):
        return Response(
            {"status_code": status_code, "detail": detail, "request_id": request_id},
            status_code=status_code,
            media_type=MediaType.JSON,
            headers=headers,
        )
    template = "fragments/server_error.html" if _is_htmx(request) else "server_error.html"
    response = page(request, template, status_code=status_code, kind=kind, request_id=request_id)
    response.headers.update(headers)
    return response  # type: ignore[return-value]


def database_error_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    race = lost_race(exc)
    if race is None:
        return server_error_handler(request, exc)
    log.warning(
        "%s %s lost a race in the database (%s); answered 503, retry",
        request.method,
        request.url.path,
        race,
    )
    return _answer(
        request,
        status_code=503,
        detail=f"The database was busy with a conflicting change ({race}); nothing was saved. "
        f"Try again in {RETRY_AFTER_SECONDS} s.",
        kind="busy",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def server_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Any exception no other handler took: log it whole, answer with the request id."""
    if lost_race(exc) is not None:
        return database_error_handler(request, exc)  # type: ignore[arg-type]
    log.error(
        "unhandled %s on %s %s",
        type(exc).__name__,
        request.method,
        request.url.path,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return _answer(
        request,
        status_code=500,
        detail="Internal server error; the error has been logged with this request id.",
        kind="error",
    )


def domain_error_page(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """A use case's refusal that the page handler did not show in its own form: the
    translated message, in place for htmx (static/errors.js shows it) or as a page."""
    message = exc.render(translations(language_of(request)).gettext)
    template = "fragments/domain_error.html" if _is_htmx(request) else "error.html"
    response = page(
        request, template, status_code=exc.status, code=exc.status, message=message, error=exc
    )
    response.headers.update({"X-Request-ID": _request_id(request)})
    return response  # type: ignore[return-value]


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    DBAPIError: database_error_handler,
    500: server_error_handler,
}
