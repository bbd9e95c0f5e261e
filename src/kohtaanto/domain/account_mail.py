"""E-mails about the account itself: registration, password reset.

They go out through the same SMTP delivery as notifications (``kohtaanto.mail``),
after the answer has been sent, so an address with an account and one without are
answered alike and equally fast. Each is written in the recipient's language (the
user's ``language``, or the one they registered in) from the templates under
``templates/mail/`` (``domain.emails``), as text and HTML.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from kohtaanto.domain import emails
from kohtaanto.i18n import N_, translations
from kohtaanto.settings import get_settings

log = logging.getLogger(__name__)


def _message(to: str, subject: str, lang: str, template: str, **context: object) -> EmailMessage:
    lang = emails.language(lang)
    return emails.message(
        mail_from=get_settings().delivery.mail_from,
        to=to,
        subject=str(translations(lang).gettext(subject)),
        lang=lang,
        template=template,
        **context,
    )


def lines_message(to: str, subject: str, lines: list[str], lang: str = "fi") -> EmailMessage:
    """An e-mail of ready-written lines (text the caller composed, e.g. in two languages
    for a recipient without an account), in the common frame of ``templates/mail``."""
    lang = emails.language(lang)
    return emails.message(
        mail_from=get_settings().delivery.mail_from,
        to=to,
        subject=subject,
        lang=lang,
        template="lines",
        lines=lines,
    )


def _url(path: str) -> str:
    return get_settings().auth.public_url.rstrip("/") + path


def registration_received(
    to: str, organisation: str, lang: str = "fi", contact: str | None = None
) -> EmailMessage:
    return _message(
        to,
        N_("Kohtaanto: registration received"),
        lang,
        "registration_received",
        name=contact,
        organisation=organisation,
        login_url=_url("/login"),
    )


def address_already_registered(to: str, lang: str = "fi") -> EmailMessage:
    """To the owner of an address someone tried to register again (they learn of it;
    the person registering learns nothing)."""
    return _message(
        to,
        N_("Kohtaanto: someone tried to register with your address"),
        lang,
        "address_already_registered",
        name=None,
        reset_url=_url("/forgot-password"),
    )


def password_reset(
    to: str, link: str, minutes: int, lang: str = "fi", name: str | None = None
) -> EmailMessage:
    return _message(
        to,
        N_("Kohtaanto: password reset"),
        lang,
        "password_reset",
        name=name,
        link=link,
        minutes=minutes,
    )
