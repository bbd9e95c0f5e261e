"""The errors a use case raises; each door (API, page, CLI, job) says them its own way.

A ``DomainError`` carries a stable ``code`` for programs, the ``field`` it is about
(or None for the request as a whole), an English ``message`` template marked with
``N_`` (the msgid the pages translate) and the ``params`` the template names. The
API answers it with its status and ``extra[].key``/``code`` (``kohtaanto.api.errors``);
the pages show the translated message (``kohtaanto.web.failures``). Use cases never
raise HTTP exceptions, and doors never parse error texts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from kohtaanto.i18n import N_


class DomainError(Exception):
    """A request the rules refuse (400 at the API)."""

    status: ClassVar[int] = 400

    def __init__(self, code: str, message: str, *, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.message = message
        self.field = field
        self.params = params
        super().__init__(self.render())

    def render(self, gettext: Callable[[str], str] | None = None) -> str:
        """The message in a language: ``gettext`` of the visitor's catalog, English without."""
        template = gettext(self.message) if gettext else self.message
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            # A translation that names a parameter wrongly must not hide the error.
            return self.message.format(**self.params)

    def as_extra(self) -> dict[str, Any]:
        """One item of the API's ``extra`` list."""
        item: dict[str, Any] = {
            "key": self.field or "body",
            "code": self.code,
            "message": self.render(),
        }
        if self.params:
            item["params"] = {k: _plain(v) for k, v in self.params.items()}
        return item

    def extras(self) -> list[dict[str, Any]]:
        """The API's whole ``extra`` list: one item, unless the error names several
        (``Refusals``)."""
        return [self.as_extra()]


class Refusals(DomainError):
    """One request refused for several reasons at once (e.g. a bulk move naming each
    entry that cannot move): ``items`` are the errors, each with its own field."""

    def __init__(
        self,
        code: str,
        message: str,
        items: list[DomainError],
        *,
        field: str | None = None,
        **params: Any,
    ) -> None:
        self.items = items
        super().__init__(code, message, field=field, **params)

    def extras(self) -> list[dict[str, Any]]:
        return [i.as_extra() for i in self.items] or [self.as_extra()]


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does (404)."""

    status = 404

    def __init__(
        self,
        code: str = "not_found",
        message: str = N_("Not found"),
        *,
        field: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code, message, field=field, **params)


class Forbidden(DomainError):
    """The caller is known and may not do this (403)."""

    status = 403

    def __init__(
        self,
        code: str = "forbidden",
        message: str = N_("Your role may not do this"),
        *,
        field: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code, message, field=field, **params)


class Conflict(DomainError):
    """Someone else changed or took the same thing first (409): reload and try again."""

    status = 409


def _plain(value: Any) -> Any:
    """Parameters as JSON can carry them (UUIDs, dates and enums become strings)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return str(getattr(value, "value", value))
