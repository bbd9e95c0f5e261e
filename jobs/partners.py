"""Partner services and referrals in the background: the catalogue's index, the answer
links mailed to partners, and the hourly reminder and expiry of unanswered referrals."""

from __future__ import annotations

import logging
from uuid import UUID

import aiosmtplib

from jobs.context import Ctx, settings_of
from jobs.tasks import relays_outbox, retry_while_search_is_down
from kohtaanto.db import session_scope
from kohtaanto.domain.partners import referrals
from kohtaanto.domain.partners.mail import referral_link_email
from kohtaanto.mail import send_mail
from search.partners import index_services

log = logging.getLogger(__name__)


@retry_while_search_is_down
async def partner_services_changed(ctx: Ctx, service_ids: list[str]) -> dict[str, int]:
    """Write the changed services to the index (deleted ones leave it)."""
    async with session_scope() as session:
        count = await index_services(
            ctx["search"],
            session,
            settings_of(ctx).search.index_prefix,
            [UUID(i) for i in service_ids],
        )
    return {"indexed": count}


async def referral_link(ctx: Ctx, referral_id: str, purpose: str = "new") -> dict[str, str]:
    """Mail a fresh one-time answer link to the service's contact. The token exists only
    in this message: the database keeps its hash. A failed send is retried by arq,
    with another token (the unsent one never worked)."""
    settings = settings_of(ctx).delivery
    if not settings.smtp_host:
        return {"status": "skipped", "reason": "no SMTP server configured"}
    async with session_scope() as session:
        issued = await referrals.issue_link(session, UUID(referral_id))
        if issued is None or not issued[1].service.contact_email:
            return {"status": "skipped", "reason": "nothing awaits the partner"}
        token, referral = issued
        message = referral_link_email(referral, token, purpose)
    try:
        await send_mail(settings, message)
    except (aiosmtplib.SMTPException, OSError) as e:
        log.warning("referral link %s not sent: %s", referral_id, e)
        raise
    return {"status": "sent"}


@relays_outbox
async def remind_referrals(ctx: Ctx) -> dict[str, int]:
    """Hourly: remind partners of referrals unanswered for KOHTAANTO_REFERRAL_REMIND_DAYS
    and expire those past KOHTAANTO_REFERRAL_EXPIRE_DAYS."""
    async with session_scope() as session:
        reminded, expired = await referrals.remind_and_expire(
            session, remind_after_days=settings_of(ctx).workflow.referral_remind_days
        )
    return {"reminded": reminded, "expired": expired}
