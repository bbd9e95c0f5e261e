"""Object-level access, generated from the app's route table: for every route that takes
an id, every role asks for its own tenant's object and for another tenant's, with real
objects made for both (tests/tenants.py: two employers with vacancies, shortlists and
shared entries; two coaches with clients; two jobseekers; a notification each).

The role guards live in tests/test_access.py; here a role that passes them must reach
its own object and get a 404 for another tenant's (so ids cannot be probed), unless
the rule below says otherwise. A new route with an id fails
``test_every_route_with_an_id_has_an_object_rule`` until it has its rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from kohtaanto.app import create_app
from kohtaanto.auth import create_token
from kohtaanto.db.models import Role
from tests.conftest import _truncate
from tests.tenants import Tenant, make_tenants
from tests.test_access import ACCESS, ANYONE, PAGES, _routes

E, C, H, J, A = Role.EMPLOYER, Role.COORDINATOR, Role.COACH, Role.JOBSEEKER, Role.ADMIN
M = Role.MANAGER
S = Role.SPECIALIST
P = Role.PARTNER
REACH, HIDDEN, FORBIDDEN = "reaches it", "404", "403"


@dataclass(frozen=True)
class Rule:
    """Who reaches which object of a route (among the roles its guard lets in).

    ``own``: roles that reach their own tenant's object (default: every role let in);
    ``other``: roles that also reach another tenant's (default: admins);
    ``refused``: roles let in by the guard but refused their own object with a 403
    (coaches follow entries; they do not move them).
    """

    own: frozenset[Role] | None = None
    other: frozenset[Role] = frozenset({A})
    refused: frozenset[Role] = frozenset()
    body: dict[str, Any] | None = field(default=None, hash=False)


def _r(**kw: Any) -> Rule:
    return Rule(**{k: frozenset(v) if isinstance(v, set) else v for k, v in kw.items()})


ZERO = "00000000-0000-4000-8000-000000000000"
OPEN_VACANCY_READERS = {J, H, M, A, S, P}  # open vacancies are public inside the service
ENTRY_PEOPLE = {C, J, H, E, A}  # an entry's coordinator, person, coach, employer (shared)

OBJECT_RULES: dict[tuple[str, str], Rule] = {
    # Vacancies: employers their own; coordinators their employers'; open ones to all.
    ("GET", "/api/vacancies/{vacancy_id:uuid}"): _r(other=OPEN_VACANCY_READERS),
    ("PATCH", "/api/vacancies/{vacancy_id:uuid}"): _r(body={"title": "Myyjä, uusi"}),
    ("POST", "/api/vacancies/{vacancy_id:uuid}/publish"): _r(),
    ("POST", "/api/vacancies/{vacancy_id:uuid}/close"): _r(body={"filled": False}),
    ("GET", "/api/vacancies/{vacancy_id:uuid}/candidates"): _r(),
    ("GET", "/api/vacancies/{vacancy_id:uuid}/shortlist"): _r(),
    ("POST", "/api/vacancies/{vacancy_id:uuid}/shortlist/entries"): _r(
        body={"jobseeker_id": "00000000-0000-4000-8000-000000000000"}
    ),
    ("POST", "/api/vacancies/{vacancy_id:uuid}/shortlist/moves"): _r(
        body={"entry_ids": ["00000000-0000-4000-8000-000000000000"], "to": "interview"}
    ),
    # Entries: whoever the entry concerns; managers never; coaches read but do not move.
    ("GET", "/api/shortlist-entries/{entry_id:uuid}/events"): _r(own=ENTRY_PEOPLE),
    ("POST", "/api/shortlist-entries/{entry_id:uuid}/move"): _r(
        own=ENTRY_PEOPLE, refused={H}, body={"to": "interview"}
    ),
    ("GET", "/api/coach/clients/{jobseeker_id:uuid}"): _r(),
    # Notifications are their recipient's alone, admins' too.
    ("POST", "/api/notifications/{notification_id:uuid}/read"): _r(other=set()),
    ("POST", "/notifications/{notification_id:uuid}/read"): _r(other=set()),
    # Employer verification: the area's coordinator (their own employers), admins any.
    ("POST", "/api/employers/{employer_id:uuid}/approve"): _r(),
    ("POST", "/api/employers/{employer_id:uuid}/reject"): _r(body={"reason": "Not a company"}),
    ("POST", "/coordinator/employers/{employer_id:uuid}/approve"): _r(),
    ("POST", "/coordinator/employers/{employer_id:uuid}/reject"): _r(
        body={"reason": "Not a company"}
    ),
    # Pages mirror the API.
    ("GET", "/coordinator/vacancies/{vacancy_id:uuid}"): _r(),
    ("POST", "/coordinator/vacancies/{vacancy_id:uuid}/entries"): _r(),
    ("POST", "/coordinator/vacancies/{vacancy_id:uuid}/moves"): _r(),
    ("POST", "/coordinator/entries/{entry_id:uuid}/move"): _r(),
    ("GET", "/coach/clients/{jobseeker_id:uuid}"): _r(),
    ("GET", "/employer/vacancies/{vacancy_id:uuid}"): _r(),
    ("GET", "/employer/vacancies/{vacancy_id:uuid}/edit"): _r(),
    ("POST", "/employer/vacancies/{vacancy_id:uuid}/edit"): _r(),
    ("POST", "/employer/vacancies/{vacancy_id:uuid}/publish"): _r(),
    ("POST", "/employer/vacancies/{vacancy_id:uuid}/close"): _r(),
    ("POST", "/employer/entries/{entry_id:uuid}/answer"): _r(body={"to": "interview"}),
    ("POST", "/jobseeker/entries/{entry_id:uuid}/consent"): _r(),
    ("GET", "/jobseeker/vacancies/{vacancy_id:uuid}"): _r(other={J}),
    ("POST", "/jobseeker/vacancies/{vacancy_id:uuid}/interest"): _r(other={J}),
    # Service paths: the client's coach, the client, a specialist the client let in.
    ("GET", "/api/coach/clients/{jobseeker_id:uuid}/service-path"): _r(),
    ("GET", "/api/coach/clients/{jobseeker_id:uuid}/assessments"): _r(),
    ("POST", "/api/coach/clients/{jobseeker_id:uuid}/assessments"): _r(
        body={"version": 0, "areas": {"goals": "Työ kaupan alalla"}}
    ),
    ("POST", "/api/coach/clients/{jobseeker_id:uuid}/activities"): _r(
        body={"kind": "training", "title": "Hygieniapassi"}
    ),
    ("PUT", "/api/coach/clients/{jobseeker_id:uuid}/obligation"): _r(
        body={"version": 1, "applications_per_month": 3}
    ),
    ("POST", "/api/coach/clients/{jobseeker_id:uuid}/meetings"): _r(
        body={"starts_at": "2031-01-02T10:00:00+02:00", "channel": "phone"}
    ),
    ("POST", "/api/coach/meetings/{meeting_id:uuid}/minutes"): _r(body={"minutes": "Sovittiin."}),
    ("POST", "/api/coach/meetings/{meeting_id:uuid}/cancel"): _r(),
    ("POST", "/api/coach/clients/{jobseeker_id:uuid}/team"): _r(
        body={
            "specialist_email": "specialist-b@tenant.example.fi",
            "profession": "study_counsellor",
            "parts": ["plan"],
        }
    ),
    ("POST", "/api/coach/team/{member_id:uuid}/end"): _r(),
    ("PATCH", "/api/plan-activities/{activity_id:uuid}"): _r(body={"version": 1, "title": "Uusi"}),
    ("POST", "/api/plan-activities/{activity_id:uuid}/status"): _r(
        body={"status": "in_progress", "version": 1}
    ),
    ("POST", "/api/me/service-path/team/{member_id:uuid}/answer"): _r(
        body={"consent": True, "parts": ["plan", "meetings"]}
    ),
    ("GET", "/api/specialist/clients/{jobseeker_id:uuid}"): _r(),
    ("GET", "/coach/clients/{jobseeker_id:uuid}/path"): _r(),
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/assessment"): _r(
        body={"version": "0", "area_goals": "Työ"}
    ),
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/activities"): _r(
        body={"kind": "training", "title": "Hygieniapassi"}
    ),
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/obligation"): _r(
        body={"version": "1", "applications_per_month": "3"}
    ),
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/meetings"): _r(
        body={"date": "2031-01-02", "time": "10:00", "channel": "phone"}
    ),
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/team"): _r(
        body={
            "specialist_email": "specialist-b@tenant.example.fi",
            "profession": "nurse",
            "parts": "plan",
        }
    ),
    ("POST", "/coach/activities/{activity_id:uuid}/status"): _r(
        body={"version": "1", "status": "in_progress"}
    ),
    ("POST", "/coach/meetings/{meeting_id:uuid}/minutes"): _r(body={"minutes": "Sovittiin."}),
    ("POST", "/jobseeker/plan/activities/{activity_id:uuid}/status"): _r(
        body={"version": "1", "status": "in_progress"}
    ),
    ("POST", "/jobseeker/plan/team/{member_id:uuid}"): _r(body={"consent": "yes", "parts": "plan"}),
    ("GET", "/specialist/clients/{jobseeker_id:uuid}"): _r(),
    # Recruitment events: the organiser runs them (a coach who is not the organiser
    # gets a 404); employers read their own and any published one (they may ask to
    # join); the invited person and their coach read theirs; managers only report.
    ("GET", "/api/events/{event_id:uuid}"): _r(own={C, E, J, H, A}, other={E, A}),
    ("POST", "/api/events/{event_id:uuid}/status"): _r(own={C, A}, body={"status": "completed"}),
    ("POST", "/api/events/{event_id:uuid}/employers"): _r(own={C, A}, body={"employer_id": ZERO}),
    ("POST", "/api/events/{event_id:uuid}/invitations"): _r(own={C, A}, body={"entry_ids": [ZERO]}),
    ("POST", "/api/event-invitations/{invitation_id:uuid}/book"): _r(own={J, C, A}, body={}),
    ("POST", "/api/event-bookings/{booking_id:uuid}/cancel"): _r(own={J, C, A}),
    ("POST", "/api/event-bookings/{booking_id:uuid}/outcome"): _r(
        own={E, C, A}, body={"attended": True}
    ),
    ("GET", "/api/event-bookings/{booking_id:uuid}/calendar"): _r(),
    ("GET", "/events/{event_id:uuid}"): _r(own={C, A}),
    ("POST", "/events/{event_id:uuid}/status"): _r(own={C, A}, body={"status": "completed"}),
    ("POST", "/events/{event_id:uuid}/employers"): _r(own={C, A}, body={"employer_id": ZERO}),
    ("POST", "/events/{event_id:uuid}/invitations"): _r(own={C, A}, body={"entry_ids": ZERO}),
    ("POST", "/events/invitations/{invitation_id:uuid}/book"): _r(own={C, A}),
    ("POST", "/events/bookings/{booking_id:uuid}/cancel"): _r(own={C, A}),
    ("POST", "/events/bookings/{booking_id:uuid}/outcome"): _r(own={C, A}, body={"attended": "1"}),
    ("GET", "/employer/events/{event_id:uuid}"): _r(other={E}),
    ("POST", "/employer/events/{event_id:uuid}/answer"): _r(other={E}),
    ("POST", "/employer/events/bookings/{booking_id:uuid}/outcome"): _r(body={"attended": "1"}),
    ("POST", "/jobseeker/events/invitations/{invitation_id:uuid}/book"): _r(),
    ("POST", "/jobseeker/events/invitations/{invitation_id:uuid}/wait"): _r(),
    ("POST", "/jobseeker/events/invitations/{invitation_id:uuid}/decline"): _r(),
    ("POST", "/jobseeker/events/bookings/{booking_id:uuid}/cancel"): _r(),
    ("GET", "/jobseeker/events/bookings/{booking_id:uuid}/calendar.ics"): _r(),
    # Administration: admins act on any account or organisation (no tenant of their own).
    ("POST", "/admin/users/{user_id:uuid}/active"): _r(other={A}, body={"active": "1"}),
    ("POST", "/admin/organisations/{employer_id:uuid}/coordinator"): _r(other={A}),
    ("POST", "/admin/coordinators/{user_id:uuid}/sub-region"): _r(
        other={A}, body={"sub_region": "Tampere"}
    ),
    # Partner services: kept by their organisation's partner users, and admins.
    ("PUT", "/api/partner-services/{service_id:uuid}"): _r(
        body={"name": "Osaamiskartoitus", "types": ["assessment"]}
    ),
    # A referral: its client, the client's coach, the partner it was sent to; nobody else.
    ("GET", "/api/referrals/{referral_id:uuid}"): _r(other=set()),
    ("POST", "/api/referrals/{referral_id:uuid}/consent"): _r(
        other=set(), body={"items": ["name"]}
    ),
    ("POST", "/api/referrals/{referral_id:uuid}/answer"): _r(
        other=set(),
        body={"status": "accepted", "start_date": (date.today() + timedelta(days=14)).isoformat()},
    ),
    ("POST", "/api/referrals/{referral_id:uuid}/cancel"): _r(other=set()),
    ("GET", "/api/coach/clients/{jobseeker_id:uuid}/skills-gap"): _r(other=set()),
    ("GET", "/partner/referrals/{referral_id:uuid}"): _r(other=set()),
    ("POST", "/partner/referrals/{referral_id:uuid}/answer"): _r(
        other=set(), body={"status": "refused", "reason": "full"}
    ),
    ("GET", "/coach/clients/{jobseeker_id:uuid}/offers"): _r(other=set()),
    ("POST", "/coach/clients/{jobseeker_id:uuid}/referrals"): _r(other=set()),
    ("POST", "/coach/clients/{jobseeker_id:uuid}/referrals/{referral_id:uuid}/cancel"): _r(
        other=set()
    ),
    ("POST", "/jobseeker/referrals/{referral_id:uuid}/consent"): _r(other=set()),
}

_ID = re.compile(r"\{(\w+_id):uuid\}")


def _with_ids() -> set[tuple[str, str]]:
    return {(m, p) for m, p in _routes(create_app()) if _ID.search(p)}


def test_every_route_with_an_id_has_an_object_rule() -> None:
    routes = _with_ids()
    missing = sorted(routes - set(OBJECT_RULES))
    stale = sorted(set(OBJECT_RULES) - routes)
    assert not missing, (
        f"routes that take an id but have no object rule: {missing}. Add each to "
        "OBJECT_RULES in tests/test_object_access.py: which roles reach their own "
        "tenant's object (own=), which also another tenant's (other=, default admins), "
        "which are refused their own with a 403 (refused=), and a valid body if it takes one"
    )
    assert not stale, f"object rules for routes that no longer exist: {stale}"


def expected(method: str, path: str, role: Role, which: str) -> str:
    allowed = ACCESS.get((method, path), PAGES.get((method, path)))
    allowed = frozenset(Role) if allowed == ANYONE else frozenset(allowed)
    if role not in allowed:
        return FORBIDDEN
    rule = OBJECT_RULES[(method, path)]
    if which == "other":
        return REACH if role in rule.other else HIDDEN
    if role in rule.refused:
        return FORBIDDEN
    return REACH if role in (rule.own if rule.own is not None else allowed) else HIDDEN


def _object(name: str, tenants: dict[str, Tenant], role: Role, which: str) -> UUID:
    tenant = tenants["a" if which == "own" else "b"]
    if name == "notification_id":
        if which == "own":
            return tenants["a"].notifications[role]
        # Another tenant's user (managers and admins are shared, so someone else's).
        return tenants["b"].notifications[role if role in tenants["b"].notifications else E]
    if name == "user_id":
        return tenant.users[C].id
    ids = {
        "vacancy_id": tenant.vacancy_id,
        "entry_id": tenant.entry_id,
        "jobseeker_id": tenant.jobseeker_id,
        "employer_id": tenant.employer_id,
        "activity_id": tenant.activity_id,
        "meeting_id": tenant.meeting_id,
        "member_id": tenant.member_id,
        "referral_id": tenant.referral_id,
        "service_id": tenant.service_id,
        "event_id": tenant.event_id,
        "invitation_id": tenant.invitation_id,
        "booking_id": tenant.booking_id,
    }
    value = ids[name]
    assert value is not None
    return value


def _outcome(status: int) -> str:
    if status in (401, 403):
        return FORBIDDEN
    if status == 404:
        return HIDDEN
    return REACH


@pytest.mark.parametrize(("method", "path"), sorted(OBJECT_RULES))
async def test_object_access(client, method: str, path: str) -> None:
    rule = OBJECT_RULES[(method, path)]
    page = not path.startswith("/api")
    failures = []
    tenants = None
    for role in Role:
        # Fresh tenants for every role where the request may change them: a move or a
        # publish that worked must not change what the next role finds. (A GET changes
        # nothing a role can see: one set of tenants serves them all.) Another tenant's
        # object first: only an admin may change it, and that leaves the own tenant's as
        # it was.
        if tenants is None or method != "GET":
            await _truncate()
            tenants = await make_tenants()
        token = create_token(tenants["a"].users[role])
        for which in ("other", "own"):
            url = _ID.sub(lambda m: str(_object(m.group(1), tenants, role, which)), path)  # noqa: B023
            client.cookies.clear()
            if page:
                client.cookies.set("token", token)
                response = await client.request(
                    method,
                    url,
                    data=rule.body if method != "GET" else None,
                    follow_redirects=False,
                )
            else:
                response = await client.request(
                    method,
                    url,
                    headers={"Authorization": f"Bearer {token}"},
                    json=rule.body if rule.body is not None and method != "GET" else None,
                )
            assert response.status_code < 500, f"{role} {which} {method} {path}: {response.text}"
            want, got = expected(method, path, role, which), _outcome(response.status_code)
            if want != got:
                failures.append(
                    f"{role.value} with {which}: expected {want}, got {response.status_code}"
                )
    assert not failures, f"{method} {path}: " + "; ".join(failures)
