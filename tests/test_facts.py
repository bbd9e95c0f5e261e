"""The shortlist's fast read of ranking facts says exactly what the ORM says."""

from __future__ import annotations

from sqlalchemy import select, update

from kohtaanto.db import session_scope
from kohtaanto.db.models import Jobseeker
from kohtaanto.demo.seed import seed_demo
from ml.dataset import jobseeker_facts
from ml.facts import JobseekerFacts
from search.documents import load_jobseekers


async def test_fast_facts_equal_orm_facts(clean: None) -> None:
    async with session_scope() as session:
        await seed_demo(session, jobseekers=60, employers=4, vacancies=5, seed=3)
    async with session_scope() as session:
        ids = list((await session.scalars(select(Jobseeker.id))).all())
        hidden = ids[:5]
        await session.execute(
            update(Jobseeker).where(Jobseeker.id.in_(hidden)).values(visible_to_employers=False)
        )
    async with session_scope() as session:
        fast = {f.id: f for f in await jobseeker_facts(session, ids)}
        orm = {str(j.id): JobseekerFacts.from_orm(j) for j in await load_jobseekers(session, ids)}
        findable = await jobseeker_facts(session, ids, findable_only=True)
    assert len(fast) == 60 and fast == orm
    assert {f.id for f in findable}.isdisjoint({str(i) for i in hidden})
    assert len(findable) <= 55
