"""The recruitment workflow of a shortlist entry: statuses, moves, who may make which.

suggested → contacted → consent requested → consented / declined / expired →
shared with the employer → interview → hired / not hired. Every move is checked
against the table below (which move, by whom), logged as a ``ShortlistEvent``
(who, when, why) and tells the people who need to know.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EntryStatus,
    Jobseeker,
    ProfileView,
    Role,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    User,
    Vacancy,
)
from kohtaanto.domain.disclosure import SHARED_FIELDS
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.notifications import notify_once
from kohtaanto.i18n import N_
from kohtaanto.settings import get_settings

S = EntryStatus

# Statuses in which a person is still in play for the vacancy: they count
# towards the exposure cap.
ACTIVE = frozenset(
    {S.SUGGESTED, S.CONTACTED, S.CONSENT_REQUESTED, S.CONSENTED, S.SHARED, S.INTERVIEW}
)
# Statuses in which the employer may see the person (their consent holds).
VISIBLE_TO_EMPLOYER = frozenset({S.SHARED, S.INTERVIEW, S.HIRED, S.NOT_HIRED})

# Structured reasons, so they can be counted and reach coach and jobseeker alike.
NOT_HIRED_REASONS = {
    "skills": "Skills did not match the job",
    "experience": "Not enough work experience",
    "language": "Language skills did not match",
    "availability": "Start date or hours did not fit",
    "pay": "Pay expectations did not meet",
    "location": "Commute too long",
    "other_candidate": "Another candidate was chosen",
    "candidate_declined_offer": "The jobseeker declined the offer",
    "no_show": "Did not come to the interview",
    "not_reachable": "Could not be reached",
    "position_cancelled": "The position was cancelled",
    "other": "Other reason",
}
REMOVAL_REASONS = {
    "not_suitable": "Not suitable for this vacancy",
    "not_available": "Not available at the moment",
    "employed": "Already employed",
    "in_training": "In training or another service",
    "candidate_request": "At the jobseeker's request",
    "retention": "Profile anonymised after the retention period",
    "duplicate": "Listed twice",
    "other": "Other reason",
}
DECLINE_REASONS = {
    "not_interested": "Not interested in this job",
    "revoked": "Consent taken back",
    "other": "Other reason",
}
REASONS: dict[EntryStatus, dict[str, str]] = {
    S.NOT_HIRED: NOT_HIRED_REASONS,
    S.REMOVED: REMOVAL_REASONS,
    S.DECLINED: DECLINE_REASONS,
}

_STAFF = frozenset({Role.COORDINATOR, Role.ADMIN})
# (from, to) -> who may make the move. Expiry is the system's (actor None).
MOVES: dict[tuple[EntryStatus, EntryStatus], frozenset[Role]] = {
    (S.SUGGESTED, S.CONTACTED): _STAFF,
    (S.SUGGESTED, S.CONSENT_REQUESTED): _STAFF,
    (S.CONTACTED, S.CONSENT_REQUESTED): _STAFF,
    (S.DECLINED, S.CONSENT_REQUESTED): _STAFF,
    (S.EXPIRED, S.CONSENT_REQUESTED): _STAFF,
    (S.CONSENT_REQUESTED, S.CONSENTED): frozenset({Role.JOBSEEKER}),
    (S.CONSENT_REQUESTED, S.DECLINED): frozenset({Role.JOBSEEKER}),
    (S.CONSENT_REQUESTED, S.EXPIRED): frozenset(),  # the scheduler's, at the deadline
    # Consent can be taken back until the outcome is known.
    (S.CONSENTED, S.DECLINED): frozenset({Role.JOBSEEKER}),
    (S.SHARED, S.DECLINED): frozenset({Role.JOBSEEKER}),
    (S.INTERVIEW, S.DECLINED): frozenset({Role.JOBSEEKER}),
    (S.CONSENTED, S.SHARED): _STAFF,
    (S.SHARED, S.INTERVIEW): _STAFF | {Role.EMPLOYER},
    (S.SHARED, S.HIRED): _STAFF | {Role.EMPLOYER},
    (S.SHARED, S.NOT_HIRED): _STAFF | {Role.EMPLOYER},
    (S.INTERVIEW, S.HIRED): _STAFF | {Role.EMPLOYER},
    (S.INTERVIEW, S.NOT_HIRED): _STAFF | {Role.EMPLOYER},
    **{(s, S.REMOVED): _STAFF for s in ACTIVE | {S.DECLINED, S.EXPIRED}},
}

# How the service's own staff appear in a jobseeker's access log.
SERVICE = "Employment services"


def shared_with_employer(entry: ShortlistEntry, now: datetime | None = None) -> bool:
    """Whether the employer may see ``entry`` now: the person consented, the entry was
    shared and the sharing has not ended (by its date, or by consent taken back)."""
    return (
        entry.status in VISIBLE_TO_EMPLOYER
        and bool(entry.shared_fields)
        and entry.shared_until is not None
        and entry.shared_until > (now or datetime.now(UTC))
    )


class MoveError(DomainError):
    """A move the entry's status, the actor's role or the reason does not allow (400).

    Codes: ``transition_not_allowed`` and ``role_not_allowed`` (field ``to``),
    ``reason_required`` (field ``reason``)."""


@dataclass(frozen=True)
class Move:
    to: EntryStatus
    reason: str | None = None
    note: str | None = None


def normalise(entry: ShortlistEntry, move: Move) -> Move:
    """Fill in the reason a jobseeker need not give: declining a request is
    "not interested", declining after consenting is taking consent back."""
    if move.to is S.DECLINED and move.reason is None:
        reason = "not_interested" if entry.status is S.CONSENT_REQUESTED else "revoked"
        return Move(move.to, reason, move.note)
    return move


def check(entry: ShortlistEntry, move: Move, actor: User | None) -> None:
    """Raise ``MoveError`` unless ``actor`` may move ``entry`` as asked (``None``: the system)."""
    code = refusal(entry.status, move.to, actor.role if actor else None)
    if code == "transition_not_allowed":
        raise MoveError(
            code,
            N_("An entry that is {status} cannot become {to}"),
            field="to",
            status=entry.status,
            to=move.to,
        )
    if code == "role_not_allowed":
        assert actor is not None
        raise MoveError(
            code,
            N_("A {role} cannot make an entry {to}"),
            field="to",
            role=actor.role,
            to=move.to,
        )
    reasons = REASONS.get(move.to)
    if reasons is not None and move.reason not in reasons:
        raise MoveError(
            "reason_required",
            N_("Give one of: {reasons}"),
            field="reason",
            reasons=", ".join(reasons),
        )


def refusal(status: EntryStatus, to: EntryStatus, role: Role | None) -> str | None:
    """Why the table refuses ``role`` moving an entry from ``status`` to ``to`` (the
    error code), or None if it allows it. ``role`` None is the system (the scheduler,
    erasure), which may make any move of the table."""
    allowed = MOVES.get((status, to))
    if allowed is None:
        return "transition_not_allowed"
    if role is not None and role not in allowed:
        return "role_not_allowed"
    return None


async def apply(
    session: AsyncSession,
    entry: ShortlistEntry,
    move: Move,
    actor: User | None,
    *,
    now: datetime | None = None,
) -> ShortlistEvent:
    """Make a checked move: set the status and its dates, log it, notify."""
    move = normalise(entry, move)
    check(entry, move, actor)
    now = now or datetime.now(UTC)
    settings = get_settings().workflow
    event = ShortlistEvent(
        entry_id=entry.id,
        from_status=entry.status,
        to_status=move.to,
        actor_id=actor.id if actor else None,
        reason=move.reason
        if move.note is None
        else f"{move.reason or ''}: {move.note}".lstrip(": "),
        at=now,
    )
    entry.status = move.to
    entry.status_changed_at = now
    if move.to in (S.DECLINED, S.EXPIRED, S.HIRED, S.NOT_HIRED, S.REMOVED):
        entry.outcome_reason = move.reason
    if move.to is S.CONSENT_REQUESTED:
        entry.consent_requested_at = now
        entry.consent_deadline = now + timedelta(days=settings.consent_days)
        entry.consent_answered_at = None
    elif move.to in (S.CONSENTED, S.DECLINED) and entry.consent_answered_at is None:
        entry.consent_answered_at = now
    if move.to is S.SHARED:
        entry.shared_at = now
        entry.shared_until = now + timedelta(days=settings.share_days)
        entry.shared_fields = list(SHARED_FIELDS)
    elif move.to is S.DECLINED:
        # Taking consent back ends sharing at once.
        entry.shared_until = min(entry.shared_until, now) if entry.shared_until else None
    session.add(event)
    await session.flush()
    await _tell(session, entry, event)
    if move.to is S.DECLINED:
        # Consent taken back: no recruitment-event slot with this employer stays booked.
        from kohtaanto.domain.events import consent_withdrawn

        await consent_withdrawn(session, entry)
    return event


async def _tell(session: AsyncSession, entry: ShortlistEntry, event: ShortlistEvent) -> None:
    """The notifications a move sends: the jobseeker on a consent request and an outcome,
    the coach and the coordinator when the jobseeker answers."""
    row = (
        await session.execute(
            select(
                Jobseeker.user_id,
                Jobseeker.coach_id,
                Vacancy.id,
                Vacancy.title,
                Vacancy.employer_id,
            )
            .join(Shortlist, Shortlist.vacancy_id == Vacancy.id)
            .join(ShortlistEntry, ShortlistEntry.shortlist_id == Shortlist.id)
            .join(Jobseeker, Jobseeker.id == ShortlistEntry.jobseeker_id)
            .where(ShortlistEntry.id == entry.id)
        )
    ).one()
    person, coach, vacancy_id, title, employer_id = row
    to = event.to_status
    params = {
        "entry_id": str(entry.id),
        "vacancy_id": str(vacancy_id),
        "vacancy_title": title,
        "status": to.value,
    }
    key = f"entry:{entry.id}:{to.value}:{event.id}"
    if to is S.CONSENT_REQUESTED and person:
        deadline = entry.consent_deadline.date().isoformat() if entry.consent_deadline else ""
        await notify_once(
            session,
            recipient_id=person,
            kind="consent_request",
            vacancy_id=vacancy_id,
            params=params | {"deadline": deadline},
            key=key,
        )
    if to in (S.CONSENTED, S.DECLINED):
        from kohtaanto.db.models import Employer

        coordinator = await session.scalar(
            select(Employer.coordinator_id).where(Employer.id == employer_id)
        )
        for recipient in {coach, coordinator} - {None}:
            await notify_once(
                session,
                recipient_id=recipient,  # type: ignore[arg-type]
                kind="consent_answer",
                vacancy_id=vacancy_id,
                params=params | {"reason": entry.outcome_reason},
                key=key,
            )
    if to in (S.HIRED, S.NOT_HIRED) and person:
        await notify_once(
            session,
            recipient_id=person,
            kind="outcome",
            vacancy_id=vacancy_id,
            params=params | {"reason": entry.outcome_reason},
            key=key,
        )
        if coach:
            await notify_once(
                session,
                recipient_id=coach,
                kind="outcome",
                vacancy_id=vacancy_id,
                params=params | {"reason": entry.outcome_reason},
                key=key,
            )


async def active_counts(
    session: AsyncSession,
    jobseeker_ids: Iterable[UUID],
    *,
    excluding_shortlist: UUID | None = None,
) -> dict[UUID, int]:
    """How many active shortlists each person is on (for the exposure cap), not
    counting ``excluding_shortlist`` (the one being rebuilt)."""
    ids = list(jobseeker_ids)
    if not ids:
        return {}
    query = select(ShortlistEntry.jobseeker_id, func.count()).where(
        ShortlistEntry.jobseeker_id.in_(ids), ShortlistEntry.status.in_(ACTIVE)
    )
    if excluding_shortlist is not None:
        query = query.where(ShortlistEntry.shortlist_id != excluding_shortlist)
    rows = await session.execute(query.group_by(ShortlistEntry.jobseeker_id))
    return {j: int(n) for j, n in rows.all()}


async def log_views(
    session: AsyncSession,
    viewer: User,
    organisation: str,
    jobseeker_ids: Iterable[UUID],
    *,
    vacancy_id: UUID | None,
    action: str = "viewed",
) -> None:
    """Record that ``viewer`` saw these profiles: every read of a profile is logged.

    One multi-row INSERT in the caller's transaction (committed or rolled back with
    what it read), not an ORM object per row: nothing reads these rows back in the
    request, and the unit of work's bookkeeping for a board's rows (one per person, 25 on
    the national bench) took about as much CPU as the rest of the board read.
    """
    now = datetime.now(UTC)
    rows = [
        {
            "jobseeker_id": j,
            "viewer_id": viewer.id,
            "viewer_role": viewer.role,
            "viewer_organisation": organisation,
            "vacancy_id": vacancy_id,
            "action": action,
            "at": now,
        }
        for j in jobseeker_ids
    ]
    if rows:
        await session.execute(insert(ProfileView), rows)


async def expire(session: AsyncSession, now: datetime | None = None) -> tuple[int, int]:
    """Expire consent requests past their deadline and end sharing past its date.

    Returns (consents expired, shares ended). Run by the scheduler.
    """
    now = now or datetime.now(UTC)
    overdue = (
        await session.scalars(
            select(ShortlistEntry).where(
                ShortlistEntry.status == S.CONSENT_REQUESTED, ShortlistEntry.consent_deadline < now
            )
        )
    ).all()
    for entry in overdue:
        await apply(session, entry, Move(S.EXPIRED, reason="deadline"), None, now=now)
    shares = (
        await session.scalars(
            select(ShortlistEntry).where(
                ShortlistEntry.status.in_(VISIBLE_TO_EMPLOYER), ShortlistEntry.shared_until < now
            )
        )
    ).all()
    ended = [e for e in shares if e.shared_fields]
    for entry in ended:
        entry.shared_fields = []
    return len(overdue), len(ended)
