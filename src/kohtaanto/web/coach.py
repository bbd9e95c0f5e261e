"""The personal coach's pages (OMA-valmentaja): the caseload and one client.

The client page shows the API's client overview (``api.jobseekers.client_overview``);
the caseload sums each client's shortlist entries and matches in a few grouped
queries, so 130 clients cost no more than one.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import func, select

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.jobseekers import client_overview
from kohtaanto.api.schemas import Db
from kohtaanto.db.models import (
    EntryStatus,
    Jobseeker,
    Notification,
    Role,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain import events
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
        mine = select(Jobseeker.id).where(Jobseeker.coach_id == request.user.id)
        total = await db_session.scalar(select(func.count()).select_from(mine.subquery())) or 0
        offset = max(offset, 0)
        rows = (
            await db_session.execute(
                select(Jobseeker, User.name)
                .outerjoin(User, User.id == Jobseeker.user_id)
                .where(Jobseeker.coach_id == request.user.id)
                .order_by(User.name, Jobseeker.created_at)
                .limit(PAGE_SIZE)
                .offset(offset)
            )
        ).all()
        ids = [j.id for j, _ in rows]
        statuses: dict[UUID, dict[str, int]] = {i: {} for i in ids}
        matches: dict[UUID, int] = dict.fromkeys(ids, 0)
        if ids:
            grouped = await db_session.execute(
                select(ShortlistEntry.jobseeker_id, ShortlistEntry.status, func.count())
                .where(ShortlistEntry.jobseeker_id.in_(ids))
                .group_by(ShortlistEntry.jobseeker_id, ShortlistEntry.status)
            )
            for person, status, n in grouped.all():
                statuses[person][EntryStatus(status).value] = int(n)
            # Matches found on open vacancies (the jobseeker was notified of each once).
            users = {j.user_id: j.id for j, _ in rows if j.user_id}
            if users:
                found = await db_session.execute(
                    select(Notification.recipient_id, func.count())
                    .join(Vacancy, Vacancy.id == Notification.vacancy_id)
                    .where(
                        Notification.recipient_id.in_(users),
                        Notification.kind == "match",
                        Vacancy.status == VacancyStatus.OPEN,
                    )
                    .group_by(Notification.recipient_id)
                )
                for user_id, n in found.all():
                    matches[users[user_id]] = int(n)
        clients: list[dict[str, Any]] = [
            {
                "id": j.id,
                "name": name,
                "municipality": j.municipality.name,
                "available": j.available,
                "matches": matches[j.id],
                "statuses": statuses[j.id],
                "pending": statuses[j.id].get(EntryStatus.CONSENT_REQUESTED.value, 0),
            }
            for j, name in rows
        ]
        return page(
            request,
            "coach/caseload.html",
            clients=clients,
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
            pending_total=sum(c["pending"] for c in clients),
        )

    @get("/clients/{jobseeker_id:uuid}", operation_id="pageCoachClient")
    async def client(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Template:
        """One client: profile, matches, where each shortlist stands, pending consents."""
        overview = await client_overview(db_session, request.user, jobseeker_id)
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
