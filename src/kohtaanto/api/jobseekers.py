"""The jobseeker's own profile, and a coach's view of their clients: the JSON door of
``kohtaanto.domain.jobseekers`` and ``kohtaanto.domain.privacy``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from advanced_alchemy.service import OffsetPagination
from litestar import Controller, delete, get, put
from litestar.params import FromPath, JSONBody
from sqlalchemy import select

from kohtaanto.api.schemas import Db, PageLimit, PageOffset, page_of
from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db.models import Jobseeker, Role
from kohtaanto.db.paging import paginate
from kohtaanto.domain import caseload, jobseekers, privacy
from kohtaanto.domain.caseload import ClientOverview
from kohtaanto.domain.jobseekers import (
    ClientEntry,
    MyMatch,
    Profile,
    ProfileWrite,
    profile_out,
)
from kohtaanto.domain.privacy import ProfileViewOut


class JobseekerController(Controller):
    path = "/api/jobseekers"
    tags = ["jobseekers"]

    @get("/me", operation_id="getMyProfile", guards=[requires(Role.JOBSEEKER)])
    async def get_profile(self, request: AuthRequest, db_session: Db) -> Profile:
        """The jobseeker's own profile."""
        return profile_out(await jobseekers.profile_of(db_session, request.user))

    @get("/me/matches", operation_id="listMyMatches", guards=[requires(Role.JOBSEEKER)])
    async def list_matches(self, request: AuthRequest, db_session: Db) -> list[MyMatch]:
        """Vacancies found for the jobseeker and shortlists they are on, best first, with
        why; without what the person would cost an employer (see ``without_costs``)."""
        return await jobseekers.my_matches(db_session, request.user)

    @get("/me/entries", operation_id="listMyShortlistEntries", guards=[requires(Role.JOBSEEKER)])
    async def list_entries(self, request: AuthRequest, db_session: Db) -> list[ClientEntry]:
        """The shortlists the jobseeker is on, with consent requests to answer."""
        return await jobseekers.my_entries(db_session, request.user)

    @get("/me/views", operation_id="listMyProfileViews", guards=[requires(Role.JOBSEEKER)])
    async def list_views(self, request: AuthRequest, db_session: Db) -> list[ProfileViewOut]:
        """Who viewed or shortlisted the jobseeker's profile, and when (newest first)."""
        return await privacy.my_views(db_session, request.user)

    @get("/me/export", operation_id="exportMyData", guards=[requires(Role.JOBSEEKER)])
    async def export_data(self, request: AuthRequest, db_session: Db) -> dict[str, Any]:
        """All the data held about the jobseeker, as JSON (GDPR: right of access)."""
        return await privacy.export(db_session, request.user)

    @delete("/me", operation_id="eraseMe", guards=[requires(Role.JOBSEEKER)])
    async def erase(self, request: AuthRequest, db_session: Db) -> None:
        """Erase the jobseeker (GDPR): profile and account anonymised, login disabled,
        removed from active shortlists and from search; logs stay without personal data."""
        await privacy.erase_me(db_session, request.user)

    @put("/me", operation_id="saveMyProfile", guards=[requires(Role.JOBSEEKER)])
    async def save_profile(
        self, request: AuthRequest, db_session: Db, data: JSONBody[ProfileWrite]
    ) -> Profile:
        """Create or replace the jobseeker's own profile; matches are looked for afterwards."""
        return profile_out(await jobseekers.save_profile(db_session, request.user, data))


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
        return await paginate(
            db_session,
            query,
            page_of(limit, offset),
            [Jobseeker.created_at, Jobseeker.id],
            profile_out,
        )

    @get("/clients/{jobseeker_id:uuid}", operation_id="getMyClient")
    async def get_client(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> ClientOverview:
        """One client: their matches, shortlist statuses, pending consents and outcomes."""
        return await caseload.client_overview(db_session, request.user, jobseeker_id)
