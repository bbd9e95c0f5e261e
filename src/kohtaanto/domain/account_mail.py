"""E-mails about the account itself: registration, password reset.

They go out through the same SMTP delivery as notifications (``kohtaanto.mail``),
after the answer has been sent, so an address with an account and one without are
answered alike and equally fast. Finnish first, then English, as the notifications.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate

from kohtaanto.domain.delivery import header_value
from kohtaanto.settings import get_settings

log = logging.getLogger(__name__)

_FOOTER = (
    "Tämä on automaattinen viesti, eikä siihen voi vastata. / "
    "This is an automatic message; replies are not read."
)


def _message(to: str, subject: str, lines: list[str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = header_value(get_settings().delivery.mail_from)
    message["To"] = header_value(to)
    message["Subject"] = header_value(subject)
    message["Date"] = formatdate(localtime=True)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join([*lines, "", _FOOTER, ""]))
    return message


def registration_received(to: str, organisation: str) -> EmailMessage:
    return _message(
        to,
        "Kohtaanto: rekisteröinti vastaanotettu / registration received",
        [
            f"Organisaation {organisation} rekisteröinti on vastaanotettu. Alueen "
            "yrityskoordinaattori tarkistaa sen; voit jo kirjautua ja laatia ilmoituksia, "
            "ja julkaista ne, kun rekisteröinti on hyväksytty.",
            "",
            f"The registration of {organisation} was received. The area's company "
            "coordinator checks it; you can already log in and draft vacancies, and publish "
            "them once the registration is approved.",
        ],
    )


def address_already_registered(to: str) -> EmailMessage:
    """To the owner of an address someone tried to register again (they learn of it;
    the person registering learns nothing)."""
    reset = f"{get_settings().auth.public_url}/forgot-password"
    return _message(
        to,
        "Kohtaanto: osoitteellasi yritettiin rekisteröityä / "
        "someone tried to register with your address",
        [
            "Sähköpostiosoitteellesi on jo tili Kohtaannossa, ja sillä yritettiin juuri "
            "rekisteröidä työnantaja. Jos se olit sinä, kirjaudu sisään; jos olet unohtanut "
            f"salasanasi: {reset}. Jos et ollut, tätä viestiä ei tarvitse huomioida.",
            "",
            "Your address already has a Kohtaanto account, and someone just tried to "
            "register an employer with it. If that was you, log in; if you forgot your "
            f"password: {reset}. If it was not you, you can ignore this message.",
        ],
    )


def password_reset(to: str, link: str, minutes: int) -> EmailMessage:
    return _message(
        to,
        "Kohtaanto: salasanan vaihto / password reset",
        [
            f"Vaihda salasanasi tästä linkistä ({minutes} minuutin ajan, kerran):",
            link,
            "",
            f"Set a new password with this link (for {minutes} minutes, once):",
            link,
            "",
            "Jos et pyytänyt tätä, voit jättää viestin huomiotta. / "
            "If you did not ask for this, you can ignore this message.",
        ],
    )
