"""Pages of partner services and referrals: the partner's incoming referrals and their
answer (as a partner user, or through the one-time link without an account), the
coach's skills gap with the services that teach what is missing (one click refers),
the client's referrals with item-by-item consent, and the manager's referral report."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import Jobseeker, Referral, ReferralStatus, Role, User
from kohtaanto.domain.errors import DomainError, NotFound
from kohtaanto.domain.partners import referrals
from kohtaanto.domain.partners.vocabulary import (
    AUDIENCES,
    DROPOUT_REASONS,
    REFUSAL_REASONS,
    SHARE_ITEMS,
    THEMES,
)
from kohtaanto.offers import gap_with_offers, search_services
from kohtaanto.web.forms import date_field
from kohtaanto.web.i18n import N_, language_of, translations
from kohtaanto.web.rendering import page

# The items a coach proposes to send by default (the client still decides each).
DEFAULT_ITEMS = ("name", "contact", "education", "skills", "goal")
ANSWERS = ("accepted", "refused", "started", "completed", "dropped_out")


def _error(request: Request[Any, Any, Any], e: DomainError) -> str:
    return e.render(translations(language_of(request)).gettext)


async def _answer_form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    form = await request.form()
    status = str(form.get("status", ""))
    if status not in ANSWERS:
        raise DomainError("required", N_("Choose the answer"), field="status")
    return {
        "to": ReferralStatus(status),
        "start_date": date_field(form.get("start_date"), "start_date", N_("Give the start date")),
        "reason": str(form.get("reason", "")) or None,
        "note": str(form.get("note", ""))[:2000] or None,
    }


def _answer_context(referral: Referral) -> dict[str, Any]:
    moves = referrals.PARTNER_MOVES.get(referral.status, frozenset())
    return {
        "referral": referral,
        "moves": [m.value for m in ReferralStatus if m in moves],
        "refusal_reasons": REFUSAL_REASONS,
        "dropout_reasons": DROPOUT_REASONS,
    }


class PartnerPages(Controller):
    """A partner user's incoming referrals, and their answers."""

    path = "/partner"
    guards = [requires(Role.PARTNER)]
    include_in_schema = False

    @get("/", operation_id="pagePartnerReferrals")
    async def incoming(self, request: AuthRequest, db_session: Db) -> Template:
        found = await referrals.for_partner(db_session, request.user)
        waiting = [r for r in found if r.status in referrals.AWAITING_PARTNER]
        closed = [r for r in found if r.status not in referrals.AWAITING_PARTNER]
        return page(request, "partners/incoming.html", waiting=waiting, closed=closed)

    @get("/referrals/{referral_id:uuid}", operation_id="pagePartnerReferral")
    async def one(
        self, request: AuthRequest, db_session: Db, referral_id: FromPath[UUID]
    ) -> Template:
        referral = await referrals.read_as_partner(db_session, request.user, referral_id)
        return page(
            request,
            "partners/referral.html",
            action=f"/partner/referrals/{referral.id}/answer",
            saved=bool(request.query_params.get("saved")),
            **_answer_context(referral),
        )

    @post("/referrals/{referral_id:uuid}/answer", operation_id="pagePartnerAnswer")
    async def answer(
        self, request: AuthRequest, db_session: Db, referral_id: FromPath[UUID]
    ) -> Response[Any]:
        try:
            values = await _answer_form(request)
            await referrals.answer_as_partner(db_session, request.user, referral_id, **values)
        except DomainError as e:
            if e.status == 404:
                raise
            referral = await referrals.read_as_partner(db_session, request.user, referral_id)
            return page(
                request,
                "partners/referral.html",
                status_code=400,
                action=f"/partner/referrals/{referral_id}/answer",
                error=_error(request, e),
                **_answer_context(referral),
            )
        return Redirect(f"/partner/referrals/{referral_id}?saved=1", status_code=303)


@get(
    "/r/{token:str}",
    operation_id="pageReferralLink",
    exclude_from_auth=True,
    include_in_schema=False,
)
async def link_form(
    request: Request[Any, Any, Any], db_session: Db, token: FromPath[str]
) -> Template:
    """The one-time link a partner got by e-mail: the referral (consented items only)
    and the answer form; no account needed. Every opening is in the client's log."""
    try:
        referral = await referrals.read_by_token(db_session, token)
    except DomainError as e:
        return page(request, "partners/link_used.html", status_code=404, message=_error(request, e))
    return page(
        request,
        "partners/referral.html",
        action=f"/r/{token}",
        via_link=True,
        **_answer_context(referral),
    )


@post(
    "/r/{token:str}",
    operation_id="pageReferralLinkAnswer",
    exclude_from_auth=True,
    include_in_schema=False,
)
async def link_answer(
    request: Request[Any, Any, Any], db_session: Db, token: FromPath[str]
) -> Template:
    try:
        referral = await referrals.by_token(db_session, token)
    except DomainError as e:
        return page(request, "partners/link_used.html", status_code=404, message=_error(request, e))
    try:
        values = await _answer_form(request)
        referral = await referrals.answer_by_token(db_session, token, **values)
    except DomainError as e:
        if e.status == 404:
            return page(
                request, "partners/link_used.html", status_code=404, message=_error(request, e)
            )
        return page(
            request,
            "partners/referral.html",
            status_code=400,
            action=f"/r/{token}",
            via_link=True,
            error=_error(request, e),
            **_answer_context(referral),
        )
    return page(request, "partners/thanks.html", referral=referral)


class CoachReferralPages(Controller):
    """The coach's skills gap → offers, the catalogue, and referring from the plan."""

    path = "/coach/clients"
    guards = [requires(Role.COACH)]
    include_in_schema = False

    async def _render(
        self,
        request: AuthRequest,
        db: Db,
        jobseeker_id: UUID,
        *,
        occupation: str = "",
        vacancy: str = "",
        q: str = "",
        theme: str = "",
        audience: str = "",
        error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        vacancy_id = None
        if vacancy:
            try:
                vacancy_id = UUID(vacancy)
            except ValueError:
                vacancy_id = None
        gap, offers = await gap_with_offers(
            db, request.user, jobseeker_id, occupation_uri=occupation or None, vacancy_id=vacancy_id
        )
        person = await db.get(Jobseeker, jobseeker_id)
        assert person is not None
        account = await db.get(User, person.user_id) if person.user_id else None
        found = []
        searched = bool(q or theme or audience)
        if searched:
            found = await search_services(
                db,
                q=q,
                themes=[theme] if theme in THEMES else [],
                audiences=[audience] if audience in AUDIENCES else [],
                municipality_code=person.municipality.code,
                near=(person.municipality.lat, person.municipality.lon),
                limit=20,
            )
        mine = await referrals.for_coach_client(db, request.user, jobseeker_id)
        return page(
            request,
            "partners/offers.html",
            status_code=status_code,
            person=person,
            name=account.name if account else None,
            gap=gap,
            offers=offers,
            found=found,
            searched=searched,
            q=q,
            theme=theme,
            audience=audience,
            themes=THEMES,
            audiences=AUDIENCES,
            occupations=person.occupations,
            occupation=occupation,
            share_items=SHARE_ITEMS,
            default_items=DEFAULT_ITEMS,
            referrals=mine,
            error=error,
            created=request.query_params.get("referred"),
        )

    @get("/{jobseeker_id:uuid}/offers", operation_id="pageCoachOffers")
    async def offers(
        self,
        request: AuthRequest,
        db_session: Db,
        jobseeker_id: FromPath[UUID],
        occupation: FromQuery[str] = "",
        vacancy: FromQuery[str] = "",
        q: FromQuery[str] = "",
        theme: FromQuery[str] = "",
        audience: FromQuery[str] = "",
    ) -> Template:
        """The essential skills the client lacks for their target, and the services near
        them that teach those; the catalogue search; the client's referrals."""
        return await self._render(
            request,
            db_session,
            jobseeker_id,
            occupation=occupation[:255],
            vacancy=vacancy[:64],
            q=q[:200],
            theme=theme[:64],
            audience=audience[:64],
        )

    @post("/{jobseeker_id:uuid}/referrals", operation_id="pageCoachRefer")
    async def refer(
        self, request: AuthRequest, db_session: Db, jobseeker_id: FromPath[UUID]
    ) -> Response[Any]:
        """One click: the service goes into the plan as a referral awaiting the client's
        consent to the proposed items."""
        await referrals.for_coach_client(db_session, request.user, jobseeker_id)  # or 404
        form = await request.form()
        try:
            try:
                service_id = UUID(str(form.get("service_id", "")))
            except ValueError:
                raise DomainError("required", N_("Choose a service"), field="service_id") from None
            items = [str(i) for i in form.getall("items", [])] or list(DEFAULT_ITEMS)
            await referrals.create_referral(
                db_session,
                request.user,
                jobseeker_id,
                service_id,
                items=items,
                message=str(form.get("message", ""))[:2000],
            )
        except DomainError as e:
            if e.status == 404 and e.field is None:
                raise
            await db_session.rollback()
            return await self._render(
                request, db_session, jobseeker_id, error=_error(request, e), status_code=400
            )
        return Redirect(
            f"/coach/clients/{jobseeker_id}/offers?referred=1#referrals", status_code=303
        )

    @post(
        "/{jobseeker_id:uuid}/referrals/{referral_id:uuid}/cancel",
        operation_id="pageCoachCancelReferral",
    )
    async def cancel(
        self,
        request: AuthRequest,
        db_session: Db,
        jobseeker_id: FromPath[UUID],
        referral_id: FromPath[UUID],
    ) -> Redirect:
        referral = await referrals.for_coach(db_session, request.user, referral_id)
        if referral.jobseeker_id != jobseeker_id:
            raise NotFound()
        await referrals.cancel(db_session, request.user, referral_id)
        return Redirect(f"/coach/clients/{jobseeker_id}/offers#referrals", status_code=303)


class ClientReferralPages(Controller):
    """The client's referrals: what the coach proposes to send, item by item."""

    path = "/jobseeker/referrals"
    guards = [requires(Role.JOBSEEKER)]
    include_in_schema = False

    @get("/", operation_id="pageClientReferrals")
    async def mine(self, request: AuthRequest, db_session: Db) -> Template:
        found = await referrals.for_client(db_session, request.user)
        return page(
            request,
            "partners/client_referrals.html",
            referrals=found,
            saved=bool(request.query_params.get("saved")),
        )

    @post("/{referral_id:uuid}/consent", operation_id="pageClientReferralConsent")
    async def consent(
        self, request: AuthRequest, db_session: Db, referral_id: FromPath[UUID]
    ) -> Response[Any]:
        form = await request.form()
        send = str(form.get("answer", "send")) == "send"
        items = [str(i) for i in form.getall("items", [])]
        try:
            await referrals.consent(db_session, request.user, referral_id, items=items, send=send)
        except DomainError as e:
            if e.status == 404:
                raise
            await db_session.rollback()
            found = await referrals.for_client(db_session, request.user)
            return page(
                request,
                "partners/client_referrals.html",
                status_code=400,
                referrals=found,
                error=_error(request, e),
                error_for=referral_id,
            )
        return Redirect("/jobseeker/referrals?saved=1", status_code=303)


route_handlers: list[Any] = [
    PartnerPages,
    link_form,
    link_answer,
    CoachReferralPages,
    ClientReferralPages,
]
