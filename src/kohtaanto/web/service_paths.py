"""The service-path pages: the coach's work list and client page (assessment, plan,
obligation, meetings, team), the client's own plan, and the team specialist's view.

Thin: each handler reads its form, calls one use case of
``kohtaanto.domain.service_paths`` and redirects back (refusals are shown translated
by the global handler). Never open to employers, coordinators or managers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import Role
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.service_paths import (
    assessment,
    caseload,
    meetings,
    obligation,
    overview,
    plan,
    team,
)
from kohtaanto.domain.service_paths.access import PARTS
from kohtaanto.domain.service_paths.rules import HELSINKI
from kohtaanto.i18n import N_
from kohtaanto.web.forms import date_field, int_field
from kohtaanto.web.rendering import page


def _version(form: Any) -> int:
    return int_field(form.get("version"), "version") or 0


def _common(view: overview.ServicePath) -> dict[str, Any]:
    return {
        "view": view,
        "areas": assessment.AREAS,
        "kinds": plan.KINDS,
        "client_kinds": plan.CLIENT_KINDS,
        "statuses": plan.STATUSES,
        "final": plan.FINAL,
        "parts": PARTS,
        "tz": HELSINKI,
    }


class CoachServicePathPages(Controller):
    path = "/coach"
    guards = [requires(Role.COACH)]
    include_in_schema = False

    @get("/worklist", operation_id="pageCoachWorkList")
    async def work_list(
        self, request: AuthRequest, db_session: Db, filter: FromQuery[str | None] = None
    ) -> Template:
        """The caseload as a work list: ready filters with counts, clients under one."""
        found = await caseload.work_list(db_session, request.user, filter or None)
        return page(
            request, "coach/worklist.html", found=found, filters=caseload.FILTERS, tz=HELSINKI
        )

    @get("/clients/{jobseeker_id:uuid}/path", operation_id="pageCoachServicePath")
    async def client(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Template:
        """The client's service path: assessment, plan, obligation, meetings, team."""
        view = await overview.for_reader(db_session, request.user, jobseeker_id)
        return page(
            request,
            "coach/service_path.html",
            **_common(view),
            effort_levels=assessment.EFFORT_LEVELS,
            main_goals=assessment.MAIN_GOALS,
            sources=assessment.SOURCES,
            plan_types=plan.PLAN_TYPES,
            channels=meetings.CHANNELS,
            professions=team.PROFESSIONS,
        )

    def _back(self, jobseeker_id: UUID, anchor: str) -> Redirect:
        return Redirect(f"/coach/clients/{jobseeker_id}/path#{anchor}", status_code=303)

    @post(
        "/clients/{jobseeker_id:uuid}/path/assessment",
        operation_id="pageCoachSaveAssessment",
        status_code=303,
    )
    async def save_assessment(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        await assessment.save(
            db_session,
            request.user,
            jobseeker_id,
            expected_version=_version(form),
            areas={a: form.get(f"area_{a}", "") for a in assessment.AREAS},
            effort_level=form.get("effort_level") or None,
            main_goal=form.get("main_goal") or None,
            rationale=form.get("rationale", ""),
            sources=form.getall("sources", []),
        )
        return self._back(jobseeker_id, "assessment")

    @post(
        "/clients/{jobseeker_id:uuid}/path/activities",
        operation_id="pageCoachAddActivity",
        status_code=303,
    )
    async def add_activity(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        await plan.add_activity(
            db_session,
            jobseeker_id,
            actor=request.user,
            kind=form.get("kind", ""),
            title=form.get("title", ""),
            description=form.get("description", ""),
            starts_on=date_field(form.get("starts_on"), "starts_on"),
            ends_on=date_field(form.get("ends_on"), "ends_on"),
            agreed=form.get("agreed") == "on",
        )
        return self._back(jobseeker_id, "plan")

    @post(
        "/activities/{activity_id:uuid}/status",
        operation_id="pageCoachActivityStatus",
        status_code=303,
    )
    async def activity_status(
        self, request: AuthRequest, db_session: Db, activity_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        activity, p = await plan.activity_for(db_session, request.user, activity_id)
        if form.get("agree") == "on":
            await plan.update_activity(
                db_session,
                activity_id,
                actor=request.user,
                expected_version=_version(form),
                changes={"agreed": True},
            )
        else:
            await plan.set_status(
                db_session,
                activity_id,
                form.get("status", ""),
                actor=request.user,
                expected_version=_version(form),
            )
        return self._back(p.jobseeker_id, f"activity-{activity.id}")

    @post(
        "/clients/{jobseeker_id:uuid}/path/obligation",
        operation_id="pageCoachObligation",
        status_code=303,
    )
    async def set_obligation(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        await plan.set_obligation(
            db_session,
            request.user,
            jobseeker_id,
            applications_per_month=int_field(
                form.get("applications_per_month"), "applications_per_month"
            ),
            reason=form.get("reason"),
            plan_type=form.get("plan_type") or None,
            expected_version=_version(form),
        )
        return self._back(jobseeker_id, "obligation")

    @post(
        "/clients/{jobseeker_id:uuid}/path/meetings",
        operation_id="pageCoachScheduleMeeting",
        status_code=303,
    )
    async def schedule_meeting(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        try:
            local = datetime.fromisoformat(f"{form.get('date', '')}T{form.get('time', '')}")
        except ValueError:
            raise DomainError("bad_time", N_("Give the date and time"), field="date") from None
        await meetings.schedule(
            db_session,
            request.user,
            jobseeker_id,
            starts_at=local.replace(tzinfo=HELSINKI),
            duration_minutes=int_field(form.get("duration_minutes"), "duration_minutes") or 45,
            channel=form.get("channel", ""),
            address=form.get("address"),
            video_url=form.get("video_url"),
            preparation=form.get("preparation", ""),
        )
        return self._back(jobseeker_id, "meetings")

    @post("/meetings/{meeting_id:uuid}/minutes", operation_id="pageCoachMinutes", status_code=303)
    async def minutes(
        self, request: AuthRequest, db_session: Db, meeting_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        meeting = await meetings.write_minutes(
            db_session,
            request.user,
            meeting_id,
            minutes=form.get("minutes", ""),
            publish=form.get("publish") == "on",
        )
        return self._back(meeting.jobseeker_id, f"meeting-{meeting.id}")

    @post("/clients/{jobseeker_id:uuid}/path/team", operation_id="pageCoachTeam", status_code=303)
    async def propose_member(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        await team.propose(
            db_session,
            request.user,
            jobseeker_id,
            specialist_email=form.get("specialist_email", ""),
            profession=form.get("profession", ""),
            parts=form.getall("parts", []),
        )
        return self._back(jobseeker_id, "team")


class MyPlanPages(Controller):
    path = "/jobseeker/plan"
    guards = [requires(Role.JOBSEEKER)]
    include_in_schema = False

    @get("/", operation_id="pageMyPlan")
    async def my_plan(self, request: AuthRequest, db_session: Db) -> Template:
        """My plan, my job-search month, my meetings, my team and my self-assessment."""
        view = await overview.mine(db_session, request.user)
        return page(
            request,
            "jobseeker/plan.html",
            **_common(view),
            matches=await obligation.unreported_matches(db_session, request.user),
        )

    def _back(self, anchor: str) -> Redirect:
        return Redirect(f"/jobseeker/plan#{anchor}", status_code=303)

    @post("/applications", operation_id="pageMyApplication", status_code=303)
    async def report(self, request: AuthRequest, db_session: Db) -> Redirect:
        form = await request.form()
        vacancy = form.get("vacancy_id")
        try:
            vacancy_id = UUID(vacancy) if vacancy else None
        except ValueError:
            raise DomainError("bad_vacancy", N_("Vacancy not found"), field="vacancy_id") from None
        await obligation.report(
            db_session,
            request.user,
            kind=form.get("kind") or "job",
            title=form.get("title", ""),
            organisation=form.get("organisation", ""),
            applied_on=date_field(form.get("applied_on"), "applied_on"),
            vacancy_id=vacancy_id,
        )
        return self._back("job-search")

    @post("/activities", operation_id="pageMyActivity", status_code=303)
    async def add_activity(self, request: AuthRequest, db_session: Db) -> Redirect:
        form = await request.form()
        person = await overview.own_profile(db_session, request.user)
        await plan.add_activity(
            db_session,
            person.id,
            actor=request.user,
            kind=form.get("kind", ""),
            title=form.get("title", ""),
            description=form.get("description", ""),
            starts_on=date_field(form.get("starts_on"), "starts_on"),
            ends_on=date_field(form.get("ends_on"), "ends_on"),
        )
        return self._back("plan")

    @post(
        "/activities/{activity_id:uuid}/status",
        operation_id="pageMyActivityStatus",
        status_code=303,
    )
    async def activity_status(
        self, request: AuthRequest, db_session: Db, activity_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        await plan.set_status(
            db_session,
            activity_id,
            form.get("status", ""),
            actor=request.user,
            expected_version=_version(form),
        )
        return self._back(f"activity-{activity_id}")

    @post("/self-assessment", operation_id="pageMySelfAssessment", status_code=303)
    async def self_assessment(self, request: AuthRequest, db_session: Db) -> Redirect:
        form = await request.form()
        await assessment.save_self_assessment(
            db_session,
            request.user,
            expected_version=_version(form),
            areas={a: form.get(f"area_{a}", "") for a in assessment.AREAS},
        )
        return self._back("assessment")

    @post("/team/{member_id:uuid}", operation_id="pageMyTeamAnswer", status_code=303)
    async def team_answer(
        self, request: AuthRequest, db_session: Db, member_id: FromPath[UUID]
    ) -> Redirect:
        form = await request.form()
        await team.answer(
            db_session,
            request.user,
            member_id,
            consent=form.get("consent") == "yes",
            parts=form.getall("parts", []),
        )
        return self._back("team")


class SpecialistPages(Controller):
    path = "/specialist"
    guards = [requires(Role.SPECIALIST)]
    include_in_schema = False

    @get("/", operation_id="pageSpecialistClients")
    async def clients(self, request: AuthRequest, db_session: Db) -> Template:
        """The clients whose teams I am in, with what each opened to me."""
        rows = await team.specialist_clients(db_session, request.user)
        return page(request, "specialist/clients.html", rows=rows)

    @get("/clients/{jobseeker_id:uuid}", operation_id="pageSpecialistClient")
    async def client(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Template:
        """What the client opened to me (the read is logged for the client)."""
        view = await overview.for_reader(db_session, request.user, jobseeker_id)
        return page(request, "specialist/client.html", **_common(view))
