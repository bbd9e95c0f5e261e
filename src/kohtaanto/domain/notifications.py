"""Notifications: in the inbox always, by e-mail and webhook as the recipient prefers;
never twice for the same thing; said in the reader's language.

A notification is stored as what happened, never as prose: a ``kind`` and its
``params`` (JSON: ids as strings, dates as ISO strings, codes rather than texts).
The inbox, the e-mail and the webhook each render it from those, in the recipient's
language (``User.language`` for e-mail, the page's language in the inbox; the webhook
gets the structured data itself).

Adding a kind (say ``event_invitation`` for recruitment events) is one entry: a
``register(...)`` call at the end of this module (so the worker, the pages and the
API all know it whatever else they imported), or in the concept's own module if
that is imported wherever notifications are shown (the app and the worker). A kind
``notify_once`` does not know is refused (ValueError); a stored row of a kind no
longer known is shown as "You have a new notification"::

    from kohtaanto.domain.notifications import Kind, Text, register
    from kohtaanto.i18n import N_, NP_

    register(
        "event_invitation",
        Kind(
            title=Text(N_("You are invited to %(event)s on %(date)s")),
            group=Text(*NP_("%(num)d invitation", "%(num)d invitations"), "num"),
            link=lambda p, role: f"/jobseeker/events/{p['event_id']}",
            dates=("date",),
        ),
    )

    await notify_once(
        session,
        recipient_id=person.user_id,
        kind="event_invitation",
        params={"event_id": str(event.id), "event": event.name, "date": "2026-12-14"},
        key=f"event_invitation:{event.id}",
    )

- ``title`` is an ``N_``-marked English msgid with named ``%(param)s`` placeholders
  (``Text(*NP_(singular, plural), count_param)`` for plurals), or a function of the
  params and the reader's role returning one (when the wording depends on a status).
- ``params`` named in ``dates`` are ISO dates shown in the reader's format;
  ``vacancy_title`` is also available as ``%(title)s``, ``place`` (a municipality)
  is shown in the reader's language.
- ``group`` says "5 of these" when the inbox collapses a day's many of the kind.
- ``link`` is the page it is about, for the recipient's role (relative; the e-mail
  prefixes the public address).
- ``mail`` names an own e-mail template pair under ``templates/mail/``
  (``<name>.txt`` and ``<name>.html``, extending ``notification.*``); without it the
  e-mail says the title and links to the page. Translate the new msgids in fi and
  sv (``scripts/catalogs update``; ``tests/test_catalogs.py`` checks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.filters import LimitOffset
from advanced_alchemy.service import OffsetPagination
from babel.dates import format_date
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Municipality, Notification, NotifyFrequency, Role, User, Vacancy
from kohtaanto.db.paging import paginate
from kohtaanto.domain import outbox
from kohtaanto.domain.errors import NotFound
from kohtaanto.domain.places import place_name
from kohtaanto.i18n import LANGUAGES, N_, NP_, translations
from kohtaanto.queue import DELIVER_NOTIFICATION
from kohtaanto.settings import get_settings

Params = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Text:
    """An English msgid with ``%(name)s`` placeholders; with ``plural`` and ``count``
    (the param holding the number) a plural message."""

    singular: str
    plural: str | None = None
    count: str | None = None


@dataclass(frozen=True, slots=True)
class Kind:
    """How one kind of notification is said and where it leads (see the module doc)."""

    title: Text | Callable[[Params, Role | None], Text]
    group: Text = Text(*NP_("%(num)d notification", "%(num)d notifications"), "num")
    link: Callable[[Params, Role | None], str | None] = lambda params, role: None
    dates: tuple[str, ...] = ()
    mail: str | None = None


KINDS: dict[str, Kind] = {}


def register(name: str, kind: Kind) -> Kind:
    """Add a kind (once: a second registration of the same name is a mistake)."""
    if name in KINDS:
        raise ValueError(f"notification kind {name!r} is registered twice")
    KINDS[name] = kind
    return kind


# The kind a stored row has when the code no longer knows it: its old title, if any.
UNKNOWN = Kind(title=Text(N_("You have a new notification")))


async def notify_once(
    session: AsyncSession,
    *,
    recipient_id: UUID,
    kind: str,
    params: Mapping[str, Any] | None = None,
    vacancy_id: UUID | None = None,
    key: str | None = None,
    title: str | None = None,
    body: Mapping[str, Any] | None = None,
) -> Notification | None:
    """Store a notification unless the recipient already has the same one.

    ``params`` are what the kind's texts need (JSON values: ids as strings). Two
    notifications are the same when their ``key`` is (by default the kind and the
    vacancy: one match notification per vacancy, ever). Returns the new
    notification, or None when it existed. The unique constraint decides, so two
    workers racing on the same match still store one.

    When the recipient wants e-mail at once or has a webhook, the same
    transaction records the job that delivers it (digests are collected later).
    """
    # ``title``/``body``: the old call (a text said once, for one reader) of concepts not
    # yet moved to a registered kind; the text is kept as ``legacy_title``.
    if kind not in KINDS and title is None:
        raise ValueError(f"unknown notification kind {kind!r}: register it in KINDS")
    stored = dict(params if params is not None else body or {})
    if title is not None:
        stored["legacy_title"] = title
    if vacancy_id is not None:
        stored.setdefault("vacancy_id", str(vacancy_id))
    dedup_key = key or f"{kind}:{vacancy_id}"
    exists = await session.scalar(
        select(Notification.id).where(
            Notification.recipient_id == recipient_id, Notification.dedup_key == dedup_key
        )
    )
    if exists is not None:
        return None
    notification = Notification(
        recipient_id=recipient_id,
        kind=kind,
        dedup_key=dedup_key,
        vacancy_id=vacancy_id,
        params=stored,
    )
    try:
        async with session.begin_nested():
            session.add(notification)
    except IntegrityError:
        return None
    recipient = await session.get(User, recipient_id)
    mail_now = (
        recipient is not None
        and recipient.notify_frequency is NotifyFrequency.IMMEDIATE
        and bool(get_settings().delivery.smtp_host)
    )
    if recipient is not None and (mail_now or recipient.webhook_url):
        outbox.record(session, DELIVER_NOTIFICATION, notification_id=str(notification.id))
    return notification


async def set_language(session: AsyncSession, user_id: UUID, lang: str) -> None:
    """Remember the language the user reads (their e-mails are written in it)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    await session.execute(update(User).where(User.id == user_id).values(language=lang))


async def list_for(
    session: AsyncSession, user: User, page: LimitOffset, *, unread: bool = False
) -> OffsetPagination[Notification]:
    """One page of the user's own notifications, newest first."""
    query = select(Notification).where(Notification.recipient_id == user.id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return await paginate(session, query, page, [Notification.created_at.desc(), Notification.id])


async def inbox(
    session: AsyncSession, user: User, limit: int
) -> list[tuple[Notification, str | None, str | None]]:
    """The user's newest notifications, each with its vacancy's title and place."""
    rows = await session.execute(
        select(Notification, Vacancy.title, Municipality.name)
        .outerjoin(Vacancy, Vacancy.id == Notification.vacancy_id)
        .outerjoin(Municipality, Municipality.id == Vacancy.municipality_id)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id)
        .limit(limit)
    )
    return [(n, title, place) for n, title, place in rows.tuples()]


async def mark_read(session: AsyncSession, user: User, notification_id: UUID) -> Notification:
    """Mark one of the user's notifications read (reading it again changes nothing)."""
    n = await session.get(Notification, notification_id)
    if n is None or n.recipient_id != user.id:
        raise NotFound(
            "notification_not_found", N_("No such notification."), field="notification_id"
        )
    n.read_at = n.read_at or datetime.now(UTC)
    await session.flush()
    return n


async def mark_all_read(session: AsyncSession, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many were."""
    result = await session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def set_frequency(session: AsyncSession, user: User, frequency: NotifyFrequency) -> None:
    """How often the user wants e-mail of new notifications (``off``: inbox only)."""
    account = await session.get(User, user.id)
    if account is None:
        raise NotFound("account_not_found", N_("No such account."))
    account.notify_frequency = frequency
    await session.flush()


def _event_link(body: dict[str, Any], role: Role) -> str | None:
    """A recruitment event's notification: the invitations, the tables, the board."""
    event = body.get("event_id")
    if role is Role.JOBSEEKER:
        return "/jobseeker/events"
    if role is Role.EMPLOYER and event:
        return f"/employer/events/{event}"
    if role is Role.COACH and body.get("client"):
        return f"/coach/clients/{body['client']}"
    if role in (Role.COORDINATOR, Role.ADMIN) and event:
        return f"/events/{event}"
    return None


# --- saying it -----------------------------------------------------------------------


class _Values(dict[str, Any]):
    """A placeholder the params lack says nothing rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def _values(kind: Kind, params: Params, lang: str) -> _Values:
    values = _Values(params)
    values.setdefault("title", params.get("vacancy_title") or "")
    if params.get("place"):
        values["place"] = place_name(str(params["place"]), lang)
    for name in kind.dates:
        try:
            values[name] = format_date(
                date.fromisoformat(str(params.get(name))), format="short", locale=lang
            )
        except ValueError:
            values[name] = ""
    return values


def _say(text: Text, values: _Values, lang: str, count: int | None = None) -> str:
    catalog = translations(lang)
    if text.plural is not None:
        n = count if count is not None else int(values.get(text.count or "num") or 0)
        values = _Values(values, num=n)
        return str(catalog.ngettext(text.singular, text.plural, n)) % values
    return str(catalog.gettext(text.singular)) % values


def kind_of(name: str) -> Kind:
    return KINDS.get(name, UNKNOWN)


def title(kind: str, params: Params, lang: str, role: Role | None = None) -> str:
    """What the notification says, in ``lang`` (the inbox line, the e-mail's subject)."""
    spec = kind_of(kind)
    if params.get("legacy_title"):  # a row from before its kind was registered
        return str(params["legacy_title"])
    text = spec.title(params, role) if callable(spec.title) else spec.title
    return _say(text, _values(spec, params, lang), lang)


def group_title(kind: str, count: int, lang: str) -> str:
    """``count`` notifications of ``kind`` at once ("5 shortlists ready")."""
    return _say(kind_of(kind).group, _Values(num=count), lang, count)


def link_for(kind: str, params: Params, vacancy_id: UUID | None, role: Role | None) -> str | None:
    """The page a notification is about, for its recipient's role."""
    if vacancy_id is not None and "vacancy_id" not in params:
        params = {**params, "vacancy_id": str(vacancy_id)}
    return kind_of(kind).link(params, role)


def structured(notification: Notification, role: Role | None) -> dict[str, Any]:
    """A notification as data (the webhook, the API): no prose, every id a string."""
    return {
        "id": str(notification.id),
        "kind": notification.kind,
        "params": notification.params or {},
        "vacancy_id": str(notification.vacancy_id) if notification.vacancy_id else None,
        "link": link_for(
            notification.kind, notification.params or {}, notification.vacancy_id, role
        ),
        "created_at": notification.created_at.isoformat() if notification.created_at else None,
    }


# --- the kinds -----------------------------------------------------------------------

_STAFF = (Role.COORDINATOR, Role.ADMIN)


def _vacancy_link(params: Params, role: Role | None) -> str | None:
    """The board for the coordinator (at the entry when it concerns one), the vacancy
    for the jobseeker and the employer, the caseload for the coach."""
    vid, entry = params.get("vacancy_id"), params.get("entry_id")
    if role in _STAFF and vid:
        return f"/coordinator/vacancies/{vid}" + (f"#entry-{entry}" if entry else "")
    if role is Role.JOBSEEKER:
        return f"/jobseeker/vacancies/{vid}" if vid else "/jobseeker"
    if role is Role.COACH:
        return "/coach"
    if role is Role.EMPLOYER and vid:
        return f"/employer/vacancies/{vid}"
    return None


def _jobseeker_home(params: Params, role: Role | None) -> str | None:
    return "/jobseeker" if role is Role.JOBSEEKER else _vacancy_link(params, role)


def _consents(params: Params, role: Role | None) -> str | None:
    return "/jobseeker/consents" if role is Role.JOBSEEKER else _vacancy_link(params, role)


def _consent_request(params: Params, role: Role | None) -> Text:
    if params.get("deadline"):
        return Text(N_("May we share your profile for %(title)s? Answer by %(deadline)s"))
    return Text(N_("May we share your profile for %(title)s?"))


def _consent_answer(params: Params, role: Role | None) -> Text:
    if params.get("status") == "consented":
        return Text(N_("A jobseeker agreed to share their profile: %(title)s"))
    return Text(N_("A jobseeker declined: %(title)s"))


def _outcome(params: Params, role: Role | None) -> Text:
    hired = params.get("status") == "hired"
    if role is Role.JOBSEEKER:
        return Text(
            N_("%(title)s: you got the job") if hired else N_("%(title)s: not chosen this time")
        )
    return Text(
        N_("Outcome for a client: %(title)s — hired")
        if hired
        else N_("Outcome for a client: %(title)s — not hired")
    )


register(
    "match",
    Kind(
        title=Text(N_("A vacancy for you: %(title)s, %(place)s")),
        group=Text(*NP_("%(num)d new vacancy for you", "%(num)d new vacancies for you")),
        link=_vacancy_link,
        mail="match",
    ),
)
register(
    "shortlist",
    Kind(
        title=Text(
            *NP_(
                "Shortlist ready: %(title)s (%(num)d candidate)",
                "Shortlist ready: %(title)s (%(num)d candidates)",
            ),
            "candidates",
        ),
        group=Text(*NP_("%(num)d shortlist ready", "%(num)d shortlists ready")),
        link=_vacancy_link,
    ),
)
register(
    "consent_request",
    Kind(
        title=_consent_request,
        group=Text(*NP_("%(num)d consent request", "%(num)d consent requests")),
        link=_consents,
        dates=("deadline",),
    ),
)
register(
    "consent_answer",
    Kind(
        title=_consent_answer,
        group=Text(
            *NP_("%(num)d answer to a consent request", "%(num)d answers to consent requests")
        ),
        link=_vacancy_link,
    ),
)
register(
    "outcome",
    Kind(
        title=_outcome,
        group=Text(*NP_("%(num)d outcome", "%(num)d outcomes")),
        link=_jobseeker_home,
    ),
)
register(
    "interest",
    Kind(
        title=Text(N_("A jobseeker is interested in: %(title)s")),
        group=Text(*NP_("%(num)d jobseeker interested", "%(num)d jobseekers interested")),
        link=_vacancy_link,
    ),
)
register(
    "employer_registration",
    Kind(
        title=Text(N_("An employer to verify: %(name)s")),
        group=Text(*NP_("%(num)d employer to verify", "%(num)d employers to verify")),
        link=lambda p, role: "/coordinator/employers",
    ),
)


# --- recruitment events (domain.events) ------------------------------------------------


def _event_kind(text: str, group: Text) -> Kind:
    return Kind(
        title=Text(text),
        group=group,
        link=lambda p, role: _event_link(dict(p), role) if role is not None else None,
    )


_EVENT_NOTES = Text(*NP_("%(num)d recruitment event notice", "%(num)d recruitment event notices"))
register(
    "event_invitation",
    _event_kind(N_("You are invited to meet %(employer)s at %(event)s on %(when)s"), _EVENT_NOTES),
)
register(
    "event_booked",
    _event_kind(N_("Your interview with %(employer)s at %(event)s: %(when)s"), _EVENT_NOTES),
)
register(
    "event_changed",
    _event_kind(
        N_("Your interview time changed: %(employer)s at %(event)s, %(when)s"), _EVENT_NOTES
    ),
)
register(
    "event_cancelled",
    _event_kind(
        N_("Your interview with %(employer)s at %(event)s on %(when)s is cancelled"), _EVENT_NOTES
    ),
)
register(
    "event_waitlist",
    _event_kind(N_("A slot opened for you: %(employer)s at %(event)s, %(when)s"), _EVENT_NOTES),
)
register(
    "event_reminder",
    _event_kind(
        N_("Tomorrow: your interview with %(employer)s at %(event)s, %(when)s"), _EVENT_NOTES
    ),
)
register(
    "event_employer",
    _event_kind(
        N_("Your organisation is invited to take part in %(event)s on %(when)s"), _EVENT_NOTES
    ),
)
register(
    "event_published",
    _event_kind(N_("%(event)s on %(when)s is published: candidates can now book"), _EVENT_NOTES),
)


# --- referrals (domain.partners.referrals) ---------------------------------------------


def _referral_link(params: Params, role: Role | None) -> str | None:
    """The referral for the partner, the client's referrals, the coach's client."""
    if role is Role.PARTNER and params.get("referral_id"):
        return f"/partner/referrals/{params['referral_id']}"
    if role is Role.JOBSEEKER:
        return "/jobseeker/referrals"
    if role is Role.COACH and params.get("jobseeker_id"):
        return f"/coach/clients/{params['jobseeker_id']}/offers#referrals"
    return None


def _referral_reminder(params: Params, role: Role | None) -> Text:
    if role is Role.PARTNER:
        return Text(N_("A referral to %(service)s awaits your answer"))
    return Text(N_("Reminder sent to %(organisation)s"))


_REFERRALS = Text(*NP_("%(num)d referral notification", "%(num)d referral notifications"))
register(
    "referral_consent",
    Kind(
        title=Text(N_("Your coach proposes a referral to %(service)s: what may be sent?")),
        group=_REFERRALS,
        link=_referral_link,
    ),
)
register(
    "referral_new",
    Kind(title=Text(N_("New referral to %(service)s")), group=_REFERRALS, link=_referral_link),
)
register(
    "referral_answer",
    Kind(
        title=Text(N_("Referral to %(service)s (%(organisation)s) has news")),
        group=_REFERRALS,
        link=_referral_link,
    ),
)
register(
    "referral_reminder",
    Kind(title=_referral_reminder, group=_REFERRALS, link=_referral_link),
)
