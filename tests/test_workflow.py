"""One vacancy through the whole recruitment workflow on real services, as
coordinator, jobseeker, coach and employer: consent, sharing, interview,
outcome — every move checked, logged and told to the right people."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select, text

from jobs.matching import build_shortlist
from kohtaanto.db import session_scope
from kohtaanto.db.models import EntryStatus, Jobseeker, Role, ShortlistEntry
from kohtaanto.domain import shortlists
from kohtaanto.settings import get_settings
from ml.registry import load_current
from search.client import search_client
from tests.factories import occupation_with_skills, profile, register_employer, vacancy

pytestmark = pytest.mark.usefixtures("stack")


async def _setup(client: Any, make_user: Any, login: Any, run_jobs: Any) -> dict[str, Any]:
    occupation, essential, optional = await occupation_with_skills("shop assistant")
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    coach = await make_user(Role.COACH)
    await register_employer(client, "0737546-2", "hr@kauppa.fi")
    await register_employer(client, "1572860-0", "hr@toinen.fi")
    people = {}
    for name, skills in (("anna", essential[:6] + optional[:2]), ("bertta", essential[:5])):
        user = await make_user(
            Role.JOBSEEKER, email=f"{name}@example.fi", name=name.title(), phone="+358401234567"
        )
        headers = await login(user.email)
        response = await client.put(
            "/api/jobseekers/me", json=profile(occupation, skills), headers=headers
        )
        assert response.status_code == 200, response.text
        people[name] = {"user": user, "headers": headers, "id": response.json()["id"]}
    async with session_scope() as session:
        anna = await session.get(Jobseeker, UUID(people["anna"]["id"]))
        assert anna is not None
        anna.coach_id = coach.id
    # Profiles are indexed before the vacancy opens, so its shortlist finds them.
    assert (await run_jobs())["failed"] == 0
    employer = await login("hr@kauppa.fi", "kauppa-salasana")
    created = await client.post(
        "/api/vacancies", json=vacancy(occupation, essential[:6], optional[:3]), headers=employer
    )
    vacancy_id = created.json()["id"]
    assert (
        await client.post(f"/api/vacancies/{vacancy_id}/publish", headers=employer)
    ).status_code == 200
    assert (await run_jobs())["failed"] == 0
    return {
        "vacancy_id": vacancy_id,
        "coordinator": await login(coordinator.email),
        "coach": await login(coach.email),
        "employer": employer,
        "other_employer": await login("hr@toinen.fi", "kauppa-salasana"),
        "people": people,
    }


async def _entries(client: Any, world: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = await client.get(
        f"/api/vacancies/{world['vacancy_id']}/shortlist", headers=world["coordinator"]
    )
    assert response.status_code == 200, response.text
    by_person = {e["candidate"]["id"]: e for e in response.json()["entries"]}
    return {name: by_person[p["id"]] for name, p in world["people"].items()}


async def test_whole_lifecycle(client, make_user, login, run_jobs) -> None:
    world = await _setup(client, make_user, login, run_jobs)
    vid, coordinator, employer = world["vacancy_id"], world["coordinator"], world["employer"]
    anna, bertta = world["people"]["anna"], world["people"]["bertta"]
    entries = await _entries(client, world)
    assert {e["status"] for e in entries.values()} == {"suggested"}
    ids = [entries["anna"]["id"], entries["bertta"]["id"]]

    # A bulk move that one entry cannot make changes nothing, and names the entry.
    response = await client.post(
        f"/api/vacancies/{vid}/shortlist/moves",
        json={"entry_ids": ids, "to": "hired"},
        headers=coordinator,
    )
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "entry_ids[0]"
    # Ask both for consent at once.
    response = await client.post(
        f"/api/vacancies/{vid}/shortlist/moves",
        json={"entry_ids": ids, "to": "consent_requested"},
        headers=coordinator,
    )
    assert response.status_code == 200, response.text
    assert len(response.json()) == len(ids) == 2
    assert all(
        e["status"] == "consent_requested" and e["consent_deadline"] for e in response.json()
    )

    # The employer sees no one before consent and sharing.
    assert (await client.get(f"/api/vacancies/{vid}/candidates", headers=employer)).json() == []

    # Jobseekers see the request and answer: Anna agrees, Bertta declines.
    mine = (await client.get("/api/jobseekers/me/entries", headers=anna["headers"])).json()
    assert [e["status"] for e in mine] == ["consent_requested"]
    inbox = (await client.get("/api/notifications", headers=anna["headers"])).json()["items"]
    assert any(n["kind"] == "consent_request" for n in inbox)
    # Someone else's entry is not there to answer.
    response = await client.post(
        f"/api/shortlist-entries/{ids[1]}/move", json={"to": "consented"}, headers=anna["headers"]
    )
    assert response.status_code == 404
    # A jobseeker cannot share themselves.
    response = await client.post(
        f"/api/shortlist-entries/{ids[0]}/move", json={"to": "shared"}, headers=anna["headers"]
    )
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "to"
    for person, answer in ((anna, "consented"), (bertta, "declined")):
        entry_id = ids[0] if person is anna else ids[1]
        response = await client.post(
            f"/api/shortlist-entries/{entry_id}/move",
            json={"to": answer},
            headers=person["headers"],
        )
        assert response.status_code == 200, response.text

    # Coach (Anna's) and coordinator were told of the answers.
    coach_inbox = (await client.get("/api/notifications", headers=world["coach"])).json()["items"]
    assert [n["kind"] for n in coach_inbox] == ["consent_answer"]
    coordinator_inbox = (await client.get("/api/notifications", headers=coordinator)).json()[
        "items"
    ]
    assert sum(n["kind"] == "consent_answer" for n in coordinator_inbox) == 2

    # A declined person cannot be shared; the consented one is.
    response = await client.post(
        f"/api/shortlist-entries/{ids[1]}/move", json={"to": "shared"}, headers=coordinator
    )
    assert response.status_code == 400
    response = await client.post(
        f"/api/shortlist-entries/{ids[0]}/move", json={"to": "shared"}, headers=coordinator
    )
    assert response.status_code == 200 and response.json()["shared_until"]

    # The employer sees Anna, with contact details, and only her.
    shared = (await client.get(f"/api/vacancies/{vid}/candidates", headers=employer)).json()
    assert [c["entry_id"] for c in shared] == [ids[0]]
    assert shared[0]["email"] == "anna@example.fi" and shared[0]["name"] == "Anna"
    assert shared[0]["skills"] and shared[0]["match"]["matched_essential"]
    assert (
        await client.get(f"/api/vacancies/{vid}/candidates", headers=world["other_employer"])
    ).status_code == 404
    # The employer cannot touch an entry that was not shared with them.
    response = await client.post(
        f"/api/shortlist-entries/{ids[1]}/move", json={"to": "interview"}, headers=employer
    )
    assert response.status_code == 404

    # Interview, then an outcome with a structured reason.
    response = await client.post(
        f"/api/shortlist-entries/{ids[0]}/move", json={"to": "interview"}, headers=employer
    )
    assert response.status_code == 200
    response = await client.post(
        f"/api/shortlist-entries/{ids[0]}/move",
        json={"to": "not_hired", "reason": "because"},
        headers=employer,
    )
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "reason"
    response = await client.post(
        f"/api/shortlist-entries/{ids[0]}/move", json={"to": "hired"}, headers=employer
    )
    assert response.status_code == 200 and response.json()["status"] == "hired"

    # Every move is logged, and Anna, her coach and the coordinator can read the log.
    for headers in (anna["headers"], world["coach"], coordinator):
        events = (
            await client.get(f"/api/shortlist-entries/{ids[0]}/events", headers=headers)
        ).json()
        assert [e["to_status"] for e in events] == [
            "consent_requested",
            "consented",
            "shared",
            "interview",
            "hired",
        ]
        assert [e["by_role"] for e in events] == [
            "coordinator",
            "jobseeker",
            "coordinator",
            "employer",
            "employer",
        ]
    assert (
        await client.get(f"/api/shortlist-entries/{ids[0]}/events", headers=bertta["headers"])
    ).status_code == 404
    # Coaches follow; they do not move entries.
    response = await client.post(
        f"/api/shortlist-entries/{ids[0]}/move",
        json={"to": "removed", "reason": "other"},
        headers=world["coach"],
    )
    assert response.status_code == 403

    # Anna reads who viewed her profile: the service and the employer, by name.
    views = (await client.get("/api/jobseekers/me/views", headers=anna["headers"])).json()
    assert {v["organisation"] for v in views} == {"Employment services", "Kauppa 0737546-2"}
    assert all(v["vacancy_title"] for v in views)
    # Bertta was never shared, so no employer saw her.
    views = (await client.get("/api/jobseekers/me/views", headers=bertta["headers"])).json()
    assert {v["organisation"] for v in views} == {"Employment services"}

    # The coach's overview of the client, and the outcome reached Anna.
    overview = (await client.get(f"/api/coach/clients/{anna['id']}", headers=world["coach"])).json()
    assert overview["hired"] == 1 and overview["entries"][0]["status"] == "hired"
    assert (
        await client.get(f"/api/coach/clients/{bertta['id']}", headers=world["coach"])
    ).status_code == 404
    inbox = (await client.get("/api/notifications", headers=anna["headers"])).json()["items"]
    assert any(n["kind"] == "outcome" for n in inbox)


async def test_consent_taken_back_ends_sharing(client, make_user, login, run_jobs) -> None:
    world = await _setup(client, make_user, login, run_jobs)
    vid, coordinator, anna = world["vacancy_id"], world["coordinator"], world["people"]["anna"]
    entry = (await _entries(client, world))["anna"]["id"]
    for headers, to in (
        (coordinator, "consent_requested"),
        (anna["headers"], "consented"),
        (coordinator, "shared"),
    ):
        response = await client.post(
            f"/api/shortlist-entries/{entry}/move", json={"to": to}, headers=headers
        )
        assert response.status_code == 200, response.text
    assert (
        len(
            (await client.get(f"/api/vacancies/{vid}/candidates", headers=world["employer"])).json()
        )
        == 1
    )
    response = await client.post(
        f"/api/shortlist-entries/{entry}/move", json={"to": "declined"}, headers=anna["headers"]
    )
    assert response.status_code == 200 and response.json()["outcome_reason"] == "revoked"
    assert (
        await client.get(f"/api/vacancies/{vid}/candidates", headers=world["employer"])
    ).json() == []


async def test_added_by_hand_removed_with_reason_and_kept_on_rebuild(
    client, make_user, login, run_jobs
) -> None:
    world = await _setup(client, make_user, login, run_jobs)
    vid, coordinator = world["vacancy_id"], world["coordinator"]
    occupation, essential, _ = await occupation_with_skills("shop assistant")
    extra = await make_user(Role.JOBSEEKER, email="cecilia@example.fi")
    response = await client.put(
        "/api/jobseekers/me",
        # Visible to employers (add-by-hand honours the choice: test_security_data.py).
        json=profile(occupation, essential[:1]),
        headers=await login(extra.email),
    )
    cecilia = response.json()["id"]
    response = await client.post(
        f"/api/vacancies/{vid}/shortlist/entries",
        json={"jobseeker_id": cecilia},
        headers=coordinator,
    )
    assert response.status_code == 201, response.text
    response = await client.post(
        f"/api/vacancies/{vid}/shortlist/entries",
        json={"jobseeker_id": cecilia},
        headers=coordinator,
    )
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "jobseeker_id"
    bertta = (await _entries(client, world))["bertta"]["id"]
    response = await client.post(
        f"/api/shortlist-entries/{bertta}/move", json={"to": "removed"}, headers=coordinator
    )
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "reason"
    response = await client.post(
        f"/api/shortlist-entries/{bertta}/move",
        json={"to": "removed", "reason": "employed", "note": "Started elsewhere"},
        headers=coordinator,
    )
    assert response.status_code == 200

    # Rebuilding the shortlist keeps the worked entries (the hand-added one, the removed one).
    settings = get_settings()
    async with search_client(settings.search) as search, session_scope() as session:
        await build_shortlist(
            session,
            search,
            load_current(settings.matching.model_dir),
            UUID(vid),
            settings,
        )
    entries = {
        e["candidate"]["id"]: e
        for e in (await client.get(f"/api/vacancies/{vid}/shortlist", headers=coordinator)).json()[
            "entries"
        ]
    }
    assert entries[cecilia]["source"] == "coordinator"
    assert entries[world["people"]["bertta"]["id"]]["status"] == "removed"
    assert entries[world["people"]["bertta"]["id"]]["outcome_reason"] == "employed"


async def test_exposure_cap_spreads_people(client, make_user, login, run_jobs) -> None:
    world = await _setup(client, make_user, login, run_jobs)
    settings = get_settings()
    capped = replace(settings, workflow=replace(settings.workflow, exposure_cap=1))
    occupation, essential, optional = await occupation_with_skills("shop assistant")
    response = await client.post(
        "/api/vacancies",
        json=vacancy(occupation, essential[:6], optional[:3], title="Myyjä, toinen myymälä"),
        headers=world["employer"],
    )
    second = response.json()["id"]
    assert (
        await client.post(f"/api/vacancies/{second}/publish", headers=world["employer"])
    ).status_code == 200
    async with search_client(settings.search) as search, session_scope() as session:
        await run_jobs()  # indexes the second vacancy (and builds it with the default cap)
        shortlist = await build_shortlist(
            session,
            search,
            load_current(settings.matching.model_dir),
            UUID(second),
            capped,
        )
        assert shortlist is not None
        people = {str(e.jobseeker_id) for e in shortlist.entries}
    # Both are already on the first vacancy's shortlist: with a cap of one they are left out.
    assert people.isdisjoint({p["id"] for p in world["people"].values()})
    async with session_scope() as session:
        count = len(
            (
                await session.scalars(
                    select(ShortlistEntry).where(ShortlistEntry.status == EntryStatus.SUGGESTED)
                )
            ).all()
        )
    assert count >= 2


async def _rebuild(vacancy_id: str, settings: Any = None) -> None:
    settings = settings or get_settings()
    async with search_client(settings.search) as search, session_scope() as session:
        await build_shortlist(
            session, search, load_current(settings.matching.model_dir), UUID(vacancy_id), settings
        )


async def test_suggestions_keep_their_entry_ids_across_a_rebuild(
    client, make_user, login, run_jobs
) -> None:
    world = await _setup(client, make_user, login, run_jobs)
    before = await _entries(client, world)
    assert {e["status"] for e in before.values()} == {"suggested"}
    # A changed profile re-ranks; the rebuild (as the nightly refresh or a publish makes it)
    # updates the suggestions in place.
    occupation, essential, _ = await occupation_with_skills("shop assistant")
    response = await client.put(
        "/api/jobseekers/me",
        json=profile(occupation, essential[:7]),
        headers=world["people"]["bertta"]["headers"],
    )
    assert response.status_code == 200, response.text
    assert (await run_jobs())["failed"] == 0
    await _rebuild(world["vacancy_id"])
    after = await _entries(client, world)
    assert {n: e["id"] for n, e in after.items()} == {n: e["id"] for n, e in before.items()}
    assert {e["status"] for e in after.values()} == {"suggested"}
    # A move on the id the coordinator's board still shows succeeds.
    response = await client.post(
        f"/api/shortlist-entries/{before['anna']['id']}/move",
        json={"to": "contacted"},
        headers=world["coordinator"],
    )
    assert response.status_code == 200, response.text
    # Room for one: the worked entry stays, the untouched suggestion drops out.
    settings = get_settings()
    await _rebuild(
        world["vacancy_id"],
        replace(settings, matching=replace(settings.matching, shortlist_size=1)),
    )
    response = await client.get(
        f"/api/vacancies/{world['vacancy_id']}/shortlist", headers=world["coordinator"]
    )
    entries = response.json()["entries"]
    assert [(e["id"], e["status"], e["rank"]) for e in entries] == [
        (before["anna"]["id"], "contacted", 1)
    ]


async def test_a_move_between_the_rebuilds_read_and_write_is_not_undone(
    client, make_user, login, run_jobs, monkeypatch
) -> None:
    world = await _setup(client, make_user, login, run_jobs)
    before = await _entries(client, world)
    ranked = sorted(before, key=lambda n: before[n]["rank"])
    assert {e["status"] for e in before.values()} == {"suggested"}
    counts = shortlists.active_counts
    moved: list[str] = []

    async def move_meanwhile(*args: Any, **kwargs: Any) -> dict[UUID, int]:
        # The rebuild has read the shortlist and not yet written it: the coordinator's
        # moves commit now, in a session of their own. (The lock timeout only turns a
        # rebuild that holds the rows, as the old delete-and-insert did, into an error
        # instead of a hang.)
        async with session_scope() as other:
            await other.execute(text("SET LOCAL lock_timeout = '10s'"))
            for name in ranked:
                entry = await other.get(ShortlistEntry, UUID(before[name]["id"]))
                assert entry is not None
                await shortlists.apply(other, entry, shortlists.Move(EntryStatus.CONTACTED), None)
                moved.append(name)
        return await counts(*args, **kwargs)

    monkeypatch.setattr(shortlists.building, "active_counts", move_meanwhile)
    # Room for one: the first would be updated in place, the second deleted as dropped
    # out, had they still been suggestions when the rebuild wrote.
    settings = get_settings()
    await _rebuild(
        world["vacancy_id"],
        replace(settings, matching=replace(settings.matching, shortlist_size=1)),
    )
    assert moved == ranked
    after = await _entries(client, world)
    assert {n: (e["id"], e["status"]) for n, e in after.items()} == {
        n: (e["id"], "contacted") for n, e in before.items()
    }
