"""The company coordinator's pages: their vacancies and each vacancy's shortlist board.

The board is worked with the same use cases as the API (``domain.shortlists``):
moves are checked and logged there, bulk moves are all or nothing, and a refusal
comes back as a ``DomainError`` whose code the page shows in the visitor's
language. htmx posts return the board fragment; without JavaScript the forms
post and redirect back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import func, or_, select

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import (
    Employer,
    EntryStatus,
    Municipality,
    Role,
    Vacancy,
    VacancyInterest,
    VacancyStatus,
)
from kohtaanto.domain import outbox, shortlists, vacancies
from kohtaanto.domain.errors import DomainError, Refusals
from kohtaanto.domain.places import swedish_names
from kohtaanto.domain.shortlists import Move
from kohtaanto.queue import VACANCY_PUBLISHED
from kohtaanto.web.i18n import N_, language_of, translations
from kohtaanto.web.labels import LABELS
from kohtaanto.web.rendering import page

S = EntryStatus
PAGE_SIZE = 50
# What can be done to many entries at once, and to one.
BULK_MOVES = (S.CONTACTED, S.CONSENT_REQUESTED, S.SHARED, S.REMOVED)

# Shown through gettext, so they are marked here: the removal reasons of
# domain.shortlists (the instruments' labels and the model's factor sentences are
# marked where they are written, domain.instruments and ml.predict).
EXTRA_MSGIDS = (
    N_("Not suitable for this vacancy"),
    N_("Not available at the moment"),
    N_("Already employed"),
    N_("In training or another service"),
    N_("At the jobseeker's request"),
    N_("Listed twice"),
)


def next_moves(status: EntryStatus) -> list[EntryStatus]:
    """The moves a coordinator can make from ``status``, in workflow order."""
    return [
        to
        for (frm, to), roles in shortlists.MOVES.items()
        if frm is status and Role.COORDINATOR in roles
    ]


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def _errors(err: DomainError, gettext: Callable[[str], str], to: str = "") -> dict[str, str]:
    """Field errors in the visitor's language, from the use case's refusal: its codes
    (and each refused entry's rank and status) say which entries cannot move and why."""

    def status(value: Any) -> str:
        code = str(getattr(value, "value", value))
        return gettext(LABELS["entry_status"].get(code, code))

    out: dict[str, str] = {}
    for item in err.items if isinstance(err, Refusals) else [err]:
        key = item.field or "form"
        if key.startswith("entry_ids") and item.code == "not_on_shortlist":
            out[key] = gettext("A chosen candidate is not on this shortlist.")
        elif key.startswith("entry_ids"):
            out[key] = gettext("Candidate %(rank)s is “%(status)s” and cannot become “%(to)s”.") % {
                "rank": item.params["rank"],
                "status": status(item.params["status"]),
                "to": status(to),
            }
        elif key == "to":
            out["to"] = gettext("This step is not possible from the candidate's current status.")
        elif key == "reason":
            out["reason"] = gettext("Choose a reason.")
        else:
            out[key] = item.render(gettext)
    if any(k.startswith("entry_ids") for k in out):
        out["entries"] = gettext("Nothing was changed. Untick these or choose another action.")
    return out


async def _attempt(
    db: Db,
    request: Request[Any, Any, Any],
    work: Callable[[], Awaitable[object]],
    to: str = "",
) -> tuple[dict[str, str], str | None]:
    """Run one use case in a savepoint: a refusal (400) becomes the form's errors and its
    code, with nothing of it written; not found and forbidden go to the global handler."""
    try:
        async with db.begin_nested():
            await work()
    except DomainError as e:
        if e.status != 400:
            raise
        return _errors(e, _gettext(request), to), e.code
    return {}, None


def _gettext(request: Request[Any, Any, Any]) -> Callable[[str], str]:
    catalog = translations(language_of(request))

    def gettext(message: str) -> str:
        return str(catalog.gettext(message))

    return gettext


def _reason(form: Any, to: str) -> str | None:
    """The reason of the select that belongs to the move (``reason_not_hired``,
    ``reason_removed``), or the single ``reason`` of the bulk form."""
    return str(form.get(f"reason_{to}") or form.get("reason") or "") or None


class CoordinatorPages(Controller):
    path = "/coordinator"
    guards = [requires(Role.COORDINATOR, Role.ADMIN)]
    include_in_schema = False

    @get("/", operation_id="pageCoordinatorVacancies")
    async def vacancies(
        self,
        request: AuthRequest,
        db_session: Db,
        status: FromQuery[str] = "open",
        offset: FromQuery[int] = 0,
        q: FromQuery[str] = "",
    ) -> Template:
        """The vacancies of the employers the coordinator serves, newest first; ``q``
        finds them by title, employer or municipality."""
        query = vacancies.visible_to(request.user)
        if status in {s.value for s in VacancyStatus}:
            query = query.where(Vacancy.status == VacancyStatus(status))
        q = q.strip()[:100]
        if q:
            needle = q.lower()
            # A municipality by its Finnish name or its Swedish one (Tammerfors: Tampere).
            places = [fi for fi, sv in swedish_names().items() if needle in sv.lower()]
            query = (
                query.join(Employer, Employer.id == Vacancy.employer_id)
                .join(Municipality, Municipality.id == Vacancy.municipality_id)
                .where(
                    or_(
                        func.lower(Vacancy.title).contains(needle, autoescape=True),
                        func.lower(Employer.name).contains(needle, autoescape=True),
                        func.lower(Municipality.name).contains(needle, autoescape=True),
                        Municipality.name.in_(places),
                    )
                )
            )
        total = await db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
        offset = max(offset, 0)
        rows = (
            await db_session.scalars(
                query.order_by(Vacancy.published_at.desc().nulls_last(), Vacancy.title)
                .limit(PAGE_SIZE)
                .offset(offset)
            )
        ).all()
        counts = await shortlists.status_counts(db_session, [v.id for v in rows])
        return page(
            request,
            "coordinator/vacancies.html",
            vacancies=rows,
            counts=counts,
            status=status,
            q=q,
            statuses=[s.value for s in VacancyStatus],
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
        )

    async def _board(
        self,
        request: AuthRequest,
        db: Db,
        vacancy_id: UUID,
        *,
        errors: dict[str, str] | None = None,
        error_at: str | None = None,
        error_code: str | None = None,
        values: dict[str, str] | None = None,
        notice: str | None = None,
        fragment: bool = False,
        status_code: int = 200,
    ) -> Template:
        vacancy = await vacancies.visible(db, request.user, vacancy_id)
        has_list = await shortlists.has_shortlist(db, vacancy_id)
        board = await shortlists.board(db, request.user, vacancy_id) if has_list else None
        # No list yet: say whether its job is queued, and in which lane (kohtaanto.queue).
        building = (
            None
            if has_list
            else await outbox.newest_job_lane(db, VACANCY_PUBLISHED, "vacancy_id", str(vacancy_id))
        )
        gettext = _gettext(request)
        values = values or {}
        find = values.get("find", "").strip()[:100]
        found = (
            await shortlists.find_people(db, request.user, vacancy_id, find)
            if board and find
            else []
        )
        # Jobseekers who said "I'm interested" in this vacancy (the jobseeker's pages).
        interested = set(
            await db.scalars(
                select(VacancyInterest.jobseeker_id).where(VacancyInterest.vacancy_id == vacancy_id)
            )
        )

        return page(
            request,
            "coordinator/board_fragment.html" if fragment else "coordinator/board.html",
            status_code=status_code,
            vacancy=vacancy,
            board=board,
            building=building,
            errors=errors or {},
            error_at=error_at if errors else None,
            error_code=error_code if errors else None,
            values=values,
            find=find,
            found=found,
            interested=interested,
            next_moves=next_moves,
            tr=gettext,
            bulk_moves=[s.value for s in BULK_MOVES],
            removal_reasons=shortlists.REMOVAL_REASONS,
            not_hired_reasons=shortlists.NOT_HIRED_REASONS,
        )

    async def _after(
        self,
        request: AuthRequest,
        db: Db,
        vacancy_id: UUID,
        errors: dict[str, str] | None,
        notice: str,
        *,
        error_at: str,
        values: dict[str, str] | None = None,
        error_code: str | None = None,
    ) -> Template | Redirect:
        """The board again: with the error next to the form that caused it and what was
        typed kept, or (without htmx and no error) a redirect back."""
        if _is_htmx(request):
            # htmx swaps only 2xx answers: errors come back in the fragment with 200.
            return await self._board(
                request,
                db,
                vacancy_id,
                errors=errors,
                error_at=error_at,
                error_code=error_code,
                values=values if errors else None,
                notice=None if errors else notice,
                fragment=True,
            )
        if errors:
            return await self._board(
                request,
                db,
                vacancy_id,
                errors=errors,
                error_at=error_at,
                error_code=error_code,
                values=values,
                status_code=400,
            )
        # The session commits on 2xx and redirects (autocommit_include_redirects).
        return Redirect(f"/coordinator/vacancies/{vacancy_id}", status_code=303)

    @get("/vacancies/{vacancy_id:uuid}", operation_id="pageCoordinatorBoard")
    async def board(
        self,
        request: AuthRequest,
        db_session: Db,
        vacancy_id: FromPath[UUID],
        find: FromQuery[str] = "",
    ) -> Template:
        """The shortlist board: ranked candidates with why, and the moves to make;
        ``find`` looks for people to add by hand (by name or e-mail)."""
        return await self._board(
            request,
            db_session,
            vacancy_id,
            values={"find": find},
            fragment=_is_htmx(request),
        )

    @post(
        "/vacancies/{vacancy_id:uuid}/moves",
        operation_id="pageCoordinatorBulkMove",
        status_code=200,
    )
    async def bulk(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Move the chosen entries at once; if one cannot move, none does."""
        form = await request.form()
        errors: dict[str, str] = {}
        code: str | None = None
        ids: list[UUID] = []
        for raw in form.getall("entry_ids", []):
            try:
                ids.append(UUID(str(raw)))
            except ValueError:
                errors["entries"] = N_("Choose at least one candidate.")
        to = str(form.get("to", ""))
        if not ids:
            errors["entries"] = N_("Choose at least one candidate.")
        if to not in {s.value for s in BULK_MOVES}:
            errors["to"] = N_("Choose an action.")
        if not errors:
            move = Move(S(to), _reason(form, to))
            errors, code = await _attempt(
                db_session,
                request,
                lambda: shortlists.move_entries(db_session, request.user, vacancy_id, ids, move),
                to,
            )
        return await self._after(
            request,
            db_session,
            vacancy_id,
            errors,
            N_("Done."),
            error_at="bulk",
            error_code=code,
        )

    @post("/entries/{entry_id:uuid}/move", operation_id="pageCoordinatorMove", status_code=200)
    async def move(
        self, request: AuthRequest, db_session: Db, entry_id: FromPath[UUID]
    ) -> Template | Redirect:
        """One move of one entry, outcomes included (interview, hired, not hired with a reason)."""
        form = await request.form()
        entry, vacancy = await shortlists.entry_for(db_session, request.user, entry_id)
        errors: dict[str, str] = {}
        code: str | None = None
        to = str(form.get("to", ""))
        if to not in {s.value for s in S}:
            errors["to"] = N_("Choose an action.")
        else:
            move = Move(S(to), _reason(form, to))
            errors, code = await _attempt(
                db_session,
                request,
                lambda: shortlists.move_entry(db_session, request.user, entry.id, move),
                to,
            )
        return await self._after(
            request,
            db_session,
            vacancy.id,
            errors,
            N_("Done."),
            error_at=f"entry-{entry.id}",
            error_code=code,
        )

    @post(
        "/vacancies/{vacancy_id:uuid}/entries", operation_id="pageCoordinatorAdd", status_code=200
    )
    async def add(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Add a person to the shortlist by hand: one found by name or e-mail (or, from
        the API, by their jobseeker ID). After an error the search and note are kept."""
        form = await request.form()
        errors: dict[str, str] = {}
        code: str | None = None
        values = {k: str(form.get(k) or "") for k in ("find", "note", "jobseeker_id")}
        try:
            person = UUID(values["jobseeker_id"].strip())
        except ValueError:
            errors["jobseeker_id"] = _gettext(request)(
                N_("Find the person by name or e-mail and choose them from the results.")
            )
        if not errors:
            note = values["note"].strip()[:500] or None
            errors, code = await _attempt(
                db_session,
                request,
                lambda: shortlists.add_by_hand(db_session, request.user, vacancy_id, person, note),
            )
        return await self._after(
            request,
            db_session,
            vacancy_id,
            errors,
            N_("Added."),
            error_at="add",
            values=values,
            error_code=code,
        )
