"""Issue 8, authentication and sessions: each test attacks as the security review did.

Start-up refuses weak secrets outside the demo; registration gives out no staff ids.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
import pytest
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import Employer, EmployerStatus, Role, User, Vacancy, VacancyStatus
from kohtaanto.settings import DEFAULT_TOKEN_SECRET, get_settings, load_settings
from tests.conftest import PASSWORD
from tests.factories import occupation_with_skills, register_employer, vacancy
from tests.test_delivery import configure, smtp  # noqa: F401  (a real SMTP server)

ROOT = Path(__file__).resolve().parents[1]
STRONG = "s" * 40


def _production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOHTAANTO_")}
    env |= {
        "KOHTAANTO_MODE": "production",
        "KOHTAANTO_DATABASE_URL": os.environ["KOHTAANTO_DATABASE_URL"],
        "KOHTAANTO_REDIS_URL": os.environ["KOHTAANTO_REDIS_URL"],
        "KOHTAANTO_MEILI_MASTER_KEY": STRONG,
        "KOHTAANTO_TOKEN_SECRET": STRONG,
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def _start(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


APP = ["-c", "from kohtaanto.app import create_app; create_app(); print('started')"]
CLI = ["-m", "kohtaanto.cli", "scheduled", "no-such-job"]


@pytest.mark.parametrize(
    ("program", "variable", "value"),
    [
        (APP, "KOHTAANTO_TOKEN_SECRET", ""),  # unset: the public default
        (CLI, "KOHTAANTO_MEILI_MASTER_KEY", "short"),
    ],
)
def test_weak_secret_refused_at_start_up(program: list[str], variable: str, value: str) -> None:
    """The process stops with status 1 and one line naming the variable."""
    done = _start(program, _production_env(**{variable: value}))
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], done.stderr
    assert "started" not in done.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KOHTAANTO_TOKEN_SECRET", DEFAULT_TOKEN_SECRET),
        ("KOHTAANTO_TOKEN_SECRET", "short-secret"),
        ("KOHTAANTO_MEILI_MASTER_KEY", ""),
        ("KOHTAANTO_MEILI_MASTER_KEY", "kohtaanto-test-master-key"),
        ("KOHTAANTO_TOKEN_SECRET", ""),
    ],
)
def test_weak_secret_refused_by_the_app_and_the_commands(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """Every weak value, in this process (the one above starts real processes): the app
    and a command stop with the SystemExit that ends a process as above."""
    from click.testing import CliRunner

    from kohtaanto.app import create_app
    from kohtaanto.cli import main

    for name, setting in _production_env(**{variable: value}).items():
        if name.startswith("KOHTAANTO_"):
            monkeypatch.setenv(name, setting)
    if not value:
        monkeypatch.delenv(variable, raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match=variable):
            create_app()
        done = CliRunner().invoke(main, ["scheduled", "no-such-job"])
        assert done.exit_code == 1 and variable in done.output, done.output
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_strong_secrets_start() -> None:
    done = _start(APP, _production_env())
    assert done.returncode == 0, done.stderr
    assert "started" in done.stdout


async def test_worker_refuses_weak_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobs.worker import startup

    monkeypatch.setenv("KOHTAANTO_MODE", "production")
    monkeypatch.setenv("KOHTAANTO_TOKEN_SECRET", "too-short")
    with pytest.raises(SystemExit, match="KOHTAANTO_TOKEN_SECRET"):
        await startup({"settings": load_settings()})


def test_demo_draws_its_own_secrets(tmp_path: Path) -> None:
    """The demo needs no secret set by hand, yet never runs on the public default."""
    env = _production_env(KOHTAANTO_TOKEN_SECRET="", KOHTAANTO_VAR_DIR=str(tmp_path))
    program = [
        "-c",
        "import os, pathlib;"
        "from kohtaanto.demo.secrets import enter_demo_mode;"
        "enter_demo_mode(pathlib.Path(os.environ['KOHTAANTO_VAR_DIR']));"
        "from kohtaanto.settings import get_settings; print(get_settings().auth.token_secret);"
        "from kohtaanto.app import create_app; create_app()",
    ]
    first = _start(program, env)
    assert first.returncode == 0, first.stderr
    secret = first.stdout.strip()
    assert secret != DEFAULT_TOKEN_SECRET and len(secret) >= 32
    stored = tmp_path / "secrets.env"
    assert f"KOHTAANTO_TOKEN_SECRET={secret}" in stored.read_text()
    assert stored.stat().st_mode & 0o077 == 0  # the owner's only
    again = _start(program, env)
    assert again.stdout.strip() == secret  # kept: logins survive a restart


def _text(message: Any) -> str:
    """The plain-text part of a mail (account mails carry text and HTML)."""
    return str(message.get_body(preferencelist=("plain",)).get_content())


async def test_registration_gives_out_no_staff_id(client, make_user, login) -> None:
    """Finding 1: the answer to an anonymous registration named the coordinator's id."""
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    answer: dict[str, Any] = await register_employer(client, "0737546-2", "hr@kauppa.fi")
    assert str(coordinator.id) not in str(answer)
    headers = await login("hr@kauppa.fi", "kauppa-salasana")
    mine = await client.get("/api/employers/me", headers=headers)
    assert mine.status_code == 200
    assert str(coordinator.id) not in mine.text


async def test_token_signed_with_the_public_default_is_refused(client, make_user) -> None:
    """The forgery of finding 1: sign the coordinator's id with the default secret."""
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    forged = jwt.encode(
        {"sub": str(coordinator.id), "exp": 4102444800, "iat": 1700000000},
        DEFAULT_TOKEN_SECRET,
        algorithm="HS256",
    )
    assert get_settings().auth.token_secret != DEFAULT_TOKEN_SECRET
    response = await client.get("/api/vacancies", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


# ------------------------------------------------------------------------- sessions


@contextlib.asynccontextmanager
async def _app_with(monkeypatch: pytest.MonkeyPatch, **env: str) -> AsyncIterator[Any]:
    """A test client on an app built from the environment plus ``env``."""
    from litestar.testing import AsyncTestClient

    from kohtaanto.app import create_app

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        async with AsyncTestClient(app=create_app(), base_url="https://testserver.local") as client:
            yield client
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def _page_login(client: Any, email: str, password: str = PASSWORD) -> Any:
    await client.get("/login")
    return await client.post(
        "/login",
        data={"email": email, "password": password},
        headers={"x-csrftoken": client.cookies["csrftoken"]},
        follow_redirects=False,
    )


async def test_api_refuses_the_login_cookie(client, make_user) -> None:
    """Finding 6: another site's text/plain form post rode the login cookie into /api."""
    await make_user(Role.COORDINATOR, email="koordinaattori@example.fi")
    await register_employer(client, "0737546-2", "hr@kauppa.fi")
    assert (await _page_login(client, "hr@kauppa.fi", "kauppa-salasana")).status_code == 303
    assert "token" in client.cookies
    # The pages still take the cookie ...
    assert (await client.get("/employer")).status_code == 200
    # ... the API does not: neither a read nor the cross-site "form" post.
    assert (await client.get("/api/auth/me")).status_code == 401
    forged = await client.post(
        "/api/vacancies",
        content=b'{"title": "Forged", "x": "=',  # what <form enctype="text/plain"> can send
        headers={"content-type": "text/plain", "origin": "https://evil.example"},
    )
    assert forged.status_code == 401
    bearer = {"Authorization": f"Bearer {client.cookies['token']}"}
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 200


def test_exclusions_are_anchored(app: Any) -> None:
    """Finding 9: "/health", "/schema" and "/api" were exempt anywhere in a path."""
    from litestar.middleware._utils import build_exclude_path_pattern

    from kohtaanto.auth import build_auth

    auth = build_exclude_path_pattern(exclude=build_auth().exclude)
    assert auth is not None
    for public in ("/health", "/schema", "/schema/swagger", "/api/auth/login"):
        assert auth.findall(public), public
    for private in ("/api/coach/clients/health", "/coordinator/schema", "/api/auth/login/x"):
        assert not auth.findall(private), private
    assert app.csrf_config is not None
    csrf = build_exclude_path_pattern(exclude=app.csrf_config.exclude)
    assert csrf is not None
    assert csrf.findall("/api/vacancies")
    for page in ("/employer/api", "/apiary", "/coordinator/health", "/login"):
        assert not csrf.findall(page), page


async def test_secure_cookies_and_hsts_from_configuration(
    clean, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 6: Secure only when the app itself saw https (never behind a proxy), never on
    the CSRF cookie. Now from KOHTAANTO_SECURE_COOKIES, which production has on."""
    monkeypatch.delenv("KOHTAANTO_SECURE_COOKIES", raising=False)
    monkeypatch.setenv("KOHTAANTO_MODE", "production")
    assert load_settings().auth.secure_cookies is True
    assert load_settings().openapi is False
    monkeypatch.setenv("KOHTAANTO_MODE", "development")
    user = await make_user(Role.COACH)
    async with _app_with(monkeypatch, KOHTAANTO_SECURE_COOKIES="1") as browser:
        page = await browser.get("/login")
        assert "secure" in page.headers["set-cookie"].lower()  # the CSRF cookie
        assert page.headers["strict-transport-security"].startswith("max-age=")
        response = await _page_login(browser, user.email)
        assert response.status_code == 303
        cookie = response.headers["set-cookie"].lower()
        assert "token=" in cookie and "secure" in cookie and "httponly" in cookie


async def test_security_headers_on_every_response(client) -> None:
    for path in ("/login", "/api/auth/me", "/static/app.css", "/no-such-page", "/health"):
        response = await client.get(path)
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp, path
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"], path
    # Development speaks http: no HSTS there.
    assert "strict-transport-security" not in (await client.get("/login")).headers


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"""\s(on[a-z]+|hx-on[:\w-]*)\s*=""", re.IGNORECASE)


def test_templates_have_no_inline_script() -> None:
    """The CSP allows only files from /static: no template may rely on inline script."""
    templates = ROOT / "src" / "kohtaanto" / "web" / "templates"
    offenders = [
        f"{path.relative_to(templates)}: {match.group(0).strip()}"
        for path in sorted(templates.rglob("*.html"))
        for pattern in (INLINE_SCRIPT, HANDLER_ATTRIBUTE)
        for match in pattern.finditer(path.read_text())
    ]
    assert not offenders, offenders


async def test_openapi_configurable(clean, monkeypatch: pytest.MonkeyPatch) -> None:
    async with _app_with(monkeypatch, KOHTAANTO_OPENAPI="0") as off:
        assert (await off.get("/schema/openapi.json")).status_code == 404
    async with _app_with(monkeypatch, KOHTAANTO_OPENAPI="1") as on:
        assert (await on.get("/schema/openapi.json")).status_code == 200


async def test_request_body_limit(client) -> None:
    """Finding 4: the 10 MB default body; about 1 MB now, refused before it is parsed."""
    big = b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'", "password": "x"}'
    response = await client.post(
        "/api/auth/login", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_logout_revokes_tokens(client, make_user, login) -> None:
    """Finding 9: a token kept working after logout."""
    user = await make_user(Role.COACH)
    headers = await login(user.email)
    other_session = await login(user.email)
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
    assert (await client.get("/api/auth/me", headers=other_session)).status_code == 401
    fresh = await login(user.email)
    assert (await client.get("/api/auth/me", headers=fresh)).status_code == 200

    # The page's logout revokes the cookie's token too, not just forgets it.
    assert (await _page_login(client, user.email)).status_code == 303
    stolen = {"Authorization": f"Bearer {client.cookies['token']}"}
    assert (await client.get("/api/auth/me", headers=stolen)).status_code == 200
    assert (await client.post("/logout", follow_redirects=False)).status_code == 303
    assert (await client.get("/api/auth/me", headers=stolen)).status_code == 401
    assert (await client.get("/coach", follow_redirects=False)).status_code == 302


# ---------------------------------------------------------------------- abuse limits


async def test_login_rate_limited_across_processes(
    clean, make_user, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Finding 4: nothing limited login attempts. Counts live in Redis, so a second app
    process (another worker behind the same proxy) refuses as well; failures are logged."""
    from litestar.testing import AsyncTestClient

    from kohtaanto.app import create_app

    user = await make_user(Role.COACH)
    caplog.set_level("WARNING", logger="kohtaanto.domain.accounts")
    async with _app_with(monkeypatch, KOHTAANTO_RATE_LOGIN="3/minute") as client:
        for _ in range(3):
            wrong = await client.post(
                "/api/auth/login", json={"email": user.email, "password": "x"}
            )
            assert wrong.status_code == 401
        right = {"email": user.email, "password": PASSWORD}
        assert (await client.post("/api/auth/login", json=right)).status_code == 429
        assert "failed login" in caplog.text and user.email not in caplog.text
        async with AsyncTestClient(app=create_app()) as other_process:
            assert (await other_process.post("/api/auth/login", json=right)).status_code == 429
            # The page's login form counts in the same bucket.
            await other_process.get("/login")
            page = await other_process.post(
                "/login",
                data={"email": user.email, "password": PASSWORD},
                headers={"x-csrftoken": other_process.cookies["csrftoken"]},
            )
            assert page.status_code == 429


@pytest.mark.parametrize(
    ("path", "body", "variable"),
    [
        ("/api/employers/register", {"business_id": "x"}, "KOHTAANTO_RATE_REGISTER"),
        ("/api/esco/suggest", {"text": ""}, "KOHTAANTO_RATE_SUGGEST"),
        ("/api/auth/password-reset", {"email": "x@example.fi"}, "KOHTAANTO_RATE_RESET"),
    ],
)
async def test_registration_and_suggestions_rate_limited(
    clean,
    make_user,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    body: dict[str, Any],
    variable: str,
) -> None:
    user = await make_user(Role.EMPLOYER)
    async with _app_with(monkeypatch, **{variable: "3/hour"}) as client:
        headers = {}
        if "esco" in path:
            login = await client.post(
                "/api/auth/login", json={"email": user.email, "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        for _ in range(3):
            answer = await client.post(path, json=body, headers=headers)
            assert answer.status_code in (400, 202), answer.text
        assert (await client.post(path, json=body, headers=headers)).status_code == 429


async def test_page_suggestions_rate_limited(
    clean, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page route behind suggestions takes the same limit as the API's."""
    user = await make_user(Role.EMPLOYER)
    async with _app_with(monkeypatch, KOHTAANTO_RATE_SUGGEST="3/minute") as client:
        assert (await _page_login(client, user.email)).status_code == 303
        token = {"x-csrftoken": client.cookies["csrftoken"]}
        codes = [
            (await client.post("/ui/esco/suggest", data={"text": ""}, headers=token)).status_code
            for _ in range(4)
        ]
    assert 429 not in codes[:3] and codes[-1] == 429


async def test_unknown_address_costs_a_hash_off_the_event_loop(
    client, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unknown addresses answered at once (an account oracle by timing), and Argon2 ran on
    the event loop. Now: one verification either way, in a worker thread."""
    import threading

    import kohtaanto.security

    user = await make_user(Role.COACH)
    calls: list[str] = []
    real = kohtaanto.security.verify_password

    def spy(password: str, password_hash: str) -> bool:
        calls.append(threading.current_thread().name)
        return real(password, password_hash)

    monkeypatch.setattr(kohtaanto.security, "verify_password", spy)
    for email in ("nobody@example.fi", user.email):
        response = await client.post("/api/auth/login", json={"email": email, "password": "x"})
        assert response.status_code == 401
    assert len(calls) == 2
    assert threading.main_thread().name not in calls


def _uncapped(info: Any, where: str, seen: set[Any]) -> list[str]:
    """Text and list fields without a maximum length, anywhere in a request schema."""
    import msgspec.inspect as mi

    if isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.StructType):
        if info.cls in seen:
            return []
        seen.add(info.cls)
        return [
            problem
            for f in info.fields
            for problem in _uncapped(f.type, f"{info.cls.__name__}.{f.name}", seen)
        ]
    if isinstance(info, mi.UnionType):
        return [p for t in info.types for p in _uncapped(t, where, seen)]
    if isinstance(info, mi.StrType | mi.BytesType):
        return [] if info.max_length is not None else [where]
    if isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        own = [] if info.max_length is not None else [where]
        return own + _uncapped(info.item_type, f"{where}[]", seen)
    if isinstance(info, mi.DictType):
        own = [] if info.max_length is not None else [where]
        return (
            own
            + _uncapped(info.key_type, f"{where}{{key}}", seen)
            + _uncapped(info.value_type, f"{where}{{}}", seen)
        )
    return []


def test_every_text_and_list_field_of_the_api_is_capped(app: Any) -> None:
    import msgspec.inspect as mi
    from litestar.handlers import HTTPRouteHandler

    problems: list[str] = []
    checked = 0
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not route.path.startswith("/api"):
                continue
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is None:
                continue
            checked += 1
            problems += _uncapped(mi.type_info(data.annotation), route.path, set())
    assert checked >= 10
    assert not problems, sorted(set(problems))


# ------------------------------------------------------------------ employers verified

REGISTRATION = {
    "business_id": "0112038-9",  # Nokia Oyj's public business ID
    "name": "Nokia Oyj",
    "municipality_code": "837",
    "contact_name": "Anyone",
    "email": "someone@example.fi",
    "password": "salasana-123",
}


async def test_registration_answers_alike_and_mails_the_owner(
    client,
    make_user,
    smtp,  # noqa: F811
) -> None:
    """Finding 3: the answer told whether an address had an account."""
    owner = await make_user(Role.COACH, email="owner@example.fi")
    new = await client.post("/api/employers/register", json=REGISTRATION)
    taken = await client.post(
        "/api/employers/register",
        json=REGISTRATION | {"business_id": "0737546-2", "email": owner.email.upper()},
    )
    assert new.status_code == taken.status_code == 202
    assert new.json() == taken.json()
    assert set(new.json()) == {"status", "detail"}  # no ids, no names
    async with session_scope() as session:
        names = (await session.scalars(select(Employer.name))).all()
    assert names == ["Nokia Oyj"]  # nothing was written for the taken address
    by_recipient = {m["To"]: m for m in smtp}
    assert set(by_recipient) == {"someone@example.fi", owner.email}
    # In the owner's language (Finnish by default): "your address already has an account",
    # not the new registrant's "registration received".
    owner_text = _text(by_recipient[owner.email])
    assert "on jo tili Kohtaannossa" in owner_text
    assert owner_text != _text(by_recipient["someone@example.fi"])


async def test_business_id_registered_once(client) -> None:
    assert (await client.post("/api/employers/register", json=REGISTRATION)).status_code == 202
    again = await client.post(
        "/api/employers/register",
        json=REGISTRATION | {"email": "other@example.fi", "name": "Nokia (really)"},
    )
    assert again.status_code == 400
    assert [e["key"] for e in again.json()["extra"]] == ["business_id"]
    assert "someone@example.fi" not in again.text and "Anyone" not in again.text


async def test_pending_employer_drafts_but_cannot_publish_or_see_candidates(
    client, make_user, login
) -> None:
    """Finding 3: "Nokia Oyj" registered by anyone published at once."""
    await make_user(Role.COORDINATOR, sub_region="Tampere")
    registered = await register_employer(client, "0112038-9", "hr@kauppa.fi", approve=False)
    assert registered["status"] == "pending"
    headers = await login("hr@kauppa.fi", "kauppa-salasana")
    me = await client.get("/api/employers/me", headers=headers)
    assert me.json()["status"] == "pending"
    occupation, essential, optional = await occupation_with_skills("shop assistant")
    draft = await client.post(
        "/api/vacancies", json=vacancy(occupation, essential[:3], optional[:1]), headers=headers
    )
    assert draft.status_code == 201, draft.text
    vacancy_id = draft.json()["id"]
    publish = await client.post(f"/api/vacancies/{vacancy_id}/publish", headers=headers)
    assert publish.status_code == 403
    assert "approval" in publish.json()["detail"]
    candidates = await client.get(f"/api/vacancies/{vacancy_id}/candidates", headers=headers)
    assert candidates.status_code == 403 and "approval" in candidates.json()["detail"]
    # The pages say the same.
    assert (await _page_login(client, "hr@kauppa.fi", "kauppa-salasana")).status_code == 303
    home = await client.get("/employer")
    assert "yrityskoordinaattorin hyväksyntää" in home.text  # fi: waits for the approval
    page = await client.post(f"/employer/vacancies/{vacancy_id}/publish", follow_redirects=False)
    assert page.headers["location"].endswith("?error=unverified")
    async with session_scope() as session:
        assert (await session.get(Vacancy, UUID(vacancy_id))).status is VacancyStatus.DRAFT


async def test_coordinator_approves_or_rejects_their_areas_registrations(
    client, make_user, login
) -> None:
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    elsewhere = await make_user(Role.COORDINATOR, sub_region="Ylä-Pirkanmaa")
    shop = await register_employer(client, "0112038-9", "hr@kauppa.fi", approve=False)
    other = await register_employer(client, "0737546-2", "hr@toinen.fi", approve=False)
    mine = await login(coordinator.email)
    theirs = await login(elsewhere.email)

    listed = await client.get("/api/employers/pending", headers=mine)
    assert [e["name"] for e in listed.json()] == [shop["name"], other["name"]]
    assert listed.json()[0]["contacts"] == [{"name": "Henkilöstö", "email": "hr@kauppa.fi"}]
    assert (await client.get("/api/employers/pending", headers=theirs)).json() == []
    foreign = await client.post(f"/api/employers/{shop['id']}/approve", headers=theirs)
    assert foreign.status_code == 404

    approved = await client.post(f"/api/employers/{shop['id']}/approve", headers=mine)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    no_reason = await client.post(
        f"/api/employers/{other['id']}/reject", json={"reason": ""}, headers=mine
    )
    assert no_reason.status_code == 400 and no_reason.json()["extra"][0]["key"] == "reason"
    rejected = await client.post(
        f"/api/employers/{other['id']}/reject",
        json={"reason": "Not the company's representative"},
        headers=mine,
    )
    assert rejected.json()["status"] == "rejected"
    twice = await client.post(f"/api/employers/{other['id']}/approve", headers=mine)
    assert twice.status_code == 400
    assert (await client.get("/api/employers/pending", headers=mine)).json() == []

    # The approved shop publishes; the rejected one reads why.
    employer = await login("hr@kauppa.fi", "kauppa-salasana")
    occupation, essential, optional = await occupation_with_skills("shop assistant")
    draft = await client.post(
        "/api/vacancies", json=vacancy(occupation, essential[:3], optional[:1]), headers=employer
    )
    published = await client.post(f"/api/vacancies/{draft.json()['id']}/publish", headers=employer)
    assert published.status_code == 200, published.text
    refused = await login("hr@toinen.fi", "kauppa-salasana")
    me = (await client.get("/api/employers/me", headers=refused)).json()
    assert me["status"] == "rejected"
    assert me["rejection_reason"] == "Not the company's representative"


async def test_coordinator_verification_page(client, make_user) -> None:
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    shop = await register_employer(client, "0112038-9", "hr@kauppa.fi", approve=False)
    assert (await _page_login(client, coordinator.email)).status_code == 303
    listing = await client.get("/coordinator/employers")
    assert listing.status_code == 200
    assert shop["name"] in listing.text and "hr@kauppa.fi" in listing.text
    assert "Tarkistettavat työnantajat" in listing.text  # fi first
    # The coordinator was told of the registration, linked to this page.
    inbox = await client.get("/notifications")
    assert f"Tarkistettava työnantaja: {shop['name']}" in inbox.text
    assert 'href="/coordinator/employers"' in inbox.text
    empty = await client.post(f"/coordinator/employers/{shop['id']}/reject", data={"reason": ""})
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.text
    done = await client.post(f"/coordinator/employers/{shop['id']}/approve", follow_redirects=False)
    assert done.status_code == 303
    async with session_scope() as session:
        employer = await session.get(Employer, UUID(shop["id"]))
        assert employer.status is EmployerStatus.APPROVED
        assert employer.reviewed_by_id == coordinator.id


# ----------------------------------------------------------------- password change, reset


async def test_password_change_revokes_other_tokens(client, make_user, login) -> None:
    user = await make_user(Role.JOBSEEKER)
    headers = await login(user.email)
    elsewhere = await login(user.email)
    wrong = await client.post(
        "/api/auth/password",
        json={"current_password": "nope", "new_password": "uusi-salasana-1"},
        headers=headers,
    )
    assert wrong.status_code == 400 and wrong.json()["extra"][0]["key"] == "current_password"
    changed = await client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "uusi-salasana-1"},
        headers=headers,
    )
    assert changed.status_code == 200
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert (await client.get("/api/auth/me", headers=fresh)).status_code == 200
    for old in (headers, elsewhere):
        assert (await client.get("/api/auth/me", headers=old)).status_code == 401
    assert (await login(user.email, "uusi-salasana-1"))["Authorization"]


async def test_password_change_page(client, make_user) -> None:
    user = await make_user(Role.COACH)
    assert (await _page_login(client, user.email)).status_code == 303
    form = await client.get("/account/password")
    assert form.status_code == 200 and "Vaihda salasana" in form.text
    differ = await client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "uusi-salasana-1",
            "new_password_again": "toinen-salasana",
        },
    )
    assert differ.status_code == 400 and 'id="new_password_again-error"' in differ.text
    done = await client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "uusi-salasana-1",
            "new_password_again": "uusi-salasana-1",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and "token=" in done.headers["set-cookie"]
    assert (await client.get("/coach")).status_code == 200  # this session goes on


def _link(message: Any) -> str:
    found = re.search(r"https?://\S+/reset-password\?token=\S+", _text(message))
    assert found, _text(message)
    return found.group(0)


async def test_password_reset_by_one_time_link(
    client,
    make_user,
    login,
    smtp,  # noqa: F811
) -> None:
    """Finding 9: there was no reset. A one-time, expiring link by e-mail; the answer does
    not tell whether the address has an account."""
    user = await make_user(Role.EMPLOYER, email="tiina@example.fi")
    old_session = await login(user.email)
    known = await client.post("/api/auth/password-reset", json={"email": "TIINA@example.fi"})
    unknown = await client.post("/api/auth/password-reset", json={"email": "nobody@example.fi"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m["To"] for m in smtp] == ["tiina@example.fi"]
    link = _link(smtp[0])
    token = link.split("token=")[1]

    bad = await client.post(
        "/api/auth/password-reset/confirm",
        json={"token": token[:-4] + "AAAA", "new_password": "uusi-salasana-1"},
    )
    assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "token"
    ok = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": "uusi-salasana-1"}
    )
    assert ok.status_code == 200, ok.text
    again = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": "kolmas-salasana"}
    )
    assert again.status_code == 400  # once only
    assert (await client.get("/api/auth/me", headers=old_session)).status_code == 401
    assert (await login(user.email, "uusi-salasana-1"))["Authorization"]


async def test_reset_link_expires(clean, make_user) -> None:
    from kohtaanto.domain import passwords

    user = await make_user(Role.COACH)
    async with session_scope() as session:
        stored = await session.get(User, user.id)
        token = passwords.reset_token(stored, now=0)  # made long ago
        with pytest.raises(passwords.ResetTokenError, match="expired"):
            await passwords.user_of_reset_token(session, token)
        fresh = passwords.reset_token(stored)
        assert (await passwords.user_of_reset_token(session, fresh)).id == user.id


async def test_password_reset_pages(
    client,
    make_user,
    smtp,  # noqa: F811
) -> None:
    user = await make_user(Role.COACH, email="valmentaja@example.fi")
    login_page = await client.get("/login")
    assert 'href="/forgot-password"' in login_page.text
    asked = await client.post("/forgot-password", data={"email": user.email})
    nobody = await client.post("/forgot-password", data={"email": "nobody@example.fi"})
    assert asked.status_code == nobody.status_code == 200
    assert 'role="status"' in asked.text and 'role="status"' in nobody.text
    assert len(smtp) == 1
    link = _link(smtp[0])
    path = link[link.index("/reset-password") :]
    form = await client.get(path)
    assert form.status_code == 200 and 'name="token"' in form.text
    token = path.split("token=")[1]
    done = await client.post(
        "/reset-password",
        data={
            "token": token,
            "new_password": "uusi-salasana-1",
            "new_password_again": "uusi-salasana-1",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/login?reset=1"
    used = await client.get(path)
    assert used.status_code == 400 and 'href="/forgot-password"' in used.text
    assert (await _page_login(client, user.email, "uusi-salasana-1")).status_code == 303
