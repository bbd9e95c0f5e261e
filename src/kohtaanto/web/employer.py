"""Employer pages: the organisation, its vacancies, and the candidates shared with it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import func, select

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import (
    Employer,
    EntryStatus,
    EscoOccupation,
    EscoSkill,
    Municipality,
    Role,
    Vacancy,
)
from kohtaanto.domain import employers, shortlists, vacancies
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.shortlists import Move
from kohtaanto.domain.vacancies import VacancyCreate
from kohtaanto.web import forms
from kohtaanto.web.esco import _find as find_concepts
from kohtaanto.web.i18n import N_
from kohtaanto.web.labels import FORM_LANGUAGES
from kohtaanto.web.rendering import page

_LISTS = ("essential_skill_uris", "optional_skill_uris", "languages")
_FLAGS = ("open_to_wage_subsidy", "open_to_work_trial", "open_to_apprenticeship")
_DECIMALS = ("hours_per_week",)
# The ESCO choosers of the vacancy form, in the order their search fields ("q") come.
_CHOOSERS = ("occupation_uri", "essential_skill_uris", "optional_skill_uris")
ANSWERS = (EntryStatus.INTERVIEW, EntryStatus.HIRED, EntryStatus.NOT_HIRED)


async def municipalities(db: Db) -> list[tuple[str, str]]:
    rows = await db.execute(
        select(Municipality.code, Municipality.name).order_by(Municipality.name)
    )
    return [(c, n) for c, n in rows]


# What the vacancy page says after a refused publish or close (``?error=``), by code.
REFUSALS = {
    "employer_not_approved": "unverified",
    "employer_rejected": "unverified",
    "essential_skill_required": "skills",
    "vacancy_status": "status",
}


def _values(vacancy: Vacancy | None, employer: Employer | None = None) -> dict[str, Any]:
    """The form's values from a saved vacancy (or the defaults of a new one: the
    organisation's own municipality, Finnish)."""
    if vacancy is None:
        return {
            "languages": ["fi"],
            "essential": [],
            "optional": [],
            "occupation": [],
            "municipality_code": employer.municipality.code if employer else "",
        }
    links = sorted(vacancy.skill_links, key=lambda k: k.skill.label)
    return {
        "title": vacancy.title,
        "description": vacancy.description,
        "municipality_code": vacancy.municipality.code,
        "hours_per_week": vacancy.hours_per_week,
        "monthly_pay_eur": vacancy.monthly_pay_eur,
        "start_date": vacancy.start_date.isoformat() if vacancy.start_date else "",
        "languages": list(vacancy.languages),
        "occupation": [(vacancy.occupation.uri, vacancy.occupation.label)],
        "essential": [(k.skill.uri, k.skill.label) for k in links if k.essential],
        "optional": [(k.skill.uri, k.skill.label) for k in links if not k.essential],
        **{f: getattr(vacancy, f) for f in _FLAGS},
    }


class EmployerPages(Controller):
    path = "/employer"
    guards = [requires(Role.EMPLOYER)]
    include_in_schema = False

    @get("/", operation_id="pageEmployerHome")
    async def home(self, request: AuthRequest, db_session: Db) -> Template:
        """The organisation's vacancies, newest first: by publishing date, a draft by
        its creation (the list shows the publishing date, so that is what it sorts by)."""
        newest = func.coalesce(Vacancy.published_at, Vacancy.created_at)
        rows = await db_session.scalars(
            vacancies.visible_to(request.user).order_by(
                newest.desc(), Vacancy.created_at.desc(), Vacancy.title
            )
        )
        employer = await employers.find_of_user(db_session, request.user)
        return page(request, "employer/home.html", vacancies=rows.all(), employer=employer)

    @get("/organisation", operation_id="pageEmployerOrganisation")
    async def organisation(self, request: AuthRequest, db_session: Db) -> Template:
        """The organisation's facts and the coordinator who serves it, with their contact."""
        employer = await employers.of_user(db_session, request.user)
        coordinator = await employers.coordinator_of(db_session, employer)
        return page(
            request, "employer/organisation.html", employer=employer, coordinator=coordinator
        )

    async def _form(
        self,
        request: AuthRequest,
        db: Db,
        vacancy: Vacancy | None,
        values: dict[str, Any],
        errors: dict[str, str],
        search: tuple[str, str, list[tuple[str, str]]] | None = None,
    ) -> Template:
        return page(
            request,
            "employer/vacancy_form.html",
            status_code=400 if errors else 200,
            vacancy=vacancy,
            values=values,
            errors=errors,
            search=search,
            municipalities=await municipalities(db),
            form_languages=FORM_LANGUAGES,
        )

    async def _search(
        self, request: AuthRequest, db: Db, vacancy: Vacancy | None, form: Any
    ) -> Template:
        """The form again as it was sent, with the results of one chooser's search
        (the search without JavaScript: nothing is saved, ticked results stay chosen)."""
        field = str(form.get("find_field"))
        queries = form.getall("q", [])
        index = _CHOOSERS.index(field) if field in _CHOOSERS else -1
        query = str(queries[index]).strip() if 0 <= index < len(queries) else ""
        model = EscoOccupation if field == "occupation_uri" else EscoSkill
        found = await find_concepts(db, model, query) if index >= 0 else []
        return await self._form(
            request, db, vacancy, await _echo(db, form), {}, (field, query, found)
        )

    @get("/vacancies/new", operation_id="pageVacancyNew")
    async def new(self, request: AuthRequest, db_session: Db) -> Template:
        employer = await employers.of_user(db_session, request.user)
        return await self._form(request, db_session, None, _values(None, employer), {})

    @post("/vacancies/new", operation_id="pageVacancyCreate", status_code=303)
    async def create(self, request: AuthRequest, db_session: Db) -> Template | Redirect:
        form = await request.form()
        if "find_field" in form:
            return await self._search(request, db_session, None, form)
        data, errors = forms.read(
            form, VacancyCreate, lists=_LISTS, flags=_FLAGS, decimals=_DECIMALS
        )
        if data is not None:
            try:
                vacancy = await vacancies.create(db_session, request.user, data)
            except DomainError as e:
                errors = forms.refused(e)
            else:
                return Redirect(f"/employer/vacancies/{vacancy.id}?saved=1", status_code=303)
        await db_session.rollback()
        return await self._form(request, db_session, None, await _echo(db_session, form), errors)

    @get("/vacancies/{vacancy_id:uuid}", operation_id="pageVacancy")
    async def detail(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> Template:
        """The vacancy, its actions, and the candidates shared with the employer."""
        vacancy = await vacancies.visible(db_session, request.user, vacancy_id)
        candidates = await shortlists.shared_candidates(db_session, request.user, vacancy)
        saved = request.query_params.get("saved")
        published = request.query_params.get("published")
        return page(
            request,
            "employer/vacancy.html",
            vacancy=vacancy,
            candidates=candidates,
            answers=ANSWERS,
            reasons=list(shortlists.NOT_HIRED_REASONS),
            flash=N_("Saved.") if saved and not published else None,
            published=bool(published),
            coordinator=await employers.coordinator_of(db_session, vacancy.employer),
            error=request.query_params.get("error"),
        )

    @get("/vacancies/{vacancy_id:uuid}/edit", operation_id="pageVacancyEdit")
    async def edit(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> Template:
        vacancy = await vacancies.visible(db_session, request.user, vacancy_id)
        return await self._form(request, db_session, vacancy, _values(vacancy), {})

    @post("/vacancies/{vacancy_id:uuid}/edit", operation_id="pageVacancyUpdate", status_code=303)
    async def update(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> Template | Redirect:
        vacancy = await vacancies.visible(db_session, request.user, vacancy_id)
        form = await request.form()
        if "find_field" in form:
            return await self._search(request, db_session, vacancy, form)
        data, errors = forms.read(
            form, VacancyCreate, lists=_LISTS, flags=_FLAGS, decimals=_DECIMALS
        )
        if data is not None:
            try:
                await vacancies.update(db_session, request.user, vacancy_id, data)
            except DomainError as e:
                errors = forms.refused(e)
            else:
                return Redirect(f"/employer/vacancies/{vacancy_id}?saved=1", status_code=303)
        await db_session.rollback()
        vacancy = await vacancies.visible(db_session, request.user, vacancy_id)
        return await self._form(request, db_session, vacancy, await _echo(db_session, form), errors)

    @post("/vacancies/{vacancy_id:uuid}/publish", operation_id="pageVacancyPublish")
    async def publish(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> Redirect:
        try:
            await vacancies.publish(db_session, request.user, vacancy_id)
        except DomainError as e:
            return _refused(vacancy_id, e)
        # The page then says what happens next (shortlist built, coordinator told).
        return Redirect(f"/employer/vacancies/{vacancy_id}?published=1", status_code=303)

    @post("/vacancies/{vacancy_id:uuid}/close", operation_id="pageVacancyClose")
    async def close(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> Redirect:
        filled = (await request.form()).get("filled") == "on"
        try:
            await vacancies.close(db_session, request.user, vacancy_id, filled)
        except DomainError as e:
            return _refused(vacancy_id, e)
        return Redirect(f"/employer/vacancies/{vacancy_id}?saved=1", status_code=303)

    @post("/entries/{entry_id:uuid}/answer", operation_id="pageEmployerAnswer")
    async def answer(
        self, request: AuthRequest, db_session: Db, entry_id: FromPath[UUID]
    ) -> Redirect:
        """The employer's answer on a shared candidate: interview, hired, or not (with why)."""
        entry, vacancy = await shortlists.entry_for(db_session, request.user, entry_id)
        form = await request.form()
        try:
            to = EntryStatus(str(form.get("to", "")))
            reason = str(form.get("reason", "")) or None
            await shortlists.move_entry(db_session, request.user, entry.id, Move(to, reason))
        except (ValueError, DomainError) as e:
            if isinstance(e, DomainError) and e.status != 400:
                raise
            error = "reason" if getattr(e, "field", "to") == "reason" else "answer"
            return Redirect(f"/employer/vacancies/{vacancy.id}?error={error}", status_code=303)
        return Redirect(f"/employer/vacancies/{vacancy.id}?saved=1", status_code=303)


def _refused(vacancy_id: UUID, error: DomainError) -> Redirect:
    """Back to the vacancy page, which says why (a missing or foreign vacancy is a 404)."""
    if error.code not in REFUSALS:
        raise error
    return Redirect(
        f"/employer/vacancies/{vacancy_id}?error={REFUSALS[error.code]}", status_code=303
    )


async def labelled(db: Db, model: Any, uris: list[str]) -> list[tuple[str, str]]:
    """(URI, label) of the ESCO concepts sent back with a refused form."""
    if not uris:
        return []
    rows = await db.execute(select(model.uri, model.label).where(model.uri.in_(uris)))
    return [(u, label) for u, label in rows]


async def _echo(db: Db, form: Any) -> dict[str, Any]:
    """The values the visitor sent, to show the form again as they left it."""
    values = {k: form.get(k, "") for k in form}
    values["languages"] = form.getall("languages", [])
    values["occupation"] = await labelled(db, EscoOccupation, form.getall("occupation_uri", []))
    values["essential"] = await labelled(db, EscoSkill, form.getall("essential_skill_uris", []))
    values["optional"] = await labelled(db, EscoSkill, form.getall("optional_skill_uris", []))
    for f in _FLAGS:
        values[f] = f in form
    return values
