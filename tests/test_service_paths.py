"""The coach's work with a client (issue 10): the rules (job-search obligation with the
under-25 rule, assessment deadlines from the area's rules, agreed activities locked
for the client, concurrent edits refused with a 409 and not lost), the access (nobody
but the client's coach, the client and a specialist the client let in sees any of it;
every staff read is logged for the client), meetings with an .ics invitation on a real
SMTP server, and the caseload work list."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import pytest
from icalendar import Calendar
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EducationLevel,
    Employer,
    EscoOccupation,
    Jobseeker,
    Municipality,
    PlanActivity,
    Role,
    ServiceAssessment,
    ServiceRules,
    User,
    Vacancy,
    VacancyStatus,
)
from kohtaanto.domain.errors import Conflict
from kohtaanto.domain.service_paths import caseload, plan, rules
from tests.test_delivery import configure, smtp  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("clean")


async def _client_of(
    coach: User, person_user: User | None = None, *, birth_year: int = 1990, **fields: Any
) -> UUID:
    async with session_scope() as session:
        home = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        assert home is not None
        person = Jobseeker(
            user_id=person_user.id if person_user else None,
            coach_id=coach.id,
            municipality_id=home.id,
            languages=["fi"],
            education=fields.pop("education", EducationLevel.UPPER_SECONDARY),
            birth_year=birth_year,
            **fields,
        )
        session.add(person)
        await session.flush()
        return person.id


@pytest.fixture
async def people(make_user, login) -> dict[str, Any]:
    coach = await make_user(Role.COACH, name="Valmentaja Virtanen")
    person = await make_user(Role.JOBSEEKER, name="Asiakas Aalto")
    jid = await _client_of(coach, person)
    return {
        "coach": coach,
        "client": person,
        "jid": jid,
        "coach_h": await login(coach.email),
        "client_h": await login(person.email),
    }


# --- Rules ------------------------------------------------------------------------------


def _person(birth_year: int, education: EducationLevel) -> Jobseeker:
    return Jobseeker(birth_year=birth_year, education=education)


def test_obligation_default_agreed_lower_and_under_25_rule() -> None:
    on = date(2026, 11, 30)
    adult = _person(1980, EducationLevel.BASIC)
    assert rules.obligation(rules.NATIONAL, adult, None, on) == rules.Obligation(4, 0, False)
    assert rules.obligation(rules.NATIONAL, adult, 2, on) == rules.Obligation(2, 0, True)
    # Under 25 without a vocational qualification: also two study places a month.
    young = _person(2004, EducationLevel.BASIC)
    assert rules.obligation(rules.NATIONAL, young, None, on) == rules.Obligation(4, 2, False)
    # Under 25 with a qualification, or 25 and over: none.
    assert (
        rules.obligation(
            rules.NATIONAL, _person(2004, EducationLevel.UPPER_SECONDARY), None, on
        ).study_places
        == 0
    )
    assert (
        rules.obligation(rules.NATIONAL, _person(2001, EducationLevel.BASIC), None, on).study_places
        == 0
    )
    # The area's own numbers when it has them.
    area = rules.Rules(applications_per_month=3, study_places_per_month=1, study_place_age_limit=30)
    assert rules.obligation(
        area, _person(1999, EducationLevel.BASIC), None, on
    ) == rules.Obligation(3, 1, False)


def test_working_days_skip_weekends() -> None:
    friday = date(2026, 11, 27)
    assert rules.add_working_days(friday, 5) == date(2026, 12, 4)
    assert rules.add_working_days(friday, 1) == date(2026, 11, 30)


async def test_assessment_deadlines_come_from_the_areas_rules(people, client) -> None:
    async with session_scope() as session:
        person = await session.get(Jobseeker, people["jid"])
        assert person is not None
        registered = datetime(2026, 11, 27, 9, tzinfo=UTC)  # a Friday
        person.created_at = registered
    async with session_scope() as session:
        person = await session.get(Jobseeker, people["jid"])
        from kohtaanto.domain.service_paths import assessment

        national = await assessment.deadlines(session, person, today=date(2026, 12, 1))
        assert national.initial_due == date(2026, 12, 4) and not national.overdue
        area_id = await session.scalar(
            select(Municipality.area_id).where(Municipality.id == person.municipality_id)
        )
        session.add(
            ServiceRules(
                area_id=area_id, initial_assessment_working_days=2, assessment_review_weeks=4
            )
        )
        await session.flush()
        local = await assessment.deadlines(session, person, today=date(2026, 12, 2))
        assert local.initial_due == date(2026, 12, 1) and local.overdue
    # After the coach's assessment the review falls due by the area's rhythm.
    r = await client.post(
        f"/api/coach/clients/{people['jid']}/assessments",
        headers=people["coach_h"],
        json={"version": 0, "areas": {"goals": "Kaupan ala"}, "effort_level": "standard"},
    )
    assert r.status_code == 201, r.text
    async with session_scope() as session:
        person = await session.get(Jobseeker, people["jid"])
        later = await assessment.deadlines(
            session, person, today=rules.local_day(datetime.now(UTC)) + timedelta(weeks=5)
        )
        assert later.review_due == rules.local_day(datetime.now(UTC)) + timedelta(weeks=4)
        assert later.overdue


async def test_obligation_month_counts_reported_applications(people, client) -> None:
    async with session_scope() as session:
        employer_area = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        occupation = await session.scalar(select(EscoOccupation).order_by(EscoOccupation.id))
        employer = Employer(
            business_id="0737546-2", name="Kauppa Oy", municipality_id=employer_area.id
        )
        session.add(employer)
        await session.flush()
        vacancy = Vacancy(
            employer_id=employer.id,
            title="Myyjä",
            occupation_id=occupation.id,
            municipality_id=employer_area.id,
            hours_per_week=30,
            status=VacancyStatus.OPEN,
        )
        session.add(vacancy)
        await session.flush()
        vid = vacancy.id
    # From a match, in one click; once per vacancy.
    r = await client.post(
        "/api/me/service-path/applications",
        headers=people["client_h"],
        json={"vacancy_id": str(vid)},
    )
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "Myyjä" and r.json()["organisation"] == "Kauppa Oy"
    again = await client.post(
        "/api/me/service-path/applications",
        headers=people["client_h"],
        json={"vacancy_id": str(vid)},
    )
    assert again.status_code == 400 and again.json()["extra"][0]["code"] == "already_reported"
    r = await client.post(
        "/api/me/service-path/applications",
        headers=people["client_h"],
        json={"title": "Varastotyöntekijä", "organisation": "Logistiikka Oy"},
    )
    assert r.status_code == 201, r.text
    bad = await client.post(
        "/api/me/service-path/applications", headers=people["client_h"], json={"title": ""}
    )
    assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "title"
    # The coach agrees a lower number; the month shows it.
    r = await client.put(
        f"/api/coach/clients/{people['jid']}/obligation",
        headers=people["coach_h"],
        json={"version": 1, "applications_per_month": 2, "reason": "Osa-aikainen kuntoutus"},
    )
    assert r.status_code == 200, r.text
    month = r.json()["plan"]["month"]
    assert month["required"] == 2 and month["reported"] == 2 and month["agreed_lower"]
    assert not month["behind"]


# --- The plan: locks and conflicts ------------------------------------------------------------


async def test_agreed_activity_is_locked_for_the_client(people, client) -> None:
    r = await client.post(
        f"/api/coach/clients/{people['jid']}/activities",
        headers=people["coach_h"],
        json={"kind": "work_trial", "title": "Työkokeilu kaupassa", "agreed": True},
    )
    assert r.status_code == 201, r.text
    agreed = r.json()
    assert agreed["agreed"] and agreed["version"] == 1
    url = f"/api/plan-activities/{agreed['id']}"
    edit = await client.patch(url, headers=people["client_h"], json={"version": 1, "title": "Muu"})
    assert edit.status_code == 403 and edit.json()["extra"][0]["code"] == "activity_agreed"
    cancel = await client.post(
        f"{url}/status", headers=people["client_h"], json={"status": "cancelled", "version": 1}
    )
    assert cancel.status_code == 403
    # Progress the client may report.
    started = await client.post(
        f"{url}/status", headers=people["client_h"], json={"status": "in_progress", "version": 1}
    )
    assert started.status_code == 201, started.text
    assert started.json()["status"] == "in_progress" and started.json()["version"] == 2
    # The client adds and edits their own; they cannot mark anything agreed.
    own = await client.post(
        "/api/me/service-path/activities",
        headers=people["client_h"],
        json={"kind": "own_activity", "title": "Kielikurssi", "agreed": True},
    )
    assert own.status_code == 201 and not own.json()["agreed"]
    refused = await client.post(
        "/api/me/service-path/activities",
        headers=people["client_h"],
        json={"kind": "wage_subsidy", "title": "Palkkatuki"},
    )
    assert refused.status_code == 403
    # Done is final for everyone.
    done = await client.post(
        f"{url}/status", headers=people["coach_h"], json={"status": "done", "version": 2}
    )
    assert done.status_code == 201
    locked = await client.patch(url, headers=people["coach_h"], json={"version": 3, "title": "X"})
    assert locked.status_code == 400 and locked.json()["extra"][0]["code"] == "activity_closed"
    # The coach sees what the client changed since they last looked.
    path = await client.get(
        f"/api/coach/clients/{people['jid']}/service-path", headers=people["coach_h"]
    )
    changed = path.json()["plan"]["changed_since_seen"]
    assert {e["actor_role"] for e in changed} == {"jobseeker"}
    assert any(e["changes"].get("status") == ["planned", "in_progress"] for e in changed)
    again = await client.get(
        f"/api/coach/clients/{people['jid']}/service-path", headers=people["coach_h"]
    )
    assert again.json()["plan"]["changed_since_seen"] == []


async def test_concurrent_edits_are_refused_with_a_conflict_not_lost(people, client) -> None:
    r = await client.post(
        f"/api/coach/clients/{people['jid']}/activities",
        headers=people["coach_h"],
        json={"kind": "training", "title": "Hygieniapassi"},
    )
    url = f"/api/plan-activities/{r.json()['id']}"
    first = await client.patch(url, headers=people["coach_h"], json={"version": 1, "title": "A"})
    assert first.status_code == 200, first.text
    second = await client.patch(url, headers=people["client_h"], json={"version": 1, "title": "B"})
    assert second.status_code == 409 and second.json()["extra"][0]["code"] == "activity_changed"
    path = await client.get("/api/me/service-path", headers=people["client_h"])
    [activity] = [a for a in path.json()["plan"]["activities"] if a["id"] == r.json()["id"]]
    assert activity["title"] == "A" and activity["version"] == 2

    # Truly at once, in two transactions: one wins, the other gets Conflict; nothing lost.
    activity_id = UUID(r.json()["id"])
    async with session_scope() as session:
        coach = await session.get(User, people["coach"].id)
        person = await session.get(User, people["client"].id)

    async def edit(actor: User, title: str) -> str:
        try:
            async with session_scope() as session:
                await plan.update_activity(
                    session, activity_id, actor=actor, expected_version=2, changes={"title": title}
                )
                await asyncio.sleep(0.05)
            return title
        except Conflict:
            return "conflict"

    results = await asyncio.gather(edit(coach, "Coach"), edit(person, "Client"))
    assert sorted(results).count("conflict") == 1
    async with session_scope() as session:
        row = await session.get(PlanActivity, activity_id)
        assert row is not None and row.version == 3
        assert row.title == next(r for r in results if r != "conflict")


async def test_assessment_versions_and_conflict(people, client) -> None:
    url = f"/api/coach/clients/{people['jid']}/assessments"
    r = await client.post(
        url, headers=people["coach_h"], json={"version": 0, "areas": {"goals": "Työ"}}
    )
    assert r.status_code == 201
    own = await client.put(
        "/api/me/service-path/self-assessment",
        headers=people["client_h"],
        json={"version": 1, "areas": {"goals": "Haluan kokin töihin", "work_ability": "Selkä"}},
    )
    assert own.status_code == 200, own.text
    assert own.json()["areas"]["goals"] == {"client": "Haluan kokin töihin", "coach": "Työ"}
    stale = await client.post(url, headers=people["coach_h"], json={"version": 1, "areas": {}})
    assert stale.status_code == 409
    versions = await client.get(url, headers=people["coach_h"])
    assert [v["version"] for v in versions.json()] == [2, 1]
    assert [v["author_role"] for v in versions.json()] == ["jobseeker", "coach"]
    bad = await client.post(
        url, headers=people["coach_h"], json={"version": 2, "areas": {"age": "x"}}
    )
    assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "areas"


# --- Access ---------------------------------------------------------------------------------


async def test_nobody_else_sees_the_service_path(people, client, make_user, login) -> None:
    await client.post(
        f"/api/coach/clients/{people['jid']}/assessments",
        headers=people["coach_h"],
        json={"version": 0, "areas": {"work_ability": "Selkäleikkaus"}},
    )
    path = f"/api/coach/clients/{people['jid']}/service-path"
    for role in (Role.COORDINATOR, Role.EMPLOYER, Role.MANAGER, Role.SPECIALIST):
        other = await make_user(role)
        r = await client.get(path, headers=await login(other.email))
        assert r.status_code == 403, role
    another_coach = await make_user(Role.COACH)
    r = await client.get(path, headers=await login(another_coach.email))
    assert r.status_code == 404
    assert "Selkä" not in r.text
    # A specialist not in the team sees nothing either.
    specialist = await make_user(Role.SPECIALIST)
    r = await client.get(
        f"/api/specialist/clients/{people['jid']}", headers=await login(specialist.email)
    )
    assert r.status_code == 404


async def test_specialist_sees_only_what_the_client_opened_and_the_client_reads_the_log(
    people, client, make_user, login
) -> None:
    coach_h, client_h, jid = people["coach_h"], people["client_h"], people["jid"]
    await client.post(
        f"/api/coach/clients/{jid}/assessments",
        headers=coach_h,
        json={
            "version": 0,
            "areas": {"work_ability": "Selkäleikkaus 2025", "goals": "Kaupan ala"},
            "rationale": "Tarvitsee työkykyarvion",
        },
    )
    await client.post(
        f"/api/coach/clients/{jid}/activities",
        headers=coach_h,
        json={"kind": "competence_mapping", "title": "Osaamiskartoitus"},
    )
    specialist = await make_user(Role.SPECIALIST, email="psykologi@example.fi", name="Psykologi P")
    s_h = await login(specialist.email)
    proposal = await client.post(
        f"/api/coach/clients/{jid}/team",
        headers=coach_h,
        json={
            "specialist_email": "psykologi@example.fi",
            "profession": "psychologist",
            "parts": ["plan", "work_ability"],
        },
    )
    assert proposal.status_code == 201, proposal.text
    member_id = proposal.json()["id"]
    # Nothing before the client consents.
    r = await client.get(f"/api/specialist/clients/{jid}", headers=s_h)
    assert r.status_code == 404
    assert (await client.get("/api/specialist/clients", headers=s_h)).json() == []
    # The client opens the plan only (not work ability).
    answer = await client.post(
        f"/api/me/service-path/team/{member_id}/answer",
        headers=client_h,
        json={"consent": True, "parts": ["plan"]},
    )
    assert answer.status_code == 201, answer.text
    r = await client.get(f"/api/specialist/clients/{jid}", headers=s_h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["parts"] == ["plan"]
    assert body["assessment"] is None and "Selkä" not in r.text and "työkykyarvio" not in r.text
    assert [a["title"] for a in body["plan"]["activities"]] == ["Osaamiskartoitus"]
    assert body["meetings"] == [] and body["team"] == []
    # Work ability opened: that area only, without the coach's rationale.
    await client.post(
        f"/api/me/service-path/team/{member_id}/answer",
        headers=client_h,
        json={"consent": True, "parts": ["work_ability"]},
    )
    r = await client.get(f"/api/specialist/clients/{jid}", headers=s_h)
    assert list(r.json()["assessment"]["areas"]) == ["work_ability"]
    assert r.json()["assessment"]["rationale"] is None and r.json()["plan"] is None
    # The client reads who read what.
    views = (await client.get("/api/jobseekers/me/views", headers=client_h)).json()
    actions = {(v["role"], v["action"]) for v in views}
    assert ("specialist", "read_plan") in actions
    assert ("specialist", "read_work_ability") in actions
    # Ended: nothing again.
    await client.post(
        f"/api/me/service-path/team/{member_id}/answer", headers=client_h, json={"consent": False}
    )
    assert (await client.get(f"/api/specialist/clients/{jid}", headers=s_h)).status_code == 404


# --- Meetings ----------------------------------------------------------------------------------


async def test_meeting_invitation_arrives_with_a_valid_ics(
    people,
    client,
    smtp: list[EmailMessage],  # noqa: F811 - the fixture
    run_jobs,
) -> None:
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    r = await client.post(
        f"/api/coach/clients/{people['jid']}/meetings",
        headers=people["coach_h"],
        json={
            "starts_at": starts.isoformat(),
            "channel": "in_person",
            "address": "Tampereen työllisyyspalvelut, Rautatienkatu 21",
            "preparation": "Ota CV mukaan",
        },
    )
    assert r.status_code == 201, r.text
    meeting_id = r.json()["id"]
    counts = await run_jobs()
    assert counts["failed"] == 0, counts
    assert sorted(m["To"] for m in smtp) == sorted([people["client"].email, people["coach"].email])
    for message in smtp:
        [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        assert calendar["method"] == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert event["uid"] == f"meeting-{meeting_id}@kohtaanto"
        assert event.decoded("dtstart") == starts
        assert event.decoded("dtend") == starts + timedelta(minutes=45)
        assert "Rautatienkatu 21" in str(event["location"])
        assert len(event.get("attendee")) == 2
    # Missing the address: refused, naming the field; nothing booked.
    bad = await client.post(
        f"/api/coach/clients/{people['jid']}/meetings",
        headers=people["coach_h"],
        json={"starts_at": starts.isoformat(), "channel": "in_person"},
    )
    assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "address"
    # A day before, a reminder goes out once.
    from kohtaanto.domain.service_paths import meetings

    smtp.clear()
    async with session_scope() as session:
        due = await meetings.due_reminders(session, now=starts - timedelta(hours=2))
        assert [m.id for m in due] == [UUID(meeting_id)]
    async with session_scope() as session:
        assert await meetings.due_reminders(session, now=starts - timedelta(hours=1)) == []
    await run_jobs()
    assert len(smtp) == 2 and all("muistutus" in m["Subject"] for m in smtp)
    # Minutes reach the client once published.
    await client.post(
        f"/api/coach/meetings/{meeting_id}/minutes",
        headers=people["coach_h"],
        json={"minutes": "Sovittiin työkokeilusta", "publish": False},
    )
    mine = (await client.get("/api/me/service-path", headers=people["client_h"])).json()
    assert mine["meetings"][0]["minutes"] == ""
    await client.post(
        f"/api/coach/meetings/{meeting_id}/minutes",
        headers=people["coach_h"],
        json={"minutes": "Sovittiin työkokeilusta", "publish": True},
    )
    mine = (await client.get("/api/me/service-path", headers=people["client_h"])).json()
    assert mine["meetings"][0]["minutes"] == "Sovittiin työkokeilusta"


# --- The work list -------------------------------------------------------------------------------


async def test_work_list_filters_and_counts(people, client, make_user) -> None:
    coach = people["coach"]
    # Three more clients: one assessed with an agreed activity, one overdue, one young.
    other = await _client_of(coach, birth_year=2005, education=EducationLevel.BASIC)
    r = await client.post(
        f"/api/coach/clients/{other}/activities",
        headers=people["coach_h"],
        json={"kind": "training", "title": "Kurssi", "agreed": True, "ends_on": "2020-01-01"},
    )
    assert r.status_code == 201, r.text
    await client.post(
        f"/api/coach/clients/{other}/assessments",
        headers=people["coach_h"],
        json={"version": 0, "areas": {"goals": "Opiskelu"}},
    )
    await client.post(
        "/api/me/service-path/activities",
        headers=people["client_h"],
        json={"kind": "own_activity", "title": "Oma"},
    )
    r = await client.get("/api/coach/worklist", headers=people["coach_h"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2
    assert set(body["counts"]) == set(caseload.FILTERS)
    assert body["counts"]["no_assessment"] == 1
    assert body["counts"]["overdue"] == 1
    assert body["counts"]["no_agreed_activity"] == 1
    assert body["counts"]["waiting_for_coach"] == 1  # the client added an activity
    r = await client.get(
        "/api/coach/worklist", params={"filter": "overdue"}, headers=people["coach_h"]
    )
    assert [c["id"] for c in r.json()["clients"]] == [str(other)]
    # No protected attribute is a filter or shown.
    bad = await client.get(
        "/api/coach/worklist", params={"filter": "age"}, headers=people["coach_h"]
    )
    assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "filter"
    assert "birth" not in r.text and "language" not in r.text


# --- Pages ------------------------------------------------------------------------------------


async def _page_login(client, user: User) -> None:
    from tests.conftest import PASSWORD

    client.cookies.clear()
    r = await client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303, r.text


async def test_coach_and_client_pages(people, client, make_user) -> None:
    jid = people["jid"]
    await _page_login(client, people["coach"])
    r = await client.get("/coach/worklist")
    assert r.status_code == 200 and "Asiakas Aalto" in r.text
    r = await client.get("/coach/worklist", params={"filter": "no_assessment"})
    assert r.status_code == 200 and f"/coach/clients/{jid}/path" in r.text
    r = await client.post(
        f"/coach/clients/{jid}/path/activities",
        data={"kind": "competence_mapping", "title": "Osaamiskartoitus", "agreed": "on"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = await client.post(
        f"/coach/clients/{jid}/path/assessment",
        data={"version": "0", "area_goals": "Kokiksi", "effort_level": "standard"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = await client.post(
        f"/coach/clients/{jid}/path/meetings",
        data={"date": "2031-01-02", "time": "10:00", "channel": "video"},
        follow_redirects=False,
    )
    assert r.status_code == 400 and "https://" in r.text  # the video link is missing
    r = await client.get(f"/coach/clients/{jid}/path")
    assert r.status_code == 200
    assert "Osaamiskartoitus" in r.text and "Kokiksi" in r.text
    # The client's page: the plan, one click on a match, the log of who read what.
    await _page_login(client, people["client"])
    r = await client.get("/jobseeker/plan")
    assert r.status_code == 200 and "Osaamiskartoitus" in r.text
    r = await client.post(
        "/jobseeker/plan/applications",
        data={"title": "Kokki", "organisation": "Ravintola Oy"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = await client.get("/jobseeker/plan")
    assert "Ravintola Oy" in r.text
    r = await client.get("/jobseeker/views")
    assert r.status_code == 200
    # A specialist's own page.
    specialist = await make_user(Role.SPECIALIST)
    await _page_login(client, specialist)
    r = await client.get("/specialist")
    assert r.status_code == 200
    assert (await client.get(f"/specialist/clients/{jid}")).status_code == 404


async def test_the_client_gets_a_copy_and_erasure_removes_the_service_path(people, client) -> None:
    jid = people["jid"]
    await client.post(
        f"/api/coach/clients/{jid}/assessments",
        headers=people["coach_h"],
        json={"version": 0, "areas": {"work_ability": "Selkäleikkaus"}},
    )
    await client.post(
        f"/api/coach/clients/{jid}/activities",
        headers=people["coach_h"],
        json={"kind": "training", "title": "Hygieniapassi"},
    )
    copy = (await client.get("/api/jobseekers/me/export", headers=people["client_h"])).json()
    path = copy["service_path"]
    assert path["assessments"][0]["areas"]["work_ability"]["coach"] == "Selkäleikkaus"
    assert [a["title"] for a in path["activities"]] == ["Hygieniapassi"]
    r = await client.delete("/api/jobseekers/me", headers=people["client_h"])
    assert r.status_code in (200, 204), r.text
    async with session_scope() as session:
        left = await session.scalar(
            select(ServiceAssessment.id).where(ServiceAssessment.jobseeker_id == jid)
        )
        assert left is None
