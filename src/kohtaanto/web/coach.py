"""The personal coach's pages (OMA-valmentaja): the caseload and one client.

Both read the coach's caseload use cases (``domain.caseload``), as the API does.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import Jobseeker, Role, User
from kohtaanto.domain import caseload, events
from kohtaanto.web.rendering import page

PAGE_SIZE = 50


class CoachPages(Controller):
    path = "/coach"
    guards = [requires(Role.COACH)]
    include_in_schema = False

    @get("/", operation_id="pageCoachCaseload")
    async def caseload(
        self, request: AuthRequest, db_session: Db, offset: FromQuery[int] = 0
    ) -> Template:
        """The coach's clients with their matches, shortlist statuses and pending consents."""
        offset = max(offset, 0)
        mine = await caseload.caseload(db_session, request.user, offset=offset, limit=PAGE_SIZE)
        return page(
            request,
            "coach/caseload.html",
            clients=mine.clients,
            total=mine.total,
            offset=offset,
            page_size=PAGE_SIZE,
            pending_total=mine.pending_total,
        )

    @get("/clients/{jobseeker_id:uuid}", operation_id="pageCoachClient")
    async def client(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Template:
        """One client: profile, matches, where each shortlist stands, pending consents."""
        overview = await caseload.client_overview(db_session, request.user, jobseeker_id)
        person = await db_session.get(Jobseeker, jobseeker_id)
        account = await db_session.get(User, person.user_id) if person and person.user_id else None
        return page(
            request,
            "coach/client.html",
            overview=overview,
            name=account.name if account else None,
            # Recruitment events the client is invited to or booked at (domain.events).
            events=await events.client_events(db_session, request.user, jobseeker_id),
        )
