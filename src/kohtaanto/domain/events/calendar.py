"""The iCalendar (RFC 5545) entry of a booked slot.

One stable UID per booking and a SEQUENCE raised on every change: a calendar that
received the invitation updates the entry when the slot moves (METHOD:REQUEST with a
higher SEQUENCE) and removes it when the booking is cancelled (METHOD:CANCEL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Kohtaanto//Recruitment events//FI"


@dataclass(frozen=True)
class SlotEntry:
    """What a calendar needs to know of a booked slot."""

    booking_id: UUID
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    location: str
    url: str | None
    organiser_email: str
    attendee_email: str
    attendee_name: str
    domain: str = "kohtaanto"


def uid(booking_id: UUID, domain: str = "kohtaanto") -> str:
    """The calendar entry's identity: the same for every update and the cancellation."""
    return f"event-booking-{booking_id}@{domain}"


def ics(entry: SlotEntry, *, cancel: bool = False, stamp: datetime) -> str:
    """The .ics text: METHOD:REQUEST for a booking or a change, METHOD:CANCEL to remove it."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", uid(entry.booking_id, entry.domain))
    event.add("sequence", entry.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.ends_at)
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.url:
        event.add("url", entry.url)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organiser = vCalAddress(f"mailto:{entry.organiser_email}")
    organiser.params["cn"] = vText("Kohtaanto")
    event["organizer"] = organiser
    attendee = vCalAddress(f"mailto:{entry.attendee_email}")
    attendee.params["cn"] = vText(entry.attendee_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical().decode()
