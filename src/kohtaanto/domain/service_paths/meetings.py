"""Meetings of the coach and the client: in person (with an address), by phone, or by
video (with a link). Scheduling puts a meeting activity in the plan and sends both an
iCalendar invitation by e-mail (through the outbox: ``MEETING_MAIL`` jobs); a
reminder goes the day before. Minutes the coach writes become visible to the client
when published.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from uuid import UUID

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import Jobseeker, Meeting, Role, User
from kohtaanto.domain import outbox
from kohtaanto.domain.delivery import header_value
from kohtaanto.domain.errors import DomainError, NotFound
from kohtaanto.domain.service_paths import plan as plans
from kohtaanto.domain.service_paths.access import own_client, own_profile
from kohtaanto.domain.service_paths.rules import HELSINKI, local_day
from kohtaanto.i18n import N_
from kohtaanto.queue import MEETING_MAIL
from kohtaanto.settings import get_settings

CHANNELS = ("in_person", "phone", "video")
INVITATION, REMINDER, CANCELLATION = "invitation", "reminder", "cancellation"
REMIND_BEFORE = timedelta(hours=24)
_CHANNEL_FI = {"in_person": "tapaaminen", "phone": "puhelinaika", "video": "videotapaaminen"}
_CHANNEL_EN = {"in_person": "meeting", "phone": "phone appointment", "video": "video meeting"}


async def schedule(
    session: AsyncSession,
    coach: User,
    jobseeker_id: UUID,
    *,
    starts_at: datetime,
    duration_minutes: int = 45,
    channel: str,
    address: str | None = None,
    video_url: str | None = None,
    preparation: str = "",
    now: datetime | None = None,
) -> Meeting:
    """Book a meeting with the client; it joins the plan and the invitations go out."""
    now = now or datetime.now(UTC)
    person = await own_client(session, coach, jobseeker_id)
    if channel not in CHANNELS:
        raise DomainError("unknown_channel", N_("Choose how you meet"), field="channel")
    if starts_at.tzinfo is None:
        raise DomainError("naive_time", N_("Give the time with its time zone"), field="starts_at")
    if starts_at < now:
        raise DomainError(
            "meeting_in_past", N_("The meeting cannot be in the past"), field="starts_at"
        )
    if not 5 <= duration_minutes <= 480:
        raise DomainError(
            "bad_duration", N_("A meeting lasts 5 to 480 minutes"), field="duration_minutes"
        )
    address = (address or "").strip() or None
    video_url = (video_url or "").strip() or None
    if channel == "in_person" and not address:
        raise DomainError(
            "address_required", N_("Give the address of the meeting"), field="address"
        )
    if channel == "video" and not (video_url and video_url.startswith("https://")):
        raise DomainError(
            "video_url_required", N_("Give the video link (https://…)"), field="video_url"
        )
    if len(address or "") > 255 or len(video_url or "") > 1024 or len(preparation) > 4000:
        raise DomainError("text_too_long", N_("The text is too long"), field="preparation")
    day = local_day(starts_at)
    activity = await plans.add_activity(
        session,
        person.id,
        actor=coach,
        kind="meeting",
        title=_title(channel),
        starts_on=day,
        ends_on=day,
        agreed=True,
        now=now,
    )
    meeting = Meeting(
        jobseeker_id=person.id,
        coach_id=coach.id,
        activity_id=activity.id,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        channel=channel,
        address=address,
        video_url=video_url,
        preparation=preparation.strip(),
    )
    session.add(meeting)
    await session.flush()
    activity.details = {"meeting_id": str(meeting.id)}
    outbox.record(session, MEETING_MAIL, meeting_id=str(meeting.id), kind=INVITATION)
    return meeting


def _title(channel: str) -> str:
    return f"{_CHANNEL_FI[channel].capitalize()} / {_CHANNEL_EN[channel]}"


async def coach_meeting(session: AsyncSession, coach: User, meeting_id: UUID) -> Meeting:
    """One of the coach's own meetings (404 otherwise)."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or coach.role is not Role.COACH or meeting.coach_id != coach.id:
        raise NotFound("meeting_not_found", N_("Meeting not found"), field="meeting_id")
    person = await session.get(Jobseeker, meeting.jobseeker_id)
    if person is None or person.coach_id != coach.id:
        raise NotFound("meeting_not_found", N_("Meeting not found"), field="meeting_id")
    return meeting


async def write_minutes(
    session: AsyncSession,
    coach: User,
    meeting_id: UUID,
    *,
    minutes: str,
    publish: bool,
    now: datetime | None = None,
) -> Meeting:
    """The coach writes the minutes; published ones the client reads."""
    now = now or datetime.now(UTC)
    meeting = await coach_meeting(session, coach, meeting_id)
    if len(minutes) > 8000:
        raise DomainError("text_too_long", N_("The text is too long"), field="minutes")
    meeting.minutes = minutes.strip()
    if publish and meeting.minutes_published_at is None:
        meeting.minutes_published_at = now
    if meeting.activity_id is not None and publish:
        activity = await session.get(plans.PlanActivity, meeting.activity_id)
        if activity is not None and activity.status not in plans.FINAL:
            await plans.set_status(session, activity.id, plans.DONE, actor=coach, now=now)
    return meeting


async def cancel(
    session: AsyncSession, coach: User, meeting_id: UUID, *, now: datetime | None = None
) -> Meeting:
    """Cancel a meeting: the participants get a cancellation for their calendars."""
    now = now or datetime.now(UTC)
    meeting = await coach_meeting(session, coach, meeting_id)
    if meeting.cancelled_at is None:
        meeting.cancelled_at = now
        meeting.sequence += 1
        if meeting.activity_id is not None:
            activity = await session.get(plans.PlanActivity, meeting.activity_id)
            if activity is not None and activity.status not in plans.FINAL:
                await plans.set_status(session, activity.id, plans.CANCELLED, actor=coach, now=now)
        outbox.record(session, MEETING_MAIL, meeting_id=str(meeting.id), kind=CANCELLATION)
    return meeting


async def of_client(session: AsyncSession, jobseeker_id: UUID) -> list[Meeting]:
    """The client's meetings, soonest first."""
    return list(
        await session.scalars(
            select(Meeting).where(Meeting.jobseeker_id == jobseeker_id).order_by(Meeting.starts_at)
        )
    )


async def my_meetings(session: AsyncSession, client: User) -> list[Meeting]:
    person = await own_profile(session, client)
    return await of_client(session, person.id)


def for_client_view(meeting: Meeting) -> dict[str, object]:
    """What the client sees of a meeting: minutes only once published."""
    return {
        "id": meeting.id,
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "channel": meeting.channel,
        "address": meeting.address,
        "video_url": meeting.video_url,
        "preparation": meeting.preparation,
        "minutes": meeting.minutes if meeting.minutes_published_at else None,
        "cancelled": meeting.cancelled_at is not None,
    }


async def due_reminders(session: AsyncSession, now: datetime | None = None) -> list[Meeting]:
    """Meetings starting within a day that have had no reminder yet; marks them."""
    now = now or datetime.now(UTC)
    due = list(
        await session.scalars(
            select(Meeting)
            .where(
                Meeting.cancelled_at.is_(None),
                Meeting.reminded_at.is_(None),
                Meeting.starts_at > now,
                Meeting.starts_at <= now + REMIND_BEFORE,
            )
            .with_for_update(skip_locked=True)
        )
    )
    for meeting in due:
        meeting.reminded_at = now
        outbox.record(session, MEETING_MAIL, meeting_id=str(meeting.id), kind=REMINDER)
    return due


def ics(meeting: Meeting, coach: User, client: User, *, cancel: bool = False) -> bytes:
    """The meeting as an iCalendar invitation (RFC 5545, METHOD REQUEST or CANCEL)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Kohtaanto//Service path meetings//FI")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@kohtaanto")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add(
        "dtend", meeting.starts_at.astimezone(UTC) + timedelta(minutes=meeting.duration_minutes)
    )
    event.add("sequence", meeting.sequence)
    event.add("summary", _title(meeting.channel))
    if meeting.channel == "in_person" and meeting.address:
        event.add("location", meeting.address)
    elif meeting.channel == "video" and meeting.video_url:
        event.add("location", meeting.video_url)
        event.add("url", meeting.video_url)
    else:
        event.add("location", vText("Puhelin / Phone"))
    if meeting.preparation:
        event.add("description", meeting.preparation)
    event.add("status", "CANCELLED" if cancel or meeting.cancelled_at else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{coach.email}")
    organizer.params["cn"] = vText(coach.name)
    event.add("organizer", organizer)
    for person in (coach, client):
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()


def _when(meeting: Meeting) -> str:
    return meeting.starts_at.astimezone(HELSINKI).strftime("%d.%m.%Y %H:%M")


def email(meeting: Meeting, coach: User, client: User, to: User, kind: str) -> EmailMessage:
    """The invitation, reminder or cancellation to ``to``, with the .ics attached.
    Finnish first, then English, as the other e-mails."""
    when = _when(meeting)
    where = meeting.address or meeting.video_url or "puhelin / phone"
    subject = {
        INVITATION: f"Kohtaanto: kutsu tapaamiseen {when} / meeting invitation",
        REMINDER: f"Kohtaanto: muistutus tapaamisesta {when} / meeting reminder",
        CANCELLATION: f"Kohtaanto: tapaaminen {when} peruttu / meeting cancelled",
    }[kind]
    lines = {
        INVITATION: [
            f"{_CHANNEL_FI[meeting.channel].capitalize()} {when} (Suomen aikaa), {where}.",
            f"Valmentaja: {coach.name}. Asiakas: {client.name}.",
            "",
            f"{_CHANNEL_EN[meeting.channel].capitalize()} on {when} (Finnish time), {where}.",
        ],
        REMINDER: [
            f"Muistutus: {_CHANNEL_FI[meeting.channel]} {when}, {where}.",
            "",
            f"Reminder: {_CHANNEL_EN[meeting.channel]} on {when}, {where}.",
        ],
        CANCELLATION: [
            f"{_CHANNEL_FI[meeting.channel].capitalize()} {when} on peruttu.",
            "",
            f"The {_CHANNEL_EN[meeting.channel]} on {when} is cancelled.",
        ],
    }[kind]
    if meeting.preparation and kind != CANCELLATION:
        lines += ["", "Valmistautuminen / Preparation:", meeting.preparation]
    message = EmailMessage()
    message["From"] = header_value(get_settings().delivery.mail_from)
    message["To"] = header_value(to.email)
    message["Subject"] = header_value(subject)
    message["Date"] = formatdate(localtime=True)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join([*lines, ""]))
    cancelled = kind == CANCELLATION
    message.add_attachment(
        ics(meeting, coach, client, cancel=cancelled),
        maintype="text",
        subtype="calendar",
        filename="kutsu.ics" if not cancelled else "peruutus.ics",
        params={"method": "CANCEL" if cancelled else "REQUEST"},
    )
    return message


async def emails(session: AsyncSession, meeting_id: UUID, kind: str) -> list[EmailMessage]:
    """The messages a ``MEETING_MAIL`` job sends: one to the coach, one to the client.
    Empty when the meeting is gone, or cancelled since (for an invitation or reminder)."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or (kind != CANCELLATION and meeting.cancelled_at is not None):
        return []
    person = await session.get(Jobseeker, meeting.jobseeker_id)
    coach = await session.get(User, meeting.coach_id)
    client = await session.get(User, person.user_id) if person and person.user_id else None
    if coach is None or client is None:
        return []
    if kind == INVITATION and meeting.invited_at is None:
        meeting.invited_at = datetime.now(UTC)
    return [email(meeting, coach, client, to, kind) for to in (client, coach) if to.is_active]
