"""The Jinja environment, the page helper and the error pages.

Every page is rendered through :func:`page`, which puts the visitor's language
(``lang``), its catalog (``translations``) and the navigation into the context.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template import TemplateConfig

from kohtaanto.db.models import Role, User
from kohtaanto.domain.explanations import factor_text
from kohtaanto.domain.places import place_name
from kohtaanto.web.i18n import LANGUAGE_NAMES, LANGUAGES, N_, language_of, translations
from kohtaanto.web.labels import LABELS

TEMPLATES = Path(__file__).parent / "templates"

# Where each role lands after login. Roles whose pages live elsewhere add themselves here.
ROLE_HOME: dict[Role, str] = {
    Role.EMPLOYER: "/employer",
    Role.JOBSEEKER: "/jobseeker",
    Role.COORDINATOR: "/coordinator",
    Role.COACH: "/coach",
    Role.MANAGER: "/manager",
    Role.ADMIN: "/admin",
    Role.SPECIALIST: "/specialist",
    Role.PARTNER: "/partner",
}

# The main navigation of each role: (path, label msgid).
NAV: dict[Role, list[tuple[str, str]]] = {
    Role.COORDINATOR: [
        ("/coordinator", N_("My vacancies")),
        ("/coordinator/employers", N_("Employers to verify")),
        ("/events", N_("Recruitment events")),
        ("/notifications", N_("Notifications")),
    ],
    Role.PARTNER: [
        ("/partner", N_("Incoming referrals")),
        ("/notifications", N_("Notifications")),
    ],
    Role.COACH: [
        ("/coach", N_("My clients")),
        ("/coach/worklist", N_("Work list")),
        ("/events", N_("Recruitment events")),
        ("/notifications", N_("Notifications")),
    ],
    Role.SPECIALIST: [("/specialist", N_("My clients"))],
    Role.MANAGER: [("/manager", N_("Reports")), ("/manager/model", N_("Ranking model"))],
    Role.ADMIN: [
        ("/admin", N_("Users")),
        ("/admin/organisations", N_("Organisations")),
        ("/admin/coordinators", N_("Coordinator areas")),
        ("/coordinator", N_("Vacancies")),
        ("/manager", N_("Reports")),
        ("/manager/model", N_("Ranking model")),
    ],
    Role.EMPLOYER: [
        ("/employer", N_("Vacancies")),
        ("/employer/vacancies/new", N_("New vacancy")),
        ("/employer/organisation", N_("Organisation")),
        ("/employer/events", N_("Recruitment events")),
        ("/notifications", N_("Notifications")),
    ],
    Role.JOBSEEKER: [
        ("/jobseeker", N_("My matches")),
        ("/jobseeker/profile", N_("My profile")),
        ("/jobseeker/plan", N_("My plan")),
        ("/jobseeker/consents", N_("Consent requests")),
        ("/jobseeker/referrals", N_("My referrals")),
        ("/jobseeker/events", N_("Recruitment events")),
        ("/notifications", N_("Notifications")),
        ("/jobseeker/views", N_("Who viewed my profile")),
        ("/jobseeker/data", N_("My data")),
    ],
}


@pass_context
def _gettext(context: Context, message: str) -> str:
    return str(context["translations"].gettext(message))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return str(context["translations"].ngettext(singular, plural, n))


@pass_context
def _label(context: Context, kind: str, value: Any) -> str:
    """The translated name of an enum value or code (``label("vacancy_status", v.status)``)."""
    key = getattr(value, "value", value)
    msgid = LABELS.get(kind, {}).get(key)
    return _gettext(context, msgid) if msgid else str(key)


@pass_context
def _reason(context: Context, factor: dict[str, Any], why: dict[str, Any]) -> str:
    """``{{ reason(f, why) }}``: a ranking factor of a match explanation, in the page's
    language (``domain.explanations``)."""
    return factor_text(factor, why, context.get("lang") or "fi", lambda g, c: _label(context, g, c))


def format_number(value: float | int | None, decimals: int, lang: str) -> str:
    """A number as ``lang`` writes it (Babel's CLDR data): "0,84" and "1 234" in
    Finnish and Swedish, "0.84" and "1,234" in English; a dash when missing."""
    if value is None or value != value:  # None or NaN
        return "\u2013"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return str(format_decimal(value, format=pattern, locale=lang))


@pass_context
def _number(context: Context, value: float | int | None, decimals: int = 0) -> str:
    """``{{ x|number(2) }}``: the number in the page's language."""
    return format_number(value, decimals, context.get("lang") or "fi")


@pass_context
def _place(context: Context, name: str | None) -> str:
    """``{{ municipality.name|place }}``: the municipality's name in the page's language."""
    return place_name(name or "", context.get("lang") or "fi")


@pass_context
def _decimal(context: Context, value: float | int | str | None) -> str:
    """A short decimal for a form field or a fact ("37,5" in Finnish and Swedish, "37.5"
    in English); text (a value the visitor typed) is shown back as it was."""
    if value is None or isinstance(value, str):
        return value or ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if context.get("lang") == "en" else text.replace(".", ",")


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    env.globals.update(
        label=_label, reason=_reason, LANGUAGE_NAMES=LANGUAGE_NAMES, LANGUAGES=LANGUAGES
    )
    # Times are stored in UTC and shown in Finnish time ({{ t.astimezone(helsinki) }}).
    env.globals["helsinki"] = ZoneInfo("Europe/Helsinki")
    env.filters["number"] = _number
    env.filters["decimal"] = _decimal
    env.filters["place"] = _place
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


def context_for(request: Request[Any, Any, Any], **context: Any) -> dict[str, Any]:
    """What every page needs besides its own data."""
    lang = language_of(request)
    user = request.scope.get("user")
    user = user if isinstance(user, User) else None
    return {
        "lang": lang,
        "translations": translations(lang),
        "user": user,
        "nav": NAV.get(user.role, []) if user else [],
        "here": request.url.path,
        **context,
    }


def page(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """Render ``template`` in the visitor's language."""
    return Template(
        template_name=template,
        context=context_for(request, **context),
        status_code=status_code,
    )


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """Whether a request is for the HTML interface rather than the JSON API."""
    path = request.url.path
    return not (path.startswith("/api/") or path == "/health" or path.startswith("/schema"))


def safe_next(target: str | None) -> str | None:
    """A local path to go back to after login; anything else (other sites) is dropped."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _api_error(exc: HTTPException) -> Response[Any]:
    body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
    if exc.extra:
        body["extra"] = exc.extra
    return Response(
        body, status_code=exc.status_code, media_type=MediaType.JSON, headers=exc.headers
    )


def not_authorized_handler(
    request: Request[Any, Any, Any], exc: NotAuthorizedException
) -> Response[Any]:
    """Pages send anonymous visitors to the login page and back; the API answers 401."""
    if not wants_page(request):
        return _api_error(exc)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(
        f"/login?next={quote(target, safe='')}",
        status_code=302 if request.method in ("GET", "HEAD") else 303,
    )


def permission_denied_handler(
    request: Request[Any, Any, Any], exc: PermissionDeniedException
) -> Response[Any]:
    if not wants_page(request):
        return _api_error(exc)
    return page(request, "error.html", status_code=403, code=403)  # type: ignore[return-value]


def not_found_handler(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    if not wants_page(request) or request.url.path.startswith("/static/"):
        return _api_error(exc)
    return page(request, "error.html", status_code=404, code=404)  # type: ignore[return-value]


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    NotAuthorizedException: not_authorized_handler,
    PermissionDeniedException: permission_denied_handler,
    NotFoundException: not_found_handler,
}
