"""The notification inbox and delivery preferences of every signed-in user.

Notifications are said from their ``kind`` and ``params`` in the reader's language
(``domain.notifications.title``, the vacancy's title and place as they are now),
each linked to what it is about. Many of the same kind on
the same day (a hundred "shortlist ready" after a night's rebuild) collapse into
one group with a count that opens up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_timedelta
from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from kohtaanto.auth import AuthRequest
from kohtaanto.db import Db
from kohtaanto.db.models import NotifyFrequency
from kohtaanto.domain import notifications
from kohtaanto.domain.notifications import group_title, link_for, title
from kohtaanto.web.i18n import N_, language_of
from kohtaanto.web.rendering import page

# The service's clock for people: dates and times are shown in Finnish time.
LOCAL = ZoneInfo("Europe/Helsinki")
INBOX_SIZE = 200


@dataclass
class Item:
    """One notification as the page shows it."""

    id: UUID
    kind: str
    params: dict[str, Any]
    text: str
    link: str | None
    created_at: datetime
    read: bool
    when: str
    when_full: str


@dataclass
class Group:
    """Notifications of one kind on one day (Finnish time), newest first."""

    kind: str
    day: date
    day_text: str
    text: str = ""
    items: list[Item] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(not i.read for i in self.items)


def when(at: datetime, now: datetime, lang: str) -> tuple[str, str]:
    """A short relative time for the last week ("3 hours ago"; empty under a minute,
    which the page says as "just now"), a date and time after that; and the full local
    date and time for the tooltip."""
    full = format_datetime(at, format="medium", tzinfo=LOCAL, locale=lang)
    age = now - at
    if age < timedelta(minutes=1):
        return "", full
    if age < timedelta(days=7):
        short = format_timedelta(-age, add_direction=True, threshold=1.5, locale=lang)
        return short, full
    return format_datetime(at, format="short", tzinfo=LOCAL, locale=lang), full


def group(items: list[Item], lang: str) -> list[Group]:
    """Consecutive notifications (newest first) of one kind and day, as groups."""
    groups: dict[tuple[str, date], Group] = {}
    for item in items:
        day = item.created_at.astimezone(LOCAL).date()
        key = (item.kind, day)
        if key not in groups:
            groups[key] = Group(item.kind, day, format_date(day, format="medium", locale=lang))
        groups[key].items.append(item)
    for g in groups.values():
        g.text = group_title(g.kind, len(g.items), lang)
    return list(groups.values())


class InboxPages(Controller):
    """Notifications and their delivery preferences, for every signed-in role."""

    include_in_schema = False

    @get("/notifications", operation_id="pageNotifications")
    async def inbox(self, request: AuthRequest, db_session: Db) -> Template:
        """The newest notifications, grouped by kind and day, unread counted."""
        lang = language_of(request)
        rows = await notifications.inbox(db_session, request.user, INBOX_SIZE)
        now = datetime.now(UTC)
        role = request.user.role
        items = []
        for n, vacancy_title, place in rows:
            short, full = when(n.created_at, now, lang)
            params = dict(n.params or {})
            # The vacancy as it is called now, should it have been renamed since.
            if vacancy_title:
                params["vacancy_title"] = vacancy_title
            if place:
                params["place"] = place
            items.append(
                Item(
                    id=n.id,
                    kind=n.kind,
                    params=params,
                    text=title(n.kind, params, lang, role),
                    link=link_for(n.kind, params, n.vacancy_id, role),
                    created_at=n.created_at,
                    read=n.read_at is not None,
                    when=short,
                    when_full=full,
                )
            )
        return page(
            request,
            "notifications.html",
            groups=group(items, lang),
            unread=sum(not i.read for i in items),
            frequencies=list(NotifyFrequency),
            frequency=request.user.notify_frequency.value,
            flash=N_("Saved.") if request.query_params.get("saved") else None,
        )

    @post("/notifications/{notification_id:uuid}/read", operation_id="pageNotificationRead")
    async def read(
        self, request: AuthRequest, db_session: Db, notification_id: FromPath[UUID]
    ) -> Redirect:
        await notifications.mark_read(db_session, request.user, notification_id)
        return Redirect("/notifications", status_code=303)

    @post("/notifications/read-all", operation_id="pageNotificationsReadAll")
    async def read_all(self, request: AuthRequest, db_session: Db) -> Redirect:
        """Mark every notification read."""
        await notifications.mark_all_read(db_session, request.user)
        return Redirect("/notifications", status_code=303)

    @post("/preferences", operation_id="pagePreferences")
    async def preferences(self, request: AuthRequest, db_session: Db) -> Redirect:
        form = await request.form()
        try:
            frequency = NotifyFrequency(str(form.get("frequency", "")))
        except ValueError:
            return Redirect("/notifications", status_code=303)
        await notifications.set_frequency(db_session, request.user, frequency)
        return Redirect("/notifications?saved=1", status_code=303)
