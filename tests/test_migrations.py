"""The migrations build exactly the schema the models describe, and carry the data over."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from kohtaanto.db import alchemy_config, session_scope
from kohtaanto.db.migrate import downgrade, upgrade
from kohtaanto.db.models import (
    Employer,
    EscoOccupation,
    Municipality,
    Notification,
    Role,
    User,
    Vacancy,
    metadata,
)
from kohtaanto.domain.notifications import title as say


async def test_models_and_migrations_agree(database: None) -> None:
    async with alchemy_config().get_engine().connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    assert diff == [], f"models differ from the migrations; write a migration: {diff}"


async def test_notifications_become_kind_and_params(clean: None, make_user: Any) -> None:
    """Revision d1a9c3e5f702: rows written with an English title and a body keep what
    they say as params (the vacancy's title and place added, prose dropped, an unknown
    kind's title kept as legacy_title); users get a language; and back down again."""
    person = await make_user(Role.JOBSEEKER)
    async with session_scope() as session:
        place = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        occupation = await session.scalar(select(EscoOccupation).limit(1))
        assert place is not None and occupation is not None
        employer = Employer(business_id="0737546-2", name="Testi Oy", municipality_id=place.id)
        session.add(employer)
        await session.flush()
        vacancy = Vacancy(
            employer_id=employer.id,
            title="Kokki",
            description="Keittiössä.",
            occupation_id=occupation.id,
            municipality_id=place.id,
            hours_per_week=37.5,
        )
        session.add(vacancy)
        await session.flush()
        vacancy_id, vacancy_title, place_name = vacancy.id, vacancy.title, place.name
    old = sa.table(
        "notification",
        sa.column("id", sa.Uuid()),
        sa.column("recipient_id", sa.Uuid()),
        sa.column("kind", sa.String()),
        sa.column("dedup_key", sa.String()),
        sa.column("vacancy_id", sa.Uuid()),
        sa.column("title", sa.String()),
        sa.column("body", sa.JSON()),
        sa.column("webhook_attempts", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    rows = {
        "outcome": (vacancy_id, "X: you got the job", {"status": "hired", "reason_text": "x"}),
        "employer_registration": (None, "An employer to verify: Oy", {"name": "Oy"}),
        "retired_kind": (None, "Something old", {}),
    }
    await asyncio.to_thread(downgrade, "1815caa63b8b")
    try:
        async with alchemy_config().get_engine().begin() as conn:
            for kind, (vid, title, body) in rows.items():
                await conn.execute(
                    sa.insert(old).values(
                        id=uuid4(),
                        recipient_id=person.id,
                        kind=kind,
                        dedup_key=kind,
                        vacancy_id=vid,
                        title=title,
                        body=body,
                        webhook_attempts=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
    finally:
        await asyncio.to_thread(upgrade, "head")
    async with session_scope() as session:
        params = {n.kind: n.params for n in (await session.scalars(select(Notification))).all()}
        user = await session.get(User, person.id)
        assert user is not None and user.language == "fi"
    assert params["outcome"] == {
        "status": "hired",
        "vacancy_id": str(vacancy_id),
        "vacancy_title": vacancy_title,
        "place": place_name,
    }
    assert params["employer_registration"] == {"name": "Oy"}
    assert params["retired_kind"] == {"legacy_title": "Something old"}
    assert say("retired_kind", params["retired_kind"], "sv") == "Something old"
    assert say("outcome", params["outcome"], "sv", Role.JOBSEEKER).endswith("du fick jobbet")
    # And back: the old schema gets a readable title.
    await asyncio.to_thread(downgrade, "1815caa63b8b")
    try:
        async with alchemy_config().get_engine().connect() as conn:
            titles = dict(
                (await conn.execute(sa.select(old.c.kind, old.c.title))).all()  # type: ignore[arg-type]
            )
        assert titles["retired_kind"] == "Something old"
        assert vacancy_title in titles["outcome"]
    finally:
        await asyncio.to_thread(upgrade, "head")
