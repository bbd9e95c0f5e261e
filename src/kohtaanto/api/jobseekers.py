"""The jobseeker's own profile, and a coach's view of their clients."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from advanced_alchemy.service import OffsetPagination
from litestar import Controller, delete, get, put
from litestar.params import FromPath, JSONBody
from sqlalchemy import select

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.errors import invalid, not_found
from kohtaanto.api.schemas import (
    Concept,
    CostEstimate,
    Db,
    EscoUris,
    Languages,
    MunicipalityCode,
    PageLimit,
    PageOffset,
    Place,
    cost_estimate,
    paginate,
)
from kohtaanto.db.models import (
    EducationLevel,
    EntryStatus,
    Jobseeker,
    Notification,
    ProfileView,
    Role,
    Shortlist,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain import jobseekers, privacy, shortlists
from kohtaanto.domain.vocabulary import FieldError

BirthYear = Annotated[int, msgspec.Meta(ge=1930, le=2012, description="Year of birth only")]
Km = Annotated[int, msgspec.Meta(ge=0, le=500)]
WeekHours = Annotated[int, msgspec.Meta(ge=0, le=60)]


class ProfileWrite(msgspec.Struct, forbid_unknown_fields=True):
    """The whole profile; saving replaces it. Never a personal identity code."""

    municipality_code: MunicipalityCode
    birth_year: BirthYear
    education: EducationLevel
    skill_uris: EscoUris = []
    occupation_uris: EscoUris = []
    max_travel_km: Km = 30
    languages: Languages = msgspec.field(default_factory=lambda: ["fi"])
    unemployed_since: date | None = None
    reduced_work_ability: bool = False
    integration_plan: bool = False
    min_hours_per_week: WeekHours = 0
    max_hours_per_week: WeekHours = 40
    visible_to_employers: bool = False
    available: bool = True


class Profile(msgspec.Struct):
    id: UUID
    municipality: Place
    birth_year: int
    education: EducationLevel
    skills: list[Concept]
    occupations: list[Concept]
    max_travel_km: int
    languages: list[str]
    unemployed_since: date | None
    reduced_work_ability: bool
    integration_plan: bool
    min_hours_per_week: int
    max_hours_per_week: int
    visible_to_employers: bool
    available: bool
    coach_id: UUID | None


def profile_out(j: Jobseeker) -> Profile:
    m = j.municipality
    return Profile(
        id=j.id,
        municipality=Place(code=m.code, name=m.name, sub_region=m.sub_region),
        birth_year=j.birth_year,
        education=j.education,
        skills=[Concept(uri=s.uri, label=s.label) for s in j.skills],
        occupations=[Concept(uri=o.uri, label=o.label) for o in j.occupations],
        max_travel_km=j.max_travel_km,
        languages=list(j.languages),
        unemployed_since=j.unemployed_since,
        reduced_work_ability=j.reduced_work_ability,
        integration_plan=j.integration_plan,
        min_hours_per_week=j.min_hours_per_week,
        max_hours_per_week=j.max_hours_per_week,
        visible_to_employers=j.visible_to_employers,
        available=j.available,
        coach_id=j.coach_id,
    )


class VacancySummary(msgspec.Struct):
    id: UUID
    title: str
    employer_name: str
    occupation: Concept
    municipality: Place
    hours_per_week: float
    monthly_pay_eur: int | None
    status: VacancyStatus


class MyMatch(msgspec.Struct):
    """A vacancy that suits the jobseeker, with the same explanation the coordinator reads."""

    vacancy: VacancySummary
    score: float
    on_shortlist: bool
    shortlist_status: EntryStatus | None
    cost: CostEstimate
    explanation: dict[str, Any]
    found_at: datetime


def _summary(v: Vacancy) -> VacancySummary:
    m = v.municipality
    return VacancySummary(
        id=v.id,
        title=v.title,
        employer_name=v.employer.name,
        occupation=Concept(uri=v.occupation.uri, label=v.occupation.label),
        municipality=Place(code=m.code, name=m.name, sub_region=m.sub_region),
        hours_per_week=v.hours_per_week,
        monthly_pay_eur=v.monthly_pay_eur,
        status=v.status,
    )


class ProfileViewOut(msgspec.Struct):
    """Who saw or shortlisted the jobseeker's profile: an organisation and a role, not a person."""

    organisation: str
    role: Role
    action: str
    vacancy_title: str | None
    at: datetime


class ClientEntry(msgspec.Struct):
    entry_id: UUID
    vacancy: VacancySummary
    status: EntryStatus
    outcome_reason: str | None
    consent_deadline: datetime | None
    score: float


class ClientOverview(msgspec.Struct):
    """A coach's view of one client: profile, matches and where each shortlist stands."""

    profile: Profile
    entries: list[ClientEntry]
    pending_consents: int
    hired: int
    matches: list[MyMatch]


async def _entries_of(db: Db, jobseeker_id: UUID) -> list[ClientEntry]:
    rows = await db.execute(
        select(ShortlistEntry, Vacancy)
        .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
        .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
        .where(ShortlistEntry.jobseeker_id == jobseeker_id)
        .order_by(ShortlistEntry.updated_at.desc())
    )
    return [
        ClientEntry(
            entry_id=e.id,
            vacancy=_summary(v),
            status=e.status,
            outcome_reason=e.outcome_reason,
            consent_deadline=e.consent_deadline,
            score=round(e.score, 4),
        )
        for e, v in rows.all()
    ]


async def _matches_of(db: Db, profile: Jobseeker) -> list[MyMatch]:
    """Vacancies found for the person and shortlists they are on, best first, with why."""
    found: dict[UUID, MyMatch] = {}
    vacancies = {}
    notified = (
        (
            await db.scalars(
                select(Notification).where(
                    Notification.recipient_id == profile.user_id, Notification.kind == "match"
                )
            )
        ).all()
        if profile.user_id
        else []
    )
    entries = (
        await db.execute(
            select(ShortlistEntry, Shortlist.vacancy_id)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .where(
                ShortlistEntry.jobseeker_id == profile.id,
                ShortlistEntry.status != EntryStatus.REMOVED,
            )
        )
    ).all()
    ids = {n.vacancy_id for n in notified if n.vacancy_id} | {v for _, v in entries}
    if ids:
        rows = await db.scalars(select(Vacancy).where(Vacancy.id.in_(ids)))
        vacancies = {v.id: v for v in rows}
    for n in notified:
        vacancy = vacancies.get(n.vacancy_id) if n.vacancy_id else None
        if vacancy is None or vacancy.status is not VacancyStatus.OPEN:
            continue
        explanation = n.body.get("explanation", {})
        found[vacancy.id] = MyMatch(
            vacancy=_summary(vacancy),
            score=float(n.body.get("score", 0.0)),
            on_shortlist=False,
            shortlist_status=None,
            cost=cost_estimate(explanation),
            explanation=explanation,
            found_at=n.created_at,
        )
    for entry, vacancy_id in entries:
        vacancy = vacancies[vacancy_id]
        found[vacancy_id] = MyMatch(
            vacancy=_summary(vacancy),
            score=round(entry.score, 4),
            on_shortlist=True,
            shortlist_status=entry.status,
            cost=cost_estimate(entry.explanation),
            explanation=entry.explanation,
            found_at=entry.created_at,
        )
    return sorted(found.values(), key=lambda m: (-m.score, m.vacancy.title))


def without_costs(match: MyMatch) -> MyMatch:
    """A match as the jobseeker sees it: which support the employer might get, by name,
    but no euro figure of what hiring them would cost or save: a price on a person can
    stigmatise. Staff (the coordinator, the coach) keep the figures."""
    named = [
        {"code": e.get("code"), "label": e.get("label")}
        for e in match.explanation.get("instruments", [])
    ]
    explanation = {
        k: v for k, v in match.explanation.items() if k not in ("instruments", "best_saving_eur")
    } | {"instruments": named}
    cost = CostEstimate(
        monthly_pay_costs_eur=None,
        lowest_net_monthly_cost_eur=None,
        best_saving_eur=0.0,
        instruments=[],
        note=match.cost.note,
    )
    return msgspec.structs.replace(match, cost=cost, explanation=explanation)


async def client_overview(db: Db, coach: User, jobseeker_id: UUID) -> ClientOverview:
    """One of ``coach``'s clients: profile, matches, shortlist statuses, pending consents
    and hires; the view is logged. 404 for anyone who is not the client's coach."""
    profile = await db.get(Jobseeker, jobseeker_id)
    if profile is None or profile.coach_id != coach.id:
        raise not_found("Client")
    entries = await _entries_of(db, profile.id)
    shortlists.log_views(db, coach, shortlists.SERVICE, [profile.id], vacancy_id=None)
    return ClientOverview(
        profile=profile_out(profile),
        entries=entries,
        pending_consents=sum(e.status is EntryStatus.CONSENT_REQUESTED for e in entries),
        hired=sum(e.status is EntryStatus.HIRED for e in entries),
        matches=await _matches_of(db, profile),
    )


class JobseekerController(Controller):
    path = "/api/jobseekers"
    tags = ["jobseekers"]

    @get("/me", operation_id="getMyProfile", guards=[requires(Role.JOBSEEKER)])
    async def get_profile(self, request: AuthRequest, db_session: Db) -> Profile:
        """The jobseeker's own profile."""
        profile = await jobseekers.of_user(db_session, request.user)
        if profile is None:
            raise not_found("Profile")
        return profile_out(profile)

    @get("/me/matches", operation_id="listMyMatches", guards=[requires(Role.JOBSEEKER)])
    async def list_matches(self, request: AuthRequest, db_session: Db) -> list[MyMatch]:
        """Vacancies found for the jobseeker and shortlists they are on, best first, with
        why; without what the person would cost an employer (see ``without_costs``)."""
        profile = await jobseekers.of_user(db_session, request.user)
        if profile is None:
            raise not_found("Profile")
        return [without_costs(m) for m in await _matches_of(db_session, profile)]

    @get("/me/entries", operation_id="listMyShortlistEntries", guards=[requires(Role.JOBSEEKER)])
    async def list_entries(self, request: AuthRequest, db_session: Db) -> list[ClientEntry]:
        """The shortlists the jobseeker is on, with consent requests to answer."""
        profile = await jobseekers.of_user(db_session, request.user)
        if profile is None:
            raise not_found("Profile")
        return await _entries_of(db_session, profile.id)

    @get("/me/views", operation_id="listMyProfileViews", guards=[requires(Role.JOBSEEKER)])
    async def list_views(self, request: AuthRequest, db_session: Db) -> list[ProfileViewOut]:
        """Who viewed or shortlisted the jobseeker's profile, and when (newest first)."""
        profile = await jobseekers.of_user(db_session, request.user)
        if profile is None:
            raise not_found("Profile")
        rows = await db_session.execute(
            select(ProfileView, Vacancy.title)
            .outerjoin(Vacancy, Vacancy.id == ProfileView.vacancy_id)
            .where(ProfileView.jobseeker_id == profile.id)
            .order_by(ProfileView.at.desc(), ProfileView.id.desc())
            .limit(500)
        )
        return [
            ProfileViewOut(
                organisation=v.viewer_organisation,
                role=v.viewer_role,
                action=v.action,
                vacancy_title=title,
                at=v.at,
            )
            for v, title in rows.all()
        ]

    @get("/me/export", operation_id="exportMyData", guards=[requires(Role.JOBSEEKER)])
    async def export_data(self, request: AuthRequest, db_session: Db) -> dict[str, Any]:
        """All the data held about the jobseeker, as JSON (GDPR: right of access)."""
        return await privacy.export(db_session, request.user)

    @delete("/me", operation_id="eraseMe", guards=[requires(Role.JOBSEEKER)])
    async def erase(self, request: AuthRequest, db_session: Db) -> None:
        """Erase the jobseeker (GDPR): profile and account anonymised, login disabled,
        removed from active shortlists and from search; logs stay without personal data."""
        user = await db_session.get(User, request.user.id)
        if user is None:
            raise not_found("Account")
        await privacy.erase(db_session, user)

    @put("/me", operation_id="saveMyProfile", guards=[requires(Role.JOBSEEKER)])
    async def save_profile(
        self, request: AuthRequest, db_session: Db, data: JSONBody[ProfileWrite]
    ) -> Profile:
        """Create or replace the jobseeker's own profile; matches are looked for afterwards."""
        try:
            profile = await jobseekers.save_profile(
                db_session, request.user, msgspec.structs.asdict(data)
            )
        except FieldError as e:
            raise invalid(e.field, e.message) from e
        return profile_out(profile)


class CoachController(Controller):
    path = "/api/coach"
    tags = ["coach"]
    guards = [requires(Role.COACH)]

    @get("/clients", operation_id="listMyClients")
    async def list_clients(
        self,
        request: AuthRequest,
        db_session: Db,
        limit: PageLimit = 50,
        offset: PageOffset = 0,
    ) -> OffsetPagination[Profile]:
        """The coach's caseload (OMA-valmentajan asiakkaat)."""
        query = select(Jobseeker).where(Jobseeker.coach_id == request.user.id)
        return await paginate(db_session, query, Jobseeker.created_at, limit, offset, profile_out)

    @get("/clients/{jobseeker_id:uuid}", operation_id="getMyClient")
    async def get_client(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> ClientOverview:
        """One client: their matches, shortlist statuses, pending consents and outcomes."""
        return await client_overview(db_session, request.user, jobseeker_id)
