"""Referrals to partner services, and the partner's answer coming back.

The moves (``MOVES``)::

    awaiting_consent --client consents--> sent --partner--> accepted --> started --> completed
                     \\--client refuses--> cancelled   \\--> refused      \\-> dropped_out
    sent --no answer in time (scheduled)--> expired;  the coach may cancel an open one

The coach proposes the items to send; the client consents to each item (or refuses
the referral); only then is the referral sent, with a snapshot of the consented items
alone. The partner answers through a one-time link mailed to the service's contact
(only the token's SHA-256 is stored; each answer uses it up and, when another answer
is expected, a new one is mailed) or as a partner user. Every answer updates the plan
activity and tells the coach and the client.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Jobseeker,
    PartnerService,
    ProfileView,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Role,
    User,
)
from kohtaanto.domain import outbox
from kohtaanto.domain.errors import Conflict, DomainError, Forbidden, NotFound
from kohtaanto.domain.notifications import notify_once
from kohtaanto.domain.partners import plan
from kohtaanto.domain.partners.vocabulary import DROPOUT_REASONS, REFUSAL_REASONS, SHARE_ITEMS
from kohtaanto.i18n import N_
from kohtaanto.queue import REFERRAL_LINK
from kohtaanto.settings import get_settings

R = ReferralStatus

# Who moves a referral from where to where.
PARTNER_MOVES: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    R.SENT: frozenset({R.ACCEPTED, R.REFUSED}),
    R.ACCEPTED: frozenset({R.STARTED, R.DROPPED_OUT}),
    R.STARTED: frozenset({R.COMPLETED, R.DROPPED_OUT}),
}
OPEN = frozenset({R.AWAITING_CONSENT, R.SENT, R.ACCEPTED, R.STARTED})
CANCELLABLE = frozenset({R.AWAITING_CONSENT, R.SENT, R.ACCEPTED})
# What the partner may be asked next, after this status (a new link is mailed).
AWAITING_PARTNER = frozenset({R.SENT, R.ACCEPTED, R.STARTED})
MESSAGE_LIMIT = 2000


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _event(
    session: AsyncSession,
    referral: Referral,
    to: ReferralStatus,
    *,
    via: str,
    actor: User | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> None:
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            from_status=referral.status,
            to_status=to,
            actor_id=actor.id if actor else None,
            via=via,
            reason=reason,
            at=at or _now(),
        )
    )
    referral.status = to


async def _tell(
    session: AsyncSession,
    referral: Referral,
    recipients: Sequence[UUID | None],
    kind: str,
    title: str,
    *,
    partner: bool = False,
    **params: Any,
) -> None:
    """One notification per recipient and referral state (never twice for the same).
    Partner users' notifications do not name the client."""
    body = {
        "referral_id": str(referral.id),
        **({} if partner else {"jobseeker_id": str(referral.jobseeker_id)}),
        "service": referral.service.name,
        "organisation": referral.service.organisation.name,
        "status": referral.status.value,
        **{k: str(v) for k, v in params.items() if v is not None},
    }
    # ``title`` is the English gist for the reader of this code; what the recipient
    # reads is said from the kind and params (domain.notifications).
    for recipient in dict.fromkeys(r for r in recipients if r):
        await notify_once(
            session,
            recipient_id=recipient,
            kind=kind,
            params=body,
            key=f"{kind}:{referral.id}:{referral.status.value}",
        )


async def _client_user(session: AsyncSession, referral: Referral) -> UUID | None:
    return await session.scalar(
        select(Jobseeker.user_id).where(Jobseeker.id == referral.jobseeker_id)
    )


async def _partner_users(session: AsyncSession, service: PartnerService) -> list[UUID]:
    return list(
        await session.scalars(
            select(User.id).where(
                User.role == Role.PARTNER,
                User.partner_organisation_id == service.organisation_id,
                User.is_active.is_(True),
            )
        )
    )


# --- The coach -----------------------------------------------------------------------


async def _coach_client(session: AsyncSession, coach: User, jobseeker_id: UUID) -> Jobseeker:
    person = await session.get(Jobseeker, jobseeker_id)
    if person is None or coach.role is not Role.COACH or person.coach_id != coach.id:
        raise NotFound()
    return person


async def create_referral(
    session: AsyncSession,
    coach: User,
    jobseeker_id: UUID,
    service_id: UUID,
    *,
    items: Sequence[str],
    message: str = "",
    activity_id: UUID | None = None,
) -> Referral:
    """The coach refers their client to a service; the client is asked to consent to
    each proposed item before anything is sent. The plan gets a referral activity
    (``activity_id``: one the plan has already)."""
    person = await _coach_client(session, coach, jobseeker_id)
    service = await session.get(PartnerService, service_id)
    if service is None or not service.active:
        raise NotFound(field="service_id")
    if "kohtaanto" not in service.referral_methods:
        raise DomainError(
            "not_referable",
            N_("This service takes no referrals through Kohtaanto: see how to contact it"),
            field="service_id",
        )
    wanted = list(dict.fromkeys(items))
    for item in wanted:
        if item not in SHARE_ITEMS:
            raise DomainError(
                "unknown_code", N_("Unknown code: {value}"), field="items", value=item[:32]
            )
    if not wanted:
        raise DomainError("required", N_("Choose at least one item to send"), field="items")
    message = (message or "").strip()
    if len(message) > MESSAGE_LIMIT:
        raise DomainError(
            "too_long", N_("At most {limit} characters"), field="message", limit=MESSAGE_LIMIT
        )
    open_one = await session.scalar(
        select(Referral.id).where(
            Referral.jobseeker_id == person.id,
            Referral.service_id == service.id,
            Referral.status.in_(OPEN),
        )
    )
    if open_one is not None:
        raise Conflict(
            "already_referred",
            N_("The client already has an open referral to this service"),
            field="service_id",
        )
    referral = Referral(
        jobseeker_id=person.id,
        service_id=service.id,
        coach_id=coach.id,
        status=R.AWAITING_CONSENT,
        message=message,
        requested_items=wanted,
        consented_items=[],
        shared={},
    )
    referral.service = service
    session.add(referral)
    await session.flush()
    session.add(
        ReferralEvent(
            referral_id=referral.id,
            from_status=None,
            to_status=R.AWAITING_CONSENT,
            actor_id=coach.id,
            via="coach",
            at=_now(),
        )
    )
    referral.activity_id = await plan.referral_created(
        session, referral, coach=coach, activity_id=activity_id
    )
    await _tell(
        session,
        referral,
        [person.user_id],
        "referral_consent",
        f"Your coach proposes a referral to {service.name}: what may be sent?",
    )
    return referral


async def cancel(session: AsyncSession, coach: User, referral_id: UUID) -> Referral:
    """The coach withdraws an open referral; the partner's link stops working."""
    referral = await session.get(Referral, referral_id, with_for_update=True)
    if referral is None:
        raise NotFound()
    await _coach_client(session, coach, referral.jobseeker_id)
    if referral.status not in CANCELLABLE:
        raise Conflict("not_open", N_("The referral is no longer open"), status=referral.status)
    _event(session, referral, R.CANCELLED, via="coach", actor=coach)
    referral.token_hash = None
    referral.shared = {}
    await plan.referral_moved(session, referral)
    title = f"Referral to {referral.service.name} cancelled"
    await _tell(
        session, referral, [await _client_user(session, referral)], "referral_answer", title
    )
    partners = await _partner_users(session, referral.service)
    await _tell(session, referral, partners, "referral_answer", title, partner=True)
    return referral


# --- The client ----------------------------------------------------------------------


def _snapshot(
    person: Jobseeker, account: User | None, referral: Referral, items: list[str]
) -> dict[str, Any]:
    """What the partner receives: the consented items only."""
    shared: dict[str, Any] = {}
    for item in items:
        if item == "name" and account:
            shared["name"] = account.name
        elif item == "contact" and account:
            shared["email"] = account.email
            shared["phone"] = account.phone or ""
        elif item == "municipality":
            shared["municipality"] = person.municipality.name
        elif item == "education":
            shared["education"] = person.education.value
        elif item == "languages":
            shared["languages"] = list(person.languages)
        elif item == "occupations":
            shared["occupations"] = [o.label for o in person.occupations]
        elif item == "skills":
            shared["skills"] = [s.label for s in person.skills]
        elif item == "goal":
            shared["goal"] = referral.message
        elif item == "work_ability":
            shared["reduced_work_ability"] = bool(person.reduced_work_ability)
    return shared


async def _client_referral(session: AsyncSession, client: User, referral_id: UUID) -> Referral:
    referral = await session.get(Referral, referral_id, with_for_update=True)
    if referral is None:
        raise NotFound()
    owner = await _client_user(session, referral)
    if client.role is not Role.JOBSEEKER or owner != client.id:
        raise NotFound()
    return referral


async def consent(
    session: AsyncSession, client: User, referral_id: UUID, *, items: Sequence[str], send: bool
) -> Referral:
    """The client says which proposed items may be sent (``send``), or refuses the
    referral. Sending stores the snapshot of those items only and mails the partner."""
    referral = await _client_referral(session, client, referral_id)
    if referral.status is not R.AWAITING_CONSENT:
        raise Conflict("not_open", N_("The referral is no longer open"), status=referral.status)
    if not send:
        _event(session, referral, R.CANCELLED, via="client", actor=client, reason="client_refused")
        await plan.referral_moved(session, referral)
        await _tell(
            session,
            referral,
            [referral.coach_id],
            "referral_answer",
            f"Your client did not want the referral to {referral.service.name}",
        )
        return referral
    chosen = [i for i in dict.fromkeys(items) if i in referral.requested_items]
    if len(chosen) != len(set(items)):
        raise DomainError("not_requested", N_("Only the proposed items can be sent"), field="items")
    if not chosen:
        raise DomainError("required", N_("Choose at least one item to send"), field="items")
    person = await session.get(Jobseeker, referral.jobseeker_id)
    assert person is not None
    now = _now()
    referral.consented_items = chosen
    referral.consented_at = now
    referral.shared = _snapshot(person, client, referral, chosen)
    referral.sent_at = now
    referral.expires_at = now + timedelta(days=get_settings().workflow.referral_expire_days)
    _event(session, referral, R.SENT, via="client", actor=client, at=now)
    await plan.referral_moved(session, referral)
    if referral.service.contact_email:
        outbox.record(session, REFERRAL_LINK, referral_id=str(referral.id), purpose="new")
    await _tell(
        session,
        referral,
        await _partner_users(session, referral.service),
        "referral_new",
        f"New referral to {referral.service.name}",
        partner=True,
    )
    await _tell(
        session,
        referral,
        [referral.coach_id],
        "referral_answer",
        f"Referral to {referral.service.name} sent to the partner",
    )
    return referral


# --- The partner ---------------------------------------------------------------------


async def issue_link(session: AsyncSession, referral_id: UUID) -> tuple[str, Referral] | None:
    """A fresh one-time answer link for a referral awaiting the partner (the previous
    one stops working); None when nothing is awaited. The caller mails the token."""
    referral = await session.get(Referral, referral_id, with_for_update=True)
    if referral is None or referral.status not in AWAITING_PARTNER:
        return None
    token = secrets.token_urlsafe(32)
    referral.token_hash = hash_token(token)
    if referral.status is R.SENT and referral.expires_at is not None:
        referral.token_expires_at = referral.expires_at
    else:
        referral.token_expires_at = _now() + timedelta(
            days=get_settings().workflow.referral_link_days
        )
    return token, referral


async def by_token(session: AsyncSession, token: str, *, lock: bool = False) -> Referral:
    """The referral a link opens; a used, expired or unknown link is not found."""
    if not token or len(token) > 128:
        raise NotFound("link_invalid", N_("This link has been used or has expired"))
    query = select(Referral).where(Referral.token_hash == hash_token(token))
    if lock:
        query = query.with_for_update(of=Referral)
    referral = await session.scalar(query)
    if (
        referral is None
        or referral.status not in AWAITING_PARTNER
        or referral.token_expires_at is None
        or referral.token_expires_at < _now()
    ):
        raise NotFound("link_invalid", N_("This link has been used or has expired"))
    return referral


async def _partner_referral(
    session: AsyncSession, partner: User, referral_id: UUID, *, lock: bool = False
) -> Referral:
    if partner.role is not Role.PARTNER:
        raise Forbidden()
    if partner.partner_organisation_id is None:
        raise NotFound()  # a partner user of no organisation has no referrals
    referral = await session.get(Referral, referral_id, with_for_update=lock)
    if (
        referral is None
        or referral.service.organisation_id != partner.partner_organisation_id
        or referral.status is R.AWAITING_CONSENT
    ):
        raise NotFound()
    return referral


async def for_partner(session: AsyncSession, partner: User) -> list[Referral]:
    """The referrals sent to the partner user's organisation (never those still waiting
    for the client's consent), newest first; none for a user of no organisation."""
    if partner.role is not Role.PARTNER:
        raise Forbidden()
    if partner.partner_organisation_id is None:
        return []
    return list(
        await session.scalars(
            select(Referral)
            .join(PartnerService, PartnerService.id == Referral.service_id)
            .where(
                PartnerService.organisation_id == partner.partner_organisation_id,
                Referral.status != R.AWAITING_CONSENT,
            )
            .order_by(Referral.sent_at.desc().nulls_last())
            .limit(500)
        )
    )


def log_partner_read(session: AsyncSession, referral: Referral, viewer: User | None) -> None:
    """Every read of a referral's shared data by the partner is in the client's log."""
    session.add(
        ProfileView(
            jobseeker_id=referral.jobseeker_id,
            viewer_id=viewer.id if viewer else None,
            viewer_role=Role.PARTNER,
            viewer_organisation=referral.service.organisation.name[:255],
            vacancy_id=None,
            action="referral",
            at=_now(),
        )
    )


async def read_as_partner(session: AsyncSession, partner: User, referral_id: UUID) -> Referral:
    referral = await _partner_referral(session, partner, referral_id)
    log_partner_read(session, referral, partner)
    return referral


async def read_by_token(session: AsyncSession, token: str) -> Referral:
    referral = await by_token(session, token)
    log_partner_read(session, referral, None)
    return referral


async def _answer(
    session: AsyncSession,
    referral: Referral,
    to: ReferralStatus,
    *,
    via: str,
    actor: User | None,
    start_date: date | None,
    reason: str | None,
    note: str | None,
) -> Referral:
    allowed = PARTNER_MOVES.get(referral.status, frozenset())
    if to not in allowed:
        raise Conflict(
            "bad_move",
            N_("A referral that is {status} cannot be marked {to}"),
            field="status",
            status=referral.status,
            to=to,
        )
    if to is R.ACCEPTED and start_date is None:
        raise DomainError("required", N_("Give the start date"), field="start_date")
    if (
        start_date is not None
        and to is R.ACCEPTED
        and start_date < (_now().date() - timedelta(days=30))
    ):
        raise DomainError("too_early", N_("The start date is in the past"), field="start_date")
    if to is R.REFUSED and reason not in REFUSAL_REASONS:
        raise DomainError("required", N_("Choose the reason"), field="reason")
    if to is R.DROPPED_OUT and reason not in DROPOUT_REASONS:
        raise DomainError("required", N_("Choose the reason"), field="reason")
    if to not in (R.REFUSED, R.DROPPED_OUT):
        reason = None
    note = (note or "").strip() or None
    if note and len(note) > MESSAGE_LIMIT:
        raise DomainError(
            "too_long", N_("At most {limit} characters"), field="note", limit=MESSAGE_LIMIT
        )
    now = _now()
    _event(session, referral, to, via=via, actor=actor, reason=reason, at=now)
    referral.answered_at = now
    if to is R.ACCEPTED:
        referral.start_date = start_date
    referral.reason = reason or referral.reason
    if note:
        referral.partner_note = note
    # The link is used up; another is mailed when a further answer is expected.
    referral.token_hash = None
    referral.token_expires_at = None
    if to in (R.REFUSED, R.COMPLETED, R.DROPPED_OUT):
        referral.shared = {}  # the partner's copy of the client's data ends with the referral
    if to in AWAITING_PARTNER and referral.service.contact_email:
        outbox.record(session, REFERRAL_LINK, referral_id=str(referral.id), purpose="next")
    await plan.referral_moved(session, referral)
    service = referral.service
    title = f"{service.organisation.name}: {to.value.replace('_', ' ')} ({service.name})"
    await _tell(
        session,
        referral,
        [referral.coach_id, await _client_user(session, referral)],
        "referral_answer",
        title,
        start_date=start_date,
        reason=reason,
    )
    return referral


async def answer_by_token(
    session: AsyncSession,
    token: str,
    to: ReferralStatus,
    *,
    start_date: date | None = None,
    reason: str | None = None,
    note: str | None = None,
) -> Referral:
    referral = await by_token(session, token, lock=True)
    return await _answer(
        session,
        referral,
        to,
        via="link",
        actor=None,
        start_date=start_date,
        reason=reason,
        note=note,
    )


async def answer_as_partner(
    session: AsyncSession,
    partner: User,
    referral_id: UUID,
    to: ReferralStatus,
    *,
    start_date: date | None = None,
    reason: str | None = None,
    note: str | None = None,
) -> Referral:
    referral = await _partner_referral(session, partner, referral_id, lock=True)
    return await _answer(
        session,
        referral,
        to,
        via="partner",
        actor=partner,
        start_date=start_date,
        reason=reason,
        note=note,
    )


# --- Reading ---------------------------------------------------------------------------


async def for_client(session: AsyncSession, client: User) -> list[Referral]:
    """The client's own referrals, newest first."""
    person = await session.scalar(select(Jobseeker.id).where(Jobseeker.user_id == client.id))
    if person is None:
        return []
    return list(
        await session.scalars(
            select(Referral)
            .where(Referral.jobseeker_id == person)
            .order_by(Referral.created_at.desc())
        )
    )


async def for_coach_client(
    session: AsyncSession, coach: User, jobseeker_id: UUID
) -> list[Referral]:
    """A client's referrals, for their own coach only."""
    await _coach_client(session, coach, jobseeker_id)
    return list(
        await session.scalars(
            select(Referral)
            .where(Referral.jobseeker_id == jobseeker_id)
            .order_by(Referral.created_at.desc())
        )
    )


async def events_of(session: AsyncSession, referral_id: UUID) -> list[ReferralEvent]:
    return list(
        await session.scalars(
            select(ReferralEvent)
            .where(ReferralEvent.referral_id == referral_id)
            .order_by(ReferralEvent.id)
        )
    )


# --- Scheduled -------------------------------------------------------------------------


async def remind_and_expire(
    session: AsyncSession,
    *,
    now: datetime | None = None,
    remind_after_days: int | None = None,
) -> tuple[int, int]:
    """Remind partners of referrals unanswered for ``remind_after_days`` (once, with a
    fresh link), and expire those past their answer deadline: the shared data is
    deleted and the coach and client told. Returns (reminded, expired)."""
    now = now or _now()
    days = (
        remind_after_days
        if remind_after_days is not None
        else get_settings().workflow.referral_remind_days
    )
    overdue = list(
        await session.scalars(
            select(Referral)
            .where(Referral.status == R.SENT, Referral.expires_at < now)
            .with_for_update(skip_locked=True)
        )
    )
    for referral in overdue:
        _event(session, referral, R.EXPIRED, via="system", at=now)
        referral.token_hash = None
        referral.token_expires_at = None
        referral.shared = {}
        await plan.referral_moved(session, referral)
        await _tell(
            session,
            referral,
            [referral.coach_id, await _client_user(session, referral)],
            "referral_answer",
            f"No answer from {referral.service.organisation.name}: "
            f"the referral to {referral.service.name} expired",
        )
    due = list(
        await session.scalars(
            select(Referral)
            .where(
                Referral.status == R.SENT,
                Referral.reminded_at.is_(None),
                Referral.sent_at <= now - timedelta(days=days),
                Referral.expires_at >= now,
            )
            .with_for_update(skip_locked=True)
        )
    )
    for referral in due:
        referral.reminded_at = now
        if referral.service.contact_email:
            outbox.record(session, REFERRAL_LINK, referral_id=str(referral.id), purpose="reminder")
        if referral.coach_id:
            await notify_once(
                session,
                recipient_id=referral.coach_id,
                kind="referral_reminder",
                params={
                    "referral_id": str(referral.id),
                    "service": referral.service.name,
                    "organisation": referral.service.organisation.name,
                },
                key=f"referral_reminder:{referral.id}",
            )
        for user_id in await _partner_users(session, referral.service):
            await notify_once(
                session,
                recipient_id=user_id,
                kind="referral_reminder",
                params={
                    "referral_id": str(referral.id),
                    "service": referral.service.name,
                    "organisation": referral.service.organisation.name,
                },
                key=f"referral_reminder:{referral.id}",
            )
    return len(due), len(overdue)


async def for_coach(session: AsyncSession, coach: User, referral_id: UUID) -> Referral:
    """One referral, for the coach of its client."""
    referral = await session.get(Referral, referral_id)
    if referral is None:
        raise NotFound()
    await _coach_client(session, coach, referral.jobseeker_id)
    return referral


async def for_client_one(session: AsyncSession, client: User, referral_id: UUID) -> Referral:
    """One referral, for the client it concerns."""
    referral = await session.get(Referral, referral_id)
    if referral is None or client.role is not Role.JOBSEEKER:
        raise NotFound()
    if await _client_user(session, referral) != client.id:
        raise NotFound()
    return referral


# --- The client's data rights ------------------------------------------------------------


async def export(session: AsyncSession, jobseeker_id: UUID) -> list[dict[str, Any]]:
    """The client's referrals for their data copy: what was proposed, consented, sent,
    and every answer."""
    out = []
    for referral in await session.scalars(
        select(Referral).where(Referral.jobseeker_id == jobseeker_id).order_by(Referral.created_at)
    ):
        events = await events_of(session, referral.id)
        out.append(
            {
                "service": referral.service.name,
                "organisation": referral.service.organisation.name,
                "status": referral.status.value,
                "requested_items": referral.requested_items,
                "consented_items": referral.consented_items,
                "sent_to_partner": referral.shared,
                "start_date": referral.start_date.isoformat() if referral.start_date else None,
                "reason": referral.reason,
                "partner_note": referral.partner_note,
                "events": [
                    {
                        "from": e.from_status.value if e.from_status else None,
                        "to": e.to_status.value,
                        "via": e.via,
                        "reason": e.reason,
                        "at": e.at.isoformat(),
                    }
                    for e in events
                ],
            }
        )
    return out


async def erase(session: AsyncSession, jobseeker_id: UUID) -> None:
    """Erasure: the client's referrals go, with what was sent and every answer."""
    from sqlalchemy import delete

    await session.execute(delete(Referral).where(Referral.jobseeker_id == jobseeker_id))
