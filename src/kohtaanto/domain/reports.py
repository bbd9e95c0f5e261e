"""Aggregate reports for managers and analysts, as pandas DataFrames.

One function per report; each reads rows with SQL and aggregates them with
pandas. Reports hold counts, shares and durations only: never a jobseeker's
name, profile or identifier, so a manager sees how the service works, not who
is in it. Column names are stable English identifiers (they are the CSV
headers); the web pages translate them for display.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pandas as pd
from sqlalchemy import case, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EntryStatus,
    Jobseeker,
    Municipality,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain.instruments import RULES
from kohtaanto.domain.shortlists import ACTIVE

S = EntryStatus

# The matching funnel, in workflow order. "Contacted" and "interview" are optional
# steps, so a stage counts every entry that reached it *or a later one*.
FUNNEL: tuple[EntryStatus, ...] = (
    S.SUGGESTED,
    S.CONTACTED,
    S.CONSENT_REQUESTED,
    S.CONSENTED,
    S.SHARED,
    S.INTERVIEW,
    S.HIRED,
)
_STAGE = {status.value: i for i, status in enumerate(FUNNEL)}


async def _frame(session: AsyncSession, query: Any, columns: list[str]) -> pd.DataFrame:
    rows = (await session.execute(query)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


async def funnel(session: AsyncSession) -> pd.DataFrame:
    """The matching funnel: how many shortlist entries reached each stage, and the
    conversion from the stage before and from the first stage.

    An entry's furthest stage is the furthest funnel status it ever had (its
    current status and every logged move from and to); leaving the funnel
    (declined, expired, not hired, removed) keeps the stage reached before.
    """

    def stage(column: Any) -> Any:
        return case(_STAGE, value=column, else_=None)

    # Every status an entry had: its current one and both ends of each logged move.
    seen = union_all(
        select(ShortlistEntry.id.label("entry"), stage(ShortlistEntry.status).label("stage")),
        select(ShortlistEvent.entry_id, stage(ShortlistEvent.from_status)),
        select(ShortlistEvent.entry_id, stage(ShortlistEvent.to_status)),
    ).subquery()
    per_entry = (
        select(func.max(seen.c.stage).label("furthest"))
        .where(seen.c.entry.in_(select(ShortlistEntry.id)))
        .group_by(seen.c.entry)
        .subquery()
    )
    reached = await _frame(
        session,
        select(per_entry.c.furthest, func.count()).group_by(per_entry.c.furthest),
        ["furthest", "entries"],
    )
    furthest = reached.dropna().set_index("furthest")["entries"]
    counts = [int(furthest[furthest.index >= i].sum()) for i in range(len(FUNNEL))]
    out = pd.DataFrame({"stage": [s.value for s in FUNNEL], "entries": counts})
    previous = out["entries"].shift(1)
    out["conversion_from_previous"] = (out["entries"] / previous.where(previous > 0)).round(3)
    first = counts[0]
    out["share_of_suggested"] = (out["entries"] / first).round(3) if first else float("nan")
    return out


async def by_municipality(session: AsyncSession) -> pd.DataFrame:
    """Open vacancies and placements (hired shortlist entries) by the vacancy's
    municipality; every municipality of the region is listed, with zeros."""
    places = await _frame(
        session,
        select(Municipality.id, Municipality.code, Municipality.name, Municipality.sub_region),
        ["municipality_id", "code", "municipality", "sub_region"],
    )
    vacancies = await _frame(
        session,
        select(Vacancy.municipality_id, func.count())
        .where(Vacancy.status == VacancyStatus.OPEN)
        .group_by(Vacancy.municipality_id),
        ["municipality_id", "open_vacancies"],
    )
    placements = await _frame(
        session,
        select(Vacancy.municipality_id, func.count())
        .join(Shortlist, Shortlist.vacancy_id == Vacancy.id)
        .join(ShortlistEntry, ShortlistEntry.shortlist_id == Shortlist.id)
        .where(ShortlistEntry.status == S.HIRED)
        .group_by(Vacancy.municipality_id),
        ["municipality_id", "placements"],
    )
    out = places.merge(vacancies, on="municipality_id", how="left").merge(
        placements, on="municipality_id", how="left"
    )
    for column in ("open_vacancies", "placements"):
        out[column] = out[column].fillna(0).astype(int)
    out = out.sort_values(["placements", "open_vacancies", "municipality"], ascending=[0, 0, 1])
    return out.drop(columns="municipality_id").reset_index(drop=True)


async def instruments(session: AsyncSession) -> pd.DataFrame:
    """Use of each support instrument: how many published vacancies were open to it
    (the vacancy's open_to_* flag), and on how many hires the person was estimated
    eligible for it, with the estimated saving to employers. Estimates only: the
    employment authority decides what is actually granted."""
    flags = await _frame(
        session,
        select(
            func.count(),
            func.count().filter(Vacancy.open_to_wage_subsidy.is_(True)),
            func.count().filter(Vacancy.open_to_work_trial.is_(True)),
            func.count().filter(Vacancy.open_to_apprenticeship.is_(True)),
        ).where(Vacancy.published_at.is_not(None)),
        ["all", "wage_subsidy", "work_trial", "apprenticeship"],
    )
    open_to = {k: int(v) for k, v in flags.iloc[0].items()}
    hires = await _frame(
        session,
        select(ShortlistEntry.explanation).where(ShortlistEntry.status == S.HIRED),
        ["explanation"],
    )
    estimates = pd.DataFrame(
        [
            (e.get("code"), float(e.get("total_saving_eur") or 0.0))
            for explanation in hires["explanation"]
            for e in (explanation or {}).get("instruments", [])
        ],
        columns=["instrument", "saving"],
    )
    used = estimates.groupby("instrument")["saving"].agg(["count", "sum"])
    rules: dict[str, Any] = {}
    for rule in sorted(RULES, key=lambda r: r.valid_from):
        rules[rule.code] = rule  # the newest version's label wins
    out = pd.DataFrame(
        [
            {
                "instrument": code,
                "label": rule.label,
                "vacancy_flag": rule.vacancy_flag,
                "vacancies_open_to": open_to[rule.vacancy_flag],
                "hires_estimated_eligible": int(used["count"].get(code, 0)),
                "estimated_saving_eur": round(float(used["sum"].get(code, 0.0)), 2),
            }
            for code, rule in rules.items()
        ]
    )
    out["share_of_hires"] = (
        (out["hires_estimated_eligible"] / len(hires)).round(3) if len(hires) else 0.0
    )
    return out


async def time_to_shortlist(session: AsyncSession) -> pd.DataFrame:
    """Minutes from a vacancy's publication to its first shortlist, by the month of
    publication, with a last row for all months: vacancies, median, 90th percentile.

    A vacancy republished after its shortlist was built (published later than the
    shortlist) is left out: its first wait is no longer known.
    """
    rows = await _frame(
        session,
        select(Vacancy.published_at, Shortlist.created_at)
        .join(Shortlist, Shortlist.vacancy_id == Vacancy.id)
        .where(Vacancy.published_at.is_not(None)),
        ["published_at", "shortlisted_at"],
    )
    published = pd.to_datetime(rows["published_at"], utc=True)
    shortlisted = pd.to_datetime(rows["shortlisted_at"], utc=True)
    frame = pd.DataFrame(
        {
            "month": published.dt.strftime("%Y-%m"),
            "minutes": (shortlisted - published).dt.total_seconds() / 60,
        }
    )
    frame = frame[frame["minutes"] >= 0]

    def summary(group: pd.Series) -> pd.Series:
        return pd.Series(
            {
                "vacancies": int(group.size),
                "median_minutes": round(float(group.median()), 1),
                "p90_minutes": round(float(group.quantile(0.9)), 1),
            }
        )

    columns = ["month", "vacancies", "median_minutes", "p90_minutes"]
    if frame.empty:
        return pd.DataFrame(
            [{"month": "all", "vacancies": 0, "median_minutes": None, "p90_minutes": None}],
            columns=columns,
        )
    months = frame.groupby("month")["minutes"].apply(summary).unstack().reset_index()
    total = summary(frame["minutes"]).to_frame().T.assign(month="all")
    out = pd.concat([months, total], ignore_index=True)[columns]
    out["vacancies"] = out["vacancies"].astype(int)
    return out


async def caseloads(session: AsyncSession) -> pd.DataFrame:
    """Each coach's caseload: clients, clients on an active shortlist, consent requests
    waiting for an answer, and hires. Counts only; coaches by their staff name."""
    coaches = await _frame(
        session, select(User.id, User.name).where(User.role == "coach"), ["coach_id", "coach"]
    )
    clients = await _frame(
        session,
        select(Jobseeker.coach_id, func.count())
        .where(Jobseeker.coach_id.is_not(None), Jobseeker.anonymised_at.is_(None))
        .group_by(Jobseeker.coach_id),
        ["coach_id", "clients"],
    )
    active = ShortlistEntry.status.in_(ACTIVE)
    per_coach = await _frame(
        session,
        select(
            Jobseeker.coach_id,
            func.count(func.distinct(case((active, ShortlistEntry.jobseeker_id)))),
            func.count().filter(ShortlistEntry.status == S.CONSENT_REQUESTED),
            func.count().filter(ShortlistEntry.status == S.HIRED),
        )
        .join(Jobseeker, Jobseeker.id == ShortlistEntry.jobseeker_id)
        .where(Jobseeker.coach_id.is_not(None))
        .group_by(Jobseeker.coach_id),
        ["coach_id", "clients_on_active_shortlists", "pending_consents", "hires"],
    )
    out = coaches.merge(clients, on="coach_id", how="left").merge(
        per_coach, on="coach_id", how="left"
    )
    numbers = ["clients", "clients_on_active_shortlists", "pending_consents", "hires"]
    for column in numbers:
        out[column] = out[column].fillna(0).astype(int)
    out = out.sort_values(["clients", "coach"], ascending=[False, True])
    return out[["coach", *numbers]].reset_index(drop=True)


# name -> report; the name is the CSV's file name and the page's anchor.
REPORTS: dict[str, Callable[[AsyncSession], Awaitable[pd.DataFrame]]] = {
    "funnel": funnel,
    "municipalities": by_municipality,
    "instruments": instruments,
    "time-to-shortlist": time_to_shortlist,
    "caseloads": caseloads,
}
