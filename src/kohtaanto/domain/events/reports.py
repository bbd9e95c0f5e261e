"""The manager's reports on recruitment events, as pandas DataFrames (the patterns of
``domain.reports``: SQL rows aggregated with pandas, people counted only, counts below
five suppressed where they are shown or downloaded).

- ``event_kinds``: events held in the period by kind and municipality ("online" for
  events online), with their bookings and attendance.
- ``event_funnel``: invitations → bookings → attendance → interviews → hires, per
  employer and per support instrument the employer offered, with a total row.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    Attendance,
    Employer,
    EntryStatus,
    EventBooking,
    EventEmployer,
    EventInvitation,
    EventStatus,
    Municipality,
    RecruitmentEvent,
    ShortlistEntry,
    SlotOutcome,
)
from kohtaanto.domain.reports import EVERYTHING, TOTAL, ReportFilter

ONLINE = "online"
STAGES = ("invited", "booked", "attended", "interviews", "hires")


def _held(where: ReportFilter) -> Any:
    """Events that took place or are planned in the period and place (not cancelled)."""
    return (
        select(RecruitmentEvent.id)
        .where(
            RecruitmentEvent.status != EventStatus.CANCELLED,
            RecruitmentEvent.status != EventStatus.DRAFT,
            where.period(RecruitmentEvent.starts_at),
        )
        .where(
            where.place(RecruitmentEvent.municipality_id)
            if (where.municipality_code or where.area_id is not None)
            else RecruitmentEvent.id.is_not(None)
        )
    )


async def event_kinds(session: AsyncSession, where: ReportFilter = EVERYTHING) -> pd.DataFrame:
    """Events by kind and municipality, with people booked and people who came."""
    held = _held(where)
    rows = (
        await session.execute(
            select(
                RecruitmentEvent.id,
                RecruitmentEvent.kind,
                RecruitmentEvent.online,
                Municipality.name,
            )
            .outerjoin(Municipality, Municipality.id == RecruitmentEvent.municipality_id)
            .where(RecruitmentEvent.id.in_(held))
        )
    ).all()
    events = pd.DataFrame(
        [(i, k.value, ONLINE if online else (m or "")) for i, k, online, m in rows],
        columns=["event_id", "kind", "municipality"],
    )
    people = pd.DataFrame(
        (
            await session.execute(
                select(
                    EventBooking.event_id,
                    func.count(distinct(EventBooking.jobseeker_id)),
                    func.count(distinct(EventBooking.jobseeker_id)).filter(
                        EventBooking.attendance == Attendance.ATTENDED
                    ),
                )
                .where(EventBooking.event_id.in_(held), EventBooking.status == "booked")
                .group_by(EventBooking.event_id)
            )
        ).all(),
        columns=["event_id", "booked", "attended"],
    )
    columns = ["kind", "municipality", "events", "booked", "attended"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    merged = events.merge(people, on="event_id", how="left").fillna({"booked": 0, "attended": 0})
    out = (
        merged.groupby(["kind", "municipality"], as_index=False)
        .agg(events=("event_id", "count"), booked=("booked", "sum"), attended=("attended", "sum"))
        .sort_values(["events", "kind", "municipality"], ascending=[False, True, True])
    )
    for column in ("events", "booked", "attended"):
        out[column] = out[column].astype(int)
    return out[columns].reset_index(drop=True)


async def event_funnel(session: AsyncSession, where: ReportFilter = EVERYTHING) -> pd.DataFrame:
    """Invited → booked → came → interview → hired, per employer and per instrument the
    employer offered at the event; each invitation counted once at each stage it reached."""
    held = _held(where)
    booked = select(EventBooking.invitation_id).where(
        EventBooking.invitation_id == EventInvitation.id
    )
    came = booked.where(EventBooking.attendance == Attendance.ATTENDED)
    interested = booked.where(EventBooking.outcome == SlotOutcome.INTERESTED)
    rows = (
        await session.execute(
            select(
                Employer.name,
                EventEmployer.instruments,
                booked.exists(),
                came.exists(),
                interested.exists(),
                ShortlistEntry.status == EntryStatus.HIRED,
            )
            .select_from(EventInvitation)
            .join(EventEmployer, EventEmployer.id == EventInvitation.participant_id)
            .join(Employer, Employer.id == EventEmployer.employer_id)
            .join(ShortlistEntry, ShortlistEntry.id == EventInvitation.entry_id)
            .where(EventInvitation.event_id.in_(held))
        )
    ).all()
    frame = pd.DataFrame(
        [(n, list(i or []), 1, int(b), int(c), int(s), int(h)) for n, i, b, c, s, h in rows],
        columns=["employer", "instruments", *STAGES],
    )
    columns = ["dimension", "group", *STAGES]
    if frame.empty:
        total = pd.DataFrame([["all", TOTAL, 0, 0, 0, 0, 0]], columns=columns)
        return total
    employers = frame.groupby("employer", as_index=False)[list(STAGES)].sum()
    employers.insert(0, "dimension", "employer")
    employers = employers.rename(columns={"employer": "group"})
    exploded = frame.explode("instruments").dropna(subset=["instruments"])
    instruments = exploded.groupby("instruments", as_index=False)[list(STAGES)].sum()
    instruments.insert(0, "dimension", "instrument")
    instruments = instruments.rename(columns={"instruments": "group"})
    total = pd.DataFrame([["all", TOTAL, *(int(frame[s].sum()) for s in STAGES)]], columns=columns)
    out = pd.concat([employers[columns], instruments[columns], total], ignore_index=True)
    for stage in STAGES:
        out[stage] = out[stage].astype(int)
    return out
