"""The population the model is trained on, read from the database as facts."""

from __future__ import annotations

from kohtaanto.db import session_scope
from ml.facts import JobseekerFacts, VacancyFacts
from search.documents import iter_jobseekers, iter_vacancies


async def load_population() -> tuple[list[VacancyFacts], list[JobseekerFacts]]:
    """Every vacancy and jobseeker profile, as ranking facts."""
    async with session_scope() as session:
        vacancies = [
            VacancyFacts.from_orm(v) async for batch in iter_vacancies(session) for v in batch
        ]
        jobseekers = [
            JobseekerFacts.from_orm(j) async for batch in iter_jobseekers(session) for j in batch
        ]
    return vacancies, jobseekers
