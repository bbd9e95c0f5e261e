"""The writes on a shortlist: add a person by hand, move one entry, move many at once.

Each is checked against the workflow (``workflow.MOVES``), logged and answered with
the entries' new state; a refusal is a ``DomainError`` with a code and the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import EntryStatus, Jobseeker, Role, ShortlistEntry, ShortlistEvent, User
from kohtaanto.domain.errors import DomainError, Forbidden, Refusals
from kohtaanto.domain.shortlists.board import EntryState, entry_for, shortlist_of, state_of
from kohtaanto.domain.shortlists.workflow import (
    SERVICE,
    Move,
    MoveError,
    active_counts,
    apply,
    check,
    log_views,
    normalise,
)
from kohtaanto.i18n import N_
from kohtaanto.settings import get_settings


class EntryRefused(DomainError):
    """One entry of a bulk move that cannot move; says its ``rank`` and ``status`` so
    that a door can name it as the coordinator sees it."""

    def as_extra(self) -> dict[str, Any]:
        item = super().as_extra()
        for name in ("rank", "status"):
            if name in item.get("params", {}):
                item[name] = item["params"][name]
        return item


async def add_by_hand(
    session: AsyncSession, user: User, vacancy_id: UUID, jobseeker_id: UUID, note: str | None
) -> EntryState:
    """Add a person to a shortlist by hand, at the end, marked as the coordinator's.

    Refusals name ``jobseeker_id``: ``jobseeker_not_found`` (also for someone who chose
    not to be seen, so the answer does not tell that they exist), ``not_available``,
    ``already_on_shortlist``, ``exposure_cap`` (already on as many active shortlists as
    one person may be).
    """
    shortlist = await shortlist_of(session, user, vacancy_id)
    person = await session.get(Jobseeker, jobseeker_id)
    if person is None or person.anonymised_at is not None or not person.visible_to_employers:
        raise DomainError(
            "jobseeker_not_found", N_("There is no such jobseeker."), field="jobseeker_id"
        )
    if not person.available:
        raise DomainError(
            "not_available", N_("This jobseeker is not available."), field="jobseeker_id"
        )
    if any(e.jobseeker_id == person.id for e in shortlist.entries):
        raise DomainError(
            "already_on_shortlist",
            N_("This jobseeker is already on this shortlist."),
            field="jobseeker_id",
        )
    cap = get_settings().workflow.exposure_cap
    if (await active_counts(session, [person.id])).get(person.id, 0) >= cap:
        raise DomainError(
            "exposure_cap",
            N_("This jobseeker is already on {cap} active shortlists, the most allowed."),
            field="jobseeker_id",
            cap=cap,
        )
    now = datetime.now(UTC)
    entry = ShortlistEntry(
        shortlist_id=shortlist.id,
        jobseeker_id=person.id,
        rank=max((e.rank for e in shortlist.entries), default=0) + 1,
        score=0.0,
        explanation={"added_by_hand": True, "note": note},
        source="coordinator",
        status=EntryStatus.SUGGESTED,
        status_changed_at=now,
    )
    session.add(entry)
    await session.flush()
    session.add(
        ShortlistEvent(
            entry_id=entry.id,
            from_status=None,
            to_status=EntryStatus.SUGGESTED,
            actor_id=user.id,
            reason=note or "added by hand",
            at=now,
        )
    )
    await log_views(
        session, user, SERVICE, [person.id], vacancy_id=vacancy_id, action="shortlisted"
    )
    return state_of(entry, vacancy_id)


async def move_entries(
    session: AsyncSession, user: User, vacancy_id: UUID, entry_ids: list[UUID], move: Move
) -> list[EntryState]:
    """Move many entries of one shortlist at once, all or nothing: if one entry cannot
    move, none does. The refusal (``entries_cannot_move``) names every entry that cannot
    (``entry_ids[i]``: ``not_on_shortlist``, or the workflow's code with the entry's
    ``rank`` and ``status``); a missing reason is one ``reason_required`` for all."""
    shortlist = await shortlist_of(session, user, vacancy_id)
    by_id = {e.id: e for e in shortlist.entries}
    chosen = []
    refused: list[DomainError] = []
    for i, entry_id in enumerate(dict.fromkeys(entry_ids)):
        key = f"entry_ids[{i}]"
        entry = by_id.get(entry_id)
        if entry is None:
            refused.append(DomainError("not_on_shortlist", N_("Not on this shortlist"), field=key))
            continue
        try:
            check(entry, normalise(entry, move), user)
        except MoveError as e:
            if e.field != "to":  # the reason is the same for all: one error says it
                raise
            refused.append(
                EntryRefused(
                    e.code, e.message, field=key, rank=entry.rank, status=entry.status, to=move.to
                )
            )
        chosen.append(entry)
    if refused:
        raise Refusals(
            "entries_cannot_move",
            N_("Nothing was changed: {count} of the chosen entries cannot make this move"),
            refused,
            field="entry_ids",
            count=len(refused),
        )
    for entry in chosen:
        await apply(session, entry, move, user)
    return [state_of(e, vacancy_id) for e in chosen]


async def move_entry(session: AsyncSession, user: User, entry_id: UUID, move: Move) -> EntryState:
    """One checked move of one entry by whoever it concerns: the coordinator works the
    list, the jobseeker answers, the employer records the outcome. Coaches follow only
    (``Forbidden``, ``coach_follows_only``); an entry the user may not see is
    ``NotFound``; a move the workflow refuses is a ``MoveError``."""
    entry, vacancy = await entry_for(session, user, entry_id)
    if user.role is Role.COACH:
        raise Forbidden("coach_follows_only", N_("Coaches follow entries; they do not move them"))
    await apply(session, entry, move, user)
    return state_of(entry, vacancy.id)
