# ruff: noqa: F811 (the delivery fixtures are imported from tests.test_delivery)
"""Issue 8, the data-protection findings, each tried as an attacker would.

Finding 2: employers learn nothing of health, notes or history, and nothing after
the sharing ended. Finding 8: add-by-hand honours the jobseeker's visibility choice.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from kohtaanto.db import session_scope
from kohtaanto.db.models import Jobseeker, Role, ShortlistEntry
from kohtaanto.domain import disclosure
from kohtaanto.domain.shortlists import EmployerCandidateView
from tests.tenants import NOTE, instruments_for, make_tenants
from tests.test_delivery import configure, hook, smtp  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean")

# What must never reach an employer: instrument codes and rules that tell health
# or other special-category facts, rates, the model's factors, the staff's notes.
FORBIDDEN = (
    "wage_subsidy_reduced_work_ability",
    "reduced work ability",
    "reduced_work_ability",
    "integration",
    "rule_id",
    "fi-wage-subsidy",
    "rate",
    "top_factors",
    "back surgery",
    "instruments",
)


def _leaks(payload: Any) -> list[str]:
    text = json.dumps(payload).lower()
    return [word for word in FORBIDDEN if word.lower() in text]


async def _employer(login: Any, tenants: Any, key: str = "a") -> dict[str, str]:
    result: dict[str, str] = await login(tenants[key].users[Role.EMPLOYER].email)
    return result


async def test_employer_sees_exactly_the_documented_view(client, login) -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    employer = await _employer(login, tenants)
    response = await client.get(f"/api/vacancies/{a.vacancy_id}/candidates", headers=employer)
    assert response.status_code == 200, response.text
    shared = response.json()
    assert {c["entry_id"] for c in shared} == {str(a.entry_id), str(a.hand_entry_id)}
    # Every candidate is exactly the schema's fields: one explicit list, nothing extra.
    for candidate in shared:
        assert set(candidate) == set(EmployerCandidateView.__struct_fields__)
        msgspec.convert(candidate, EmployerCandidateView)
    assert _leaks(shared) == [], shared
    mine = next(c for c in shared if c["entry_id"] == str(a.entry_id))
    # The reduced-work-ability subsidy (70 %) is behind it, but the employer reads only a
    # rough amount, no higher than the general 50 % wage subsidy would give.
    codes = {i["code"] for i in instruments_for(reduced_work_ability=True)}
    assert "wage_subsidy_reduced_work_ability" in codes
    support = mine["support"]
    assert support["wage_subsidy_possible"] is True
    about = support["about_eur_per_month"]
    assert support["text"] == f"Wage subsidy possible, about {about} €/month"
    assert support["about_eur_per_month"] % disclosure.ROUND_TO_EUR == 0
    assert support["about_eur_per_month"] <= disclosure.GENERAL_MONTHLY_CAP_EUR
    assert mine["match"]["matched_essential"][0]["label"] == "serve customers"
    assert mine["name"] == "Jobseeker A" and mine["phone"] == "+358401234567"
    # The hand-added entry's explanation holds the coordinator's note: none of it shows.
    by_hand = next(c for c in shared if c["entry_id"] == str(a.hand_entry_id))
    assert by_hand["match"] is None and by_hand["support"] is None


async def test_support_amount_does_not_tell_the_special_rate(client, login) -> None:
    """Two people for the same job, one with reduced work ability (70 % subsidy), one
    with the general subsidy (50 %): the employer reads the same amount for both."""
    general = {"instruments": instruments_for(reduced_work_ability=False)}
    special = {"instruments": instruments_for(reduced_work_ability=True)}
    assert disclosure.wage_subsidy_hint(general) == disclosure.wage_subsidy_hint(special)
    assert disclosure.wage_subsidy_hint({"instruments": []}) is None


async def test_employer_history_is_status_and_date_only(client, login) -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    employer = await _employer(login, tenants)
    response = await client.get(f"/api/shortlist-entries/{a.entry_id}/events", headers=employer)
    assert response.status_code == 200, response.text
    events = response.json()
    # From the sharing on; no reason, no note, no one's role.
    assert [e["to_status"] for e in events] == ["shared"]
    assert all(e["reason"] is None and e["by_role"] is None for e in events)
    assert "surgery" not in response.text
    # The service's own people still read the whole history with reasons.
    coordinator = await login(a.users[Role.COORDINATOR].email)
    full = (
        await client.get(f"/api/shortlist-entries/{a.entry_id}/events", headers=coordinator)
    ).json()
    assert len(full) == 4 and any(e["reason"] == NOTE for e in full)


async def test_nothing_after_the_sharing_ended(client, login) -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    employer = await _employer(login, tenants)
    async with session_scope() as session:
        entry = await session.get(ShortlistEntry, a.entry_id)
        assert entry is not None
        entry.shared_until = datetime.now(UTC) - timedelta(minutes=1)
    candidates = (
        await client.get(f"/api/vacancies/{a.vacancy_id}/candidates", headers=employer)
    ).json()
    assert str(a.entry_id) not in {c["entry_id"] for c in candidates}
    events = await client.get(f"/api/shortlist-entries/{a.entry_id}/events", headers=employer)
    assert events.status_code == 404
    move = await client.post(
        f"/api/shortlist-entries/{a.entry_id}/move", json={"to": "interview"}, headers=employer
    )
    assert move.status_code == 404
    page = await client.post(
        f"/employer/entries/{a.entry_id}/answer",
        data={"to": "interview"},
        headers={"cookie": f"token={employer['Authorization'].split()[1]}"},
        follow_redirects=False,
    )
    assert page.status_code == 404
    # The jobseeker still reads their own entry's history.
    person = await login(a.users[Role.JOBSEEKER].email)
    own = await client.get(f"/api/shortlist-entries/{a.entry_id}/events", headers=person)
    assert own.status_code == 200


async def test_employer_page_shows_no_health_or_notes(client, login) -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    employer = await _employer(login, tenants)
    client.cookies.set("token", employer["Authorization"].split()[1])
    page = await client.get(f"/employer/vacancies/{a.vacancy_id}")
    assert page.status_code == 200
    text = page.text.lower()
    assert "surgery" not in text and "work ability" not in text and "työkyky" not in text
    assert "jobseeker a" in text


async def test_consent_page_lists_what_with_whom_until_when(client, login) -> None:
    tenants = await make_tenants()
    a = tenants["a"]
    async with session_scope() as session:
        entry = await session.get(ShortlistEntry, a.entry_id)
        assert entry is not None
        until = entry.shared_until
    person = await login(a.users[Role.JOBSEEKER].email)
    client.cookies.set("token", person["Authorization"].split()[1])
    client.cookies.set("lang", "en")
    page = await client.get("/jobseeker/consents")
    assert page.status_code == 200
    assert "Kauppa A sees:" in page.text
    for label in (
        "Your skills",
        "Your home municipality",
        "Your name",
        "Your e-mail address",
        "Your phone number",
    ):
        assert label in page.text
    assert until is not None and until.strftime("%d.%m.%Y") in page.text
    assert "never shown to employers" in page.text


async def test_add_by_hand_honours_visibility(client, login) -> None:
    """Finding 8: someone who chose not to be visible to employers cannot be added by
    hand, and the answer is the same as for an id that does not exist."""
    tenants = await make_tenants()
    a = tenants["a"]
    coordinator = await login(a.users[Role.COORDINATOR].email)
    async with session_scope() as session:
        hidden = Jobseeker(
            municipality_id=(await session.get(Jobseeker, a.jobseeker_id)).municipality_id,  # type: ignore[union-attr]
            languages=["fi"],
            education="basic",
            birth_year=1980,
            visible_to_employers=False,
        )
        session.add(hidden)
        await session.flush()
        hidden_id = hidden.id
    url = f"/api/vacancies/{a.vacancy_id}/shortlist/entries"
    refused = await client.post(url, json={"jobseeker_id": str(hidden_id)}, headers=coordinator)
    unknown = await client.post(
        url, json={"jobseeker_id": "00000000-0000-4000-8000-000000000000"}, headers=coordinator
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["extra"][0]["key"] == "jobseeker_id"
    assert refused.json()["extra"] == unknown.json()["extra"]


# --- Finding 5: webhooks cannot reach the service's own network (SSRF) ------------------

REFUSED_AT_SAVE = [
    "http://93.184.215.14/hook",  # public, but plain http
    "https://127.0.0.1/hook",
    "https://localhost:8443/hook",
    "https://[::1]/hook",
    "https://10.1.2.3/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.10/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://[::ffff:169.254.169.254]/",
    "https://224.0.0.1/hook",
    "https://0.0.0.0/hook",
    "https://240.0.0.1/hook",
    "https://100.64.0.1/hook",
    "http://127.0.0.1:6379/",  # Redis, over http, without the development setting
]


@pytest.mark.parametrize("url", REFUSED_AT_SAVE)
async def test_webhook_to_internal_address_refused_when_saved(client, make_user, login, url):
    coordinator = await make_user(Role.COORDINATOR)
    headers = await login(coordinator.email)
    response = await client.put("/api/me/preferences", json={"webhook_url": url}, headers=headers)
    assert response.status_code == 400, f"{url}: {response.status_code}"
    assert response.json()["extra"][0]["key"] == "webhook_url"
    stored = (await client.get("/api/me/preferences", headers=headers)).json()
    assert stored["webhook_url"] is None


async def test_public_https_webhook_accepted(client, make_user, login) -> None:
    coordinator = await make_user(Role.COORDINATOR)
    headers = await login(coordinator.email)
    response = await client.put(
        "/api/me/preferences", json={"webhook_url": "https://93.184.215.14/hook"}, headers=headers
    )
    assert response.status_code == 200, response.text


async def test_loopback_http_only_with_the_development_setting(
    client, make_user, login, local_webhooks
) -> None:
    coordinator = await make_user(Role.COORDINATOR)
    headers = await login(coordinator.email)
    ok = await client.put(
        "/api/me/preferences", json={"webhook_url": "http://127.0.0.1:9/hook"}, headers=headers
    )
    assert ok.status_code == 200, ok.text
    # Private and metadata addresses stay refused in development too.
    for url in ("http://10.0.0.1/hook", "https://169.254.169.254/"):
        response = await client.put(
            "/api/me/preferences", json={"webhook_url": url}, headers=headers
        )
        assert response.status_code == 400, url


async def _notification_for(user_id: Any, title: str) -> Any:
    from kohtaanto.domain.notifications import notify_once

    async with session_scope() as session:
        notification = await notify_once(
            session,
            recipient_id=user_id,
            kind="shortlist",
            params={"vacancy_title": title, "candidates": 2},
            key=title,
        )
        assert notification is not None
        return notification.id


async def _stored(notification_id: Any) -> Any:
    from kohtaanto.db.models import Notification

    async with session_scope() as session:
        return await session.get(Notification, notification_id)


async def test_webhook_checked_again_before_sending(make_user, run_jobs, hook) -> None:
    """A URL saved before the check (or a name pointed inwards later) is refused at
    send time: recorded as a failed delivery, nothing sent, not retried."""
    from kohtaanto.db.models import NotifyFrequency

    coordinator = await make_user(
        Role.COORDINATOR,
        notify_frequency=NotifyFrequency.OFF,
        webhook_url="https://169.254.169.254/latest/meta-data/",
        webhook_secret="s3cret",
    )
    notification_id = await _notification_for(coordinator.id, "Shortlist ready")
    assert await run_jobs() == {"complete": 1, "failed": 0, "retried": 0}
    stored = await _stored(notification_id)
    assert stored.webhook_delivered_at is None and stored.webhook_attempts == 1
    assert "metadata" in stored.delivery_error


async def test_loopback_receiver_refused_at_send_without_the_setting(
    make_user, run_jobs, hook, monkeypatch
) -> None:
    from kohtaanto.db.models import NotifyFrequency
    from kohtaanto.settings import get_settings

    monkeypatch.delenv("KOHTAANTO_WEBHOOK_ALLOW_HTTP_LOOPBACK")
    get_settings.cache_clear()
    coordinator = await make_user(
        Role.COORDINATOR,
        notify_frequency=NotifyFrequency.OFF,
        webhook_url=hook.url,
        webhook_secret="s3cret",
    )
    hook.secret = "s3cret"
    notification_id = await _notification_for(coordinator.id, "Shortlist ready")
    await run_jobs()
    assert hook.requests == []
    assert "https" in (await _stored(notification_id)).delivery_error
    monkeypatch.setenv("KOHTAANTO_WEBHOOK_ALLOW_HTTP_LOOPBACK", "1")
    get_settings.cache_clear()


async def test_webhook_redirect_not_followed(make_user, run_jobs, hook) -> None:
    from kohtaanto.db.models import NotifyFrequency

    coordinator = await make_user(
        Role.COORDINATOR,
        notify_frequency=NotifyFrequency.OFF,
        webhook_url=hook.url,
        webhook_secret="s3cret",
    )
    hook.secret = "s3cret"
    hook.script = [307]  # the receiver's answer carries no Location: nothing to follow anyway
    notification_id = await _notification_for(coordinator.id, "Shortlist ready")
    assert (await run_jobs())["retried"] == 0
    assert len(hook.requests) == 1
    stored = await _stored(notification_id)
    assert stored.webhook_status == 307 and stored.webhook_delivered_at is None


# --- Finding 10: a header-breaking title is still delivered; failures are recorded -------


async def test_title_with_newline_still_delivered(make_user, run_jobs, smtp, hook) -> None:
    coordinator = await make_user(
        Role.COORDINATOR, name="Kaisa", webhook_url=hook.url, webhook_secret="s3cret"
    )
    hook.secret = "s3cret"
    title = "Myyjä\r\nBcc: victim@example.fi\nX-Evil: 1\u2028Kassa"
    notification_id = await _notification_for(coordinator.id, title)
    assert (await run_jobs())["failed"] == 0
    (message,) = smtp
    assert message["Subject"] == (
        "Kohtaanto: Ehdokaslista valmis: Myyjä Bcc: victim@example.fi X-Evil: 1 Kassa (2 ehdokasta)"
    )
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["To"] == coordinator.email
    stored = await _stored(notification_id)
    assert stored.emailed_at is not None and stored.webhook_delivered_at is not None
    # The webhook (JSON) carries the title as it is; the receiver escapes it.
    assert hook.accepted[0]["body"]["params"]["vacancy_title"] == title


async def test_failed_email_is_recorded_and_retried(make_user, run_jobs, configure) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    configure(
        KOHTAANTO_SMTP_HOST="127.0.0.1",
        KOHTAANTO_SMTP_PORT=str(port),  # nothing listens there
        KOHTAANTO_SMTP_SECURITY="none",
        KOHTAANTO_DELIVERY_MAX_TRIES="2",
    )
    person = await make_user(Role.JOBSEEKER)
    notification_id = await _notification_for(person.id, "For you: Cook")
    counts = await run_jobs()
    assert counts["retried"] == 1
    stored = await _stored(notification_id)
    assert stored.emailed_at is None and stored.email_attempts == 2
    assert stored.delivery_error.startswith("e-mail:")


# --- Finding 11: the queue holds JSON, not pickle; Redis with a password ---------------


class _Marker:
    """A pickle that, when loaded, writes a file: what an attacker with Redis write
    access would plant to run code in the worker."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


async def test_jobs_are_json_and_a_planted_pickle_is_never_loaded(tmp_path, redis) -> None:
    import pickle
    import time

    from jobs.worker import build_worker
    from kohtaanto.queue import DELIVER_NOTIFICATION, enqueue, open_queue
    from kohtaanto.settings import get_settings

    queue = await open_queue()
    try:
        await enqueue(queue, DELIVER_NOTIFICATION, {"notification_id": "x"}, "json-job")
        raw = await redis.get("arq:job:json-job")
        assert json.loads(raw)["f"] == DELIVER_NOTIFICATION
        await redis.delete("arq:job:json-job")
        await redis.zrem(get_settings().queue.queue_name, "json-job")

        marker = tmp_path / "pwned"
        planted = pickle.dumps(
            {"t": 1, "f": DELIVER_NOTIFICATION, "a": [_Marker(str(marker))], "k": {}, "et": 1}
        )
        await redis.set("arq:job:planted", planted)
        await redis.zadd(get_settings().queue.queue_name, {"planted": time.time() * 1000})
        worker = build_worker(
            redis_pool=queue, burst=True, poll_delay=0, handle_signals=False, cron_jobs=[]
        )
        await worker.main()
        await worker.close()
        assert not marker.exists()
        assert worker.jobs_complete == 0
    finally:
        await queue.aclose()


@pytest.fixture
def redis_with_password(tmp_path) -> Any:
    """A second, real Redis that requires a password, on a free port."""
    import shutil
    import socket
    import subprocess
    import time

    server = shutil.which("redis-server")
    assert server, "redis-server is needed (scripts/services installs it)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [server, "-", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp_path],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    assert process.stdin is not None
    process.stdin.write(b'requirepass "queue-pass-0123"\n')
    process.stdin.close()
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(10)


async def test_queue_works_with_a_redis_password(redis_with_password) -> None:
    from dataclasses import replace

    from redis.exceptions import AuthenticationError, ResponseError

    from jobs.worker import build_worker
    from kohtaanto.queue import DELIVER_NOTIFICATION, enqueue, open_queue
    from kohtaanto.settings import get_settings

    settings = get_settings()
    url = f"redis://:queue-pass-0123@127.0.0.1:{redis_with_password}/0"
    with_password = replace(settings, queue=replace(settings.queue, redis_url=url))
    queue = await open_queue(with_password.queue)
    try:
        notification = "00000000-0000-4000-8000-000000000001"
        await enqueue(queue, DELIVER_NOTIFICATION, {"notification_id": notification}, "pw-job")
        worker = build_worker(
            with_password,
            redis_pool=queue,
            burst=True,
            poll_delay=0,
            handle_signals=False,
            cron_jobs=[],
        )
        await worker.main()
        await worker.close()
        assert worker.jobs_complete == 1
    finally:
        await queue.aclose()
    # The rate limits' store (kohtaanto.limits) talks to the same Redis with the password.
    from kohtaanto.limits import rate_limit_store

    store = rate_limit_store(with_password)
    await store.set("probe", b"1", expires_in=10)
    assert await store.get("probe") == b"1"
    await store._redis.aclose()
    # Without the password the same Redis refuses.
    without = replace(settings.queue, redis_url=f"redis://127.0.0.1:{redis_with_password}/0")
    with pytest.raises((AuthenticationError, ResponseError)):
        queue = await open_queue(without)
        try:
            await queue.ping()
        finally:
            await queue.aclose()


async def test_scoped_meilisearch_keys(search_ready) -> None:
    """Request handlers search with a key that can only search this deployment's
    indexes; the worker's admin key writes but cannot make keys; neither is the master."""
    import httpx
    from meilisearch_python_sdk.errors import MeilisearchApiError

    from kohtaanto.settings import get_settings
    from search.client import search_client
    from search.keys import ensure_keys, key_for

    settings = get_settings().search
    await ensure_keys(settings)
    search_key, admin_key = key_for(settings, "search"), key_for(settings, "admin")
    assert len({search_key, admin_key, settings.master_key}) == 3
    uid = f"{settings.index_prefix}keyprobe"
    async with search_client(settings) as admin:
        await admin.create_index(uid, primary_key="id", wait=True)
        task = await admin.index(uid).add_documents([{"id": "1", "title": "kokki"}])
        await admin.wait_for_task(task.task_uid)
    try:
        async with search_client(settings, "search") as handler:
            found = await handler.index(uid).search("kokki")
            assert [hit["id"] for hit in found.hits] == ["1"]
            with pytest.raises(MeilisearchApiError) as refused:
                await handler.index(uid).add_documents([{"id": "2", "title": "evil"}])
            assert refused.value.status_code == 403
        async with httpx.AsyncClient(base_url=settings.url) as http:
            for key in (search_key, admin_key):
                keys = await http.get("/keys", headers={"Authorization": f"Bearer {key}"})
                assert keys.status_code == 403, keys.text
            # Another deployment's indexes (another prefix) are out of this key's reach.
            other = await http.post(
                "/indexes/otherdeployment_x/search",
                json={"q": "a"},
                headers={"Authorization": f"Bearer {search_key}"},
            )
            assert other.status_code == 403
    finally:
        async with search_client(settings) as admin:
            await admin.index(uid).delete()
