"""Logging in and out, the landing page and the language switch."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.security.jwt import Token

from kohtaanto.auth import AuthRequest, create_token, revoke_tokens
from kohtaanto.db import Db
from kohtaanto.db.models import User
from kohtaanto.domain.accounts import authenticate
from kohtaanto.domain.notifications import set_language
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
    return page(
        request,
        "login.html",
        next=safe_next(next) or "",
        email="",
        errors={},
        reset=request.query_params.get("reset") == "1",
    )


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
        user = await authenticate(
            db_session, email, password, request.client.host if request.client else "?"
        )
        if user is None:
            errors["password"] = N_("Wrong e-mail address or password.")
    if user is None:
        return page(  # type: ignore[return-value]
            request, "login.html", status_code=400, next=target or "", email=email, errors=errors
        )
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES and chosen != user.language:
        # The language chosen before signing in is theirs (and their e-mails').
        await set_language(db_session, user.id, chosen)
    return Redirect(
        target or ROLE_HOME.get(user.role, "/"), status_code=303, cookies=[session_cookie(user)]
    )


def session_cookie(user: User) -> Cookie:
    """The login cookie with a fresh token for ``user``.

    ``Secure`` comes from configuration, not from the request's scheme: behind a
    TLS-terminating proxy the app itself sees plain http.
    """
    settings = get_settings().auth
    return Cookie(
        key=TOKEN_COOKIE,
        value=create_token(user),
        max_age=settings.token_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def _user_of_cookie(request: Request[Any, Any, Any]) -> UUID | None:
    """Whose (still valid) token the login cookie holds, read without the auth middleware."""
    encoded = request.cookies.get(TOKEN_COOKIE, "")
    if not encoded:
        return None
    try:
        token = Token.decode(encoded, get_settings().auth.token_secret, "HS256")
        return UUID(token.sub)
    except (NotAuthorizedException, ValueError):
        return None


@post("/logout", operation_id="pageLogout", exclude_from_auth=True, include_in_schema=False)
async def logout(request: Request[Any, Any, Any], db_session: Db) -> Redirect:
    """Forget the token and revoke it (and the user's other tokens); works when expired too."""
    user_id = _user_of_cookie(request)
    if user_id is not None:
        await revoke_tokens(db_session, user_id)
    return Redirect(
        "/login",
        status_code=303,
        cookies=[
            Cookie(
                key=TOKEN_COOKIE,
                value="",
                max_age=0,
                httponly=True,
                samesite="lax",
                secure=get_settings().auth.secure_cookies,
                path="/",
            )
        ],
    )


@get(
    "/lang/{code:str}", operation_id="pageLanguage", exclude_from_auth=True, include_in_schema=False
)
async def choose_language(
    request: Request[Any, Any, Any],
    db_session: Db,
    code: FromPath[str],
    next: FromQuery[str | None] = None,
) -> Redirect:
    """Switch the interface language and remember it for a year; a signed-in user's
    e-mails come in it from now on."""
    target = safe_next(next) or "/"
    if code not in LANGUAGES:
        return Redirect(target)
    user_id = _user_of_cookie(request)
    if user_id is not None:
        await set_language(db_session, user_id, code)
    return Redirect(
        target,
        cookies=[Cookie(key=LANGUAGE_COOKIE, value=code, max_age=_YEAR, samesite="lax", path="/")],
    )
