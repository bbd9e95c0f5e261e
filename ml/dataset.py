"""What the model learns from, read from the database: the population as facts, and the
labelled history (shortlist entries with outcomes) split by time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db import session_scope
from kohtaanto.db.loaders import iter_jobseekers, iter_vacancies
from kohtaanto.db.models import (
    EmploymentArea,
    EntryStatus,
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    JobseekerOccupation,
    JobseekerSkill,
    Municipality,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    Vacancy,
)
from ml.facts import JobseekerFacts, VacancyFacts
from ml.features import FEATURES


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


async def jobseeker_facts(
    session: AsyncSession, ids: Sequence[UUID], *, findable_only: bool = False
) -> list[JobseekerFacts]:
    """The ranking facts of these jobseekers, read with plain column queries.

    The same facts as ``JobseekerFacts.from_orm`` (a test holds them equal), without
    building ORM rows for each person and each of their skills: this is on the hot
    path of every shortlist. ``findable_only`` keeps only those who consent to be
    found and are available — the database is the truth, the index may lag.
    """
    # One query per chunk: each person's skills and occupations come as arrays from
    # correlated subqueries (index lookups), not as thousands of link rows to regroup.
    skill_uris = (
        select(func.array_agg(EscoSkill.uri))
        .join(JobseekerSkill, JobseekerSkill.skill_id == EscoSkill.id)
        .where(JobseekerSkill.jobseeker_id == Jobseeker.id)
        .scalar_subquery()
    )
    occupation_uris, isco_codes = (
        select(func.array_agg(column))
        .join(JobseekerOccupation, JobseekerOccupation.occupation_id == EscoOccupation.id)
        .where(JobseekerOccupation.jobseeker_id == Jobseeker.id)
        .scalar_subquery()
        for column in (EscoOccupation.uri, EscoOccupation.isco_code)
    )
    facts: list[JobseekerFacts] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        people = (
            select(
                Jobseeker.id,
                Jobseeker.max_travel_km,
                Jobseeker.languages,
                Jobseeker.education,
                Jobseeker.min_hours_per_week,
                Jobseeker.max_hours_per_week,
                Jobseeker.birth_year,
                Jobseeker.unemployed_since,
                Jobseeker.reduced_work_ability,
                Jobseeker.integration_plan,
                Municipality.lat,
                Municipality.lon,
                Municipality.name,
                EmploymentArea.name,
                skill_uris,
                occupation_uris,
                isco_codes,
            )
            .join(Municipality, Municipality.id == Jobseeker.municipality_id)
            .outerjoin(EmploymentArea, EmploymentArea.id == Municipality.area_id)
            .where(Jobseeker.id.in_(chunk))
        )
        if findable_only:
            people = people.where(Jobseeker.visible_to_employers, Jobseeker.available)
        for row in await session.execute(people):
            (
                j_id,
                travel,
                langs,
                edu,
                lo,
                hi,
                born,
                since,
                reduced,
                plan,
                lat,
                lon,
                place,
                area,
                skills,
                occupations,
                isco,
            ) = row
            facts.append(
                JobseekerFacts(
                    id=str(j_id),
                    skill_uris=frozenset(skills or ()),
                    occupation_uris=frozenset(occupations or ()),
                    isco_codes=frozenset(code for code in isco or () if code),
                    lat=lat,
                    lon=lon,
                    municipality=place,
                    max_travel_km=travel,
                    languages=frozenset(langs or ()),
                    education=getattr(edu, "value", edu),
                    min_hours_per_week=lo,
                    max_hours_per_week=hi,
                    birth_year=born,
                    unemployed_since=since,
                    reduced_work_ability=reduced,
                    integration_plan=plan,
                    area=area,
                )
            )
    return facts


_CHUNK = 1000  # ids per IN (…) list


# --- labelled history ---------------------------------------------------------------------------

HOLDOUT_DAYS = 91  # the last ~3 months of history are held out
VALIDATION_DAYS = 61  # the ~2 months before them calibrate and choose the model


async def load_outcomes() -> pd.DataFrame:
    """Labelled training rows: every shortlist entry with an outcome, as ranked then.

    One row per entry: ``vacancy_id``, ``jobseeker_id``, ``published_at`` (the
    vacancy's), its shortlist ``rank``, the
    point-in-time ``FEATURES`` stored with the entry, ``grade`` (hired 2,
    interviewed 1, else 0) and ``label`` (interviewed or hired). An entry has an
    outcome when it was hired or not hired, or reached an interview. Entries
    without stored features (added by hand before features were kept) are skipped.
    """
    interviewed = (
        select(ShortlistEvent.entry_id)
        .where(ShortlistEvent.to_status == EntryStatus.INTERVIEW)
        .scalar_subquery()
    )
    query = (
        select(
            ShortlistEntry.id,
            ShortlistEntry.rank,
            Vacancy.id,
            Vacancy.published_at,
            ShortlistEntry.features,
            ShortlistEntry.status,
            ShortlistEntry.id.in_(interviewed),
            ShortlistEntry.jobseeker_id,
        )
        .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
        .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
        .where(
            Vacancy.published_at.is_not(None),
            or_(
                ShortlistEntry.status.in_([EntryStatus.HIRED, EntryStatus.NOT_HIRED]),
                ShortlistEntry.status == EntryStatus.INTERVIEW,
                ShortlistEntry.id.in_(interviewed),
            ),
        )
    )
    rows = []
    async with session_scope() as session:
        for (
            entry_id,
            rank,
            vacancy_id,
            published,
            features,
            status,
            had_interview,
            jobseeker_id,
        ) in await session.execute(query):
            if not features or any(f not in features for f in FEATURES):
                continue
            grade = (
                2
                if status == EntryStatus.HIRED
                else int(bool(had_interview) or status == EntryStatus.INTERVIEW)
            )
            rows.append(
                (
                    str(entry_id),
                    rank,
                    str(vacancy_id),
                    str(jobseeker_id),
                    published,
                    *(features[f] for f in FEATURES),
                    grade,
                )
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "entry_id",
            "rank",
            "vacancy_id",
            "jobseeker_id",
            "published_at",
            *FEATURES,
            "grade",
        ],
    )
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    frame["label"] = (frame["grade"] > 0).astype(int)
    return frame.sort_values(["published_at", "vacancy_id", "entry_id"], ignore_index=True)


@dataclass(frozen=True)
class TimeSplit:
    """Rows split by the vacancy's publication time: fit < validation < held-out."""

    fit: pd.DataFrame
    validation: pd.DataFrame
    holdout: pd.DataFrame
    validation_start: pd.Timestamp
    cutoff: pd.Timestamp

    def describe(self) -> dict[str, object]:
        def span(frame: pd.DataFrame) -> dict[str, object]:
            if frame.empty:
                return {"rows": 0}
            return {
                "rows": len(frame),
                "vacancies": int(frame["vacancy_id"].nunique()),
                "from": frame["published_at"].min().isoformat(),
                "to": frame["published_at"].max().isoformat(),
                "positive_rate": round(float(frame["label"].mean()), 4),
            }

        return {
            "split": (
                f"by time: fit before {self.validation_start:%Y-%m-%d}, validation (calibration, "
                f"model choice) until {self.cutoff:%Y-%m-%d}, held out from then on "
                f"({HOLDOUT_DAYS} days)"
            ),
            "fit": span(self.fit),
            "validation": span(self.validation),
            "holdout": span(self.holdout),
        }


def time_cutoff(published: pd.Series, holdout_days: int = HOLDOUT_DAYS) -> pd.Timestamp:
    """The start of the held-out period: `holdout_days` before the latest publication."""
    return published.max() - pd.Timedelta(days=holdout_days)


def time_split(
    frame: pd.DataFrame,
    holdout_days: int = HOLDOUT_DAYS,
    validation_days: int = VALIDATION_DAYS,
) -> TimeSplit:
    """Split labelled rows by publication time; a vacancy's rows stay together."""
    if frame.empty:
        raise ValueError("no labelled outcomes: simulate or record some history first")
    cutoff = time_cutoff(frame["published_at"], holdout_days)
    start = cutoff - pd.Timedelta(days=validation_days)
    at = frame["published_at"]
    return TimeSplit(
        fit=frame[at < start],
        validation=frame[(at >= start) & (at < cutoff)],
        holdout=frame[at >= cutoff],
        validation_start=start,
        cutoff=cutoff,
    )
