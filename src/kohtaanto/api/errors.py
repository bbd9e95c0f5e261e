"""Client errors that name the field at fault."""

from __future__ import annotations

from litestar.exceptions import NotFoundException, ValidationException


def invalid(field: str, message: str) -> ValidationException:
    """A 400 whose body names ``field``, shaped like Litestar's own validation errors."""
    return ValidationException(
        detail=f"Invalid {field}: {message}",
        extra=[{"key": field, "message": message, "source": "body"}],
    )


def not_found(what: str) -> NotFoundException:
    return NotFoundException(detail=f"{what} not found")
