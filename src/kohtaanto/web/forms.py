"""Reading HTML forms into the API's msgspec schemas, so pages validate exactly as the API does."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from litestar.datastructures import FormMultiDict

from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.service_paths.rules import HELSINKI
from kohtaanto.web.i18n import N_

T = TypeVar("T")
_AT_PATH = re.compile(r"`\$\.([a-z_]+)")
_FIELD = re.compile(r"field `([^`]+)`")

# What to tell the visitor about a field msgspec or the domain refused.
FIELD_MESSAGES: dict[str, str] = {
    "title": N_("Give a title of 3 to 255 characters."),
    "description": N_("The description is too long."),
    "occupation_uri": N_("Choose an occupation from the list."),
    "municipality_code": N_("Choose a municipality."),
    "hours_per_week": N_(
        "Give the hours per week as a number from 1 to 60 in quarter hours, for example 37.5."
    ),
    "monthly_pay_eur": N_("Give the monthly pay in euros as a whole number."),
    "start_date": N_("Give the start date as a date."),
    "essential_skill_uris": N_("Choose at least one essential skill."),
    "optional_skill_uris": N_("Choose skills from the list."),
    "skill_uris": N_("Choose skills from the list."),
    "occupation_uris": N_("Choose occupations from the list."),
    "languages": N_("Choose languages from the list."),
    "birth_year": N_("Give your year of birth, for example 1985."),
    "education": N_("Choose your education."),
    "max_travel_km": N_("Give the distance in kilometres from 0 to 500."),
    "min_hours_per_week": N_("The minimum hours must be from 0 to 60 and not above the maximum."),
    "max_hours_per_week": N_("Give the maximum hours per week from 0 to 60."),
    "unemployed_since": N_("Give the date as a date."),
    "status": N_("This cannot be done in the vacancy's current status."),
    "reason": N_("Choose a reason."),
    "frequency": N_("Choose how often."),
}
CHECK_THIS = N_("Check this value.")


def message_for(field: str) -> str:
    return FIELD_MESSAGES.get(field, CHECK_THIS)


class Refusal(str):
    """A field's message (a msgid) on a form, carrying the use case's code: the page
    shows it as ``data-code``, the same code the API answers in ``extra[].code``."""

    code: str

    def __new__(cls, message: str, code: str) -> Refusal:
        refusal = super().__new__(cls, message)
        refusal.code = code
        return refusal


def refused(error: DomainError) -> dict[str, str]:
    """A use case's refusal as the form shows it: the field's own message and the code."""
    field = error.field or "form"
    return {field: Refusal(message_for(field), error.code)}


def read(
    form: FormMultiDict,
    schema: type[T],
    *,
    lists: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
    decimals: tuple[str, ...] = (),
) -> tuple[T | None, dict[str, str]]:
    """``form`` as ``schema``: empty values are left out, ``lists`` keep every value,
    ``flags`` (checkboxes) are true when present, ``decimals`` accept a decimal comma
    ("37,5", as Finns and Swedes write it). Returns the object or field errors."""
    data: dict[str, Any] = {}
    for name in schema.__struct_fields__:  # type: ignore[attr-defined]
        if name in lists:
            data[name] = [v for v in form.getall(name, []) if v]
        elif name in flags:
            data[name] = name in form
        elif (value := str(form.get(name, "")).strip()) != "":
            data[name] = value.replace(",", ".") if name in decimals else value
    try:
        return msgspec.convert(data, schema, strict=False), {}
    except msgspec.ValidationError as e:
        text = str(e)
        match = _AT_PATH.search(text) or _FIELD.search(text)
        field = match.group(1) if match else "form"
        return None, {field: message_for(field)}


# --- single fields of the pages' own forms (those not read into an API schema) ----------------


def _text(value: Any) -> str:
    return str(value if value is not None else "").strip()


def date_field(value: Any, field: str, message: str = N_("Give a date")) -> date | None:
    """An ISO date (``<input type=date>``), None when empty."""
    raw = _text(value)
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise DomainError("bad_date", message, field=field) from None


def time_field(value: Any, field: str) -> datetime:
    """A ``datetime-local`` field, read as Finnish time."""
    try:
        moment = datetime.fromisoformat(_text(value))
    except ValueError:
        raise DomainError("invalid", N_("Give a date and time"), field=field) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=HELSINKI)


def int_field(value: Any, field: str) -> int | None:
    """A whole number, None when empty."""
    raw = _text(value)
    try:
        return int(raw) if raw else None
    except ValueError:
        raise DomainError("bad_number", N_("Give a whole number"), field=field) from None


def uuid_field(value: Any, field: str) -> UUID:
    """The id of a choice offered on the page."""
    try:
        return UUID(_text(value))
    except ValueError:
        raise DomainError("invalid", N_("Choose from the list"), field=field) from None


def uuid_list(form: Any, field: str) -> list[UUID]:
    """Every checked id of a multi-choice field."""
    return [uuid_field(v, field) for v in form.getall(field, [])] if hasattr(form, "getall") else []
