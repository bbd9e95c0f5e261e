"""Logging in and out, the landing page and the language switch."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from kohtaanto.api.auth import AuthRequest, build_auth
from kohtaanto.api.schemas import Db
from kohtaanto.db.models import User
from kohtaanto.security import verify_password
from kohtaanto.settings import get_settings
from kohtaanto.web.i18n import LANGUAGE_COOKIE, LANGUAGES, N_
from kohtaanto.web.rendering import ROLE_HOME, page, safe_next

TOKEN_COOKIE = "token"  # the cookie the API's auth middleware reads
_YEAR = 365 * 24 * 3600


@get("/", operation_id="pageHome", include_in_schema=False)
async def home(request: AuthRequest) -> Redirect:
    """Each role has its own start page."""
    return Redirect(ROLE_HOME.get(request.user.role, "/login"))


@get("/login", operation_id="pageLogin", exclude_from_auth=True, include_in_schema=False)
async def login_form(
    request: Request[Any, Any, Any],
    next: FromQuery[str | None] = None,
) -> Template:
    return page(request, "login.html", next=safe_next(next) or "", email="", errors={})


@post(
    "/login",
    operation_id="pageLoginSubmit",
    exclude_from_auth=True,
    include_in_schema=False,
    status_code=303,
)
async def login_submit(request: Request[Any, Any, Any], db_session: Db) -> Response[Any]:
    """Check the password; on success the token goes into an HttpOnly cookie."""
    form = await request.form()
    email = str(form.get("email", "")).strip().lower()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")))
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = N_("Enter your e-mail address.")
    if not password:
        errors["password"] = N_("Enter your password.")
    user = None
    if not errors:
        user = await db_session.scalar(select(User).where(User.email == email))
        if user is None or not user.is_active or not verify_password(password, user.password_hash):
            user = None
            errors["password"] = N_("Wrong e-mail address or password.")
    if user is None:
        return page(  # type: ignore[return-value]
            request, "login.html", status_code=400, next=target or "", email=email, errors=errors
        )
    token = build_auth().create_token(identifier=str(user.id))
    hours = get_settings().auth.token_hours
    return Redirect(
        target or ROLE_HOME.get(user.role, "/"),
        status_code=303,
        cookies=[
            Cookie(
                key=TOKEN_COOKIE,
                value=token,
                max_age=hours * 3600,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
                path="/",
            )
        ],
    )


@post("/logout", operation_id="pageLogout", exclude_from_auth=True, include_in_schema=False)
async def logout() -> Redirect:
    """Forget the token; works even when it has already expired."""
    return Redirect(
        "/login",
        status_code=303,
        cookies=[Cookie(key=TOKEN_COOKIE, value="", max_age=0, httponly=True, samesite="lax")],
    )


@get(
    "/lang/{code:str}", operation_id="pageLanguage", exclude_from_auth=True, include_in_schema=False
)
async def choose_language(
    code: FromPath[str],
    next: FromQuery[str | None] = None,
) -> Redirect:
    """Switch the interface language and remember it for a year."""
    target = safe_next(next) or "/"
    if code not in LANGUAGES:
        return Redirect(target)
    return Redirect(
        target,
        cookies=[Cookie(key=LANGUAGE_COOKIE, value=code, max_age=_YEAR, samesite="lax", path="/")],
    )
