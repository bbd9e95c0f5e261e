"""The whole loop on real PostgreSQL, Redis and Meilisearch: an employer
publishes, the worker indexes and shortlists, the coordinator reads a ranked,
explained shortlist, matching jobseekers are notified exactly once, and other
employers see nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import Notification, Role
from kohtaanto.domain.delivery import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_webhook
from tests.factories import occupation_with_skills, profile, register_employer

pytestmark = pytest.mark.usefixtures("stack")

WEBHOOK_SECRET = "coordinator-webhook-secret"


@pytest.fixture
def webhook(local_webhooks: None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A real HTTP server on loopback that records what is POSTed to it, signed."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            timestamp = self.headers[TIMESTAMP_HEADER] or ""
            signature = self.headers[SIGNATURE_HEADER] or ""
            if not verify_webhook(WEBHOOK_SECRET, timestamp, raw, signature):
                self.send_response(401)
            else:
                received.append(json.loads(raw))
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


async def test_publish_shortlist_notify_and_isolation(
    client, make_user, login, run_jobs, webhook
) -> None:
    hook_url, received = webhook
    occupation, essential, optional = await occupation_with_skills("shop assistant")
    assert len(essential) >= 6
    vacancy_essential, vacancy_optional = essential[:6], optional[:3]

    coordinator = await make_user(
        Role.COORDINATOR, sub_region="Tampere", webhook_url=hook_url, webhook_secret=WEBHOOK_SECRET
    )
    for business_id, email in (("0737546-2", "hr@kauppa.fi"), ("1572860-0", "hr@toinen.fi")):
        registered = await register_employer(client, business_id, email)
        assert registered["has_coordinator"] is True
        assert str(coordinator.id) not in str(registered)
    employer = await login("hr@kauppa.fi", "kauppa-salasana")
    other_employer = await login("hr@toinen.fi", "kauppa-salasana")

    # Jobseekers keep their own profiles.
    people = {
        "strong": profile(occupation, vacancy_essential + vacancy_optional),
        "partial": profile(occupation, vacancy_essential[:2]),
        "hidden": profile(occupation, vacancy_essential, visible_to_employers=False),
        "no_finnish": profile(occupation, vacancy_essential, languages=["en"]),
    }
    users = {}
    for name, body in people.items():
        users[name] = await make_user(Role.JOBSEEKER, email=f"{name}@example.fi")
        headers = await login(f"{name}@example.fi")
        response = await client.put("/api/jobseekers/me", json=body, headers=headers)
        assert response.status_code == 200, response.text
    assert (await run_jobs())["failed"] == 0

    # The employer posts and publishes.
    response = await client.post(
        "/api/vacancies",
        json={
            "title": "Myyjä, päivittäistavarakauppa",
            "description": "Asiakaspalvelua ja hyllytystä Hervannassa.",
            "occupation_uri": occupation,
            "municipality_code": "837",
            "hours_per_week": 30,
            "monthly_pay_eur": 2300,
            "languages": ["fi"],
            "essential_skill_uris": vacancy_essential,
            "optional_skill_uris": vacancy_optional,
            "open_to_wage_subsidy": True,
            "open_to_work_trial": True,
        },
        headers=employer,
    )
    assert response.status_code == 201, response.text
    vacancy_id = response.json()["id"]
    assert response.json()["status"] == "draft"
    response = await client.post(f"/api/vacancies/{vacancy_id}/publish", headers=employer)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "open"

    jobs = await run_jobs()
    assert jobs["failed"] == 0 and jobs["complete"] >= 1

    # The coordinator reads a ranked shortlist with explanations.
    coordinator_headers = await login(coordinator.email)
    response = await client.get(
        f"/api/vacancies/{vacancy_id}/shortlist", headers=coordinator_headers
    )
    assert response.status_code == 200, response.text
    shortlist = response.json()
    ids = [e["candidate"]["id"] for e in shortlist["entries"]]
    strong, partial = (
        await _profile_id(client, login, "strong"),
        await _profile_id(client, login, "partial"),
    )
    assert ids[0] == strong, "the person with every essential skill ranks first"
    assert partial in ids and ids.index(partial) > ids.index(strong)
    assert await _profile_id(client, login, "hidden") not in ids, "no consent, not shortlisted"
    assert await _profile_id(client, login, "no_finnish") not in ids, "lacks the required language"
    scores = [e["score"] for e in shortlist["entries"]]
    assert scores == sorted(scores, reverse=True)
    top = shortlist["entries"][0]["explanation"]
    assert {s["uri"] for s in top["matched_essential"]} == set(vacancy_essential)
    assert top["missing_essential"] == []
    second = next(e for e in shortlist["entries"] if e["candidate"]["id"] == partial)["explanation"]
    assert {s["uri"] for s in second["missing_essential"]} == set(vacancy_essential[2:])
    assert "distance_km" in top and "instruments" in top and top["top_factors"]
    # The employer's cost after subsidy: the strong candidate (unemployed over a year)
    # is likely eligible for a wage subsidy, which this vacancy is open to.
    cost = shortlist["entries"][0]["cost"]
    assert cost["monthly_pay_costs_eur"] > 0
    assert cost["lowest_net_monthly_cost_eur"] < cost["monthly_pay_costs_eur"]
    assert cost["best_saving_eur"] > 0 and "authority decides" in cost["note"]
    assert any(i["code"].startswith("wage_subsidy") for i in cost["instruments"])
    assert all(e["status"] == "suggested" for e in shortlist["entries"])

    # The coordinator was pushed the shortlist: in-app and on the webhook.
    response = await client.get("/api/notifications", headers=coordinator_headers)
    pushed = [n for n in response.json()["items"] if n["kind"] == "shortlist"]
    assert len(pushed) == 1 and pushed[0]["vacancy_id"] == vacancy_id
    # The webhook carries the coordinator's other notifications too (a new employer to verify).
    shortlist_pushes = [r for r in received if r["kind"] == "shortlist"]
    assert len(shortlist_pushes) == 1 and shortlist_pushes[0]["vacancy_id"] == vacancy_id

    # Saving a profile twice notifies the matching jobseeker once.
    strong_headers = await login("strong@example.fi")
    for _ in range(2):
        response = await client.put(
            "/api/jobseekers/me", json=people["strong"], headers=strong_headers
        )
        assert response.status_code == 200
        assert (await run_jobs())["failed"] == 0
    async with session_scope() as session:
        matches = (
            await session.scalars(
                select(Notification).where(
                    Notification.recipient_id == users["strong"].id, Notification.kind == "match"
                )
            )
        ).all()
    assert [str(n.vacancy_id) for n in matches] == [vacancy_id]
    response = await client.get("/api/notifications", headers=strong_headers)
    assert [n["vacancy_id"] for n in response.json()["items"]] == [vacancy_id]

    # The jobseeker reads the same explanation the coordinator reads.
    response = await client.get("/api/jobseekers/me/matches", headers=strong_headers)
    assert response.status_code == 200, response.text
    (mine,) = response.json()
    assert mine["vacancy"]["id"] == vacancy_id and mine["on_shortlist"]
    assert mine["explanation"]["matched_essential"] == top["matched_essential"]
    # The same support by name, but no price on the person (the coordinator has it).
    assert [i["code"] for i in mine["explanation"]["instruments"]] == [
        i["code"] for i in cost["instruments"]
    ]
    assert mine["cost"]["lowest_net_monthly_cost_eur"] is None and not mine["cost"]["instruments"]

    # Another employer sees neither the vacancy nor its shortlist.
    assert (
        await client.get(f"/api/vacancies/{vacancy_id}", headers=other_employer)
    ).status_code == 404
    assert (
        await client.get(f"/api/vacancies/{vacancy_id}/shortlist", headers=other_employer)
    ).status_code == 403
    response = await client.patch(
        f"/api/vacancies/{vacancy_id}", json={"title": "Hijacked"}, headers=other_employer
    )
    assert response.status_code == 404
    response = await client.get("/api/vacancies", headers=other_employer)
    assert response.json()["total"] == 0


async def _profile_id(client, login, name: str) -> str:
    response = await client.get("/api/jobseekers/me", headers=await login(f"{name}@example.fi"))
    return str(response.json()["id"])
