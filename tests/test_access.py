"""Role guards for every endpoint, generated from the app's route table so a
new endpoint cannot be forgotten: each API route must appear in ACCESS below,
each HTML page in PAGES (anonymous visitors are sent to the login page there)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Litestar

from kohtaanto.api.auth import create_token
from kohtaanto.app import create_app
from kohtaanto.db.models import Role

ANYONE = "anyone"  # no login needed
SIGNED_IN = frozenset(Role)
E, C, H, J, A = Role.EMPLOYER, Role.COORDINATOR, Role.COACH, Role.JOBSEEKER, Role.ADMIN
M = Role.MANAGER
S = Role.SPECIALIST
P = Role.PARTNER

# (method, path) -> who may call it.
ACCESS: dict[tuple[str, str], Any] = {
    ("GET", "/health"): ANYONE,
    ("POST", "/api/auth/login"): ANYONE,
    ("GET", "/api/auth/me"): SIGNED_IN,
    ("POST", "/api/auth/logout"): SIGNED_IN,
    ("POST", "/api/auth/password"): SIGNED_IN,
    ("POST", "/api/auth/password-reset"): ANYONE,
    ("POST", "/api/auth/password-reset/confirm"): ANYONE,
    ("POST", "/api/employers/register"): ANYONE,
    ("GET", "/api/employers/me"): {E},
    ("GET", "/api/employers/pending"): {C, A},
    ("POST", "/api/employers/{employer_id:uuid}/approve"): {C, A},
    ("POST", "/api/employers/{employer_id:uuid}/reject"): {C, A},
    ("GET", "/api/vacancies"): SIGNED_IN,
    ("POST", "/api/vacancies"): {E},
    ("GET", "/api/vacancies/{vacancy_id:uuid}"): SIGNED_IN,
    ("PATCH", "/api/vacancies/{vacancy_id:uuid}"): {E},
    ("POST", "/api/vacancies/{vacancy_id:uuid}/publish"): {E},
    ("POST", "/api/vacancies/{vacancy_id:uuid}/close"): {E},
    ("GET", "/api/vacancies/{vacancy_id:uuid}/shortlist"): {C, A},
    ("POST", "/api/vacancies/{vacancy_id:uuid}/shortlist/entries"): {C, A},
    ("POST", "/api/vacancies/{vacancy_id:uuid}/shortlist/moves"): {C, A},
    ("GET", "/api/vacancies/{vacancy_id:uuid}/candidates"): {E},
    # Entry routes are open to every role that can hold an entry; the entry itself
    # decides (a 404 for anyone who is not its coordinator, person, coach or employer).
    ("POST", "/api/shortlist-entries/{entry_id:uuid}/move"): SIGNED_IN,
    ("GET", "/api/shortlist-entries/{entry_id:uuid}/events"): SIGNED_IN,
    ("GET", "/api/jobseekers/me"): {J},
    ("PUT", "/api/jobseekers/me"): {J},
    ("GET", "/api/jobseekers/me/matches"): {J},
    ("GET", "/api/jobseekers/me/entries"): {J},
    ("GET", "/api/jobseekers/me/views"): {J},
    ("GET", "/api/jobseekers/me/export"): {J},
    ("DELETE", "/api/jobseekers/me"): {J},
    ("GET", "/api/coach/clients"): {H},
    ("GET", "/api/coach/clients/{jobseeker_id:uuid}"): {H},
    ("GET", "/api/notifications"): SIGNED_IN,
    ("POST", "/api/notifications/{notification_id:uuid}/read"): SIGNED_IN,
    ("POST", "/api/notifications/read-all"): SIGNED_IN,
    ("GET", "/api/me/preferences"): SIGNED_IN,
    ("PUT", "/api/me/preferences"): SIGNED_IN,
    ("GET", "/api/esco/skills"): SIGNED_IN,
    ("GET", "/api/esco/occupations"): SIGNED_IN,
    ("POST", "/api/esco/suggest"): SIGNED_IN,
    # Service paths (issue 10): never employers, coordinators or managers.
    ("GET", "/api/coach/worklist"): {H},
    ("GET", "/api/coach/clients/{jobseeker_id:uuid}/service-path"): {H},
    ("GET", "/api/coach/clients/{jobseeker_id:uuid}/assessments"): {H},
    ("POST", "/api/coach/clients/{jobseeker_id:uuid}/assessments"): {H},
    ("POST", "/api/coach/clients/{jobseeker_id:uuid}/activities"): {H},
    ("PUT", "/api/coach/clients/{jobseeker_id:uuid}/obligation"): {H},
    ("POST", "/api/coach/clients/{jobseeker_id:uuid}/meetings"): {H},
    ("POST", "/api/coach/meetings/{meeting_id:uuid}/minutes"): {H},
    ("POST", "/api/coach/meetings/{meeting_id:uuid}/cancel"): {H},
    ("POST", "/api/coach/clients/{jobseeker_id:uuid}/team"): {H},
    ("POST", "/api/coach/team/{member_id:uuid}/end"): {H},
    ("PATCH", "/api/plan-activities/{activity_id:uuid}"): {H, J},
    ("POST", "/api/plan-activities/{activity_id:uuid}/status"): {H, J},
    ("GET", "/api/me/service-path"): {J},
    ("PUT", "/api/me/service-path/self-assessment"): {J},
    ("POST", "/api/me/service-path/activities"): {J},
    ("POST", "/api/me/service-path/applications"): {J},
    ("POST", "/api/me/service-path/team/{member_id:uuid}/answer"): {J},
    ("GET", "/api/specialist/clients"): {S},
    ("GET", "/api/specialist/clients/{jobseeker_id:uuid}"): {S},
    # Partner services and referrals (domain.partners).
    ("GET", "/api/partner-services"): {H, P, A, M, C},
    ("POST", "/api/partner-services"): {P, A},
    ("PUT", "/api/partner-services/{service_id:uuid}"): {P, A},
    ("GET", "/api/referrals"): {P, J},
    ("POST", "/api/referrals"): {H},
    ("GET", "/api/referrals/{referral_id:uuid}"): {H, P, J},
    ("POST", "/api/referrals/{referral_id:uuid}/consent"): {J},
    ("POST", "/api/referrals/{referral_id:uuid}/answer"): {P},
    ("POST", "/api/referrals/{referral_id:uuid}/cancel"): {H},
    ("GET", "/api/coach/clients/{jobseeker_id:uuid}/skills-gap"): {H},
    # Recruitment events: organisers plan and invite; the event itself decides who
    # reads it (organiser, employers taking part, people invited, their coaches).
    ("GET", "/api/events"): SIGNED_IN,
    ("POST", "/api/events"): {C, H, A},
    ("GET", "/api/events/{event_id:uuid}"): SIGNED_IN,
    ("POST", "/api/events/{event_id:uuid}/status"): {C, H, A},
    ("POST", "/api/events/{event_id:uuid}/employers"): {C, H, A},
    ("POST", "/api/events/{event_id:uuid}/invitations"): {C, H, A},
    ("POST", "/api/event-invitations/{invitation_id:uuid}/book"): {J, C, H, A},
    ("POST", "/api/event-bookings/{booking_id:uuid}/cancel"): {J, C, H, A},
    ("POST", "/api/event-bookings/{booking_id:uuid}/outcome"): {E, C, H, A},
    ("GET", "/api/event-bookings/{booking_id:uuid}/calendar"): {J},
}

# Pages of the web interface: (method, path) -> who may open it.
PAGES: dict[tuple[str, str], Any] = {
    ("GET", "/static/{file_path:path}"): ANYONE,
    ("GET", "/login"): ANYONE,
    ("POST", "/login"): ANYONE,
    ("POST", "/logout"): ANYONE,
    ("GET", "/forgot-password"): ANYONE,
    ("POST", "/forgot-password"): ANYONE,
    ("GET", "/reset-password"): ANYONE,
    ("POST", "/reset-password"): ANYONE,
    ("GET", "/account/password"): SIGNED_IN,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/lang/{code:str}"): ANYONE,
    ("GET", "/"): SIGNED_IN,
    ("GET", "/coordinator"): {C, A},
    ("GET", "/coordinator/employers"): {C, A},
    ("POST", "/coordinator/employers/{employer_id:uuid}/approve"): {C, A},
    ("POST", "/coordinator/employers/{employer_id:uuid}/reject"): {C, A},
    ("GET", "/coordinator/vacancies/{vacancy_id:uuid}"): {C, A},
    ("POST", "/coordinator/vacancies/{vacancy_id:uuid}/moves"): {C, A},
    ("POST", "/coordinator/vacancies/{vacancy_id:uuid}/entries"): {C, A},
    ("POST", "/coordinator/entries/{entry_id:uuid}/move"): {C, A},
    ("GET", "/coach"): {H},
    ("GET", "/coach/clients/{jobseeker_id:uuid}"): {H},
    ("GET", "/manager"): {M, A},
    ("GET", "/manager/model"): {M, A},
    ("GET", "/manager/reports/{filename:str}"): {M, A},
    ("GET", "/ui/esco/skills"): SIGNED_IN,
    ("GET", "/ui/esco/occupations"): SIGNED_IN,
    ("POST", "/ui/esco/suggest"): SIGNED_IN,
    ("GET", "/employer"): {E},
    ("GET", "/employer/organisation"): {E},
    ("GET", "/employer/vacancies/new"): {E},
    ("POST", "/employer/vacancies/new"): {E},
    ("GET", "/employer/vacancies/{vacancy_id:uuid}"): {E},
    ("GET", "/employer/vacancies/{vacancy_id:uuid}/edit"): {E},
    ("POST", "/employer/vacancies/{vacancy_id:uuid}/edit"): {E},
    ("POST", "/employer/vacancies/{vacancy_id:uuid}/publish"): {E},
    ("POST", "/employer/vacancies/{vacancy_id:uuid}/close"): {E},
    ("POST", "/employer/entries/{entry_id:uuid}/answer"): {E},
    ("GET", "/jobseeker"): {J},
    ("GET", "/jobseeker/profile"): {J},
    ("POST", "/jobseeker/profile"): {J},
    ("GET", "/jobseeker/consents"): {J},
    ("POST", "/jobseeker/entries/{entry_id:uuid}/consent"): {J},
    ("GET", "/jobseeker/views"): {J},
    ("GET", "/jobseeker/data"): {J},
    ("GET", "/jobseeker/data/summary"): {J},
    ("GET", "/admin"): {A},
    ("POST", "/admin/users"): {A},
    ("POST", "/admin/users/{user_id:uuid}/active"): {A},
    ("GET", "/admin/organisations"): {A},
    ("POST", "/admin/organisations/{employer_id:uuid}/coordinator"): {A},
    ("GET", "/admin/coordinators"): {A},
    ("POST", "/admin/coordinators/{user_id:uuid}/sub-region"): {A},
    ("GET", "/jobseeker/vacancies/{vacancy_id:uuid}"): {J},
    ("POST", "/jobseeker/vacancies/{vacancy_id:uuid}/interest"): {J},
    ("POST", "/jobseeker/data/erase"): {J},
    ("GET", "/notifications"): SIGNED_IN,
    ("POST", "/notifications/{notification_id:uuid}/read"): SIGNED_IN,
    ("POST", "/notifications/read-all"): SIGNED_IN,
    ("POST", "/preferences"): SIGNED_IN,
    ("GET", "/coach/worklist"): {H},
    ("GET", "/coach/clients/{jobseeker_id:uuid}/path"): {H},
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/assessment"): {H},
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/activities"): {H},
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/obligation"): {H},
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/meetings"): {H},
    ("POST", "/coach/clients/{jobseeker_id:uuid}/path/team"): {H},
    ("POST", "/coach/activities/{activity_id:uuid}/status"): {H},
    ("POST", "/coach/meetings/{meeting_id:uuid}/minutes"): {H},
    ("GET", "/jobseeker/plan"): {J},
    ("POST", "/jobseeker/plan/applications"): {J},
    ("POST", "/jobseeker/plan/activities"): {J},
    ("POST", "/jobseeker/plan/activities/{activity_id:uuid}/status"): {J},
    ("POST", "/jobseeker/plan/self-assessment"): {J},
    ("POST", "/jobseeker/plan/team/{member_id:uuid}"): {J},
    ("GET", "/specialist"): {S},
    ("GET", "/specialist/clients/{jobseeker_id:uuid}"): {S},
    ("GET", "/partner"): {P},
    ("GET", "/partner/referrals/{referral_id:uuid}"): {P},
    ("POST", "/partner/referrals/{referral_id:uuid}/answer"): {P},
    # The one-time answer link: no account (the token is the key).
    ("GET", "/r/{token:str}"): ANYONE,
    ("POST", "/r/{token:str}"): ANYONE,
    ("GET", "/coach/clients/{jobseeker_id:uuid}/offers"): {H},
    ("POST", "/coach/clients/{jobseeker_id:uuid}/referrals"): {H},
    ("POST", "/coach/clients/{jobseeker_id:uuid}/referrals/{referral_id:uuid}/cancel"): {H},
    ("GET", "/jobseeker/referrals"): {J},
    ("POST", "/jobseeker/referrals/{referral_id:uuid}/consent"): {J},
    ("GET", "/events"): {C, H, A},
    ("POST", "/events"): {C, H, A},
    ("GET", "/events/{event_id:uuid}"): {C, H, A},
    ("POST", "/events/{event_id:uuid}/status"): {C, H, A},
    ("POST", "/events/{event_id:uuid}/employers"): {C, H, A},
    ("POST", "/events/{event_id:uuid}/invitations"): {C, H, A},
    ("POST", "/events/invitations/{invitation_id:uuid}/book"): {C, H, A},
    ("POST", "/events/bookings/{booking_id:uuid}/cancel"): {C, H, A},
    ("POST", "/events/bookings/{booking_id:uuid}/outcome"): {C, H, A},
    ("GET", "/employer/events"): {E},
    ("GET", "/employer/events/{event_id:uuid}"): {E},
    ("POST", "/employer/events/{event_id:uuid}/answer"): {E},
    ("POST", "/employer/events/bookings/{booking_id:uuid}/outcome"): {E},
    ("GET", "/jobseeker/events"): {J},
    ("POST", "/jobseeker/events/invitations/{invitation_id:uuid}/book"): {J},
    ("POST", "/jobseeker/events/invitations/{invitation_id:uuid}/wait"): {J},
    ("POST", "/jobseeker/events/invitations/{invitation_id:uuid}/decline"): {J},
    ("POST", "/jobseeker/events/bookings/{booking_id:uuid}/cancel"): {J},
    ("GET", "/jobseeker/events/bookings/{booking_id:uuid}/calendar.ics"): {J},
}


def _routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if route.path.startswith("/schema"):
            continue  # the OpenAPI documents are public
        for method in getattr(route, "methods", ()):
            if method not in ("HEAD", "OPTIONS"):
                found.add((method, route.path))
    return found


def test_every_route_has_an_access_rule() -> None:
    routes = _routes(create_app())
    rules = set(ACCESS) | set(PAGES)
    assert routes == rules, (
        f"routes without a rule: {sorted(routes - rules)}; "
        f"rules without a route: {sorted(rules - routes)}"
    )


def _concrete(path: str) -> str:
    for name in (
        "vacancy_id",
        "notification_id",
        "entry_id",
        "jobseeker_id",
        "user_id",
        "employer_id",
        "activity_id",
        "meeting_id",
        "member_id",
        "referral_id",
        "service_id",
        "event_id",
        "invitation_id",
        "booking_id",
    ):
        path = path.replace(f"{{{name}:uuid}}", str(uuid.uuid4()))
    return (
        path.replace("{file_path:path}", "app.css")
        .replace("{code:str}", "sv")
        .replace("{token:str}", "not-a-valid-token")
        .replace("{filename:str}", "funnel.csv")
    )


@pytest.mark.parametrize(("method", "path"), sorted(ACCESS))
async def test_role_guards(client, make_user, method: str, path: str) -> None:
    allowed = ACCESS[(method, path)]
    url = _concrete(path)
    query = {"q": "cook"} if path.startswith("/api/esco") else None
    # Anonymous callers are refused everywhere but the open endpoints.
    response = await client.request(method, url, params=query, json={} if method != "GET" else None)
    if allowed == ANYONE:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 401, f"anonymous {method} {path}: {response.status_code}"
    if allowed == ANYONE:
        return
    for role in Role:
        # Signed in with a token of their own (the login itself is tested elsewhere;
        # Argon2 for every role of every route cost minutes).
        user = await make_user(role)
        headers = {"Authorization": f"Bearer {create_token(user)}"}
        response = await client.request(
            method, url, params=query, headers=headers, json={} if method != "GET" else None
        )
        if role in allowed:
            assert response.status_code not in (401, 403), (
                f"{role} {method} {path}: {response.text}"
            )
        else:
            assert response.status_code == 403, f"{role} {method} {path}: {response.status_code}"


@pytest.mark.parametrize(("method", "path"), sorted(PAGES))
async def test_page_guards(client, make_user, method: str, path: str) -> None:
    """Anonymous visitors go to the login page (and back after it); other roles get a 403 page."""
    allowed = PAGES[(method, path)]
    url = _concrete(path)
    client.cookies.clear()
    response = await client.request(
        method, url, data={} if method != "GET" else None, follow_redirects=False
    )
    if allowed == ANYONE:
        assert response.status_code not in (401, 403), response.text
        return
    assert response.status_code in (302, 303), f"anonymous {method} {path}: {response.status_code}"
    assert response.headers["location"].startswith("/login?next=")
    for role in Role:
        # Signed in as the login page does it: the token in the cookie.
        user = await make_user(role)
        client.cookies.clear()
        client.cookies.set("token", create_token(user))
        response = await client.request(
            method, url, data={} if method != "GET" else None, follow_redirects=False
        )
        if role in allowed:
            assert response.status_code not in (401, 403), f"{role} {method} {path}"
            assert not response.headers.get("location", "").startswith("/login")
        else:
            assert response.status_code == 403, f"{role} {method} {path}: {response.status_code}"
            assert "<html" in response.text
