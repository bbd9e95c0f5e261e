"""The e-mail that carries a referral's one-time answer link to the service's contact,
Finnish first, then English (as the account e-mails)."""

from __future__ import annotations

from email.message import EmailMessage

from kohtaanto.db.models import Referral
from kohtaanto.domain.account_mail import lines_message
from kohtaanto.settings import get_settings

_SUBJECTS = {
    "new": ("Uusi ohjaus palveluun", "New referral to"),
    "reminder": (
        "Muistutus: ohjaus odottaa vastaustanne",
        "Reminder: a referral awaits your answer,",
    ),
    "next": ("Kertokaa ohjauksen eteneminen", "Tell how the referral goes,"),
}


def link_for(token: str) -> str:
    return f"{get_settings().auth.public_url}/r/{token}"


def referral_link_email(referral: Referral, token: str, purpose: str) -> EmailMessage:
    """To the service's contact address: what was referred (no personal data: that is
    behind the link, which logs every read) and the one-time link."""
    service = referral.service
    fi, en = _SUBJECTS.get(purpose, _SUBJECTS["new"])
    link = link_for(token)
    until = referral.token_expires_at.strftime("%d.%m.%Y") if referral.token_expires_at else ""
    assert service.contact_email
    return lines_message(
        service.contact_email,
        f"Kohtaanto: {fi} {service.name} / {en} {service.name}",
        [
            f"Palveluun {service.name} on ohjattu asiakas. Avatkaa ohjaus ja vastatkaa "
            f"(hyväksytty aloituspäivineen, ei hyväksytty syineen, aloitettu, suoritettu, "
            f"keskeytynyt) tästä kertakäyttöisestä linkistä, joka on voimassa {until} asti:",
            "",
            link,
            "",
            f"A client has been referred to {service.name}. Open the referral and answer "
            "(accepted with a start date, refused with a reason, started, completed, dropped "
            f"out) through this one-time link, valid until {until}:",
            "",
            link,
        ],
    )
