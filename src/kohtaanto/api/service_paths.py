"""The coach's work with a client over JSON: the assessment, the plan and its
activities, the job-search obligation, meetings, the caseload work list and the
team (``kohtaanto.domain.service_paths``). Thin: parse, call one use case, answer.

Never open to employers, coordinators or managers (special-category data); every
read by staff is logged for the client (``GET /api/jobseekers/me/views``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, patch, post, put
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, JSONBody

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import (
    JobApplication,
    Meeting,
    PlanActivity,
    PlanEvent,
    Role,
    ServiceAssessment,
    ServicePlan,
    TeamMember,
    User,
)
from kohtaanto.domain.service_paths import (
    assessment,
    caseload,
    meetings,
    obligation,
    overview,
    plan,
    team,
)
from kohtaanto.domain.service_paths.access import ASSESSMENT

# PostgreSQL text cannot hold NUL: refused as bad input, not a database error.
_NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, msgspec.Meta(max_length=4000, pattern=_NO_NUL)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=_NO_NUL)]
Short = Annotated[str, msgspec.Meta(max_length=64, pattern=_NO_NUL)]
Line = Annotated[str, msgspec.Meta(max_length=255, pattern=_NO_NUL)]
Version = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]


class ChangedMeanwhile(HTTPException):
    """Someone changed the same thing first: nothing was saved; reload and try again."""

    status_code = 409


# --- Answers -------------------------------------------------------------------------


class ActivityOut(msgspec.Struct):
    id: UUID
    kind: str
    title: str
    description: str
    starts_on: date | None
    ends_on: date | None
    status: str
    agreed: bool
    version: int
    shortlist_entry_id: UUID | None
    details: dict[str, Any]
    changed_by_role: str | None
    updated_at: datetime


class EventOut(msgspec.Struct):
    at: datetime
    action: str
    activity_id: UUID | None
    actor_role: str | None
    by_me: bool
    changes: dict[str, Any]


class MonthOut(msgspec.Struct):
    month: str
    required: int
    reported: int
    study_places_required: int
    study_places_reported: int
    agreed_lower: bool
    behind: bool


class ApplicationOut(msgspec.Struct):
    id: int
    kind: str
    applied_on: date
    title: str
    organisation: str
    vacancy_id: UUID | None
    source: str


class PlanOut(msgspec.Struct):
    id: UUID
    plan_type: str
    applications_per_month: int | None
    obligation_reason: str | None
    version: int
    activities: list[ActivityOut]
    month: MonthOut | None
    applications: list[ApplicationOut]
    history: list[EventOut]
    changed_since_seen: list[EventOut]


class AssessmentOut(msgspec.Struct):
    version: int
    areas: dict[str, dict[str, str]]
    effort_level: str | None
    main_goal: str | None
    rationale: str | None
    sources: list[str]
    reviewer_id: UUID | None
    author_role: str
    at: datetime


class DeadlinesOut(msgspec.Struct):
    initial_due: date
    assessed_on: date | None
    review_due: date | None
    overdue: bool


class MeetingOut(msgspec.Struct):
    id: UUID
    starts_at: datetime
    duration_minutes: int
    channel: str
    address: str | None
    video_url: str | None
    preparation: str
    minutes: str
    minutes_published: bool
    cancelled: bool


class MemberOut(msgspec.Struct):
    id: UUID
    specialist_name: str
    profession: str
    parts: list[str]
    consented: bool
    ended: bool


class ServicePathOut(msgspec.Struct):
    jobseeker_id: UUID
    name: str | None
    parts: list[str]
    assessment: AssessmentOut | None
    deadlines: DeadlinesOut | None
    plan: PlanOut | None
    meetings: list[MeetingOut]
    team: list[MemberOut]


class WorkListClient(msgspec.Struct):
    id: UUID
    name: str | None
    municipality: str
    flags: list[str]
    next_meeting: datetime | None


class WorkListOut(msgspec.Struct):
    """Each ready filter's count, and the clients under the chosen filter (all without)."""

    counts: dict[str, int]
    total: int
    filter: str | None
    clients: list[WorkListClient]


class SpecialistClient(msgspec.Struct):
    jobseeker_id: UUID
    name: str | None
    profession: str
    parts: list[str]


# --- Requests ------------------------------------------------------------------------


class ActivityCreate(msgspec.Struct, forbid_unknown_fields=True):
    kind: Short
    title: Title
    description: Text = ""
    starts_on: date | None = None
    ends_on: date | None = None
    agreed: bool = False
    shortlist_entry_id: UUID | None = None


class ActivityUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; ``version`` is the one you read."""

    version: Version
    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: Text | msgspec.UnsetType = msgspec.UNSET
    starts_on: date | msgspec.UnsetType | None = msgspec.UNSET
    ends_on: date | msgspec.UnsetType | None = msgspec.UNSET
    agreed: bool | msgspec.UnsetType = msgspec.UNSET


class StatusChange(msgspec.Struct, forbid_unknown_fields=True):
    status: Short
    version: Version


class ObligationSet(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    applications_per_month: Annotated[int, msgspec.Meta(ge=0, le=30)] | None = None
    reason: Text | None = None
    plan_type: Short | None = None


class AssessmentSave(msgspec.Struct, forbid_unknown_fields=True):
    """The coach's view of the given areas; ``version``: the latest you read (0: none)."""

    version: Version
    areas: Annotated[dict[Short, Text], msgspec.Meta(max_length=20)] = {}
    effort_level: Short | None = None
    main_goal: Short | None = None
    rationale: Text = ""
    sources: Annotated[list[Short], msgspec.Meta(max_length=10)] = []
    reviewer_id: UUID | None = None


class SelfAssessment(msgspec.Struct, forbid_unknown_fields=True):
    version: Version
    areas: Annotated[dict[Short, Text], msgspec.Meta(max_length=20)]


class MeetingCreate(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: datetime
    channel: Short
    duration_minutes: Annotated[int, msgspec.Meta(ge=5, le=480)] = 45
    address: Line | None = None
    video_url: Annotated[str, msgspec.Meta(max_length=1024, pattern=_NO_NUL)] | None = None
    preparation: Text = ""


class MinutesWrite(msgspec.Struct, forbid_unknown_fields=True):
    minutes: Annotated[str, msgspec.Meta(max_length=8000, pattern=_NO_NUL)]
    publish: bool = False


class TeamProposal(msgspec.Struct, forbid_unknown_fields=True):
    specialist_email: Annotated[str, msgspec.Meta(min_length=3, max_length=255, pattern=_NO_NUL)]
    profession: Short
    parts: Annotated[list[Short], msgspec.Meta(max_length=4)] = []


class TeamAnswer(msgspec.Struct, forbid_unknown_fields=True):
    consent: bool
    parts: Annotated[list[Short], msgspec.Meta(max_length=4)] = []


class ApplicationReport(msgspec.Struct, forbid_unknown_fields=True):
    """From a match: just ``vacancy_id``. By hand: ``title`` (and ``organisation``)."""

    vacancy_id: UUID | None = None
    kind: Short = "job"
    title: Line = ""
    organisation: Line = ""
    applied_on: date | None = None


# --- Converters ----------------------------------------------------------------------


def activity_out(a: PlanActivity) -> ActivityOut:
    return ActivityOut(
        id=a.id,
        kind=a.kind,
        title=a.title,
        description=a.description,
        starts_on=a.starts_on,
        ends_on=a.ends_on,
        status=a.status,
        agreed=a.agreed,
        version=a.version,
        shortlist_entry_id=a.shortlist_entry_id,
        details=dict(a.details),
        changed_by_role=a.changed_by_role.value if a.changed_by_role else None,
        updated_at=a.updated_at,
    )


def _event_out(e: PlanEvent, me: User) -> EventOut:
    return EventOut(
        at=e.at,
        action=e.action,
        activity_id=e.activity_id,
        actor_role=e.actor_role.value if e.actor_role else None,
        by_me=e.actor_id == me.id,
        changes=dict(e.changes),
    )


def _application_out(a: JobApplication) -> ApplicationOut:
    return ApplicationOut(
        id=a.id,
        kind=a.kind,
        applied_on=a.applied_on,
        title=a.title,
        organisation=a.organisation,
        vacancy_id=a.vacancy_id,
        source=a.source,
    )


def _plan_out(view: overview.ServicePath, me: User) -> PlanOut | None:
    p: ServicePlan | None = view.plan
    if p is None:
        return None
    return PlanOut(
        id=p.id,
        plan_type=p.plan_type,
        applications_per_month=p.applications_per_month,
        obligation_reason=p.obligation_reason,
        version=p.version,
        activities=[activity_out(a) for a in view.activities],
        month=MonthOut(**vars(view.month)) if view.month else None,
        applications=[_application_out(a) for a in view.applications],
        history=[_event_out(e, me) for e in view.history],
        changed_since_seen=[_event_out(e, me) for e in view.changed_since_seen],
    )


def assessment_out(
    a: ServiceAssessment, areas: dict[str, dict[str, str]], full: bool = True
) -> AssessmentOut:
    return AssessmentOut(
        version=a.version,
        areas=areas,
        effort_level=a.effort_level if full else None,
        main_goal=a.main_goal if full else None,
        rationale=a.rationale if full else None,
        sources=list(a.sources) if full else [],
        reviewer_id=a.reviewer_id if full else None,
        author_role=a.author_role.value,
        at=a.at,
    )


def meeting_out(m: Meeting) -> MeetingOut:
    return MeetingOut(
        id=m.id,
        starts_at=m.starts_at,
        duration_minutes=m.duration_minutes,
        channel=m.channel,
        address=m.address,
        video_url=m.video_url,
        preparation=m.preparation,
        minutes=m.minutes,
        minutes_published=m.minutes_published_at is not None,
        cancelled=m.cancelled_at is not None,
    )


def _member_out(m: TeamMember, u: User) -> MemberOut:
    return MemberOut(
        id=m.id,
        specialist_name=u.name,
        profession=m.profession,
        parts=list(m.parts),
        consented=m.consented_at is not None,
        ended=m.ended_at is not None,
    )


def service_path_out(view: overview.ServicePath, me: User) -> ServicePathOut:
    a = view.assessment
    return ServicePathOut(
        jobseeker_id=view.jobseeker.id,
        name=view.name,
        parts=sorted(view.parts),
        assessment=assessment_out(a, view.assessment_areas, ASSESSMENT in view.parts)
        if a
        else None,
        deadlines=DeadlinesOut(**vars(view.deadlines)) if view.deadlines else None,
        plan=_plan_out(view, me),
        meetings=[meeting_out(m) for m in view.meetings],
        team=[_member_out(m, u) for m, u in view.team],
    )


def _set(data: msgspec.Struct, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(data, n) for n in names if getattr(data, n) is not msgspec.UNSET}


# --- Controllers ---------------------------------------------------------------------


class CoachServicePathController(Controller):
    """The coach's side: work list, assessment, plan, obligation, meetings, team."""

    path = "/api/coach"
    tags = ["service paths"]
    guards = [requires(Role.COACH)]

    @get("/worklist", operation_id="getCoachWorkList")
    async def work_list(
        self,
        request: AuthRequest,
        db_session: Db,
        filter: Annotated[str | None, msgspec.Meta(max_length=32)] = None,
    ) -> WorkListOut:
        """The caseload as a work list: a count for each ready filter (``counts``), and the
        clients under ``filter`` (all clients without one), each with its filters."""
        found = await caseload.work_list(db_session, request.user, filter)
        return WorkListOut(
            counts=found.counts,
            total=found.total,
            filter=found.selected,
            clients=[
                WorkListClient(
                    id=c.id,
                    name=c.name,
                    municipality=c.municipality,
                    flags=c.flags,
                    next_meeting=c.next_meeting,
                )
                for c in found.clients
            ],
        )

    @get("/clients/{jobseeker_id:uuid}/service-path", operation_id="getClientServicePath")
    async def service_path(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> ServicePathOut:
        """The client's assessment, plan, obligation, meetings and team; what the client or
        a partner changed since you last looked is in ``plan.changed_since_seen``. The read
        is logged for the client, and marks the plan seen."""
        view = await overview.for_reader(db_session, request.user, jobseeker_id)
        return service_path_out(view, request.user)

    @get("/clients/{jobseeker_id:uuid}/assessments", operation_id="listAssessmentVersions")
    async def assessment_versions(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> list[AssessmentOut]:
        """Every version of the client's assessment, newest first (who and when)."""
        view = await overview.for_reader(db_session, request.user, jobseeker_id)
        return [
            assessment_out(a, assessment.visible_areas(a.areas, view.parts))
            for a in await assessment.versions(db_session, jobseeker_id)
        ]

    @post(
        "/clients/{jobseeker_id:uuid}/assessments",
        operation_id="saveAssessment",
        raises=[ChangedMeanwhile],
    )
    async def save_assessment(
        self,
        request: AuthRequest,
        db_session: Db,
        jobseeker_id: FromPath[UUID],
        data: JSONBody[AssessmentSave],
    ) -> AssessmentOut:
        """Save a new version of the assessment (409 when someone saved after ``version``)."""
        row = await assessment.save(
            db_session,
            request.user,
            jobseeker_id,
            expected_version=data.version,
            areas=data.areas,
            effort_level=data.effort_level,
            main_goal=data.main_goal,
            rationale=data.rationale,
            sources=data.sources,
            reviewer_id=data.reviewer_id,
        )
        return assessment_out(row, row.areas)

    @post("/clients/{jobseeker_id:uuid}/activities", operation_id="addPlanActivity")
    async def add_activity(
        self,
        request: AuthRequest,
        db_session: Db,
        jobseeker_id: FromPath[UUID],
        data: JSONBody[ActivityCreate],
    ) -> ActivityOut:
        """Add an activity to the client's plan (the plan is made on first use)."""
        activity = await plan.add_activity(
            db_session,
            jobseeker_id,
            actor=request.user,
            kind=data.kind,
            title=data.title,
            description=data.description,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            agreed=data.agreed,
            shortlist_entry_id=data.shortlist_entry_id,
        )
        return activity_out(activity)

    @put(
        "/clients/{jobseeker_id:uuid}/obligation",
        operation_id="setJobSearchObligation",
        raises=[ChangedMeanwhile],
    )
    async def set_obligation(
        self,
        request: AuthRequest,
        db_session: Db,
        jobseeker_id: FromPath[UUID],
        data: JSONBody[ObligationSet],
    ) -> ServicePathOut:
        """Agree the applications a month (empty: the area's default) and the plan type."""
        await plan.set_obligation(
            db_session,
            request.user,
            jobseeker_id,
            applications_per_month=data.applications_per_month,
            reason=data.reason,
            plan_type=data.plan_type,
            expected_version=data.version,
        )
        view = await overview.for_reader(db_session, request.user, jobseeker_id)
        return service_path_out(view, request.user)

    @post("/clients/{jobseeker_id:uuid}/meetings", operation_id="scheduleMeeting")
    async def schedule_meeting(
        self,
        request: AuthRequest,
        db_session: Db,
        jobseeker_id: FromPath[UUID],
        data: JSONBody[MeetingCreate],
    ) -> MeetingOut:
        """Book a meeting: it joins the plan; both get an iCalendar invitation by e-mail."""
        meeting = await meetings.schedule(
            db_session,
            request.user,
            jobseeker_id,
            starts_at=data.starts_at,
            duration_minutes=data.duration_minutes,
            channel=data.channel,
            address=data.address,
            video_url=data.video_url,
            preparation=data.preparation,
        )
        return meeting_out(meeting)

    @post("/meetings/{meeting_id:uuid}/minutes", operation_id="writeMeetingMinutes")
    async def write_minutes(
        self,
        request: AuthRequest,
        db_session: Db,
        meeting_id: FromPath[UUID],
        data: JSONBody[MinutesWrite],
    ) -> MeetingOut:
        """Write the minutes; ``publish`` makes them visible to the client."""
        meeting = await meetings.write_minutes(
            db_session, request.user, meeting_id, minutes=data.minutes, publish=data.publish
        )
        return meeting_out(meeting)

    @post("/meetings/{meeting_id:uuid}/cancel", operation_id="cancelMeeting")
    async def cancel_meeting(
        self, request: AuthRequest, db_session: Db, meeting_id: FromPath[UUID]
    ) -> MeetingOut:
        """Cancel the meeting; the participants get a cancellation for their calendars."""
        return meeting_out(await meetings.cancel(db_session, request.user, meeting_id))

    @post("/clients/{jobseeker_id:uuid}/team", operation_id="proposeTeamMember")
    async def propose_member(
        self,
        request: AuthRequest,
        db_session: Db,
        jobseeker_id: FromPath[UUID],
        data: JSONBody[TeamProposal],
    ) -> MemberOut:
        """Propose a specialist for the client's team; they see nothing until the client
        consents, and then only the parts the client opens."""
        member = await team.propose(
            db_session,
            request.user,
            jobseeker_id,
            specialist_email=data.specialist_email,
            profession=data.profession,
            parts=data.parts,
        )
        specialist = await db_session.get(User, member.specialist_id)
        assert specialist is not None
        return _member_out(member, specialist)

    @post("/team/{member_id:uuid}/end", operation_id="endTeamMembership")
    async def end_member(
        self, request: AuthRequest, db_session: Db, member_id: FromPath[UUID]
    ) -> MemberOut:
        """Take a specialist off the client's team."""
        member = await team.end(db_session, request.user, member_id)
        specialist = await db_session.get(User, member.specialist_id)
        assert specialist is not None
        return _member_out(member, specialist)


class PlanActivityController(Controller):
    """An activity, changed by the client's coach or the client (the activity decides:
    404 for anyone else's)."""

    path = "/api/plan-activities"
    tags = ["service paths"]
    guards = [requires(Role.COACH, Role.JOBSEEKER)]

    @patch("/{activity_id:uuid}", operation_id="updatePlanActivity", raises=[ChangedMeanwhile])
    async def update(
        self,
        request: AuthRequest,
        db_session: Db,
        activity_id: FromPath[UUID],
        data: JSONBody[ActivityUpdate],
    ) -> ActivityOut:
        """Edit the fields sent, based on ``version`` (409 when it changed meanwhile). The
        client cannot edit an agreed activity (403); done and cancelled ones are locked."""
        names = ("title", "description", "starts_on", "ends_on", "agreed")
        activity = await plan.update_activity(
            db_session,
            activity_id,
            actor=request.user,
            expected_version=data.version,
            changes=_set(data, names),
        )
        return activity_out(activity)

    @post(
        "/{activity_id:uuid}/status",
        operation_id="setPlanActivityStatus",
        raises=[ChangedMeanwhile],
    )
    async def set_status(
        self,
        request: AuthRequest,
        db_session: Db,
        activity_id: FromPath[UUID],
        data: JSONBody[StatusChange],
    ) -> ActivityOut:
        """Report progress: planned → in_progress → done, or cancelled (not by the client
        for an agreed activity); based on ``version``."""
        activity = await plan.set_status(
            db_session,
            activity_id,
            data.status,
            actor=request.user,
            expected_version=data.version,
        )
        return activity_out(activity)


class MyServicePathController(Controller):
    """The client's own plan: read it, add their own activities, report applications,
    write their self-assessment, answer team proposals."""

    path = "/api/me/service-path"
    tags = ["service paths"]
    guards = [requires(Role.JOBSEEKER)]

    @get("/", operation_id="getMyServicePath", raises=[NotFoundException])
    async def read(self, request: AuthRequest, db_session: Db) -> ServicePathOut:
        """Your assessment, plan, job-search month, meetings (published minutes) and team."""
        return service_path_out(await overview.mine(db_session, request.user), request.user)

    @put(
        "/self-assessment",
        operation_id="saveMySelfAssessment",
        raises=[ChangedMeanwhile, NotFoundException],
    )
    async def self_assessment(
        self, request: AuthRequest, db_session: Db, data: JSONBody[SelfAssessment]
    ) -> AssessmentOut:
        """Your own view of the assessment's areas (a new version; ``version``: the one
        you read, 0 when there is none)."""
        row = await assessment.save_self_assessment(
            db_session, request.user, expected_version=data.version, areas=data.areas
        )
        return assessment_out(row, row.areas)

    @post("/activities", operation_id="addMyPlanActivity", raises=[NotFoundException])
    async def add_activity(
        self, request: AuthRequest, db_session: Db, data: JSONBody[ActivityCreate]
    ) -> ActivityOut:
        """Add your own activity to the plan (never agreed: your coach agrees it)."""
        person = await overview.own_profile(db_session, request.user)
        activity = await plan.add_activity(
            db_session,
            person.id,
            actor=request.user,
            kind=data.kind,
            title=data.title,
            description=data.description,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            shortlist_entry_id=None,
        )
        return activity_out(activity)

    @post("/applications", operation_id="reportApplication", raises=[NotFoundException])
    async def report_application(
        self, request: AuthRequest, db_session: Db, data: JSONBody[ApplicationReport]
    ) -> ApplicationOut:
        """Report an application: from a match (``vacancy_id``) or by hand."""
        row = await obligation.report(
            db_session,
            request.user,
            kind=data.kind,
            title=data.title,
            organisation=data.organisation,
            applied_on=data.applied_on,
            vacancy_id=data.vacancy_id,
        )
        return _application_out(row)

    @post("/team/{member_id:uuid}/answer", operation_id="answerTeamProposal")
    async def answer_team(
        self,
        request: AuthRequest,
        db_session: Db,
        member_id: FromPath[UUID],
        data: JSONBody[TeamAnswer],
    ) -> MemberOut:
        """Consent to a specialist joining your team, opening the ``parts`` you choose
        (assessment, work_ability, plan, meetings), or decline / end it."""
        member = await team.answer(
            db_session, request.user, member_id, consent=data.consent, parts=data.parts
        )
        specialist = await db_session.get(User, member.specialist_id)
        assert specialist is not None
        return _member_out(member, specialist)


class SpecialistController(Controller):
    """A team specialist: the clients who opened something to them, and only that."""

    path = "/api/specialist"
    tags = ["service paths"]
    guards = [requires(Role.SPECIALIST)]

    @get("/clients", operation_id="listSpecialistClients")
    async def clients(self, request: AuthRequest, db_session: Db) -> list[SpecialistClient]:
        """The clients whose teams you are in, with the parts each opened to you."""
        return [
            SpecialistClient(
                jobseeker_id=j.id, name=name, profession=m.profession, parts=list(m.parts)
            )
            for m, j, name in await team.specialist_clients(db_session, request.user)
        ]

    @get("/clients/{jobseeker_id:uuid}", operation_id="getSpecialistClient")
    async def client(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> ServicePathOut:
        """What the client opened to you; the read is logged for the client."""
        view = await overview.for_reader(db_session, request.user, jobseeker_id)
        return service_path_out(view, request.user)
