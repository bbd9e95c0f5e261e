"""Shortlists and the recruitment workflow of their entries.

Coordinators read and work a vacancy's shortlist (one entry or many at once);
jobseekers answer consent requests on their own entries; employers see only
the candidates shared with them, only the shared fields, and record outcomes;
coaches follow their clients' entries. Every profile read is logged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import PermissionDeniedException, ValidationException
from litestar.params import FromPath, JSONBody
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.errors import invalid, not_found
from kohtaanto.api.schemas import Concept, CostEstimate, Db, Place, cost_estimate
from kohtaanto.db.models import (
    EducationLevel,
    Employer,
    EntryStatus,
    Jobseeker,
    Role,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    User,
    Vacancy,
)
from kohtaanto.domain import disclosure, employers, shortlists, vacancies
from kohtaanto.domain.instruments import ESTIMATE_NOTE
from kohtaanto.domain.shortlists import Move, MoveError
from kohtaanto.settings import get_settings

Note = Annotated[str, msgspec.Meta(max_length=500)]


class Candidate(msgspec.Struct):
    """What a coordinator sees of a shortlisted jobseeker: never the birth year; the name
    and contact channel only once the workflow has them contact the person
    (``CONTACT_STATUSES``), and each such view is logged."""

    id: UUID
    municipality: Place
    education: EducationLevel
    languages: list[str]
    max_travel_km: int
    name: str | None = None
    email: str | None = None
    phone: str | None = None


# When the service's own coordinator may reach the person: from "contacted" (the
# coordinator has decided to contact them) while the recruitment is in play, and
# for the outcome. The person is a client of the public service, so its staff may
# contact them; the employer sees contact details only after consent and sharing.
# Declined, expired and removed entries show none: nothing is left to ask.
CONTACT_STATUSES = frozenset(
    {
        EntryStatus.CONTACTED,
        EntryStatus.CONSENT_REQUESTED,
        EntryStatus.CONSENTED,
        EntryStatus.SHARED,
        EntryStatus.INTERVIEW,
        EntryStatus.HIRED,
        EntryStatus.NOT_HIRED,
    }
)


class RankedEntry(msgspec.Struct):
    id: UUID
    rank: int
    score: float
    status: EntryStatus
    source: str
    outcome_reason: str | None
    consent_deadline: datetime | None
    candidate: Candidate
    cost: CostEstimate
    explanation: dict[str, Any]


class ShortlistOut(msgspec.Struct):
    vacancy_id: UUID
    model_version: str
    retrieved: int
    built_at: datetime
    entries: list[RankedEntry]


class EntryAdd(msgspec.Struct, forbid_unknown_fields=True):
    jobseeker_id: UUID
    note: Note | None = None


class MoveIn(msgspec.Struct, forbid_unknown_fields=True):
    to: EntryStatus
    reason: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    note: Note | None = None


class BulkMove(msgspec.Struct, forbid_unknown_fields=True):
    entry_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=200)]
    to: EntryStatus
    reason: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    note: Note | None = None


class EntryState(msgspec.Struct):
    id: UUID
    vacancy_id: UUID
    status: EntryStatus
    outcome_reason: str | None
    consent_deadline: datetime | None
    shared_until: datetime | None


class EventOut(msgspec.Struct):
    """One move of an entry. Employers get the status and date only (the rest null),
    and only from the sharing on: reasons and notes are the service's."""

    from_status: EntryStatus | None
    to_status: EntryStatus
    by_role: Role | None
    reason: str | None
    at: datetime


class EmployerMatch(msgspec.Struct):
    """How a shared candidate matches the vacancy, as far as an employer may know."""

    matched_essential: list[Concept]
    missing_essential: list[Concept]
    essential_coverage: float
    distance_km: float | None
    within_travel_limit: bool | None
    languages_missing: list[str]


class EmployerSupport(msgspec.Struct):
    """ "Wage subsidy possible, about N €/month": no instrument, rule, rate or reason."""

    wage_subsidy_possible: bool
    about_eur_per_month: int
    text: str
    note: str


class EmployerCandidateView(msgspec.Struct):
    """Everything an employer sees of a shared candidate, and nothing more.

    The list is explicit (SECURITY.md documents it): the profile fields the person
    agreed to share, the match summary, a rough wage-subsidy amount, contact details.
    Never instrument codes or reasons (health), staff notes, or the model's factors.
    """

    entry_id: UUID
    status: EntryStatus
    shared_until: datetime | None
    skills: list[Concept] | None
    occupations: list[Concept] | None
    languages: list[str] | None
    education: EducationLevel | None
    municipality: Place | None
    match: EmployerMatch | None
    support: EmployerSupport | None
    name: str | None
    email: str | None
    phone: str | None


def _concepts(items: Any) -> list[Concept]:
    return [Concept(uri=str(c["uri"]), label=str(c["label"])) for c in items or ()]


def employer_match(explanation: dict[str, Any]) -> EmployerMatch | None:
    """The match summary of an explanation; None for an entry added by hand (no ranking)."""
    if "matched_essential" not in explanation:
        return None
    return EmployerMatch(
        matched_essential=_concepts(explanation.get("matched_essential")),
        missing_essential=_concepts(explanation.get("missing_essential")),
        essential_coverage=float(explanation.get("essential_coverage", 0.0)),
        distance_km=explanation.get("distance_km"),
        within_travel_limit=explanation.get("within_travel_limit"),
        languages_missing=[str(x) for x in explanation.get("languages_missing", ())],
    )


def employer_support(explanation: dict[str, Any]) -> EmployerSupport | None:
    about = disclosure.wage_subsidy_hint(explanation)
    if about is None:
        return None
    return EmployerSupport(
        wage_subsidy_possible=True,
        about_eur_per_month=about,
        text=disclosure.support_text(about),
        note=ESTIMATE_NOTE,
    )


def _place(j: Jobseeker) -> Place:
    m = j.municipality
    return Place(code=m.code, name=m.name, sub_region=m.sub_region)


def _entry(e: ShortlistEntry, j: Jobseeker, account: User | None) -> RankedEntry:
    contact = account if account is not None and e.status in CONTACT_STATUSES else None
    return RankedEntry(
        id=e.id,
        rank=e.rank,
        score=round(e.score, 4),
        status=e.status,
        source=e.source,
        outcome_reason=e.outcome_reason,
        consent_deadline=e.consent_deadline,
        candidate=Candidate(
            id=j.id,
            municipality=_place(j),
            education=j.education,
            languages=list(j.languages),
            max_travel_km=j.max_travel_km,
            name=contact.name if contact else None,
            email=contact.email if contact else None,
            phone=contact.phone if contact else None,
        ),
        cost=cost_estimate(e.explanation),
        explanation=e.explanation,
    )


def _state(e: ShortlistEntry, vacancy_id: UUID) -> EntryState:
    return EntryState(
        id=e.id,
        vacancy_id=vacancy_id,
        status=e.status,
        outcome_reason=e.outcome_reason,
        consent_deadline=e.consent_deadline,
        shared_until=e.shared_until,
    )


def _move_error(e: MoveError) -> Exception:
    return invalid(e.field, str(e))


async def _shortlist(db: Db, user: User, vacancy_id: UUID) -> Shortlist:
    if await vacancies.get_visible(db, user, vacancy_id) is None:
        raise not_found("Vacancy")
    shortlist = await db.scalar(select(Shortlist).where(Shortlist.vacancy_id == vacancy_id))
    if shortlist is None:
        raise not_found("Shortlist")
    return shortlist


async def entry_for(db: Db, user: User, entry_id: UUID) -> tuple[ShortlistEntry, Vacancy]:
    """The entry, if ``user`` may see it: its coordinator, the person, their coach,
    or the employer while it is shared (not after the sharing ended). Anyone else
    gets a 404."""
    row = (
        await db.execute(
            select(ShortlistEntry, Vacancy, Jobseeker, Employer.coordinator_id)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
            .join(Employer, Employer.id == Vacancy.employer_id)
            .join(Jobseeker, Jobseeker.id == ShortlistEntry.jobseeker_id)
            .where(ShortlistEntry.id == entry_id)
        )
    ).first()
    if row is None:
        raise not_found("Shortlist entry")
    entry, vacancy, person, coordinator_id = row
    allowed = {
        Role.ADMIN: True,
        Role.MANAGER: False,
        Role.COORDINATOR: coordinator_id == user.id,
        Role.JOBSEEKER: person.user_id == user.id,
        Role.COACH: person.coach_id == user.id,
        Role.EMPLOYER: vacancy.employer_id == user.employer_id
        and shortlists.shared_with_employer(entry),
    }.get(user.role, False)  # any other role (a team specialist) sees no entry
    if not allowed:
        raise not_found("Shortlist entry")
    return entry, vacancy


async def board(db: Db, user: User, vacancy_id: UUID) -> ShortlistOut:
    """A vacancy's ranked shortlist as its coordinator sees it; the views are logged."""
    shortlist = await _shortlist(db, user, vacancy_id)
    ids = [e.jobseeker_id for e in shortlist.entries]
    people = {
        j.id: j
        for j in (
            await db.scalars(
                select(Jobseeker)
                .where(Jobseeker.id.in_(ids))
                .options(selectinload(Jobseeker.skills))
            )
        ).all()
    }
    shortlists.log_views(db, user, shortlists.SERVICE, people, vacancy_id=vacancy_id)
    reachable = {
        e.jobseeker_id
        for e in shortlist.entries
        if e.status in CONTACT_STATUSES and e.jobseeker_id in people
    }
    user_ids = {people[j].user_id: j for j in reachable if people[j].user_id is not None}
    accounts = {
        user_ids[u.id]: u
        for u in (await db.scalars(select(User).where(User.id.in_(user_ids)))).all()
    }
    # Seeing who the person is and how to reach them is a read of its own.
    shortlists.log_views(
        db, user, shortlists.SERVICE, accounts, vacancy_id=vacancy_id, action="contact_viewed"
    )
    return ShortlistOut(
        vacancy_id=vacancy_id,
        model_version=shortlist.model_version,
        retrieved=shortlist.retrieved,
        built_at=shortlist.updated_at,
        entries=[
            _entry(e, people[e.jobseeker_id], accounts.get(e.jobseeker_id))
            for e in shortlist.entries
            if e.jobseeker_id in people
        ],
    )


class PersonFound(msgspec.Struct):
    """A jobseeker the coordinator may add by hand, found by name or e-mail."""

    jobseeker_id: UUID
    name: str
    email: str
    municipality: str


async def find_people(db: Db, user: User, vacancy_id: UUID, q: str) -> list[PersonFound]:
    """Jobseekers to add by hand whose name or e-mail contains ``q``: only people who
    chose to be visible to employers and are available, not already on the list.
    Each person shown is logged as a view."""
    shortlist = await _shortlist(db, user, vacancy_id)
    text = q.strip()
    if len(text) < 2:
        return []
    needle = text.lower()
    on_list = [e.jobseeker_id for e in shortlist.entries]
    rows = (
        await db.execute(
            select(Jobseeker, User)
            .join(User, User.id == Jobseeker.user_id)
            .where(
                Jobseeker.visible_to_employers.is_(True),
                Jobseeker.available.is_(True),
                Jobseeker.anonymised_at.is_(None),
                Jobseeker.id.not_in(on_list),
                or_(
                    func.lower(User.name).contains(needle, autoescape=True),
                    func.lower(User.email).contains(needle, autoescape=True),
                ),
            )
            .order_by(User.name)
            .limit(10)
        )
    ).all()
    found = [
        PersonFound(jobseeker_id=j.id, name=u.name, email=u.email, municipality=j.municipality.name)
        for j, u in rows
    ]
    shortlists.log_views(
        db,
        user,
        shortlists.SERVICE,
        [p.jobseeker_id for p in found],
        vacancy_id=vacancy_id,
        action="found",
    )
    return found


async def add_by_hand(
    db: Db, user: User, vacancy_id: UUID, jobseeker_id: UUID, note: str | None
) -> EntryState:
    """Add a person to a shortlist by hand, at the end, marked as the coordinator's.

    Raises a 400 naming ``jobseeker_id`` when the person cannot be added.
    """
    shortlist = await _shortlist(db, user, vacancy_id)
    person = await db.get(Jobseeker, jobseeker_id)
    # Someone who chose not to be seen by employers is answered like an unknown id,
    # so the answer does not tell that the person exists.
    if person is None or person.anonymised_at is not None or not person.visible_to_employers:
        raise invalid("jobseeker_id", "no such jobseeker")
    if not person.available:
        raise invalid("jobseeker_id", "this jobseeker is not available")
    if any(e.jobseeker_id == person.id for e in shortlist.entries):
        raise invalid("jobseeker_id", "already on this shortlist")
    cap = get_settings().workflow.exposure_cap
    if (await shortlists.active_counts(db, [person.id])).get(person.id, 0) >= cap:
        raise invalid("jobseeker_id", f"already on {cap} active shortlists (the exposure cap)")
    entry = ShortlistEntry(
        shortlist_id=shortlist.id,
        jobseeker_id=person.id,
        rank=max((e.rank for e in shortlist.entries), default=0) + 1,
        score=0.0,
        explanation={"added_by_hand": True, "note": note},
        source="coordinator",
        status=EntryStatus.SUGGESTED,
        status_changed_at=datetime.now(UTC),
    )
    db.add(entry)
    await db.flush()
    db.add(
        ShortlistEvent(
            entry_id=entry.id,
            from_status=None,
            to_status=EntryStatus.SUGGESTED,
            actor_id=user.id,
            reason=note or "added by hand",
            at=datetime.now(UTC),
        )
    )
    shortlists.log_views(
        db, user, shortlists.SERVICE, [person.id], vacancy_id=vacancy_id, action="shortlisted"
    )
    return _state(entry, vacancy_id)


async def move_entries(
    db: Db, user: User, vacancy_id: UUID, entry_ids: list[UUID], move: Move
) -> list[EntryState]:
    """Move many entries of one shortlist at once, all or nothing: if one entry cannot
    move, none does, and the 400 names every entry that cannot (``entry_ids[i]``, with
    its ``rank`` and ``status``) or the missing reason."""
    shortlist = await _shortlist(db, user, vacancy_id)
    by_id = {e.id: e for e in shortlist.entries}
    chosen = []
    refused: list[dict[str, Any]] = []
    for i, entry_id in enumerate(dict.fromkeys(entry_ids)):
        entry = by_id.get(entry_id)
        if entry is None:
            refused.append(
                {"key": f"entry_ids[{i}]", "message": "not on this shortlist", "source": "body"}
            )
            continue
        try:
            shortlists.check(entry, shortlists.normalise(entry, move), user)
        except MoveError as e:
            if e.field != "to":  # the reason is the same for all: one error says it
                raise invalid(e.field, str(e)) from e
            refused.append(
                {
                    "key": f"entry_ids[{i}]",
                    "message": str(e),
                    "source": "body",
                    "rank": entry.rank,
                    "status": entry.status.value,
                }
            )
        chosen.append(entry)
    if refused:
        raise ValidationException(
            detail=f"Invalid {refused[0]['key']}: {refused[0]['message']}", extra=refused
        )
    for entry in chosen:
        await shortlists.apply(db, entry, move, user)
    return [_state(e, vacancy_id) for e in chosen]


async def move_entry(db: Db, user: User, entry_id: UUID, move: Move) -> EntryState:
    """One checked move of one entry by whoever it concerns (coaches only follow)."""
    entry, vacancy = await entry_for(db, user, entry_id)
    if user.role is Role.COACH:
        raise PermissionDeniedException(detail="Coaches follow entries; they do not move them")
    try:
        await shortlists.apply(db, entry, move, user)
    except MoveError as e:
        raise _move_error(e) from e
    return _state(entry, vacancy.id)


async def shared_candidates(db: Db, user: User, vacancy: Vacancy) -> list[EmployerCandidateView]:
    """The candidates shared with the employer, and only the fields shared: the
    jobseeker consented for this vacancy, and the sharing has not ended. Each view is logged."""
    now = datetime.now(UTC)
    rows = (
        await db.execute(
            select(ShortlistEntry, Jobseeker, User)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .join(Jobseeker, Jobseeker.id == ShortlistEntry.jobseeker_id)
            .outerjoin(User, User.id == Jobseeker.user_id)
            .where(
                Shortlist.vacancy_id == vacancy.id,
                ShortlistEntry.status.in_(shortlists.VISIBLE_TO_EMPLOYER),
                ShortlistEntry.shared_until > now,
            )
            .order_by(ShortlistEntry.rank)
        )
    ).all()
    out, shown = [], []
    for entry, person, account in rows:
        if not shortlists.shared_with_employer(entry, now):
            continue
        fields = set(entry.shared_fields)
        shown.append(person.id)
        contact = account is not None
        out.append(
            EmployerCandidateView(
                entry_id=entry.id,
                status=entry.status,
                shared_until=entry.shared_until,
                skills=[Concept(uri=s.uri, label=s.label) for s in person.skills]
                if "skills" in fields
                else None,
                occupations=[Concept(uri=o.uri, label=o.label) for o in person.occupations]
                if "occupations" in fields
                else None,
                languages=list(person.languages) if "languages" in fields else None,
                education=person.education if "education" in fields else None,
                municipality=_place(person) if "municipality" in fields else None,
                match=employer_match(entry.explanation)
                if disclosure.MATCH_FIELD in fields
                else None,
                support=employer_support(entry.explanation)
                if disclosure.MATCH_FIELD in fields
                else None,
                name=account.name if contact and "name" in fields else None,
                email=account.email if contact and "email" in fields else None,
                phone=account.phone if contact and "phone" in fields else None,
            )
        )
    shortlists.log_views(db, user, vacancy.employer.name, shown, vacancy_id=vacancy.id)
    return out


async def entry_events(db: Db, user: User, entry_id: UUID) -> list[EventOut]:
    """An entry's history for whoever may see the entry; an employer's is status and
    date only, from the sharing on."""
    await entry_for(db, user, entry_id)
    rows = (
        await db.execute(
            select(ShortlistEvent, User.role)
            .outerjoin(User, User.id == ShortlistEvent.actor_id)
            .where(ShortlistEvent.entry_id == entry_id)
            .order_by(ShortlistEvent.at, ShortlistEvent.id)
        )
    ).all()
    if user.role is Role.EMPLOYER:
        return [
            EventOut(from_status=None, to_status=ev.to_status, by_role=None, reason=None, at=ev.at)
            for ev, _ in rows
            if ev.to_status in shortlists.VISIBLE_TO_EMPLOYER
        ]
    return [
        EventOut(
            from_status=ev.from_status,
            to_status=ev.to_status,
            by_role=role,
            reason=ev.reason,
            at=ev.at,
        )
        for ev, role in rows
    ]


class ShortlistController(Controller):
    path = "/api/vacancies/{vacancy_id:uuid}/shortlist"
    tags = ["shortlists"]
    guards = [requires(Role.COORDINATOR, Role.ADMIN)]

    @get("/", operation_id="getShortlist")
    async def get_shortlist(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> ShortlistOut:
        """The ranked candidates with why each is there. 404 until the first one is built."""
        return await board(db_session, request.user, vacancy_id)

    @post("/entries", operation_id="addShortlistEntry")
    async def add_entry(
        self,
        request: AuthRequest,
        db_session: Db,
        vacancy_id: FromPath[UUID],
        data: JSONBody[EntryAdd],
    ) -> EntryState:
        """Add a person by hand; they go to the end of the list, marked as the coordinator's."""
        return await add_by_hand(db_session, request.user, vacancy_id, data.jobseeker_id, data.note)

    @post("/moves", operation_id="moveShortlistEntries", status_code=200)
    async def move_many(
        self,
        request: AuthRequest,
        db_session: Db,
        vacancy_id: FromPath[UUID],
        data: JSONBody[BulkMove],
    ) -> list[EntryState]:
        """Move many entries at once (ask consent from many, share many, close many).

        All or nothing: if one entry cannot move, none does, and the error names it.
        """
        move = Move(data.to, data.reason, data.note)
        return await move_entries(db_session, request.user, vacancy_id, data.entry_ids, move)


class EntryController(Controller):
    path = "/api/shortlist-entries/{entry_id:uuid}"
    tags = ["shortlists"]

    @post("/move", operation_id="moveShortlistEntry", status_code=200)
    async def move(
        self, request: AuthRequest, db_session: Db, entry_id: FromPath[UUID], data: JSONBody[MoveIn]
    ) -> EntryState:
        """One move: coordinators work the list, jobseekers answer, employers record outcomes."""
        move = Move(data.to, data.reason, data.note)
        return await move_entry(db_session, request.user, entry_id, move)

    @get("/events", operation_id="listShortlistEntryEvents")
    async def events(
        self, request: AuthRequest, db_session: Db, entry_id: FromPath[UUID]
    ) -> list[EventOut]:
        """The entry's history: every move, by whom (as a role), when and why.

        Employers get each status and its date only, from the sharing on."""
        return await entry_events(db_session, request.user, entry_id)


class CandidateController(Controller):
    path = "/api/vacancies/{vacancy_id:uuid}/candidates"
    tags = ["shortlists"]
    guards = [requires(Role.EMPLOYER)]

    @get("/", operation_id="listSharedCandidates")
    async def shared(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> list[EmployerCandidateView]:
        """The candidates shared with the employer, and only the fields shared
        (``EmployerCandidateView``, listed in SECURITY.md): the jobseeker consented for
        this vacancy, and the sharing has not ended."""
        vacancy = await vacancies.get_visible(db_session, request.user, vacancy_id)
        if vacancy is None:
            raise not_found("Vacancy")
        try:
            employers.require_approved(vacancy.employer)
        except employers.NotApproved as e:
            raise PermissionDeniedException(detail=f"No candidates: {e}") from e
        return await shared_candidates(db_session, request.user, vacancy)
