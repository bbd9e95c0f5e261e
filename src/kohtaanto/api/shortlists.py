"""Shortlists and the recruitment workflow of their entries: the JSON door.

Coordinators read and work a vacancy's shortlist (one entry or many at once);
jobseekers answer consent requests on their own entries; employers see only
the candidates shared with them, only the shared fields, and record outcomes;
coaches follow their clients' entries. The rules and the reads are the
shortlist's own (``kohtaanto.domain.shortlists``); these controllers parse the
request and call one use case each.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from kohtaanto.api.schemas import Db
from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db.models import EntryStatus, Role
from kohtaanto.domain import shortlists
from kohtaanto.domain.shortlists import (
    EmployerCandidateView,
    EntryState,
    EventOut,
    Move,
    ShortlistOut,
)

Note = Annotated[str, msgspec.Meta(max_length=500)]


class EntryAdd(msgspec.Struct, forbid_unknown_fields=True):
    jobseeker_id: UUID
    note: Note | None = None


class MoveIn(msgspec.Struct, forbid_unknown_fields=True):
    to: EntryStatus
    reason: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    note: Note | None = None


class BulkMove(msgspec.Struct, forbid_unknown_fields=True):
    entry_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=200)]
    to: EntryStatus
    reason: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    note: Note | None = None


class ShortlistController(Controller):
    path = "/api/vacancies/{vacancy_id:uuid}/shortlist"
    tags = ["shortlists"]
    guards = [requires(Role.COORDINATOR, Role.ADMIN)]

    @get("/", operation_id="getShortlist")
    async def get_shortlist(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> ShortlistOut:
        """The ranked candidates with why each is there. 404 until the first one is built."""
        return await shortlists.board(db_session, request.user, vacancy_id)

    @post("/entries", operation_id="addShortlistEntry")
    async def add_entry(
        self,
        request: AuthRequest,
        db_session: Db,
        vacancy_id: FromPath[UUID],
        data: JSONBody[EntryAdd],
    ) -> EntryState:
        """Add a person by hand; they go to the end of the list, marked as the coordinator's."""
        return await shortlists.add_by_hand(
            db_session, request.user, vacancy_id, data.jobseeker_id, data.note
        )

    @post("/moves", operation_id="moveShortlistEntries", status_code=200)
    async def move_many(
        self,
        request: AuthRequest,
        db_session: Db,
        vacancy_id: FromPath[UUID],
        data: JSONBody[BulkMove],
    ) -> list[EntryState]:
        """Move many entries at once (ask consent from many, share many, close many).

        All or nothing: if one entry cannot move, none does, and the error names it.
        """
        move = Move(data.to, data.reason, data.note)
        return await shortlists.move_entries(
            db_session, request.user, vacancy_id, data.entry_ids, move
        )


class EntryController(Controller):
    path = "/api/shortlist-entries/{entry_id:uuid}"
    tags = ["shortlists"]

    @post("/move", operation_id="moveShortlistEntry", status_code=200)
    async def move(
        self, request: AuthRequest, db_session: Db, entry_id: FromPath[UUID], data: JSONBody[MoveIn]
    ) -> EntryState:
        """One move: coordinators work the list, jobseekers answer, employers record outcomes."""
        move = Move(data.to, data.reason, data.note)
        return await shortlists.move_entry(db_session, request.user, entry_id, move)

    @get("/events", operation_id="listShortlistEntryEvents")
    async def events(
        self, request: AuthRequest, db_session: Db, entry_id: FromPath[UUID]
    ) -> list[EventOut]:
        """The entry's history: every move, by whom (as a role), when and why.

        Employers get each status and its date only, from the sharing on."""
        return await shortlists.entry_events(db_session, request.user, entry_id)


class CandidateController(Controller):
    path = "/api/vacancies/{vacancy_id:uuid}/candidates"
    tags = ["shortlists"]
    guards = [requires(Role.EMPLOYER)]

    @get("/", operation_id="listSharedCandidates")
    async def shared(
        self, request: AuthRequest, db_session: Db, vacancy_id: FromPath[UUID]
    ) -> list[EmployerCandidateView]:
        """The candidates shared with the employer, and only the fields shared
        (``EmployerCandidateView``, listed in SECURITY.md): the jobseeker consented for
        this vacancy, and the sharing has not ended."""
        return await shortlists.candidates_for_employer(db_session, request.user, vacancy_id)
