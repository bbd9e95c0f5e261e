"""The jobseeker's data rights (GDPR): a copy of everything, and erasure.

Erasure anonymises rather than deletes: the profile and the account stay as
empty shells, so the logs that others rely on (who viewed a profile, how a
shortlist entry moved, outcomes for statistics and training) keep their rows
but point at no one. The retention rule erases in the same way profiles that
have been inactive too long.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EducationLevel,
    Jobseeker,
    Notification,
    NotifyFrequency,
    ProfileView,
    Role,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    User,
    Vacancy,
    VacancyInterest,
)
from kohtaanto.domain import jobseekers, shortlists
from kohtaanto.domain.errors import NotFound
from kohtaanto.domain.partners import referrals as partner_referrals
from kohtaanto.domain.service_paths import data_rights as service_path_data
from kohtaanto.i18n import N_
from kohtaanto.security import hash_password

ERASED_NAME = "Erased user"
# Birth year is required by the schema; 0 reads as "unknown" and is no one's.
UNKNOWN_BIRTH_YEAR = 0


# The newest views a jobseeker's page and the API list; the export has them all.
VIEWS_SHOWN = 500


class ProfileViewOut(msgspec.Struct):
    """Who saw or shortlisted the jobseeker's profile: an organisation and a role, not a person."""

    organisation: str
    role: Role
    action: str
    vacancy_title: str | None
    at: datetime


async def views_of(
    session: AsyncSession,
    jobseeker_id: UUID,
    *,
    newest_first: bool = True,
    limit: int | None = VIEWS_SHOWN,
) -> list[ProfileViewOut]:
    """Who viewed or shortlisted the person's profile, and when ("who viewed my profile":
    the page, the API and the data export all read it here)."""
    at = (
        (ProfileView.at.desc(), ProfileView.id.desc())
        if newest_first
        else (
            ProfileView.at,
            ProfileView.id,
        )
    )
    query = (
        select(ProfileView, Vacancy.title)
        .outerjoin(Vacancy, Vacancy.id == ProfileView.vacancy_id)
        .where(ProfileView.jobseeker_id == jobseeker_id)
        .order_by(*at)
    )
    rows = await session.execute(query.limit(limit) if limit else query)
    return [
        ProfileViewOut(
            organisation=v.viewer_organisation,
            role=v.viewer_role,
            action=v.action,
            vacancy_title=title,
            at=v.at,
        )
        for v, title in rows.all()
    ]


async def my_views(session: AsyncSession, user: User) -> list[ProfileViewOut]:
    """The jobseeker's own profile views, newest first."""
    return await views_of(session, (await jobseekers.profile_of(session, user)).id)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export(session: AsyncSession, user: User) -> dict[str, Any]:
    """Everything Kohtaanto holds about the jobseeker ``user``, as JSON-ready data."""
    profile = await jobseekers.of_user(session, user)
    data: dict[str, Any] = {
        "exported_at": datetime.now(UTC).isoformat(),
        "account": {
            "id": str(user.id),
            "email": user.email,
            "name": user.name,
            "phone": user.phone,
            "role": user.role.value,
            "notify_frequency": user.notify_frequency.value,
            "created_at": _when(user.created_at),
        },
        "profile": None,
        "shortlist_entries": [],
        "consents": [],
        "notifications": [],
        "profile_views": [],
        "interests": [],
    }
    notifications = await session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at)
    )
    data["notifications"] = [
        {
            "kind": n.kind,
            "vacancy_id": str(n.vacancy_id) if n.vacancy_id else None,
            "params": n.params,
            "created_at": _when(n.created_at),
            "read_at": _when(n.read_at),
            "emailed_at": _when(n.emailed_at),
        }
        for n in notifications
    ]
    if profile is None:
        return data
    data["profile"] = {
        "id": str(profile.id),
        "municipality": {"code": profile.municipality.code, "name": profile.municipality.name},
        "birth_year": profile.birth_year,
        "education": profile.education.value,
        "skills": [{"uri": s.uri, "label": s.label} for s in profile.skills],
        "occupations": [{"uri": o.uri, "label": o.label} for o in profile.occupations],
        "languages": list(profile.languages),
        "max_travel_km": profile.max_travel_km,
        "unemployed_since": profile.unemployed_since.isoformat()
        if profile.unemployed_since
        else None,
        "reduced_work_ability": profile.reduced_work_ability,
        "integration_plan": profile.integration_plan,
        "min_hours_per_week": profile.min_hours_per_week,
        "max_hours_per_week": profile.max_hours_per_week,
        "visible_to_employers": profile.visible_to_employers,
        "available": profile.available,
        "coach_id": str(profile.coach_id) if profile.coach_id else None,
        "last_active_at": _when(profile.last_active_at),
        "created_at": _when(profile.created_at),
        "updated_at": _when(profile.updated_at),
    }
    rows = (
        await session.execute(
            select(ShortlistEntry, Vacancy)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .join(Vacancy, Vacancy.id == Shortlist.vacancy_id)
            .where(ShortlistEntry.jobseeker_id == profile.id)
            .order_by(ShortlistEntry.created_at)
        )
    ).all()
    events: dict[UUID, list[ShortlistEvent]] = {}
    if rows:
        for event in await session.scalars(
            select(ShortlistEvent)
            .where(ShortlistEvent.entry_id.in_([e.id for e, _ in rows]))
            .order_by(ShortlistEvent.at, ShortlistEvent.id)
        ):
            events.setdefault(event.entry_id, []).append(event)
    for entry, vacancy in rows:
        data["shortlist_entries"].append(
            {
                "id": str(entry.id),
                "vacancy": {
                    "id": str(vacancy.id),
                    "title": vacancy.title,
                    "employer": vacancy.employer.name,
                },
                "status": entry.status.value,
                "outcome_reason": entry.outcome_reason,
                "rank": entry.rank,
                "score": entry.score,
                "explanation": entry.explanation,
                "source": entry.source,
                "shared_fields": list(entry.shared_fields),
                "shared_at": _when(entry.shared_at),
                "shared_until": _when(entry.shared_until),
                "events": [
                    {
                        "from": e.from_status.value if e.from_status else None,
                        "to": e.to_status.value,
                        "reason": e.reason,
                        "by_me": e.actor_id == user.id,
                        "at": _when(e.at),
                    }
                    for e in events.get(entry.id, [])
                ],
            }
        )
        if entry.consent_requested_at is not None:
            data["consents"].append(
                {
                    "entry_id": str(entry.id),
                    "vacancy_id": str(vacancy.id),
                    "requested_at": _when(entry.consent_requested_at),
                    "deadline": _when(entry.consent_deadline),
                    "answered_at": _when(entry.consent_answered_at),
                    "status": entry.status.value,
                }
            )
    interests = await session.execute(
        select(VacancyInterest.at, Vacancy.id, Vacancy.title)
        .join(Vacancy, Vacancy.id == VacancyInterest.vacancy_id)
        .where(VacancyInterest.jobseeker_id == profile.id)
        .order_by(VacancyInterest.at)
    )
    data["interests"] = [
        {"vacancy_id": str(vacancy_id), "vacancy_title": title, "at": _when(at)}
        for at, vacancy_id, title in interests.all()
    ]
    data["service_path"] = await service_path_data.export(session, profile)
    data["referrals"] = await partner_referrals.export(session, profile.id)
    views = await views_of(session, profile.id, newest_first=False, limit=None)
    data["profile_views"] = [
        {
            "organisation": v.organisation,
            "role": v.role.value,
            "action": v.action,
            "vacancy_title": v.vacancy_title,
            "at": _when(v.at),
        }
        for v in views
    ]
    return data


async def erase(
    session: AsyncSession,
    user: User,
    *,
    reason: str = "candidate_request",
    now: datetime | None = None,
) -> Jobseeker | None:
    """Anonymise the jobseeker ``user``: their profile, account and inbox.

    Active shortlist entries are removed (a logged move with ``reason``); the
    profile leaves the search index through the outbox. Profile views and
    shortlist events stay, pointing at the anonymised profile, with no free-text
    notes. Returns the profile, if there was one.
    """
    now = now or datetime.now(UTC)
    profile = await jobseekers.of_user(session, user)
    if profile is not None:
        await _anonymise_profile(session, profile, reason, now)
    user.email = f"erased-{user.id}@invalid"
    user.name = ERASED_NAME
    user.phone = None
    user.webhook_url = None
    user.webhook_secret = None
    user.notify_frequency = NotifyFrequency.OFF
    user.is_active = False
    # No one knows this password: the account cannot be logged in to even if reactivated.
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    await session.execute(delete(Notification).where(Notification.recipient_id == user.id))
    await session.flush()
    return profile


async def erase_me(session: AsyncSession, user: User) -> None:
    """The jobseeker erases themselves (GDPR): see ``erase``."""
    account = await session.get(User, user.id)
    if account is None:
        raise NotFound("account_not_found", N_("No such account."))
    await erase(session, account)


async def _anonymise_profile(
    session: AsyncSession, profile: Jobseeker, reason: str, now: datetime
) -> None:
    entries = (
        await session.scalars(
            select(ShortlistEntry).where(ShortlistEntry.jobseeker_id == profile.id)
        )
    ).all()
    for entry in entries:
        if entry.status in shortlists.ACTIVE:
            await shortlists.apply(
                session, entry, shortlists.Move(shortlists.S.REMOVED, reason), None, now=now
            )
        # The explanation names the person's skills; the numeric features stay for training.
        entry.explanation = {}
        entry.shared_fields = []
    if entries:
        # Free-text notes may name the person: keep only structured reason codes.
        codes = {code for reasons in shortlists.REASONS.values() for code in reasons}
        for event in await session.scalars(
            select(ShortlistEvent).where(ShortlistEvent.entry_id.in_([e.id for e in entries]))
        ):
            code = (event.reason or "").split(":", 1)[0]
            event.reason = code if code in codes | {"deadline"} else None
    await session.execute(delete(VacancyInterest).where(VacancyInterest.jobseeker_id == profile.id))
    await service_path_data.erase(session, profile)
    await partner_referrals.erase(session, profile.id)
    profile.skills = []
    profile.occupations = []
    profile.languages = []
    profile.birth_year = UNKNOWN_BIRTH_YEAR
    profile.education = EducationLevel.BASIC
    profile.unemployed_since = None
    profile.reduced_work_ability = False
    profile.integration_plan = False
    profile.max_travel_km = 0
    profile.min_hours_per_week = 0
    profile.max_hours_per_week = 0
    profile.visible_to_employers = False
    profile.available = False
    profile.coach_id = None
    profile.anonymised_at = now
    # The job sees anonymised_at and removes the profile from the index.
    jobseekers.saved(session, profile)


async def erase_inactive(
    session: AsyncSession, retention_days: int, *, now: datetime | None = None
) -> int:
    """Anonymise jobseekers inactive for ``retention_days`` (the retention rule); returns how many.

    Activity is the last recorded one, or else the last change of the profile.
    """
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=retention_days)
    stale = (
        await session.execute(
            select(Jobseeker, User)
            .outerjoin(User, User.id == Jobseeker.user_id)
            .where(
                Jobseeker.anonymised_at.is_(None),
                func.coalesce(Jobseeker.last_active_at, Jobseeker.updated_at) < cutoff,
            )
        )
    ).all()
    for profile, user in stale:
        if user is not None:
            await erase(session, user, reason="retention", now=now)
        else:
            await _anonymise_profile(session, profile, "retention", now)
    await session.flush()
    return len(stale)
