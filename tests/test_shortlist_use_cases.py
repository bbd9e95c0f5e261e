"""The shortlist's use cases (issue 9): the state machine as a table, and the same move
answered the same way through the JSON API and through the coordinator's page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, cast
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EntryStatus,
    Jobseeker,
    Role,
    Shortlist,
    ShortlistEntry,
    ShortlistEvent,
    User,
    Vacancy,
)
from kohtaanto.domain import shortlists
from kohtaanto.domain.errors import DomainError
from kohtaanto.domain.shortlists import MOVES, REASONS, Move, MoveError
from kohtaanto.settings import get_settings
from tests.conftest import _truncate
from tests.test_coordinator_board import seed_board
from tests.test_coordinator_board import seeded as seeded
from tests.test_reports import Seeded
from tests.test_staff_pages import _board_of, _login

S = EntryStatus
R = Role
HTMX = {"HX-Request": "true"}
STAFF = {R.COORDINATOR, R.ADMIN}
OUTCOME = STAFF | {R.EMPLOYER}

# The workflow as the service describes it, written out by hand (not read from the
# code): (from, to) -> the roles that may make the move. Every other pair is refused.
SPEC: dict[tuple[EntryStatus, EntryStatus], set[Role]] = {
    (S.SUGGESTED, S.CONTACTED): STAFF,
    (S.SUGGESTED, S.CONSENT_REQUESTED): STAFF,
    (S.CONTACTED, S.CONSENT_REQUESTED): STAFF,
    (S.DECLINED, S.CONSENT_REQUESTED): STAFF,
    (S.EXPIRED, S.CONSENT_REQUESTED): STAFF,
    (S.CONSENT_REQUESTED, S.CONSENTED): {R.JOBSEEKER},
    (S.CONSENT_REQUESTED, S.DECLINED): {R.JOBSEEKER},
    (S.CONSENT_REQUESTED, S.EXPIRED): set(),
    (S.CONSENTED, S.DECLINED): {R.JOBSEEKER},
    (S.SHARED, S.DECLINED): {R.JOBSEEKER},
    (S.INTERVIEW, S.DECLINED): {R.JOBSEEKER},
    (S.CONSENTED, S.SHARED): STAFF,
    (S.SHARED, S.INTERVIEW): OUTCOME,
    (S.SHARED, S.HIRED): OUTCOME,
    (S.SHARED, S.NOT_HIRED): OUTCOME,
    (S.INTERVIEW, S.HIRED): OUTCOME,
    (S.INTERVIEW, S.NOT_HIRED): OUTCOME,
    **{
        (s, S.REMOVED): STAFF
        for s in (
            S.SUGGESTED,
            S.CONTACTED,
            S.CONSENT_REQUESTED,
            S.CONSENTED,
            S.SHARED,
            S.INTERVIEW,
            S.DECLINED,
            S.EXPIRED,
        )
    },
}


def test_the_domain_table_is_the_workflow() -> None:
    assert {k: set(v) for k, v in MOVES.items()} == SPEC


def _cases() -> Iterator[Any]:
    for frm in S:
        for to in S:
            for role in R:
                allowed = SPEC.get((frm, to))
                expected = (
                    "transition_not_allowed"
                    if allowed is None
                    else None
                    if role in allowed
                    else "role_not_allowed"
                )
                yield pytest.param(
                    frm, to, role, expected, id=f"{frm.value}-{to.value}-{role.value}"
                )


@pytest.mark.parametrize(("frm", "to", "role", "expected"), list(_cases()))
def test_every_status_move_and_role(
    frm: EntryStatus, to: EntryStatus, role: Role, expected: str | None
) -> None:
    """Every status, every move, every role: allowed, or refused with the exact code
    (field ``to``). A valid reason is given where the move needs one."""
    entry = cast(ShortlistEntry, SimpleNamespace(status=frm))
    actor = cast(User, SimpleNamespace(role=role, id=uuid4()))
    reason = next(iter(REASONS[to])) if to in REASONS else None
    move = shortlists.normalise(entry, Move(to, reason))
    if expected is None:
        shortlists.check(entry, move, actor)
        return
    with pytest.raises(MoveError) as refused:
        shortlists.check(entry, move, actor)
    assert (refused.value.code, refused.value.field) == (expected, "to")
    assert refused.value.status == 400


@pytest.mark.parametrize("to", sorted(REASONS, key=lambda s: s.value))
def test_a_move_that_needs_a_reason_names_the_field(to: EntryStatus) -> None:
    frm, role = next((f, min(roles)) for (f, t), roles in SPEC.items() if t is to and roles)
    entry = cast(ShortlistEntry, SimpleNamespace(status=frm))
    actor = cast(User, SimpleNamespace(role=role, id=uuid4()))
    with pytest.raises(MoveError) as refused:
        shortlists.check(entry, Move(to, "no-such-reason"), actor)
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")


def test_the_system_may_make_any_move_of_the_table() -> None:
    for frm, to in SPEC:
        reason = next(iter(REASONS[to])) if to in REASONS else None
        entry = cast(ShortlistEntry, SimpleNamespace(status=frm))
        shortlists.check(entry, Move(to, reason), None)
    assert shortlists.refusal(S.HIRED, S.SUGGESTED, None) == "transition_not_allowed"


async def _entry_ids() -> dict[int, str]:
    return (await _board_of("Vacancy 837"))[1]


async def test_the_table_holds_through_the_api(client: Any, seeded: Seeded, login: Any) -> None:
    entries = await _entry_ids()
    coordinator = await login("coord@example.fi")
    cecilia = await login("cecilia@example.fi")  # rank 3, suggested
    daniel = await login("daniel@example.fi")  # rank 4, consent requested

    async def move(entry: str, headers: dict[str, str], **body: Any) -> Any:
        return await client.post(f"/api/shortlist-entries/{entry}/move", json=body, headers=headers)

    def code(response: Any) -> tuple[int, str, str]:
        item = response.json()["extra"][0]
        return response.status_code, item["key"], item["code"]

    assert code(await move(entries[3], coordinator, to="hired")) == (
        400,
        "to",
        "transition_not_allowed",
    )
    assert code(await move(entries[3], cecilia, to="contacted")) == (
        400,
        "to",
        "role_not_allowed",
    )
    assert code(await move(entries[3], coordinator, to="removed")) == (
        400,
        "reason",
        "reason_required",
    )
    # Someone else's entry does not exist for the jobseeker.
    assert code(await move(entries[3], daniel, to="consented")) == (
        404,
        "entry_id",
        "entry_not_found",
    )
    allowed = await move(entries[4], daniel, to="consented")
    assert allowed.status_code == 200 and allowed.json()["status"] == "consented"
    allowed = await move(entries[3], coordinator, to="contacted")
    assert allowed.status_code == 200 and allowed.json()["status"] == "contacted"


# ---- The same use case through both doors -------------------------------------------


async def _snapshot() -> list[tuple[Any, ...]]:
    """Every entry of the coordinator's shortlists and its history, without ids (the
    dataset is seeded again for the other door)."""
    async with session_scope() as session:
        entries = (
            await session.execute(
                select(Vacancy.title, ShortlistEntry)
                .join(Shortlist, Shortlist.vacancy_id == Vacancy.id)
                .join(ShortlistEntry, ShortlistEntry.shortlist_id == Shortlist.id)
                .order_by(Vacancy.title, ShortlistEntry.rank)
            )
        ).all()
        out: list[tuple[Any, ...]] = []
        for title, e in entries:
            events = (
                await session.execute(
                    select(ShortlistEvent, User.role)
                    .outerjoin(User, User.id == ShortlistEvent.actor_id)
                    .where(ShortlistEvent.entry_id == e.id)
                    .order_by(ShortlistEvent.at, ShortlistEvent.id)
                )
            ).all()
            out.append(
                (
                    title,
                    e.rank,
                    e.status,
                    e.source,
                    e.outcome_reason,
                    e.consent_deadline is not None,
                    tuple((ev.from_status, ev.to_status, role, ev.reason) for ev, role in events),
                )
            )
        return out


async def _person_id(name: str) -> UUID:
    async with session_scope() as session:
        found = await session.scalar(
            select(Jobseeker.id).join(User, User.id == Jobseeker.user_id).where(User.name == name)
        )
    assert found is not None
    return found


class ApiDoor:
    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    async def move(self, entry: str, to: str, reason: str | None = None) -> str | None:
        response = await self.client.post(
            f"/api/shortlist-entries/{entry}/move",
            json={"to": to, "reason": reason},
            headers=self.headers,
        )
        return self._outcome(response)

    async def bulk(self, vacancy: str, entries: list[str], to: str) -> str | None:
        response = await self.client.post(
            f"/api/vacancies/{vacancy}/shortlist/moves",
            json={"entry_ids": entries, "to": to},
            headers=self.headers,
        )
        return self._outcome(response)

    async def add(self, vacancy: str, person: UUID) -> str | None:
        response = await self.client.post(
            f"/api/vacancies/{vacancy}/shortlist/entries",
            json={"jobseeker_id": str(person)},
            headers=self.headers,
        )
        return self._outcome(response)

    @staticmethod
    def _outcome(response: Any) -> str | None:
        if response.status_code in (200, 201):
            return None
        assert response.status_code == 400, response.text
        return str(response.json()["code"])


class PageDoor:
    def __init__(self, client: Any) -> None:
        self.client = client

    @staticmethod
    def _outcome(response: Any) -> str | None:
        assert response.status_code == 200, response.text
        found = re.search(r'id="form-error"[^>]*data-code="([a-z_]+)"', response.text)
        if found is None:
            assert 'class="error-summary"' not in response.text
            return None
        if found.group(1) == "jobseeker_not_found":
            # Shown as what it is, in the visitor's language.
            assert "There is no such jobseeker." in response.text
            assert "maximum number" not in response.text
        return found.group(1)

    async def move(self, entry: str, to: str, reason: str | None = None) -> str | None:
        data = {"to": to, f"reason_{to}": reason or ""}
        response = await self.client.post(
            f"/coordinator/entries/{entry}/move", data=data, headers=HTMX
        )
        return self._outcome(response)

    async def bulk(self, vacancy: str, entries: list[str], to: str) -> str | None:
        response = await self.client.post(
            f"/coordinator/vacancies/{vacancy}/moves",
            data={"entry_ids": entries, "to": to},
            headers=HTMX,
        )
        return self._outcome(response)

    async def add(self, vacancy: str, person: UUID) -> str | None:
        response = await self.client.post(
            f"/coordinator/vacancies/{vacancy}/entries",
            data={"jobseeker_id": str(person)},
            headers=HTMX,
        )
        return self._outcome(response)


async def _work_the_board(door: Any) -> list[str | None]:
    """One coordinator's session: moves that succeed and moves that are refused."""
    v1, entries = await _board_of("Vacancy 837")
    v2, _ = await _board_of("Vacancy 536")
    aino = await _person_id("Aino Näkyvä")
    return [
        await door.move(entries[3], "contacted"),
        await door.move(entries[3], "hired"),  # contacted cannot become hired
        await door.move(entries[4], "removed", "no-such-reason"),
        await door.bulk(v1, [entries[3], entries[4], entries[1]], "consent_requested"),
        await door.bulk(v1, [entries[3]], "consent_requested"),
        await door.add(v1, uuid4()),  # an unknown jobseeker id
        await door.add(v2, aino),
        await door.add(v1, aino),  # now on as many active shortlists as allowed (1)
    ]


EXPECTED = [
    None,
    "transition_not_allowed",
    "reason_required",
    "entries_cannot_move",
    None,
    "jobseeker_not_found",
    None,
    "exposure_cap",
]


@pytest.fixture
def cap_of_one(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KOHTAANTO_EXPOSURE_CAP", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_the_api_and_the_board_answer_alike(
    client: Any, seeded: Seeded, login: Any, cap_of_one: None
) -> None:
    api = ApiDoor(client, await login("coord@example.fi"))
    through_api = await _work_the_board(api)
    rows_api = await _snapshot()
    assert through_api == EXPECTED

    await _truncate()
    await seed_board()
    await _login(client, "coord@example.fi")
    client.cookies.set("lang", "en")
    through_page = await _work_the_board(PageDoor(client))
    rows_page = await _snapshot()

    assert through_page == through_api
    assert rows_page == rows_api
    # The moves happened (the snapshot is not empty or unchanged).
    v1 = [r for r in rows_api if r[0] == "Vacancy 837"]
    assert [r[2] for r in v1 if r[1] == 3] == [S.CONSENT_REQUESTED]
    assert any(r[3] == "coordinator" for r in rows_api if r[0] == "Vacancy 536")


def test_refusals_are_domain_errors() -> None:
    assert issubclass(MoveError, DomainError)
    assert MoveError("x", "y").status == 400
