"""Jobseeker pages: profile, matches, consent requests, profile views, own data.
(The inbox of every signed-in user is in ``web/inbox.py``.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import (
    EducationLevel,
    EntryStatus,
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    Role,
    ShortlistEntry,
)
from kohtaanto.domain import jobseekers, privacy, shortlists
from kohtaanto.domain.disclosure import SHARED_FIELDS
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.jobseekers import ProfileWrite
from kohtaanto.domain.shortlists import Move
from kohtaanto.settings import get_settings
from kohtaanto.web import forms
from kohtaanto.web.account import TOKEN_COOKIE
from kohtaanto.web.employer import labelled, municipalities
from kohtaanto.web.i18n import N_
from kohtaanto.web.labels import FORM_LANGUAGES
from kohtaanto.web.rendering import page

_LISTS = ("skill_uris", "occupation_uris", "languages")
_FLAGS = ("reduced_work_ability", "integration_plan", "visible_to_employers", "available")


def _values(profile: Jobseeker | None) -> dict[str, Any]:
    if profile is None:
        return {
            "languages": ["fi"],
            "skills": [],
            "occupations": [],
            "max_travel_km": 30,
            "min_hours_per_week": 0,
            "max_hours_per_week": 40,
            "available": True,
        }
    return {
        "municipality_code": profile.municipality.code,
        "birth_year": profile.birth_year,
        "education": profile.education.value,
        "max_travel_km": profile.max_travel_km,
        "min_hours_per_week": profile.min_hours_per_week,
        "max_hours_per_week": profile.max_hours_per_week,
        "unemployed_since": profile.unemployed_since.isoformat()
        if profile.unemployed_since
        else "",
        "languages": list(profile.languages),
        "skills": [(s.uri, s.label) for s in profile.skills],
        "occupations": [(o.uri, o.label) for o in profile.occupations],
        **{f: getattr(profile, f) for f in _FLAGS},
    }


class JobseekerPages(Controller):
    path = "/jobseeker"
    guards = [requires(Role.JOBSEEKER)]
    include_in_schema = False

    @get("/", operation_id="pageJobseekerHome")
    async def home(self, request: AuthRequest, db_session: Db) -> Template | Redirect:
        """Matches, with the same explanation the coordinator reads."""
        profile = await jobseekers.of_user(db_session, request.user)
        if profile is None:
            return Redirect("/jobseeker/profile")
        entries = {e.vacancy.id: e for e in await jobseekers.entries_of(db_session, profile.id)}
        interested = set(await jobseekers.interests_of(db_session, profile.id))
        return page(
            request,
            "jobseeker/matches.html",
            matches=await jobseekers.my_matches(db_session, request.user),
            entries=entries,
            interested=interested,
            flash=N_("Thank you: your company coordinator now knows you are interested.")
            if request.query_params.get("interested")
            else None,
        )

    @get("/vacancies/{vacancy_id:uuid}", operation_id="pageJobseekerVacancy")
    async def vacancy(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> Template:
        """The whole vacancy as the employer wrote it, with "I'm interested"."""
        profile = await jobseekers.profile_of(db_session, request.user)
        vacancy = await jobseekers.readable_vacancy(db_session, profile, vacancy_id)
        interested = (await jobseekers.interests_of(db_session, profile.id)).get(vacancy.id)
        return page(
            request,
            "jobseeker/vacancy.html",
            vacancy=vacancy,
            essential=[link.skill for link in vacancy.skill_links if link.essential],
            optional=[link.skill for link in vacancy.skill_links if not link.essential],
            interested_at=interested,
            flash=N_("Thank you: your company coordinator now knows you are interested.")
            if request.query_params.get("interested")
            else None,
        )

    @post(
        "/vacancies/{vacancy_id:uuid}/interest",
        operation_id="pageJobseekerInterest",
        status_code=303,
    )
    async def interest(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> Redirect:
        """ "I'm interested": the coordinator is told once; saying it again is harmless."""
        await jobseekers.interested(db_session, request.user, vacancy_id)
        back = "/jobseeker" if (await request.form()).get("from") == "matches" else None
        return Redirect(
            f"{back or f'/jobseeker/vacancies/{vacancy_id}'}?interested=1", status_code=303
        )

    async def _form(
        self,
        request: AuthRequest,
        db: Db,
        values: dict[str, Any],
        errors: dict[str, str],
        saved: bool = False,
    ) -> Template:
        return page(
            request,
            "jobseeker/profile.html",
            status_code=400 if errors else 200,
            values=values,
            errors=errors,
            municipalities=await municipalities(db),
            educations=list(EducationLevel),
            form_languages=FORM_LANGUAGES,
            flash=N_("Saved.") if saved else None,
        )

    @get("/profile", operation_id="pageJobseekerProfile")
    async def profile(self, request: AuthRequest, db_session: Db) -> Template:
        profile = await jobseekers.of_user(db_session, request.user)
        saved = bool(request.query_params.get("saved"))
        return await self._form(request, db_session, _values(profile), {}, saved)

    @post("/profile", operation_id="pageJobseekerProfileSave", status_code=303)
    async def save(self, request: AuthRequest, db_session: Db) -> Template | Redirect:
        """Saved through the same domain code as PUT /api/jobseekers/me."""
        form = await request.form()
        data, errors = forms.read(form, ProfileWrite, lists=_LISTS, flags=_FLAGS)
        if data is not None:
            try:
                await jobseekers.save_profile(db_session, request.user, data)
            except DomainError as e:
                errors = forms.refused(e)
            else:
                return Redirect("/jobseeker/profile?saved=1", status_code=303)
        await db_session.rollback()
        values = {k: form.get(k, "") for k in form}
        values["languages"] = form.getall("languages", [])
        values["skills"] = await labelled(db_session, EscoSkill, form.getall("skill_uris", []))
        values["occupations"] = await labelled(
            db_session, EscoOccupation, form.getall("occupation_uris", [])
        )
        for f in _FLAGS:
            values[f] = f in form
        return await self._form(request, db_session, values, errors)

    @get("/consents", operation_id="pageJobseekerConsents")
    async def consents(self, request: AuthRequest, db_session: Db) -> Template:
        entries = await jobseekers.my_entries(db_session, request.user)
        saved = bool(request.query_params.get("saved"))
        # What agreeing shares, with whom (each entry's employer) and until when.
        rows = await db_session.execute(
            select(
                ShortlistEntry.id, ShortlistEntry.shared_until, ShortlistEntry.consent_requested_at
            ).where(ShortlistEntry.id.in_([e.entry_id for e in entries]))
        )
        asked: set[UUID] = set()
        shared_until = {}
        for entry_id, until, requested_at in rows.all():
            shared_until[entry_id] = until
            if requested_at is not None:
                asked.add(entry_id)
        # Only what asked for consent (pending or answered): being suggested asks nothing.
        entries = [e for e in entries if e.entry_id in asked]
        share_days = get_settings().workflow.share_days
        return page(
            request,
            "jobseeker/consents.html",
            entries=entries,
            shared_fields=SHARED_FIELDS,
            shared_until=shared_until,
            share_days=share_days,
            share_ends_if_today=datetime.now(UTC) + timedelta(days=share_days),
            flash=N_("Your answer was saved.") if saved else None,
        )

    @post("/entries/{entry_id:uuid}/consent", operation_id="pageJobseekerConsent")
    async def answer(
        self, request: AuthRequest, db_session: Db, entry_id: FromPath[UUID]
    ) -> Redirect:
        """Agree, decline, or take consent back (the same checked move as the API)."""
        entry, _ = await shortlists.entry_for(db_session, request.user, entry_id)
        form = await request.form()
        to = {"agree": EntryStatus.CONSENTED, "decline": EntryStatus.DECLINED}.get(
            str(form.get("answer", ""))
        )
        if to is None:
            return Redirect("/jobseeker/consents", status_code=303)
        try:
            await shortlists.move_entry(db_session, request.user, entry.id, Move(to))
        except DomainError as e:
            if e.status != 400:
                raise
            return Redirect("/jobseeker/consents", status_code=303)
        return Redirect("/jobseeker/consents?saved=1", status_code=303)

    @get("/views", operation_id="pageJobseekerViews")
    async def views(self, request: AuthRequest, db_session: Db) -> Template:
        views = await privacy.my_views(db_session, request.user)
        return page(request, "jobseeker/views.html", views=views)

    @get("/data", operation_id="pageJobseekerData")
    async def data(self, request: AuthRequest) -> Template:
        return page(request, "jobseeker/data.html")

    @get("/data/summary", operation_id="pageJobseekerDataSummary")
    async def summary(self, request: AuthRequest, db_session: Db) -> Template:
        """The same data as the JSON download, as a page to read and print."""
        return page(
            request,
            "jobseeker/data_summary.html",
            data=await privacy.export(db_session, request.user),
        )

    @post("/data/erase", operation_id="pageJobseekerErase")
    async def erase(self, request: AuthRequest, db_session: Db) -> Template | Redirect:
        """Erase the account (GDPR), after the visitor ticked the confirmation."""
        form = await request.form()
        if form.get("confirm") != "on":
            return page(
                request,
                "jobseeker/data.html",
                status_code=400,
                errors={"confirm": N_("Tick the box to confirm.")},
            )
        await privacy.erase_me(db_session, request.user)
        return Redirect(
            "/login",
            status_code=303,
            cookies=[Cookie(key=TOKEN_COOKIE, value="", max_age=0, httponly=True, samesite="lax")],
        )
