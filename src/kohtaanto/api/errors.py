"""Client errors that name the field at fault."""

from __future__ import annotations

import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import NotFoundException, ValidationException

from kohtaanto.domain.errors import DomainError

# msgspec says where a value failed ("... - at `$.hours_per_week`") or which
# field is missing or unknown ("... field `password`"); Litestar reports both
# under the key "data". We move the field name into the key.
_AT_PATH = re.compile(r" - at `\$\.?([^`]*)`$")
_FIELD = re.compile(r"field `([^`]+)`")


def invalid(field: str, message: str) -> ValidationException:
    """A 400 whose body names ``field``, shaped like Litestar's own validation errors."""
    return ValidationException(
        detail=f"Invalid {field}: {message}",
        extra=[{"key": field, "message": message, "source": "body"}],
    )


def not_found(what: str) -> NotFoundException:
    return NotFoundException(detail=f"{what} not found")


def _named(item: dict[str, Any]) -> dict[str, Any]:
    message = str(item.get("message", ""))
    if item.get("key") not in (None, "data"):
        return item
    if at := _AT_PATH.search(message):
        return {**item, "key": at.group(1) or "body", "message": message[: at.start()]}
    if field := _FIELD.search(message):
        return {**item, "key": field.group(1)}
    return item


def validation_error_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Litestar's 400 body, with every error keyed by the field it is about."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    items = [_named(e) if isinstance(e, dict) else e for e in extra]
    fields = [str(e["key"]) for e in items if isinstance(e, dict) and e.get("key")]
    detail = exc.detail
    if detail.startswith("Validation failed") and fields:
        first = next(e for e in items if isinstance(e, dict) and e.get("key"))
        detail = f"Invalid {', '.join(dict.fromkeys(fields))}: {first.get('message', '')}"
    return Response(
        {"status_code": 400, "detail": detail, "extra": items},
        status_code=400,
        media_type=MediaType.JSON,
    )


def domain_error_response(exc: DomainError) -> Response[Any]:
    """A use case's refusal as JSON: its status, English detail, its stable ``code``, and
    ``extra[]`` with the field (``key``), the code and the parameters of each error (one,
    or each entry a bulk move refused)."""
    return Response(
        {
            "status_code": exc.status,
            "detail": exc.render(),
            "code": exc.code,
            "extra": exc.extras(),
        },
        status_code=exc.status,
        media_type=MediaType.JSON,
    )
