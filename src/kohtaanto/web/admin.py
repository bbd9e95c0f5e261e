"""The admin's pages: user accounts (find, create staff accounts, deactivate),
organisations (find, assign the company coordinator) and the coordinators'
sub-regions (which employers each one serves).

Staff accounts are made here, not by registration: coordinators, coaches and
managers. Employers register themselves and jobseekers come from the service;
an admin can deactivate any account but their own.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import func, or_, select

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import Employer, Municipality, Role, User
from kohtaanto.db.paging import LimitOffset, paginate
from kohtaanto.security import hash_password_async
from kohtaanto.web import forms
from kohtaanto.web.i18n import N_
from kohtaanto.web.rendering import page

PAGE_SIZE = 50
# The accounts an admin creates: the service's own staff.
STAFF_ROLES = (Role.COORDINATOR, Role.COACH, Role.MANAGER)

# What to tell the admin about a field of the staff account form.
MESSAGES = {
    "name": N_("Give a name of 2 to 255 characters."),
    "email": N_("Give an e-mail address."),
    "role": N_("Choose a role."),
    "password": N_("Give a password of at least 12 characters."),
    "sub_region": N_("Choose a sub-region."),
}


class StaffAccount(msgspec.Struct, kw_only=True):
    """A staff account as the admin's form gives it."""

    name: Annotated[str, msgspec.Meta(min_length=2, max_length=255)]
    email: Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=255)]
    role: Role
    password: Annotated[str, msgspec.Meta(min_length=12, max_length=128)]
    sub_region: Annotated[str, msgspec.Meta(max_length=64)] | None = None


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _sub_regions(db: Db) -> list[str]:
    return list(await db.scalars(select(Municipality.sub_region).distinct().order_by("sub_region")))


async def _coordinators(db: Db) -> list[User]:
    return list(
        await db.scalars(
            select(User)
            .where(User.role == Role.COORDINATOR, User.is_active.is_(True))
            .order_by(User.sub_region, User.name)
        )
    )


class AdminPages(Controller):
    path = "/admin"
    guards = [requires(Role.ADMIN)]
    include_in_schema = False

    async def _users_page(
        self,
        request: AuthRequest,
        db: Db,
        *,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        q = (request.query_params.get("q") or "").strip()[:100]
        role = request.query_params.get("role") or ""
        query = select(User)
        if q:
            query = query.where(or_(User.name.ilike(_like(q)), User.email.ilike(_like(q))))
        if role in {r.value for r in Role}:
            query = query.where(User.role == Role(role))
        users = await paginate(
            db, query, LimitOffset(PAGE_SIZE, 0), [User.role, User.name, User.email, User.id]
        )
        flash = {
            "created": N_("The account was created."),
            "saved": N_("Saved."),
        }.get(request.query_params.get("done") or "")
        return page(
            request,
            "admin/users.html",
            status_code=400 if errors else 200,
            users=users.items,
            total=users.total,
            shown=PAGE_SIZE,
            q=q,
            role=role,
            roles=list(Role),
            staff_roles=STAFF_ROLES,
            sub_regions=await _sub_regions(db),
            values=values or {"role": Role.COORDINATOR.value},
            errors=errors or {},
            flash=flash,
        )

    @get("/", operation_id="pageAdminUsers")
    async def users(self, request: AuthRequest, db_session: Db) -> Template:
        """Every account, found by name or e-mail and by role; the form for staff."""
        return await self._users_page(request, db_session)

    @post("/users", operation_id="pageAdminCreateUser", status_code=303)
    async def create_user(self, request: AuthRequest, db_session: Db) -> Template | Redirect:
        """A coordinator, coach or manager account with a first password the admin
        passes on; the person changes it after logging in."""
        form = await request.form()
        data, errors = forms.read(form, StaffAccount)
        errors = {field: MESSAGES.get(field, text) for field, text in errors.items()}
        values = {k: str(form.get(k, "")) for k in ("name", "email", "role", "sub_region")}
        if data is not None:
            email = data.email.strip().lower()
            if data.role not in STAFF_ROLES:
                errors = {"role": MESSAGES["role"]}
            elif data.role is Role.COORDINATOR and data.sub_region not in await _sub_regions(
                db_session
            ):
                errors = {"sub_region": MESSAGES["sub_region"]}
            elif await db_session.scalar(select(User.id).where(func.lower(User.email) == email)):
                errors = {"email": N_("An account with this e-mail address already exists.")}
            else:
                db_session.add(
                    User(
                        name=data.name.strip(),
                        email=email,
                        role=data.role,
                        password_hash=await hash_password_async(data.password),
                        sub_region=data.sub_region if data.role is Role.COORDINATOR else None,
                    )
                )
                return Redirect("/admin?done=created", status_code=303)
        return await self._users_page(request, db_session, values=values, errors=errors)

    @post("/users/{user_id:uuid}/active", operation_id="pageAdminUserActive", status_code=303)
    async def set_active(
        self, request: AuthRequest, db_session: Db, user_id: FromPath[UUID]
    ) -> Redirect:
        """Deactivate (or reactivate) an account; a deactivated one cannot log in and
        its tokens stop working. Admins cannot lock themselves out."""
        user = await db_session.get(User, user_id)
        if user is None:
            raise NotFoundException()
        if user.id != request.user.id:
            user.is_active = (await request.form()).get("active") == "1"
            user.token_version += 1  # revoke what it holds now
        return Redirect("/admin?done=saved", status_code=303)

    @get("/organisations", operation_id="pageAdminOrganisations")
    async def organisations(self, request: AuthRequest, db_session: Db) -> Template:
        """Employers, found by name or business ID, each with its coordinator."""
        q = (request.query_params.get("q") or "").strip()[:100]
        query = select(Employer)
        if q:
            query = query.where(
                or_(Employer.name.ilike(_like(q)), Employer.business_id.ilike(_like(q)))
            )
        employers = await paginate(
            db_session, query, LimitOffset(PAGE_SIZE, 0), [Employer.name, Employer.id]
        )
        return page(
            request,
            "admin/organisations.html",
            employers=employers.items,
            total=employers.total,
            shown=PAGE_SIZE,
            q=q,
            coordinators=await _coordinators(db_session),
            flash=N_("Saved.") if request.query_params.get("done") else None,
        )

    @post(
        "/organisations/{employer_id:uuid}/coordinator",
        operation_id="pageAdminAssignCoordinator",
        status_code=303,
    )
    async def assign(
        self, request: AuthRequest, db_session: Db, employer_id: FromPath[UUID]
    ) -> Redirect:
        """Give the organisation a company coordinator (an active one), or none."""
        employer = await db_session.get(Employer, employer_id)
        if employer is None:
            raise NotFoundException()
        chosen = str((await request.form()).get("coordinator_id", ""))
        coordinators = {str(c.id): c for c in await _coordinators(db_session)}
        if chosen and chosen not in coordinators:
            raise NotFoundException(detail="No such coordinator")
        employer.coordinator_id = coordinators[chosen].id if chosen else None
        return Redirect("/admin/organisations?done=1", status_code=303)

    @get("/coordinators", operation_id="pageAdminCoordinators")
    async def coordinators(self, request: AuthRequest, db_session: Db) -> Template:
        """Each coordinator's sub-region and how many employers they serve."""
        rows = await db_session.execute(
            select(Employer.coordinator_id, func.count()).group_by(Employer.coordinator_id)
        )
        counts: dict[UUID | None, int] = {c: n for c, n in rows.tuples()}
        return page(
            request,
            "admin/coordinators.html",
            coordinators=await _coordinators(db_session),
            employers=counts,
            sub_regions=await _sub_regions(db_session),
            flash=N_("Saved.") if request.query_params.get("done") else None,
        )

    @post(
        "/coordinators/{user_id:uuid}/sub-region",
        operation_id="pageAdminCoordinatorSubRegion",
        status_code=303,
    )
    async def set_sub_region(
        self, request: AuthRequest, db_session: Db, user_id: FromPath[UUID]
    ) -> Redirect:
        """Move a coordinator to another sub-region (the employers they serve stay
        theirs until reassigned on the organisations page)."""
        user = await db_session.get(User, user_id)
        if user is None or user.role is not Role.COORDINATOR:
            raise NotFoundException()
        chosen = str((await request.form()).get("sub_region", ""))
        if chosen in await _sub_regions(db_session):
            user.sub_region = chosen
        return Redirect("/admin/coordinators?done=1", status_code=303)
