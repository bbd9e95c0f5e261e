"""The shortlist: one room for a vacancy's candidates and their recruitment workflow.

suggested → contacted → consent requested → consented / declined / expired →
shared with the employer → interview → hired / not hired (or removed). The rule is
data (``MOVES``: which move, by whom); every move is checked, logged as a
``ShortlistEvent`` and tells the people who need to know.

Modules:

- ``workflow``: statuses, the table of moves, reasons, ``check``/``apply`` of one
  move, consent and sharing dates, expiry (the scheduler's), the exposure count.
- ``board``: what the coordinator sees (``board``), finding people to add
  (``find_people``), who may see an entry (``entry_for``), an entry's history,
  entries by status per vacancy (``status_counts``).
- ``moves``: the writes: ``add_by_hand``, ``move_entry``, ``move_entries`` (bulk,
  all or nothing).
- ``sharing``: what an employer sees of the candidates shared with them.
- ``building``: composing the list from the model's ranked suggestions
  (``compose``: keep the worked entries, update untouched suggestions in place,
  apply the exposure cap). ``jobs.matching`` retrieves and ranks, then calls it.

For other concepts (the API, the pages, jobs, recruitment events, privacy) call:

- ``move_entry(session, user, entry_id, Move(to, reason, note))`` to move one entry
  as a person (checked against the role), e.g. to ``INTERVIEW`` or ``SHARED``;
  ``move_entries(session, user, vacancy_id, entry_ids, move)`` for many at once.
- ``apply(session, entry, move, None)`` when the system itself moves an entry it has
  already loaded (no role check: erasure, expiry).
- ``entry_for(session, user, entry_id)`` to get an entry and its vacancy if the user
  may see it; ``board``/``shared_candidates``/``candidates_for_employer`` to read.
- ``add_by_hand(session, user, vacancy_id, jobseeker_id, note)``.
- ``compose(session, vacancy_id, suggestions, ...)`` to (re)build a list.

Refusals are ``kohtaanto.domain.errors`` errors with a code and field:
``transition_not_allowed``/``role_not_allowed``/``reason_required`` (``MoveError``),
``entries_cannot_move`` (``Refusals`` naming each ``entry_ids[i]``),
``jobseeker_not_found``/``not_available``/``already_on_shortlist``/``exposure_cap``,
``coach_follows_only`` (403), ``vacancy_not_found``/``shortlist_not_found``/
``entry_not_found`` (404), ``employer_not_approved`` (403). Ids are UUIDs.
"""

from kohtaanto.domain.shortlists.board import (
    CONTACT_STATUSES,
    Candidate,
    EntryState,
    EventOut,
    PersonFound,
    RankedEntry,
    ShortlistOut,
    board,
    entry_events,
    entry_for,
    find_people,
    has_shortlist,
    place_of,
    shortlist_of,
    state_of,
    status_counts,
)
from kohtaanto.domain.shortlists.building import Suggestion, compose, summary
from kohtaanto.domain.shortlists.moves import (
    EntryRefused,
    add_by_hand,
    move_entries,
    move_entry,
)
from kohtaanto.domain.shortlists.sharing import (
    EmployerCandidateView,
    EmployerMatch,
    EmployerSupport,
    candidates_for_employer,
    employer_match,
    employer_support,
    shared_candidates,
)
from kohtaanto.domain.shortlists.workflow import (
    ACTIVE,
    DECLINE_REASONS,
    MOVES,
    NOT_HIRED_REASONS,
    REASONS,
    REMOVAL_REASONS,
    SERVICE,
    VISIBLE_TO_EMPLOYER,
    Move,
    MoveError,
    S,
    active_counts,
    apply,
    check,
    expire,
    log_views,
    normalise,
    refusal,
    shared_with_employer,
)

__all__ = [
    "ACTIVE",
    "CONTACT_STATUSES",
    "DECLINE_REASONS",
    "MOVES",
    "NOT_HIRED_REASONS",
    "REASONS",
    "REMOVAL_REASONS",
    "SERVICE",
    "VISIBLE_TO_EMPLOYER",
    "Candidate",
    "EmployerCandidateView",
    "EmployerMatch",
    "EmployerSupport",
    "EntryRefused",
    "EntryState",
    "EventOut",
    "Move",
    "MoveError",
    "PersonFound",
    "RankedEntry",
    "S",
    "ShortlistOut",
    "Suggestion",
    "active_counts",
    "add_by_hand",
    "apply",
    "board",
    "candidates_for_employer",
    "check",
    "compose",
    "employer_match",
    "employer_support",
    "entry_events",
    "entry_for",
    "expire",
    "find_people",
    "has_shortlist",
    "log_views",
    "move_entries",
    "move_entry",
    "normalise",
    "place_of",
    "refusal",
    "shared_candidates",
    "shared_with_employer",
    "shortlist_of",
    "state_of",
    "status_counts",
    "summary",
]
