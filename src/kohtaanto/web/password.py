"""Password pages: change it (signed in), and reset it by an e-mailed one-time link.

The same functions as the API (``domain.passwords``, ``api.auth``); the forms carry
the CSRF token like every other.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from kohtaanto.auth import AuthRequest
from kohtaanto.db import Db
from kohtaanto.db.models import User
from kohtaanto.domain import passwords
from kohtaanto.domain.accounts import request_reset
from kohtaanto.mail import send_if_any
from kohtaanto.security import verify_password_async
from kohtaanto.web.account import session_cookie
from kohtaanto.web.i18n import N_
from kohtaanto.web.rendering import page

TOO_SHORT = N_("Use at least 8 characters.")
TOO_LONG = N_("Use at most 128 characters.")


def _new_password_errors(new: str, again: str) -> dict[str, str]:
    if len(new) < passwords.MIN_LENGTH:
        return {"new_password": TOO_SHORT}
    if len(new) > passwords.MAX_LENGTH:
        return {"new_password": TOO_LONG}
    if new != again:
        return {"new_password_again": N_("The passwords differ.")}
    return {}


@get("/account/password", operation_id="pagePassword", include_in_schema=False)
async def password_form(request: AuthRequest) -> Template:
    done = request.query_params.get("changed")
    return page(
        request,
        "account/password.html",
        errors={},
        flash=N_("Your password is changed. Other sessions were logged out.") if done else None,
    )


@post(
    "/account/password", operation_id="pagePasswordChange", include_in_schema=False, status_code=303
)
async def password_change(request: AuthRequest, db_session: Db) -> Response[Any]:
    """Change the password: every other session ends; this one gets a fresh cookie."""
    form = await request.form()
    current = str(form.get("current_password", ""))
    new = str(form.get("new_password", ""))
    errors = _new_password_errors(new, str(form.get("new_password_again", "")))
    user = await db_session.get(User, request.user.id)
    assert user is not None
    if not await verify_password_async(current[: passwords.MAX_LENGTH], user.password_hash):
        errors = {"current_password": N_("The current password is wrong."), **errors}
    if errors:
        return page(request, "account/password.html", status_code=400, errors=errors)  # type: ignore[return-value]
    await passwords.set_password(db_session, user, new)
    return Redirect("/account/password?changed=1", status_code=303, cookies=[session_cookie(user)])


@get(
    "/forgot-password",
    operation_id="pageForgotPassword",
    exclude_from_auth=True,
    include_in_schema=False,
)
async def forgot_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "account/forgot.html", errors={}, email="", sent=False)


@post(
    "/forgot-password",
    operation_id="pageForgotPasswordSubmit",
    exclude_from_auth=True,
    include_in_schema=False,
)
async def forgot_submit(request: Request[Any, Any, Any], db_session: Db) -> Template:
    """The same answer whether or not the address has an account; the link goes by e-mail."""
    form = await request.form()
    email = str(form.get("email", "")).strip()[:255]
    if not email:
        return page(
            request,
            "account/forgot.html",
            status_code=400,
            errors={"email": N_("Enter your e-mail address.")},
            email="",
            sent=False,
        )
    message = await request_reset(db_session, email)
    response = page(request, "account/forgot.html", errors={}, email=email, sent=True)
    response.background = BackgroundTask(send_if_any, message)
    return response


@get(
    "/reset-password",
    operation_id="pageResetPassword",
    exclude_from_auth=True,
    include_in_schema=False,
)
async def reset_form(
    request: Request[Any, Any, Any], db_session: Db, token: FromQuery[str] = ""
) -> Template:
    try:
        await passwords.user_of_reset_token(db_session, token[:200])
    except passwords.ResetTokenError:
        return page(
            request, "account/reset.html", status_code=400, invalid=True, token="", errors={}
        )
    return page(request, "account/reset.html", invalid=False, token=token, errors={})


@post(
    "/reset-password",
    operation_id="pageResetPasswordSubmit",
    exclude_from_auth=True,
    include_in_schema=False,
    status_code=303,
)
async def reset_submit(request: Request[Any, Any, Any], db_session: Db) -> Response[Any]:
    form = await request.form()
    token = str(form.get("token", ""))[:200]
    new = str(form.get("new_password", ""))
    try:
        user = await passwords.user_of_reset_token(db_session, token)
    except passwords.ResetTokenError:
        return page(  # type: ignore[return-value]
            request, "account/reset.html", status_code=400, invalid=True, token="", errors={}
        )
    errors = _new_password_errors(new, str(form.get("new_password_again", "")))
    if errors:
        return page(  # type: ignore[return-value]
            request,
            "account/reset.html",
            status_code=400,
            invalid=False,
            token=token,
            errors=errors,
        )
    await passwords.set_password(db_session, user, new)
    return Redirect("/login?reset=1", status_code=303)
