"""Recruitment events (issue 13): employers and jobseekers meet, in a hall or online,
in interview slots booked from the shortlist.

An organiser (a coordinator, or a coach for a group) plans the event, invites
employers, who list their needs and get slots at their tables; the shortlists and the
ranking propose whom to invite; invited people book a slot themselves (or the
organiser for them) or wait for one; on the day each table checks people in and the
employer notes the outcome, which moves the shortlist entry like the board does.
"""

from kohtaanto.domain.events._access import (
    booking_for,
    event_for,
    event_to_run,
    invitation_for,
    runs,
    slot_for,
    visible_events,
)
from kohtaanto.domain.events._booking import (
    CONSENT_HOLDS,
    book,
    cancel,
    check_in,
    consent_withdrawn,
    decline,
    invite,
    move_slot,
    record_outcome,
    remind,
    wait,
)
from kohtaanto.domain.events._filling import Proposal, proposals
from kohtaanto.domain.events._notify import booking_ics
from kohtaanto.domain.events._planning import (
    INSTRUMENTS,
    EventFields,
    Needs,
    add_employer,
    create_event,
    employer_answer,
    make_slots,
    set_status,
)
from kohtaanto.domain.events._views import (
    Board,
    Table,
    board,
    client_events,
    employer_tables,
    list_events,
    my_invitations,
)

__all__ = [
    "CONSENT_HOLDS",
    "INSTRUMENTS",
    "Board",
    "EventFields",
    "Needs",
    "Proposal",
    "Table",
    "add_employer",
    "board",
    "book",
    "booking_for",
    "booking_ics",
    "cancel",
    "check_in",
    "client_events",
    "consent_withdrawn",
    "create_event",
    "decline",
    "employer_answer",
    "employer_tables",
    "event_for",
    "event_to_run",
    "invitation_for",
    "invite",
    "list_events",
    "make_slots",
    "move_slot",
    "my_invitations",
    "proposals",
    "record_outcome",
    "remind",
    "runs",
    "set_status",
    "slot_for",
    "visible_events",
    "wait",
]
