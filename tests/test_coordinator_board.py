"""The coordinator's first hour (issue 14): who the candidates are and how to reach them,
adding people by name, errors next to the form, refusals that say which and why,
reasons that belong to the move, a searchable vacancy list."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select, update

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EducationLevel,
    EntryStatus,
    Jobseeker,
    Municipality,
    ProfileView,
    Role,
    ShortlistEntry,
    User,
    Vacancy,
    VacancyStatus,
)
from tests.test_reports import PASSWORD_HASH, Seeded, seed_reports_dataset
from tests.test_staff_pages import _board_of, _login, _statuses

S = EntryStatus
HTMX = {"HX-Request": "true"}


async def _person(
    session: Any, name: str, *, visible: bool = True, available: bool = True, **user: Any
) -> Jobseeker:
    place = await session.scalar(select(Municipality).where(Municipality.code == "837"))
    account = User(
        email=f"{name.split()[0].lower()}.{name.split()[-1].lower()}@example.fi",
        name=name,
        role=Role.JOBSEEKER,
        password_hash=PASSWORD_HASH,
        **user,
    )
    session.add(account)
    await session.flush()
    person = Jobseeker(
        user_id=account.id,
        municipality_id=place.id,
        education=EducationLevel.UPPER_SECONDARY,
        birth_year=1990,
        visible_to_employers=visible,
        available=available,
    )
    session.add(person)
    await session.flush()
    return person


@pytest.fixture
async def seeded(clean: None) -> Seeded:
    return await seed_board()


async def seed_board() -> Seeded:
    """The reports dataset; its V1 people j1 (hired), j3 (suggested) and j4 (consent
    requested) get accounts; three more people can be found to add by hand."""
    seeded = await seed_reports_dataset()
    _, v1_entries = await _board_of("Vacancy 837")
    async with session_scope() as session:
        ranks = {
            rank: entry.jobseeker_id
            for rank, entry_id in v1_entries.items()
            if (entry := await session.get(ShortlistEntry, entry_id)) is not None
        }
        for rank, name, phone in (
            (1, "Aapo Hired", None),
            (3, "Cecilia Suggested", None),
            (4, "Daniel Waiting", "+358 50 765 4321"),
        ):
            person = await session.get(Jobseeker, ranks[rank])
            assert person is not None
            account = User(
                email=f"{name.split()[0].lower()}@example.fi",
                name=name,
                role=Role.JOBSEEKER,
                password_hash=PASSWORD_HASH,
                phone=phone,
            )
            session.add(account)
            await session.flush()
            person.user_id = account.id
        await session.execute(
            update(Vacancy).where(Vacancy.title == "Vacancy 837").values(hours_per_week=37.5)
        )
        await _person(session, "Aino Näkyvä")
        await _person(session, "Aino Piilossa", visible=False)
        await _person(session, "Aino Poissa", available=False)
    return seeded


async def test_contact_details_from_contacted_on_and_each_view_logged(
    client: Any, seeded: Seeded
) -> None:
    await _login(client, "coord@example.fi")
    v1, entries = await _board_of("Vacancy 837")
    board = await client.get(f"/coordinator/vacancies/{v1}")
    assert board.status_code == 200
    # Hired (rank 1) and consent requested (rank 4): the coordinator reaches them.
    assert "Aapo Hired" in board.text and 'href="mailto:aapo@example.fi"' in board.text
    assert "Daniel Waiting" in board.text and "+358 50 765 4321" in board.text
    assert "<dd>37,5</dd>" in board.text  # the vacancy's hours, the Finnish way
    # Only suggested (rank 3): not yet.
    assert "Cecilia Suggested" not in board.text and "cecilia@example.fi" not in board.text
    async with session_scope() as session:
        logged = (
            await session.scalars(
                select(ProfileView.jobseeker_id).where(ProfileView.action == "contact_viewed")
            )
        ).all()
        ids = {
            str(e.id): e.jobseeker_id
            for e in (
                await session.scalars(
                    select(ShortlistEntry).where(
                        ShortlistEntry.id.in_([entries[1], entries[3], entries[4]])
                    )
                )
            ).all()
        }
    assert sorted(map(str, logged)) == sorted(str(ids[entries[r]]) for r in (1, 4))
    # Once the coordinator moves rank 3 to "contacted", its contact shows.
    moved = await client.post(
        f"/coordinator/entries/{entries[3]}/move", data={"to": "contacted"}, headers=HTMX
    )
    assert "Cecilia Suggested" in moved.text and "cecilia@example.fi" in moved.text


async def test_the_api_board_gives_contact_by_status(
    client: Any, seeded: Seeded, login: Any
) -> None:
    v1, _ = await _board_of("Vacancy 837")
    headers = await login("coord@example.fi")
    board = await client.get(f"/api/vacancies/{v1}/shortlist", headers=headers)
    assert board.status_code == 200, board.text
    named = {e["rank"]: e["candidate"]["name"] for e in board.json()["entries"]}
    assert named == {1: "Aapo Hired", 2: None, 3: None, 4: "Daniel Waiting"}


async def test_add_by_hand_finds_people_by_name_or_email_honouring_their_choice(
    client: Any, seeded: Seeded
) -> None:
    await _login(client, "coord@example.fi")
    v1, _ = await _board_of("Vacancy 837")
    found = await client.get(f"/coordinator/vacancies/{v1}", params={"find": "aino"})
    assert "Aino Näkyvä" in found.text
    assert "Aino Piilossa" not in found.text  # chose not to be visible
    assert "Aino Poissa" not in found.text  # not available
    by_mail = await client.get(
        f"/coordinator/vacancies/{v1}", params={"find": "AINO.NÄKYVÄ@example"}, headers=HTMX
    )
    assert by_mail.text.lstrip().startswith('<div id="board"')
    person_id = re.search(r'name="jobseeker_id" value="([0-9a-f-]+)"', by_mail.text)
    assert person_id is not None
    added = await client.post(
        f"/coordinator/vacancies/{v1}/entries",
        data={"jobseeker_id": person_id.group(1), "find": "aino", "note": "Tuttu asiakas"},
        headers=HTMX,
    )
    assert 'class="error-summary"' not in added.text
    assert "lisätty käsin" in added.text or "added by hand" in added.text
    # Someone who is not visible cannot be added even with their id.
    async with session_scope() as session:
        hidden = await session.scalar(
            select(Jobseeker.id)
            .join(User, User.id == Jobseeker.user_id)
            .where(User.name == "Aino Piilossa")
        )
    refused = await client.post(
        f"/coordinator/vacancies/{v1}/entries",
        data={"jobseeker_id": str(hidden)},
        headers=HTMX,
        cookies={"lang": "en"},
    )
    # Answered like an unknown id, so the answer does not tell that the person exists.
    assert "There is no such jobseeker." in refused.text


async def test_after_an_error_the_input_stays_and_the_error_is_next_to_the_form(
    client: Any, seeded: Seeded
) -> None:
    await _login(client, "coord@example.fi")
    v1, _ = await _board_of("Vacancy 837")
    response = await client.post(
        f"/coordinator/vacancies/{v1}/entries",
        data={"find": "aino", "note": "Soitti itse"},
    )
    assert response.status_code == 400
    section = response.text.split('id="add-by-hand"', 1)[1]
    assert 'class="error-summary"' in section  # beside the form, not at the top
    assert 'class="error-summary"' not in response.text.split('id="add-by-hand"', 1)[0]
    assert "autofocus" in section.split("</div>", 1)[0]
    assert 'value="Soitti itse"' in section
    assert 'value="aino"' in section and "Aino Näkyvä" in section  # the search is kept too
    # The no-JavaScript form lands on the section.
    assert f'action="/coordinator/vacancies/{v1}/entries#add-by-hand"' in response.text


async def test_a_refused_bulk_move_says_which_entries_and_why(client: Any, seeded: Seeded) -> None:
    await _login(client, "coord@example.fi")
    v1, entries = await _board_of("Vacancy 837")
    data = {"entry_ids": [entries[3], entries[4], entries[1]], "to": "consent_requested"}
    client.cookies.set("lang", "en")
    response = await client.post(f"/coordinator/vacancies/{v1}/moves", data=data, headers=HTMX)
    text = response.text
    assert "Candidate 4 is “Consent requested” and cannot become “Consent requested”." in text
    assert "Candidate 1 is “Hired” and cannot become “Consent requested”." in text
    assert "Candidate 3" not in text.split('id="form-error"', 1)[1].split("</div>", 1)[0]
    assert await _statuses([entries[3]]) == [S.SUGGESTED]  # all or nothing
    client.cookies.set("lang", "fi")
    finnish = await client.post(f"/coordinator/vacancies/{v1}/moves", data=data, headers=HTMX)
    assert "Ehdokas 4" in finnish.text


async def test_the_api_names_every_refused_entry(client: Any, seeded: Seeded, login: Any) -> None:
    v1, entries = await _board_of("Vacancy 837")
    headers = await login("coord@example.fi")
    response = await client.post(
        f"/api/vacancies/{v1}/shortlist/moves",
        json={"entry_ids": [entries[3], entries[4], entries[1]], "to": "consent_requested"},
        headers=headers,
    )
    assert response.status_code == 400
    refused = [(e["key"], e["rank"], e["status"]) for e in response.json()["extra"]]
    assert refused == [("entry_ids[1]", 4, "consent_requested"), ("entry_ids[2]", 1, "hired")]


async def test_reasons_belong_to_their_move(client: Any, seeded: Seeded) -> None:
    await _login(client, "coord@example.fi")
    v1, entries = await _board_of("Vacancy 837")
    board = await client.get(f"/coordinator/vacancies/{v1}", cookies={"lang": "en"})
    row = board.text.split(f'id="entry-{entries[3]}"', 1)[1].split("</tr>", 1)[0]
    # A suggested entry can be removed but not "not hired": only removal reasons.
    assert 'name="reason_removed"' in row and 'name="reason_not_hired"' not in row
    removal = row.split('name="reason_removed"', 1)[1].split("</select>", 1)[0]
    assert "Already employed" in removal and "Another candidate was chosen" not in removal
    moved = await client.post(
        f"/coordinator/entries/{entries[3]}/move",
        data={"to": "removed", "reason_removed": "employed", "reason_not_hired": ""},
        headers=HTMX,
    )
    assert 'class="error-summary"' not in moved.text
    assert await _statuses([entries[3]]) == [S.REMOVED]


async def test_vacancy_list_can_be_searched_and_stays_paginated(
    client: Any, seeded: Seeded
) -> None:
    await _login(client, "coord@example.fi")
    by_place = await client.get("/coordinator", params={"status": "all", "q": "noki"})
    assert "Vacancy 536" in by_place.text and "Vacancy 837" not in by_place.text
    in_swedish = await client.get("/coordinator", params={"status": "all", "q": "tammerfors"})
    assert "Vacancy 837" in in_swedish.text and "Vacancy 536" not in in_swedish.text
    by_employer = await client.get("/coordinator", params={"status": "all", "q": "KAUPPA"})
    assert by_employer.text.count('href="/coordinator/vacancies/') == 3
    async with session_scope() as session:
        template = await session.scalar(select(Vacancy).where(Vacancy.title == "Vacancy 837"))
        assert template is not None
        session.add_all(
            Vacancy(
                employer_id=template.employer_id,
                title=f"Hitsaaja {n}",
                occupation_id=template.occupation_id,
                municipality_id=template.municipality_id,
                hours_per_week=37.5,
                status=VacancyStatus.OPEN,
            )
            for n in range(55)
        )
    first = await client.get("/coordinator", params={"q": "hitsaaja"})
    assert first.text.count('href="/coordinator/vacancies/') == 50
    assert 'value="hitsaaja"' in first.text
    assert "status=open&amp;q=hitsaaja&amp;offset=50" in first.text
    second = await client.get("/coordinator", params={"q": "hitsaaja", "offset": 50})
    assert second.text.count('href="/coordinator/vacancies/') == 5
