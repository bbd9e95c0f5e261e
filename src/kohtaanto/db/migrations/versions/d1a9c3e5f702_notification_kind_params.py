"""notifications as kind + params, rendered in the reader's language; user.language

The English ``title`` goes: every kind stored so far can be said from its ``params``
(the former ``body``, renamed), which this migration completes with what the titles
said (the vacancy's title and municipality). A row of a kind the code does not know
keeps its old title as ``params.legacy_title``, the one text the inbox falls back on.
Users get ``language`` (Finnish until they choose).

Revision ID: d1a9c3e5f702
Revises: 1815caa63b8b
Create Date: 2026-11-30 05:20:00
"""

from __future__ import annotations

from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "d1a9c3e5f702"
down_revision = "1815caa63b8b"
branch_labels = None
depends_on = None

# The kinds written before this revision (domain.notifications.KINDS knows them all).
KNOWN = {
    "match",
    "shortlist",
    "consent_request",
    "consent_answer",
    "outcome",
    "interest",
    "employer_registration",
    "referral_consent",
    "referral_new",
    "referral_answer",
}

_JSON = advanced_alchemy.types.JsonB


def _table(*columns: sa.ColumnClause[Any]) -> sa.TableClause:
    return sa.table(
        "notification",
        sa.column("id", advanced_alchemy.types.guid.GUID(length=16)),
        sa.column("kind", sa.String(32)),
        sa.column("vacancy_id", advanced_alchemy.types.guid.GUID(length=16)),
        *columns,
    )


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=2), server_default="fi", nullable=False)
        )
    with op.batch_alter_table("notification") as batch:
        batch.alter_column("body", new_column_name="params", existing_type=_JSON)

    bind = op.get_bind()
    notification = _table(sa.column("params", _JSON), sa.column("title", sa.String(255)))
    vacancy = sa.table(
        "vacancy",
        sa.column("id", advanced_alchemy.types.guid.GUID(length=16)),
        sa.column("title", sa.String(255)),
        sa.column("municipality_id", sa.Integer()),
    )
    municipality = sa.table(
        "municipality", sa.column("id", sa.Integer()), sa.column("name", sa.String(255))
    )
    rows = bind.execute(
        sa.select(
            notification.c.id,
            notification.c.kind,
            notification.c.vacancy_id,
            notification.c.params,
            notification.c.title,
            vacancy.c.title,
            municipality.c.name,
        )
        .select_from(notification)
        .outerjoin(vacancy, vacancy.c.id == notification.c.vacancy_id)
        .outerjoin(municipality, municipality.c.id == vacancy.c.municipality_id)
    ).all()
    for nid, kind, vacancy_id, params, title, vacancy_title, place in rows:
        new = dict(params or {})
        # Prose that was stored beside the codes: the reason's code stays.
        new.pop("reason_text", None)
        if vacancy_id is not None:
            new.setdefault("vacancy_id", str(vacancy_id))
            if vacancy_title is not None:
                new.setdefault("vacancy_title", vacancy_title)
            if place is not None:
                new.setdefault("place", place)
        if kind not in KNOWN:
            new["legacy_title"] = title
        if new != params:
            bind.execute(sa.update(notification).where(notification.c.id == nid).values(params=new))
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("title")


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(
            sa.Column("title", sa.String(length=255), server_default="", nullable=False)
        )
        batch.alter_column("params", new_column_name="body", existing_type=_JSON)
    # The old code shows the title as it is: give each row something readable.
    bind = op.get_bind()
    notification = _table(sa.column("body", _JSON), sa.column("title", sa.String(255)))
    for nid, kind, body in bind.execute(
        sa.select(notification.c.id, notification.c.kind, notification.c.body)
    ).all():
        body = body or {}
        title = body.get("legacy_title") or " ".join(
            str(x) for x in (kind, body.get("vacancy_title") or body.get("name") or "") if x
        )
        bind.execute(
            sa.update(notification).where(notification.c.id == nid).values(title=title[:255])
        )
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("language")
