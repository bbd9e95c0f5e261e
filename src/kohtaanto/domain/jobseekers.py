"""Jobseeker profiles: saving one sets indexing and match notifications in motion."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto import queue
from kohtaanto.db.models import Jobseeker, User
from kohtaanto.domain import outbox


async def of_user(session: AsyncSession, user: User) -> Jobseeker | None:
    """The profile belonging to a jobseeker's login, if they have made one."""
    return await session.scalar(select(Jobseeker).where(Jobseeker.user_id == user.id))


def saved(session: AsyncSession, jobseeker: Jobseeker) -> None:
    """Record that the profile changed: reindex it and look for matching vacancies."""
    outbox.record(session, queue.JOBSEEKER_SAVED, jobseeker_id=str(jobseeker.id))
