"""The admin's pages: accounts, organisations and coordinator sub-regions (issue 14)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import Employer, EmployerStatus, Municipality, Role, User
from tests.conftest import PASSWORD
from tests.test_web import page_login


async def test_the_admin_lands_on_the_admin_page_and_finds_users(
    client: Any, make_user: Any
) -> None:
    admin = await make_user(Role.ADMIN)
    await make_user(Role.COACH, name="Liisa Valmentaja", email="liisa@example.fi")
    await make_user(Role.JOBSEEKER, name="Pekka Etsijä")
    response = await client.post(
        "/login", data={"email": admin.email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.headers["location"] == "/admin"
    html = (await client.get("/admin?q=liisa")).text
    assert "Liisa Valmentaja" in html and "Pekka Etsijä" not in html
    html = (await client.get("/admin?role=jobseeker")).text
    assert "Pekka Etsijä" in html and "Liisa Valmentaja" not in html
    assert 'href="/admin/organisations"' in html  # in the navigation


async def test_the_admin_creates_staff_accounts_that_can_log_in(
    client: Any, make_user: Any
) -> None:
    admin = await make_user(Role.ADMIN)
    await page_login(client, admin.email)
    account = {
        "name": "Kaisa Koordinaattori",
        "email": "Kaisa.K@example.fi",
        "role": "coordinator",
        "sub_region": "Tampere",
        "password": "pitkä-salasana-12",
    }
    created = await client.post("/admin/users", data=account, follow_redirects=False)
    assert created.status_code == 303, created.text
    async with session_scope() as session:
        user = await session.scalar(select(User).where(User.email == "kaisa.k@example.fi"))
        assert user is not None
        assert (user.role, user.sub_region, user.is_active) == (Role.COORDINATOR, "Tampere", True)
    # Refused, each naming its field, the form kept: the same address again, a
    # role that is not staff, a short password, a coordinator without a sub-region.
    for change, field in (
        ({}, "email"),
        ({"email": "x@example.fi", "role": "admin"}, "role"),
        ({"email": "y@example.fi", "password": "short"}, "password"),
        ({"email": "z@example.fi", "sub_region": ""}, "sub_region"),
    ):
        bad = await client.post("/admin/users", data={**account, **change})
        assert bad.status_code == 400, change
        assert f'id="{field}-error"' in bad.text, change
        assert 'value="Kaisa Koordinaattori"' in bad.text
    coach = {**account, "email": "coach@example.fi", "role": "coach", "sub_region": ""}
    assert (await client.post("/admin/users", data=coach)).status_code == 200
    client.cookies.clear()
    login = await client.post(
        "/login",
        data={"email": "kaisa.k@example.fi", "password": "pitkä-salasana-12"},
        follow_redirects=False,
    )
    assert login.headers["location"] == "/coordinator"  # the new account works


async def test_deactivated_accounts_cannot_log_in_and_admins_cannot_lock_themselves_out(
    client: Any, make_user: Any
) -> None:
    admin = await make_user(Role.ADMIN)
    coach = await make_user(Role.COACH)
    await page_login(client, admin.email)
    await client.post(f"/admin/users/{coach.id}/active", data={"active": "0"})
    await client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    async with session_scope() as session:
        assert (await session.get(User, coach.id)).is_active is False  # type: ignore[union-attr]
        assert (await session.get(User, admin.id)).is_active is True  # type: ignore[union-attr]
    client.cookies.clear()
    refused = await client.post(
        "/login", data={"email": coach.email, "password": PASSWORD}, follow_redirects=False
    )
    assert refused.status_code != 303


async def test_the_admin_assigns_coordinators_to_organisations_and_sub_regions(
    client: Any, make_user: Any
) -> None:
    admin = await make_user(Role.ADMIN)
    coordinator = await make_user(
        Role.COORDINATOR, name="Olli Koordinaattori", sub_region="Tampere"
    )
    async with session_scope() as session:
        place = await session.scalar(select(Municipality).where(Municipality.code == "536"))
        assert place is not None
        employer = Employer(
            business_id="0737546-2", name="Nokian Kone Oy", municipality_id=place.id
        )
        other = Employer(business_id="1572860-0", name="Muu Oy", municipality_id=place.id)
        employer.status = EmployerStatus.PENDING
        session.add_all([employer, other])
    await page_login(client, admin.email)
    html = (await client.get("/admin/organisations?q=0737546")).text
    assert "Nokian Kone Oy" in html and "Muu Oy" not in html
    assert "Olli Koordinaattori" in html
    assert "Odottaa hyväksyntää" in html  # the coordinator's approval, shown read-only
    saved = await client.post(
        f"/admin/organisations/{employer.id}/coordinator",
        data={"coordinator_id": str(coordinator.id)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    nobody = await client.post(
        f"/admin/organisations/{employer.id}/coordinator", data={"coordinator_id": str(admin.id)}
    )
    assert nobody.status_code == 404  # only an active coordinator can be assigned
    async with session_scope() as session:
        assert (await session.get(Employer, employer.id)).coordinator_id == coordinator.id  # type: ignore[union-attr]
    page = (await client.get("/admin/coordinators")).text
    assert "Olli Koordinaattori" in page and "Ylä-Pirkanmaa" in page
    await client.post(
        f"/admin/coordinators/{coordinator.id}/sub-region", data={"sub_region": "Ylä-Pirkanmaa"}
    )
    await client.post(
        f"/admin/coordinators/{coordinator.id}/sub-region", data={"sub_region": "Atlantis"}
    )
    async with session_scope() as session:
        assert (await session.get(User, coordinator.id)).sub_region == "Ylä-Pirkanmaa"  # type: ignore[union-attr]
