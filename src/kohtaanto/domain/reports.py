"""Aggregate reports for managers and analysts, as pandas DataFrames.

One function per report; each reads rows with SQL and aggregates them with
pandas. Reports hold counts, shares and durations only: never a jobseeker's
name, profile or identifier, so a manager sees how the service works, not who
is in it. Counts of people below five are suppressed (shown as "<5", with a
complementary cell hidden so that a total cannot give them back), because a
small count combined with what a manager knows can single a person out (a
placement by instrument may reveal one person's reduced work ability).
Every report takes a :class:`ReportFilter` (period and place). Column names
are stable English identifiers (they are the CSV headers); the web pages
translate them for display.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Employer,
    EmploymentArea,
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
from kohtaanto.domain.instruments import RULES, InstrumentEstimator, JobFacts
from kohtaanto.domain.shortlists import ACTIVE

S = EntryStatus
HELSINKI = ZoneInfo("Europe/Helsinki")

# Counts of people below this are not shown (the usual threshold of Finnish
# official statistics); ``BELOW`` is what the page and the CSV show instead, and
# ``HIDDEN`` replaces a figure derived from a hidden count (a share, a sum of euros).
SMALL_COUNT = 5
BELOW = "<5"
HIDDEN = ".."
TOTAL = "all"  # the label of a report's total row

# The matching funnel, in workflow order. "Contacted" and "interview" are optional
# steps, so an entry may skip them on its way further.
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

# Clients per coach, as the bins of the caseload distribution (lower bounds; the
# last bin is open). The design's reference caseload is about 130.
CASELOAD_BINS: tuple[int, ...] = (0, 50, 100, 120, 140, 160, 200)


@dataclass(frozen=True)
class ReportFilter:
    """Which part of the service a report covers: a period (dates inclusive, Finnish
    time) and a place (a municipality by its code, or an employment area)."""

    since: date | None = None
    until: date | None = None
    area_id: int | None = None
    municipality_code: str | None = None

    def period(self, column: Any) -> ColumnElement[bool]:
        """``column`` (a timestamp) falls in the period."""
        conditions = []
        if self.since is not None:
            conditions.append(column >= datetime.combine(self.since, time(), HELSINKI))
        if self.until is not None:
            end = datetime.combine(self.until + timedelta(days=1), time(), HELSINKI)
            conditions.append(column < end)
        return and_(true(), *conditions)

    def place(self, column: Any) -> ColumnElement[bool]:
        """``column`` (a municipality id) is in the chosen municipality or area."""
        if self.municipality_code:
            return column.in_(
                select(Municipality.id).where(Municipality.code == self.municipality_code)
            )
        if self.area_id is not None:
            return column.in_(select(Municipality.id).where(Municipality.area_id == self.area_id))
        return true()


EVERYTHING = ReportFilter()


def suppress(
    frame: pd.DataFrame,
    counts: Iterable[str],
    derived: Mapping[str, Iterable[str]] | None = None,
    *,
    label: str | None = None,
) -> pd.DataFrame:
    """Hide counts of people from 1 to 4 ("<5"), and enough other cells that no sum
    gives them back ("..").

    Within each column in ``counts``, a hidden cell is recoverable from the total
    (shown in a ``label`` == "all" row, or known from another report) if it is the
    only one hidden, so the smallest other cell is hidden too (complementary
    suppression, shown as ".." because it may well be five or more); a total below
    five is "<5" as well. Columns in ``derived[c]`` (shares, euros computed from
    count ``c``) are hidden where ``c`` is. Zero is shown: it reveals nobody.
    """
    out = frame.astype(object).copy()
    is_total = frame[label] == TOTAL if label is not None else pd.Series(False, index=frame.index)
    cells = ~is_total
    for column in counts:
        values = pd.to_numeric(frame[column], errors="coerce").fillna(0)
        small = (values > 0) & (values < SMALL_COUNT)
        complement = pd.Series(False, index=frame.index)
        if int((small & cells).sum()) == 1:
            # The smallest other cell: non-zero first (hiding a known zero hides nothing).
            others = values[cells & ~small]
            order = sorted(others.index, key=lambda i: (others[i] == 0, others[i]))
            if order:
                complement[order[0]] = True
            else:
                complement |= is_total & ~small
        for index in small[small].index:
            out.at[index, column] = BELOW
        for index in complement[complement].index:
            out.at[index, column] = HIDDEN
        for index in (small | complement)[small | complement].index:
            for other in (derived or {}).get(column, ()):
                out.at[index, other] = HIDDEN
    return out


def neutralise_csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe
    (OWASP's advice on CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> str:
    """A report as CSV (stable English headers), every text cell neutralised."""
    safe = frame.astype(object).map(neutralise_csv_cell)
    safe.columns = [str(neutralise_csv_cell(str(c))) for c in safe.columns]
    return str(safe.to_csv(index=False))


async def _frame(session: AsyncSession, query: Any, columns: list[str]) -> pd.DataFrame:
    rows = (await session.execute(query)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


async def funnel(session: AsyncSession, where: ReportFilter = EVERYTHING) -> pd.DataFrame:
    """The matching funnel of a cohort: the shortlist entries suggested in the period
    (for vacancies in the place), by the furthest stage each one reached, with the
    share of the cohort, and a total row.

    An entry's furthest stage is the furthest funnel status it ever had (its
    current status and every logged move from and to); leaving the funnel
    (declined, expired, not hired, removed) keeps the stage reached before. Each
    entry is counted once, at its furthest stage, so the rows add up to the cohort.
    """

    def stage(column: Any) -> Any:
        return case(_STAGE, value=column, else_=None)

    cohort = (
        select(ShortlistEntry.id)
        .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
        .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
        .where(where.period(ShortlistEntry.created_at), where.place(Vacancy.municipality_id))
    )
    # Every status an entry had: its current one and both ends of each logged move.
    seen = union_all(
        select(ShortlistEntry.id.label("entry"), stage(ShortlistEntry.status).label("stage")),
        select(ShortlistEvent.entry_id, stage(ShortlistEvent.from_status)),
        select(ShortlistEvent.entry_id, stage(ShortlistEvent.to_status)),
    ).subquery()
    per_entry = (
        select(func.max(seen.c.stage).label("furthest"))
        .where(seen.c.entry.in_(cohort))
        .group_by(seen.c.entry)
        .subquery()
    )
    reached = await _frame(
        session,
        select(per_entry.c.furthest, func.count()).group_by(per_entry.c.furthest),
        ["furthest", "entries"],
    )
    furthest = reached.dropna().set_index("furthest")["entries"]
    counts = [int(furthest.get(i, 0)) for i in range(len(FUNNEL))]
    total = sum(counts)
    out = pd.DataFrame({"stage": [*(s.value for s in FUNNEL), TOTAL], "entries": [*counts, total]})
    out["share_of_cohort"] = (out["entries"] / total).round(3) if total else float("nan")
    return out


async def by_municipality(session: AsyncSession, where: ReportFilter = EVERYTHING) -> pd.DataFrame:
    """Open vacancies (published in the period) and placements (entries hired in the
    period) by the vacancy's municipality; every municipality of the place is listed,
    with zeros."""
    places = await _frame(
        session,
        select(Municipality.id, Municipality.code, Municipality.name, Municipality.sub_region)
        .where(where.place(Municipality.id))
        .order_by(Municipality.name),
        ["municipality_id", "code", "municipality", "sub_region"],
    )
    vacancies = await _frame(
        session,
        select(Vacancy.municipality_id, func.count())
        .where(Vacancy.status == VacancyStatus.OPEN, where.period(Vacancy.published_at))
        .group_by(Vacancy.municipality_id),
        ["municipality_id", "open_vacancies"],
    )
    placements = await _frame(
        session,
        select(Vacancy.municipality_id, func.count())
        .join(Shortlist, Shortlist.vacancy_id == Vacancy.id)
        .join(ShortlistEntry, ShortlistEntry.shortlist_id == Shortlist.id)
        .where(ShortlistEntry.status == S.HIRED, where.period(ShortlistEntry.status_changed_at))
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


# Every instrument code an explanation estimated (a constant jsonpath, not user input).
_INSTRUMENT_CODES: ColumnElement[Any] = literal_column("'$.instruments[*].code'::jsonpath")


def _newest_rules() -> dict[str, Any]:
    rules: dict[str, Any] = {}
    for rule in sorted(RULES, key=lambda r: r.valid_from):
        rules[rule.code] = rule  # the newest version's label wins
    return rules


async def instruments(session: AsyncSession, where: ReportFilter = EVERYTHING) -> pd.DataFrame:
    """Use of each support instrument, for the vacancies published in the period and
    place:

    - ``vacancies_open_to``: vacancies that offered it: open to its kind of support,
      and meeting its own conditions on the publishing day (rule in force, employer
      kind, weekly hours, the area of a local supplement);
    - ``vacancies_with_eligible_candidates``: of those, vacancies whose shortlist
      had someone estimated eligible for it (the ranking explanation's estimates);
    - ``hires_estimated_eligible`` and ``estimated_saving_eur``: hires whose
      explanation estimated it, and the total saving those estimates name.

    Estimates only: the employment authority decides what is actually granted.
    """
    in_scope = and_(where.period(Vacancy.published_at), where.place(Vacancy.municipality_id))
    vacancies = await _frame(
        session,
        select(
            Vacancy.published_at,
            Vacancy.open_to_wage_subsidy,
            Vacancy.open_to_work_trial,
            Vacancy.open_to_apprenticeship,
            Vacancy.monthly_pay_eur,
            Vacancy.hours_per_week,
            Employer.kind,
            EmploymentArea.name,
        )
        .join(Employer, Employer.id == Vacancy.employer_id)
        .join(Municipality, Municipality.id == Vacancy.municipality_id)
        .outerjoin(EmploymentArea, EmploymentArea.id == Municipality.area_id)
        .where(Vacancy.published_at.is_not(None), in_scope),
        ["published_at", "wage", "trial", "apprenticeship", "pay", "hours", "kind", "area"],
    )
    offered: dict[str, int] = {}
    for v in vacancies.itertuples(index=False):
        job = JobFacts(
            open_to_wage_subsidy=bool(v.wage),
            open_to_work_trial=bool(v.trial),
            open_to_apprenticeship=bool(v.apprenticeship),
            monthly_pay_eur=None if _missing(v.pay) else float(v.pay),
            hours_per_week=float(v.hours),
            employer_kind=str(getattr(v.kind, "value", v.kind)),  # type: ignore[arg-type]
        )
        for rule in InstrumentEstimator(job, on=v.published_at.date()).offered:
            if rule.area is None or rule.area == v.area:
                offered[rule.code] = offered.get(rule.code, 0) + 1

    # The instrument codes each entry's explanation estimated, expanded in the database.
    estimated = (
        select(
            Shortlist.vacancy_id.label("vacancy_id"),
            func.jsonb_path_query(ShortlistEntry.explanation, _INSTRUMENT_CODES, type_=JSONB).label(
                "code"
            ),
        )
        .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
        .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
        .where(Vacancy.published_at.is_not(None), in_scope)
        .subquery()
    )
    with_candidates = await _frame(
        session,
        select(
            estimated.c.code,
            func.count(func.distinct(estimated.c.vacancy_id)),
        ).group_by(estimated.c.code),
        ["instrument", "vacancies"],
    )
    candidates = with_candidates.set_index("instrument")["vacancies"]
    hires = await _frame(
        session,
        select(ShortlistEntry.explanation["instruments"])
        .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
        .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
        .where(ShortlistEntry.status == S.HIRED, in_scope),
        ["instruments"],
    )
    estimates = pd.DataFrame(
        [
            (e.get("code"), float(e.get("total_saving_eur") or 0.0))
            for listed in hires["instruments"]
            for e in (listed or [])
        ],
        columns=["instrument", "saving"],
    )
    used = estimates.groupby("instrument")["saving"].agg(["count", "sum"])
    out = pd.DataFrame(
        [
            {
                "instrument": code,
                "label": rule.label,
                "vacancy_flag": rule.vacancy_flag,
                "vacancies_open_to": offered.get(code, 0),
                "vacancies_with_eligible_candidates": int(candidates.get(code, 0)),
                "hires_estimated_eligible": int(used["count"].get(code, 0)),
                "estimated_saving_eur": round(float(used["sum"].get(code, 0.0)), 2),
            }
            for code, rule in _newest_rules().items()
        ]
    )
    out["share_of_hires"] = (
        (out["hires_estimated_eligible"] / len(hires)).round(3) if len(hires) else 0.0
    )
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


async def time_to_shortlist(
    session: AsyncSession, where: ReportFilter = EVERYTHING
) -> pd.DataFrame:
    """Hours from a vacancy's publication to its first shortlist, by the month of
    publication (only months with vacancies), with a last row for the whole period:
    vacancies, median, 90th percentile.

    A vacancy republished after its shortlist was built (published later than the
    shortlist) is left out: its first wait is no longer known.
    """
    rows = await _frame(
        session,
        select(Vacancy.published_at, func.min(Shortlist.created_at))
        .join(Shortlist, Shortlist.vacancy_id == Vacancy.id)
        .where(
            Vacancy.published_at.is_not(None),
            where.period(Vacancy.published_at),
            where.place(Vacancy.municipality_id),
        )
        .group_by(Vacancy.id, Vacancy.published_at),
        ["published_at", "shortlisted_at"],
    )
    published = pd.to_datetime(rows["published_at"], utc=True)
    shortlisted = pd.to_datetime(rows["shortlisted_at"], utc=True)
    frame = pd.DataFrame(
        {
            "month": published.dt.tz_convert(HELSINKI).dt.strftime("%Y-%m"),
            "hours": (shortlisted - published).dt.total_seconds() / 3600,
        }
    )
    frame = frame[frame["hours"] >= 0]

    def summary(group: pd.Series) -> pd.Series:
        return pd.Series(
            {
                "vacancies": int(group.size),
                "median_hours": round(float(group.median()), 1),
                "p90_hours": round(float(group.quantile(0.9)), 1),
            }
        )

    columns = ["month", "vacancies", "median_hours", "p90_hours"]
    if frame.empty:
        return pd.DataFrame(
            [{"month": TOTAL, "vacancies": 0, "median_hours": None, "p90_hours": None}],
            columns=columns,
        )
    months = frame.groupby("month")["hours"].apply(summary).unstack().reset_index()
    total = summary(frame["hours"]).to_frame().T.assign(month=TOTAL)
    out = pd.concat([months, total], ignore_index=True)[columns]
    out["vacancies"] = out["vacancies"].astype(int)
    return out


def _bin_label(low: int, high: int | None) -> str:
    return f"{low}\u2013{high - 1}" if high is not None else f"{low}+"


async def caseloads(session: AsyncSession, where: ReportFilter = EVERYTHING) -> pd.DataFrame:
    """How caseloads are spread: coaches by their number of clients (bins of
    ``CASELOAD_BINS``), with the clients in each bin and how many of them are on an
    active shortlist. Clients are counted where they live (the place filter); a coach
    with no client in the place is left out unless no place is chosen. Counts only:
    no coach is named."""
    clients = await _frame(
        session,
        select(User.id, func.count(Jobseeker.id))
        .outerjoin(
            Jobseeker,
            and_(
                Jobseeker.coach_id == User.id,
                Jobseeker.anonymised_at.is_(None),
                where.place(Jobseeker.municipality_id),
            ),
        )
        .where(User.role == "coach", User.is_active.is_(True))
        .group_by(User.id),
        ["coach_id", "clients"],
    )
    active = await _frame(
        session,
        select(Jobseeker.coach_id, func.count(func.distinct(ShortlistEntry.jobseeker_id)))
        .join(Jobseeker, Jobseeker.id == ShortlistEntry.jobseeker_id)
        .where(
            Jobseeker.coach_id.is_not(None),
            ShortlistEntry.status.in_(ACTIVE),
            where.place(Jobseeker.municipality_id),
        )
        .group_by(Jobseeker.coach_id),
        ["coach_id", "on_active_shortlists"],
    )
    per_coach = clients.merge(active, on="coach_id", how="left").fillna(0)
    if where != EVERYTHING and (where.area_id is not None or where.municipality_code):
        per_coach = per_coach[per_coach["clients"] > 0]
    edges = [*CASELOAD_BINS, None]
    rows = []
    for low, high in itertools.pairwise(edges):
        inside = per_coach["clients"] >= low
        if high is not None:
            inside &= per_coach["clients"] < high
        rows.append(
            {
                "clients_per_coach": _bin_label(low, high),  # type: ignore[arg-type]
                "coaches": int(inside.sum()),
                "clients": int(per_coach.loc[inside, "clients"].sum()),
                "clients_on_active_shortlists": int(
                    per_coach.loc[inside, "on_active_shortlists"].sum()
                ),
            }
        )
    return pd.DataFrame(rows)


Report = Callable[[AsyncSession, ReportFilter], Awaitable[pd.DataFrame]]


# name -> report; the name is the CSV's file name and the page's anchor. These give
# exact numbers: what leaves the server goes through :func:`run`.
async def _event_kinds(session: AsyncSession, where: ReportFilter = EVERYTHING) -> pd.DataFrame:
    """Recruitment events by kind and municipality (``domain.events.reports``, which
    reads this module: imported when run)."""
    from kohtaanto.domain.events import reports as event_reports

    return await event_reports.event_kinds(session, where)


async def _event_funnel(session: AsyncSession, where: ReportFilter = EVERYTHING) -> pd.DataFrame:
    """Recruitment events from invitation to hire (``domain.events.reports``)."""
    from kohtaanto.domain.events import reports as event_reports

    return await event_reports.event_funnel(session, where)


REPORTS: dict[str, Report] = {
    "funnel": funnel,
    "municipalities": by_municipality,
    "instruments": instruments,
    "time-to-shortlist": time_to_shortlist,
    "caseloads": caseloads,
    "event-kinds": _event_kinds,
    "event-funnel": _event_funnel,
}


@dataclass(frozen=True)
class Protection:
    """Which columns of a report count people (suppressed below five), which figures
    derive from them, and the column that names a total row."""

    counts: tuple[str, ...] = ()
    derived: dict[str, tuple[str, ...]] | None = None
    label: str | None = None


# Vacancy counts and durations reveal nobody; counts of people do.
PROTECTED: dict[str, Protection] = {
    "funnel": Protection(("entries",), {"entries": ("share_of_cohort",)}, "stage"),
    "municipalities": Protection(("placements",)),
    "instruments": Protection(
        ("vacancies_with_eligible_candidates", "hires_estimated_eligible"),
        {"hires_estimated_eligible": ("share_of_hires", "estimated_saving_eur")},
    ),
    "time-to-shortlist": Protection(),
    "caseloads": Protection(("clients", "clients_on_active_shortlists")),
    "event-kinds": Protection(("booked", "attended")),
    "event-funnel": Protection(
        ("invited", "booked", "attended", "interviews", "hires"), None, "group"
    ),
}


async def run(name: str, session: AsyncSession, where: ReportFilter = EVERYTHING) -> pd.DataFrame:
    """Report ``name`` as it may be shown or downloaded: small counts suppressed."""
    frame = await REPORTS[name](session, where)
    rule = PROTECTED[name]
    if not rule.counts:
        return frame
    return suppress(frame, rule.counts, rule.derived, label=rule.label)


# Referrals to partner services (kohtaanto.domain.partners.reports), registered here so
# they get the same suppression, CSV and dashboard.
from kohtaanto.domain.partners import reports as _referrals  # noqa: E402

REPORTS["referrals-by-partner"] = _referrals.by_partner
REPORTS["referrals-by-type"] = _referrals.by_service_type
PROTECTED["referrals-by-partner"] = Protection(_referrals.COUNTS, _referrals.DERIVED, "partner")
PROTECTED["referrals-by-type"] = Protection(_referrals.COUNTS, _referrals.DERIVED, "service_type")

# The coach's work (kohtaanto.domain.partners.path_reports), from the service paths.
from kohtaanto.domain.partners import path_reports as _paths  # noqa: E402

REPORTS["time-to-assessment"] = _paths.time_to_assessment
REPORTS["agreed-plans"] = _paths.agreed_plans
REPORTS["job-search"] = _paths.job_search
REPORTS["outcomes-by-path"] = _paths.outcomes_by_path
PROTECTED["time-to-assessment"] = Protection(
    ("clients", "assessed"), {"assessed": ("median_days", "p90_days")}
)
PROTECTED["agreed-plans"] = Protection(
    ("with_plan", "with_agreed_plan"), {"with_agreed_plan": ("share_of_clients",)}, "plan_type"
)
PROTECTED["job-search"] = Protection(("reported", "fulfilled"), {"fulfilled": ("share_fulfilled",)})
PROTECTED["outcomes-by-path"] = Protection(
    ("clients", "to_work", "to_training"),
    {"to_work": ("share_to_work",), "to_training": ("share_to_training",)},
    "plan_type",
)
