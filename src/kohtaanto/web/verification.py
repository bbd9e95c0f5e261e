"""The coordinator's check of self-registered employers: approve, or reject with a reason.

The same domain functions as the API (``domain.employers``): a coordinator sees the
registrations of their own sub-region, an admin all of them.
"""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.employers import employer_review
from kohtaanto.api.schemas import Db
from kohtaanto.db.models import Role
from kohtaanto.domain import employers
from kohtaanto.web.i18n import N_
from kohtaanto.web.rendering import page

FLASH = {
    "approved": N_("The employer is approved and can now publish vacancies."),
    "rejected": N_("The registration is rejected; the employer sees your reason."),
}


class VerificationPages(Controller):
    path = "/coordinator/employers"
    guards = [requires(Role.COORDINATOR, Role.ADMIN)]
    include_in_schema = False

    @get("/", operation_id="pagePendingEmployers")
    async def pending(self, request: AuthRequest, db_session: Db) -> Template:
        """Registrations of the coordinator's area waiting for a decision, oldest first."""
        return await self._page(request, db_session)

    async def _page(
        self, request: AuthRequest, db_session: Db, status_code: int = 200, **context: Any
    ) -> Template:
        rows = [
            await employer_review(db_session, e)
            for e in await employers.pending_for(db_session, request.user)
        ]
        done = request.query_params.get("done")
        return page(
            request,
            "coordinator/employers.html",
            status_code=status_code,
            employers=rows,
            flash=FLASH.get(done or ""),
            **{"errors": {}, "reasons": {}, **context},
        )

    @post("/{employer_id:uuid}/approve", operation_id="pageApproveEmployer", status_code=303)
    async def approve(
        self, request: AuthRequest, db_session: Db, employer_id: FromPath[UUID]
    ) -> Redirect:
        employer = await employers.reviewable(db_session, request.user, employer_id)
        if employer is None:
            raise NotFoundException()
        # Decided already (another tab, another coordinator): the list shows how.
        with contextlib.suppress(employers.ReviewError):
            employers.decide(employer, request.user, approve=True)
        return Redirect("/coordinator/employers?done=approved", status_code=303)

    @post("/{employer_id:uuid}/reject", operation_id="pageRejectEmployer", status_code=303)
    async def reject(
        self, request: AuthRequest, db_session: Db, employer_id: FromPath[UUID]
    ) -> Template | Redirect:
        employer = await employers.reviewable(db_session, request.user, employer_id)
        if employer is None:
            raise NotFoundException()
        form = await request.form()
        reason = str(form.get("reason", "")).strip()[:1000]
        if len(reason) < 3:
            key = str(employer_id)
            return await self._page(
                request,
                db_session,
                status_code=400,
                errors={key: N_("Give the reason the employer will see.")},
                reasons={key: reason},
            )
        with contextlib.suppress(employers.ReviewError):
            employers.decide(employer, request.user, approve=False, reason=reason)
        return Redirect("/coordinator/employers?done=rejected", status_code=303)
