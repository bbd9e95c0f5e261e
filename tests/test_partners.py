"""Partner services and referrals on real PostgreSQL, Redis and Meilisearch: the
catalogue's import (CSV and JSON, all or nothing), its search (themes, audiences,
skills, area served, distance), the referral's consent item by item, the one-time
answer link (hashed, used up, expiring), reminders and expiry, and who sees what."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EducationLevel,
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    Municipality,
    Notification,
    OccupationSkill,
    OutboxMessage,
    PartnerOrganisation,
    PartnerService,
    ProfileView,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Role,
)
from kohtaanto.domain.errors import Conflict, DomainError, NotFound
from kohtaanto.domain.partners import catalogue, referrals
from kohtaanto.queue import PARTNER_SERVICES_CHANGED, REFERRAL_LINK
from kohtaanto.settings import get_settings
from search.client import search_client
from search.partners import find_services, index_services

pytestmark = pytest.mark.usefixtures("clean")
R = ReferralStatus

CSV = "\n".join(
    [
        "organisation_source_id,organisation_name,organisation_kind,source_id,name,types,themes,"
        "audiences,municipality_code,area_codes,contact_email,hours_per_week,weeks,fee,skill_uris",
        "tredu,Tredu,education,tredu-map,Osaamiskartoitus,assessment,"
        "choose-a-job--competence-mapping,jobseekers|no_qualification,837,,"
        "ohjaus@tredu.example.fi,25,1,free,{skill}",
        "pirha,Pirha,health,pirha-rehab-790,Kuntouttava työtoiminta Sastamala,work_activity,"
        "social--rehabilitative-work,long_term_unemployed,790,790,k@pirha.example.fi,12,26,free,",
        "",
    ]
)


async def _essential(label: str = "cook") -> tuple[str, list[str]]:
    async with session_scope() as session:
        occupation = await session.scalar(
            select(EscoOccupation).where(EscoOccupation.label == label)
        )
        assert occupation is not None
        uris = list(
            await session.scalars(
                select(EscoSkill.uri)
                .join(OccupationSkill, OccupationSkill.skill_id == EscoSkill.id)
                .where(OccupationSkill.occupation_id == occupation.id, OccupationSkill.essential)
                .order_by(EscoSkill.uri)
            )
        )
    return occupation.uri, uris


async def _import(text: str, fmt: str = "csv") -> catalogue.ImportReport:
    async with session_scope() as session:
        return await catalogue.import_rows(session, catalogue.parse_rows(text, fmt))


async def test_import_csv_then_json_updates_by_source_id_and_records_indexing() -> None:
    _, skills = await _essential()
    report = await _import(CSV.format(skill=skills[0]))
    assert (report.organisations_created, report.services_created) == (2, 2)
    again = [
        {
            "source_id": "tredu",
            "name": "Tredu - Tampereen seudun ammattiopisto",
            "kind": "education",
            "services": [
                {
                    "source_id": "tredu-map",
                    "name": "Osaamiskartoitus, ravintola-ala",
                    "types": ["assessment"],
                    "skill_uris": skills[:3],
                    "municipality_code": "837",
                    "hours_per_week": "25,5",
                }
            ],
        }
    ]
    report = await _import(json.dumps(again), "json")
    assert (report.organisations_updated, report.services_updated, report.services_created) == (
        1,
        1,
        0,
    )
    async with session_scope() as session:
        service = await session.scalar(
            select(PartnerService).where(PartnerService.source_id == "tredu-map")
        )
        assert service is not None
        assert service.name == "Osaamiskartoitus, ravintola-ala"
        assert service.skill_uris == skills[:3] and service.hours_per_week == 25.5
        # The town centre when no coordinates are given.
        tampere = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        assert tampere is not None and (service.lat, service.lon) == (tampere.lat, tampere.lon)
        assert service.organisation.name.startswith("Tredu - ")
        jobs = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.task == PARTNER_SERVICES_CHANGED)
            )
        )
        assert len(jobs) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("assessment", "teleportation"), "types"),
        ((",837,", ",999,"), "municipality_code"),
        (("ohjaus@tredu.example.fi", "not-an-address"), "contact_email"),
        ((",25,1,", ",99,1,"), "hours_per_week"),
        (("{skill}", "http://data.europa.eu/esco/skill/nope"), "skill_uris"),
    ],
)
async def test_a_refused_row_names_its_row_and_field_and_nothing_is_written(
    change: tuple[str, str], field: str
) -> None:
    _, skills = await _essential()
    text = CSV.replace(*change).replace("{skill}", skills[0])
    with pytest.raises(DomainError) as caught:
        await _import(text)
    assert caught.value.field == field
    assert "Row 1" in caught.value.render()
    async with session_scope() as session:
        assert await session.scalar(select(func.count()).select_from(PartnerService)) == 0
        assert await session.scalar(select(func.count()).select_from(PartnerOrganisation)) == 0


async def test_search_by_theme_audience_skill_area_and_distance(search_ready: None) -> None:
    _, skills = await _essential()
    await _import(CSV.format(skill=skills[0]))
    rows = [
        {
            "organisation_source_id": "sasky",
            "organisation_name": "Sasky",
            "organisation_kind": "education",
            "source_id": "sasky-map",
            "name": "Osaamiskartoitus Sastamala",
            "types": "assessment",
            "themes": "choose-a-job--competence-mapping",
            "municipality_code": "790",
            "skill_uris": skills[0],
        }
    ]
    async with session_scope() as session:
        await catalogue.import_rows(session, rows)
    prefix = get_settings().search.index_prefix
    async with search_client() as client, session_scope() as session:
        assert await index_services(client, session, prefix) == 3
        tampere = (61.498, 23.761)
        # A theme finds its sub-themes; nearest first from Tampere, distance in km.
        hits = await find_services(client, prefix, themes=["choose-a-job"], near=tampere)
        names = [(await session.get(PartnerService, h.id)).name for h in hits]  # type: ignore[union-attr]
        assert names == ["Osaamiskartoitus", "Osaamiskartoitus Sastamala"]
        assert hits[0].distance_km is not None and hits[0].distance_km < 1
        assert hits[1].distance_km is not None and 40 < hits[1].distance_km < 60
        # By skill taught, by audience, and by area served (Sastamala's only in 790).
        assert len(await find_services(client, prefix, skill_uris=[skills[0]])) == 2
        found = await find_services(client, prefix, audiences=["long_term_unemployed"])
        assert len(found) == 1
        assert (
            await find_services(
                client, prefix, audiences=["long_term_unemployed"], municipality_code="837"
            )
            == []
        )
        assert (
            len(await find_services(client, prefix, q="kuntouttava", municipality_code="790")) == 1
        )


# --- Referrals ---------------------------------------------------------------------------


async def _world(make_user: Any, *, contact: bool = True) -> dict[str, Any]:
    """A coach, their client (with a profile), another coach, a service with a partner user
    of its organisation and one of another organisation."""
    coach = await make_user(Role.COACH)
    other_coach = await make_user(Role.COACH)
    client_user = await make_user(Role.JOBSEEKER, name="Aino Asiakas", phone="+358401112223")
    async with session_scope() as session:
        home = await session.scalar(select(Municipality).where(Municipality.code == "837"))
        skill = await session.scalar(select(EscoSkill).order_by(EscoSkill.id))
        assert home and skill
        person = Jobseeker(
            user_id=client_user.id,
            coach_id=coach.id,
            municipality_id=home.id,
            languages=["fi", "en"],
            education=EducationLevel.BASIC,
            birth_year=1995,
            reduced_work_ability=True,
            skills=[skill],
        )
        org = PartnerOrganisation(name="Tredu", kind="education")
        other_org = PartnerOrganisation(name="Sasky", kind="education")
        session.add_all([person, org, other_org])
        await session.flush()
        service = PartnerService(
            organisation_id=org.id,
            name="Osaamiskartoitus",
            types=["assessment"],
            referral_methods=["kohtaanto"],
            contact_email="ohjaus@tredu.example.fi" if contact else None,
        )
        session.add(service)
        await session.flush()
        ids = {"person": person.id, "service": service.id, "org": org.id, "other_org": other_org.id}
    partner = await make_user(Role.PARTNER, partner_organisation_id=ids["org"])
    stranger = await make_user(Role.PARTNER, partner_organisation_id=ids["other_org"])
    return {
        "coach": coach,
        "other_coach": other_coach,
        "client": client_user,
        "partner": partner,
        "stranger": stranger,
        **ids,
    }


async def _refer(
    w: dict[str, Any], items: tuple[str, ...] = ("name", "contact", "work_ability")
) -> UUID:
    async with session_scope() as session:
        referral = await referrals.create_referral(
            session, w["coach"], w["person"], w["service"], items=list(items), message="Kartoitus"
        )
        return referral.id


async def _consent(w: dict[str, Any], referral_id: UUID, items: list[str]) -> None:
    async with session_scope() as session:
        await referrals.consent(session, w["client"], referral_id, items=items, send=True)


async def _link(referral_id: UUID) -> str:
    async with session_scope() as session:
        issued = await referrals.issue_link(session, referral_id)
        assert issued is not None
        return issued[0]


async def _referral(referral_id: UUID) -> Referral:
    async with session_scope() as session:
        referral = await session.get(Referral, referral_id)
        assert referral is not None
        return referral


async def test_only_the_consented_items_are_sent_and_the_partner_is_told(make_user: Any) -> None:
    w = await _world(make_user)
    referral_id = await _refer(w)
    # Nothing is sent, and the partner sees nothing, before the client consents.
    async with session_scope() as session:
        assert await referrals.for_partner(session, w["partner"]) == []
        with pytest.raises(NotFound):
            await referrals.read_as_partner(session, w["partner"], referral_id)
        with pytest.raises(DomainError) as caught:
            await referrals.consent(session, w["client"], referral_id, items=["skills"], send=True)
        assert caught.value.field == "items"  # not proposed by the coach
    await _consent(w, referral_id, ["name"])  # not the contact, not the work ability
    referral = await _referral(referral_id)
    assert referral.status is R.SENT and referral.consented_items == ["name"]
    assert referral.shared == {"name": "Aino Asiakas"}
    assert referral.expires_at is not None
    async with session_scope() as session:
        seen = await referrals.read_as_partner(session, w["partner"], referral_id)
        assert seen.shared == {"name": "Aino Asiakas"}
        # The partner's read is in the client's log.
        views = list(
            await session.scalars(
                select(ProfileView).where(ProfileView.jobseeker_id == w["person"])
            )
        )
        assert [(v.viewer_role, v.viewer_organisation, v.action) for v in views] == [
            (Role.PARTNER, "Tredu", "referral")
        ]
        links = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.task == REFERRAL_LINK))
        )
        assert [m.payload["purpose"] for m in links] == ["new"]
        told = {n.recipient_id: n.kind for n in await session.scalars(select(Notification))}
        assert told[w["partner"].id] == "referral_new"
        assert told[w["client"].id] == "referral_consent"
        assert told[w["coach"].id] == "referral_answer"
        assert w["stranger"].id not in told


async def test_the_link_answers_once_and_a_new_link_comes_for_the_next_answer(
    make_user: Any,
) -> None:
    w = await _world(make_user)
    referral_id = await _refer(w)
    await _consent(w, referral_id, ["name", "contact"])
    token = await _link(referral_id)
    referral = await _referral(referral_id)
    assert referral.token_hash == referrals.hash_token(token) and token not in referral.token_hash
    start = date.today() + timedelta(days=7)
    async with session_scope() as session:
        with pytest.raises(DomainError) as caught:
            await referrals.answer_by_token(session, token, R.ACCEPTED)
        assert caught.value.field == "start_date"
    async with session_scope() as session:
        with pytest.raises(DomainError) as caught:
            await referrals.answer_by_token(session, token, R.REFUSED, reason="because")
        assert caught.value.field == "reason"
    async with session_scope() as session:
        await referrals.answer_by_token(session, token, R.ACCEPTED, start_date=start)
    # Used up.
    async with session_scope() as session:
        with pytest.raises(NotFound):
            await referrals.by_token(session, token)
        with pytest.raises(Conflict):  # a partner user may not jump back
            await referrals.answer_as_partner(
                session, w["partner"], referral_id, R.REFUSED, reason="full"
            )
        nexts = [
            m.payload["purpose"]
            for m in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.task == REFERRAL_LINK)
            )
        ]
        assert nexts == ["new", "next"]
    second = await _link(referral_id)
    async with session_scope() as session:
        await referrals.answer_by_token(session, second, R.STARTED)
    async with session_scope() as session:
        await referrals.answer_as_partner(
            session, w["partner"], referral_id, R.COMPLETED, note="Hyvin meni"
        )
    referral = await _referral(referral_id)
    assert referral.status is R.COMPLETED and referral.start_date == start
    # The plan's referral activity followed every answer (domain.service_paths).
    async with session_scope() as session:
        from kohtaanto.db.models import PlanActivity, PlanEvent

        activity = await session.get(PlanActivity, referral.activity_id)
        assert activity is not None and activity.kind == "referral"
        assert activity.status == "done" and activity.details["state"] == "completed"
        moves = [
            e.changes.get("status")
            for e in await session.scalars(
                select(PlanEvent).where(PlanEvent.activity_id == activity.id).order_by(PlanEvent.id)
            )
            if "status" in e.changes
        ]
        assert moves == [["planned", "in_progress"], ["in_progress", "done"]]
    assert referral.shared == {}  # the partner's copy ends with the referral
    async with session_scope() as session:
        events = [
            (e.to_status, e.via)
            for e in await session.scalars(
                select(ReferralEvent)
                .where(ReferralEvent.referral_id == referral_id)
                .order_by(ReferralEvent.id)
            )
        ]
        assert events == [
            (R.AWAITING_CONSENT, "coach"),
            (R.SENT, "client"),
            (R.ACCEPTED, "link"),
            (R.STARTED, "link"),
            (R.COMPLETED, "partner"),
        ]
        # Coach and client were told of every answer, once each.
        kinds = list(
            await session.scalars(
                select(Notification.params["status"].as_string()).where(
                    Notification.recipient_id == w["client"].id,
                    Notification.kind == "referral_answer",
                )
            )
        )
        assert sorted(kinds) == ["accepted", "completed", "started"]


async def test_an_expired_link_is_refused(make_user: Any) -> None:
    w = await _world(make_user)
    referral_id = await _refer(w)
    await _consent(w, referral_id, ["name"])
    token = await _link(referral_id)
    async with session_scope() as session:
        referral = await session.get(Referral, referral_id)
        assert referral is not None
        referral.token_expires_at = datetime.now(UTC) - timedelta(minutes=1)
    async with session_scope() as session:
        with pytest.raises(NotFound):
            await referrals.answer_by_token(session, token, R.REFUSED, reason="full")


async def test_pending_referrals_are_reminded_once_then_expire(make_user: Any) -> None:
    w = await _world(make_user)
    referral_id = await _refer(w)
    await _consent(w, referral_id, ["name"])
    settings = get_settings().workflow
    sent = (await _referral(referral_id)).sent_at
    assert sent is not None
    async with session_scope() as session:
        # Not yet due.
        assert await referrals.remind_and_expire(session, now=sent + timedelta(days=1)) == (0, 0)
    reminder_day = sent + timedelta(days=settings.referral_remind_days, hours=1)
    async with session_scope() as session:
        assert await referrals.remind_and_expire(session, now=reminder_day) == (1, 0)
    async with session_scope() as session:
        assert await referrals.remind_and_expire(session, now=reminder_day) == (0, 0)  # once
        purposes = [
            m.payload["purpose"]
            for m in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.task == REFERRAL_LINK)
            )
        ]
        assert purposes == ["new", "reminder"]
        reminded = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "referral_reminder")
        )
        assert reminded == 2  # the coach and the partner user
    token = await _link(referral_id)
    after = sent + timedelta(days=settings.referral_expire_days, minutes=1)
    async with session_scope() as session:
        assert await referrals.remind_and_expire(session, now=after) == (0, 1)
    referral = await _referral(referral_id)
    assert referral.status is R.EXPIRED and referral.shared == {} and referral.token_hash is None
    async with session_scope() as session:
        with pytest.raises(NotFound):
            await referrals.by_token(session, token)
        told = set(
            await session.scalars(
                select(Notification.recipient_id).where(
                    Notification.kind == "referral_answer",
                    Notification.params["status"].as_string() == "expired",
                )
            )
        )
        assert told == {w["coach"].id, w["client"].id}


# --- Who sees what, over the API -------------------------------------------------------


async def test_other_roles_see_nothing_of_a_referral(
    client: Any, make_user: Any, login: Any
) -> None:
    w = await _world(make_user)
    referral_id = await _refer(w, ("name", "contact", "work_ability"))
    await _consent(w, referral_id, ["name"])
    url = f"/api/referrals/{referral_id}"
    coordinator = await make_user(Role.COORDINATOR)
    employer = await make_user(Role.EMPLOYER)
    for user in (coordinator, employer):
        response = await client.get(url, headers=await login(user.email))
        assert response.status_code == 403, response.text
    for user in (w["other_coach"], w["stranger"]):
        response = await client.get(url, headers=await login(user.email))
        assert response.status_code == 404, response.text
        listed = await client.get("/api/referrals", headers=await login(user.email))
        assert "Aino" not in listed.text
    # The partner it was sent to: the consented items only; no client id, no coach's note.
    response = await client.get(url, headers=await login(w["partner"].email))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["shared"] == {"name": "Aino Asiakas"}
    assert body["jobseeker_id"] is None and body["message"] is None
    assert "+358401112223" not in response.text and "work_ability" not in json.dumps(body["shared"])
    listed = (await client.get("/api/referrals", headers=await login(w["partner"].email))).json()
    assert [r["id"] for r in listed] == [str(referral_id)]
    # The client and their coach read it all.
    mine = await client.get(url, headers=await login(w["client"].email))
    assert mine.status_code == 200 and mine.json()["requested_items"] == [
        "name",
        "contact",
        "work_ability",
    ]
    coach = await client.get(url, headers=await login(w["coach"].email))
    assert coach.status_code == 200 and coach.json()["jobseeker_id"] == str(w["person"])


async def test_partner_answers_over_the_api_and_the_link_page(
    client: Any, make_user: Any, login: Any
) -> None:
    w = await _world(make_user)
    referral_id = await _refer(w)
    await _consent(w, referral_id, ["name"])
    token = await _link(referral_id)
    page = await client.get(f"/r/{token}")
    assert page.status_code == 200 and "Aino Asiakas" in page.text
    answered = await client.post(
        f"/r/{token}",
        data={"status": "accepted", "start_date": (date.today() + timedelta(days=3)).isoformat()},
    )
    assert answered.status_code == 200, answered.text
    assert (await client.get(f"/r/{token}")).status_code == 404  # used
    headers = await login(w["partner"].email)
    response = await client.post(
        f"/api/referrals/{referral_id}/answer", json={"status": "completed"}, headers=headers
    )
    assert response.status_code == 409, response.text  # accepted → completed skips "started"
    response = await client.post(
        f"/api/referrals/{referral_id}/answer",
        json={"status": "dropped_out", "reason": "found_work"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "dropped_out"


async def test_referral_reports_count_per_partner_and_type_and_hide_small_counts(
    make_user: Any,
) -> None:
    from kohtaanto.domain import reports

    w = await _world(make_user)
    async with session_scope() as session:
        service = await session.get(PartnerService, w["service"])
        assert service is not None
        place = await session.scalar(select(Municipality.id).where(Municipality.code == "837"))
        now = datetime.now(UTC)
        outcomes = [R.COMPLETED] * 4 + [R.STARTED] * 2 + [R.REFUSED] * 3 + [R.EXPIRED]
        for status in outcomes:
            person = Jobseeker(
                municipality_id=place, education=EducationLevel.BASIC, birth_year=1990
            )
            session.add(person)
            await session.flush()
            session.add(
                Referral(
                    jobseeker_id=person.id,
                    service_id=service.id,
                    status=status,
                    sent_at=now - timedelta(days=3),
                )
            )
    async with session_scope() as session:
        raw = await reports.REPORTS["referrals-by-partner"](session, reports.EVERYTHING)
        shown = await reports.run("referrals-by-partner", session)
        by_type = await reports.run("referrals-by-type", session)
    row = raw[raw["partner"] == "Tredu"].iloc[0]
    assert (
        row["referrals"],
        row["accepted"],
        row["refused"],
        row["expired"],
        row["completed"],
    ) == (
        10,
        6,
        3,
        1,
        4,
    )
    assert row["acceptance_rate"] == round(6 / 9, 3) and row["completion_rate"] == round(4 / 6, 3)
    cells = shown[shown["partner"] == "Tredu"].iloc[0]
    assert cells["referrals"] == 10 and cells["accepted"] == 6
    assert cells["refused"] == reports.BELOW and cells["completed"] == reports.BELOW
    assert cells["completion_rate"] == reports.HIDDEN
    assert list(by_type["service_type"]) == ["assessment", reports.TOTAL]
    assert "Aino" not in reports.to_csv(shown)


async def test_skills_gap_offers_near_services_and_one_click_refers(
    client: Any, make_user: Any, login: Any, search_ready: None
) -> None:
    occupation_uri, essential = await _essential("cook")
    w = await _world(make_user)
    async with session_scope() as session:
        person = await session.get(Jobseeker, w["person"])
        occupation = await session.scalar(
            select(EscoOccupation).where(EscoOccupation.uri == occupation_uri)
        )
        have = await session.scalar(select(EscoSkill).where(EscoSkill.uri == essential[0]))
        assert person and occupation and have
        person.occupations = [occupation]
        person.skills = [have]
    rows = [
        {
            "organisation_source_id": "tredu",
            "organisation_name": "Tredu",
            "organisation_kind": "education",
            "source_id": source,
            "name": name,
            "types": "assessment",
            "municipality_code": code,
            "skill_uris": "|".join(skills),
            "contact_email": "ohjaus@tredu.example.fi",
        }
        for source, name, code, skills in (
            ("near", "Osaamiskartoitus Tampere", "837", essential[1:3]),
            ("far", "Osaamiskartoitus Virrat", "936", essential[1:3]),
            ("taught", "Jo osattu", "837", essential[:1]),  # teaches only what they have
        )
    ]
    async with session_scope() as session:
        await catalogue.import_rows(session, rows)
    async with search_client() as meili, session_scope() as session:
        await index_services(meili, session, get_settings().search.index_prefix)
    headers = await login(w["coach"].email)
    response = await client.get(f"/api/coach/clients/{w['person']}/skills-gap", headers=headers)
    assert response.status_code == 200, response.text
    gap = response.json()
    assert gap["target"] == "cook"
    assert [s["uri"] for s in gap["have"]] == essential[:1]
    assert {s["uri"] for s in gap["missing"]} == set(essential[1:])
    assert [o["name"] for o in gap["offers"]] == [
        "Osaamiskartoitus Tampere",
        "Osaamiskartoitus Virrat",
    ]
    # Another coach learns nothing of the client.
    other = await client.get(
        f"/api/coach/clients/{w['person']}/skills-gap", headers=await login(w["other_coach"].email)
    )
    assert other.status_code == 404
    # The page proposes the same, and one click puts it in the plan as a referral.
    client.cookies.clear()
    await client.post(
        "/login", data={"email": w["coach"].email, "password": "correct horse battery"}
    )
    page = await client.get(f"/coach/clients/{w['person']}/offers")
    assert page.status_code == 200 and "Osaamiskartoitus Tampere" in page.text
    near = gap["offers"][0]["id"]
    answer = await client.post(
        f"/coach/clients/{w['person']}/referrals",
        data={"service_id": near, "items": ["name", "skills"]},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    async with session_scope() as session:
        made = await session.scalar(select(Referral).where(Referral.jobseeker_id == w["person"]))
        assert made is not None and str(made.service_id) == near
        assert made.status is R.AWAITING_CONSENT and made.requested_items == ["name", "skills"]


async def test_reports_on_the_coachs_work_run_and_count(make_user: Any) -> None:
    """Time to the first assessment, agreed plans, job-search fulfilment and outcomes by
    path type, on real rows of the service paths."""
    from kohtaanto.db.models import JobApplication, ServiceAssessment
    from kohtaanto.domain import reports
    from kohtaanto.domain.service_paths import plan as service_plan

    w = await _world(make_user)
    now = datetime.now(UTC)
    async with session_scope() as session:
        await service_plan.add_activity(
            session, w["person"], actor=w["coach"], kind="job_search", title="Haku", agreed=True
        )
        session.add(
            ServiceAssessment(
                jobseeker_id=w["person"],
                version=1,
                areas={},
                author_id=w["coach"].id,
                author_role=Role.COACH,
                at=now,
            )
        )
        for n in range(4):
            session.add(
                JobApplication(
                    jobseeker_id=w["person"],
                    kind="job",
                    applied_on=now.date(),
                    title=f"Hakemus {n}",
                    at=now,
                )
            )
    async with session_scope() as session:
        raw = {
            name: await reports.REPORTS[name](session, reports.EVERYTHING)
            for name in ("time-to-assessment", "agreed-plans", "job-search", "outcomes-by-path")
        }
        for name in raw:
            await reports.run(name, session)  # suppression applies without error
    assert int(raw["time-to-assessment"]["assessed"].sum()) == 1
    total = raw["agreed-plans"][raw["agreed-plans"]["plan_type"] == reports.TOTAL].iloc[0]
    assert (total["with_plan"], total["with_agreed_plan"]) == (1, 1)
    assert int(raw["job-search"]["fulfilled"].sum()) == 1
    assert int(raw["outcomes-by-path"]["clients"].iloc[-1]) == 1


async def test_the_data_copy_has_the_referrals_and_erasure_removes_them(make_user: Any) -> None:
    from kohtaanto.db.models import User
    from kohtaanto.domain import privacy

    w = await _world(make_user)
    referral_id = await _refer(w)
    await _consent(w, referral_id, ["name"])
    async with session_scope() as session:
        client = await session.get(User, w["client"].id)
        assert client is not None
        data = await privacy.export(session, client)
    [copy] = data["referrals"]
    assert copy["sent_to_partner"] == {"name": "Aino Asiakas"}
    assert [e["to"] for e in copy["events"]] == ["awaiting_consent", "sent"]
    async with session_scope() as session:
        client = await session.get(User, w["client"].id)
        assert client is not None
        await privacy.erase(session, client)
    async with session_scope() as session:
        assert await session.get(Referral, referral_id) is None
