"""The coordinator's check of self-registered employers: approve, or reject with a reason.

The same domain functions as the API (``domain.employers``): a coordinator sees the
registrations of their own sub-region, an admin all of them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import Role
from kohtaanto.domain import employers
from kohtaanto.domain.errors import DomainError
from kohtaanto.web.forms import Refusal
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
        rows = await employers.pending_for(db_session, request.user)
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
    ) -> Template | Redirect:
        return await self._decide(request, db_session, employer_id, approve=True)

    @post("/{employer_id:uuid}/reject", operation_id="pageRejectEmployer", status_code=303)
    async def reject(
        self, request: AuthRequest, db_session: Db, employer_id: FromPath[UUID]
    ) -> Template | Redirect:
        reason = str((await request.form()).get("reason", ""))[:1000]
        return await self._decide(request, db_session, employer_id, approve=False, reason=reason)

    async def _decide(
        self,
        request: AuthRequest,
        db_session: Db,
        employer_id: UUID,
        *,
        approve: bool,
        reason: str | None = None,
    ) -> Template | Redirect:
        """The same use case as the API's approve and reject (``employers.decide``)."""
        try:
            await employers.decide(db_session, request.user, employer_id, approve, reason)
        except DomainError as e:
            if e.code == "already_decided":
                # Decided already (another tab, another coordinator): the list shows how.
                return Redirect("/coordinator/employers", status_code=303)
            if e.status != 400:
                raise
            key = str(employer_id)
            return await self._page(
                request,
                db_session,
                status_code=400,
                errors={key: Refusal(e.message, e.code)},
                reasons={key: (reason or "").strip()},
            )
        done = "approved" if approve else "rejected"
        return Redirect(f"/coordinator/employers?done={done}", status_code=303)
