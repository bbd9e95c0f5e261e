"""Scheduled work, each job called directly on small data (no waiting for cron)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from meilisearch_python_sdk.errors import MeilisearchApiError
from sqlalchemy import select, update

from jobs import scheduled
from kohtaanto import queue
from kohtaanto.db import session_scope
from kohtaanto.db.models import EntryStatus, Jobseeker, OutboxMessage, Role, ShortlistEntry, User
from kohtaanto.domain import outbox
from kohtaanto.settings import Settings, get_settings
from ml.features import FEATURES
from ml.history import offline_history
from ml.registry import current_version, save_version
from ml.synthetic import synthetic_population, toy_occupations
from ml.train import GateChecks, fit_calibrated
from search.client import search_client
from search.indexes import jobseeker_index
from tests.factories import occupation_with_skills, profile, register_employer, vacancy

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


async def _ctx(settings: Settings | None = None) -> dict[str, Any]:
    from jobs.worker import startup

    ctx: dict[str, Any] = {"settings": settings or get_settings()}
    await startup(ctx)
    return ctx


async def _close(ctx: dict[str, Any]) -> None:
    from jobs.worker import shutdown

    await shutdown(ctx)


async def _person(client: Any, make_user: Any, login: Any, name: str, body: dict[str, Any]) -> str:
    user = await make_user(Role.JOBSEEKER, email=f"{name}@example.fi", name=name.title())
    headers = await login(user.email)
    response = await client.put("/api/jobseekers/me", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _entries(vacancy_id: str) -> dict[str, ShortlistEntry]:
    from kohtaanto.db.models import Shortlist

    async with session_scope() as session:
        rows = await session.scalars(
            select(ShortlistEntry)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .where(Shortlist.vacancy_id == UUID(vacancy_id))
        )
        return {str(e.jobseeker_id): e for e in rows}


@pytest.mark.usefixtures("stack")
async def test_nightly_refresh_keeps_worked_entries_and_hourly_expiry(
    client, make_user, login, run_jobs
) -> None:
    occupation, essential, optional = await occupation_with_skills("shop assistant")
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    await register_employer(client, "0737546-2", "hr@kauppa.fi")
    anna = await _person(client, make_user, login, "anna", profile(occupation, essential[:6]))
    assert (await run_jobs())["failed"] == 0
    employer = await login("hr@kauppa.fi", "kauppa-salasana")
    created = await client.post(
        "/api/vacancies", json=vacancy(occupation, essential[:6], optional[:3]), headers=employer
    )
    vacancy_id = created.json()["id"]
    await client.post(f"/api/vacancies/{vacancy_id}/publish", headers=employer)
    assert (await run_jobs())["failed"] == 0
    staff = await login(coordinator.email)
    entry = (await _entries(vacancy_id))[anna]
    response = await client.post(
        f"/api/shortlist-entries/{entry.id}/move", json={"to": "contacted"}, headers=staff
    )
    assert response.status_code == 200, response.text
    # Someone new arrives after the shortlist was built.
    bertta = await _person(client, make_user, login, "bertta", profile(occupation, essential[:5]))
    assert (await run_jobs())["failed"] == 0
    assert bertta not in await _entries(vacancy_id)

    ctx = await _ctx()
    try:
        report = await scheduled.refresh_shortlists(ctx)
        assert report["shortlists"] == 1 and report["indexed"]["jobseekers"] == 2
        assert report["batches"] == 1
        # The batch is bulk work, done by the bulk worker.
        async with session_scope() as session:
            [batch] = await session.scalars(
                select(OutboxMessage).where(OutboxMessage.task == queue.REFRESH_SHORTLIST_BATCH)
            )
        assert outbox.lane_of(batch) == queue.BULK
        assert batch.payload["vacancy_ids"] == [vacancy_id]
        assert (await run_jobs())["failed"] == 0
        entries = await _entries(vacancy_id)
        # The worked entry is kept with its status and id; the newcomer is suggested.
        assert entries[anna].id == entry.id and entries[anna].status is EntryStatus.CONTACTED
        assert entries[bertta].status is EntryStatus.SUGGESTED

        # Consent asked, deadline passed: the hourly job expires it, once.
        response = await client.post(
            f"/api/shortlist-entries/{entries[bertta].id}/move",
            json={"to": "consent_requested"},
            headers=staff,
        )
        assert response.status_code == 200, response.text
        assert await scheduled.expire_consents(ctx) == {"consents_expired": 0, "shares_ended": 0}
        async with session_scope() as session:
            await session.execute(
                update(ShortlistEntry)
                .where(ShortlistEntry.id == entries[bertta].id)
                .values(consent_deadline=datetime.now(UTC) - timedelta(hours=1))
            )
        assert (await scheduled.expire_consents(ctx))["consents_expired"] == 1
        assert (await _entries(vacancy_id))[bertta].status is EntryStatus.EXPIRED
        assert (await scheduled.expire_consents(ctx))["consents_expired"] == 0
    finally:
        await _close(ctx)


@pytest.mark.usefixtures("stack")
async def test_retention_anonymises_inactive_profiles(client, make_user, login, run_jobs) -> None:
    occupation, essential, _ = await occupation_with_skills("shop assistant")
    old = await _person(client, make_user, login, "vanha", profile(occupation, essential[:4]))
    recent = await _person(client, make_user, login, "uusi", profile(occupation, essential[:4]))
    assert (await run_jobs())["failed"] == 0
    settings = get_settings()
    days = settings.workflow.retention_days
    async with session_scope() as session:
        await session.execute(
            update(Jobseeker)
            .where(Jobseeker.id == UUID(old))
            .values(last_active_at=datetime.now(UTC) - timedelta(days=days + 1))
        )
    ctx = await _ctx()
    try:
        assert await scheduled.purge_inactive(ctx) == {"anonymised": 1, "retention_days": days}
        assert (await scheduled.purge_inactive(ctx))["anonymised"] == 0
    finally:
        await _close(ctx)
    assert (await run_jobs())["failed"] == 0
    async with session_scope() as session:
        gone = await session.get(Jobseeker, UUID(old))
        kept = await session.get(Jobseeker, UUID(recent))
        assert gone is not None and gone.anonymised_at is not None and gone.skills == []
        assert kept is not None and kept.anonymised_at is None and kept.skills
        account = await session.get(User, gone.user_id)
        assert account is not None and not account.is_active
    async with search_client() as search:
        index = search.index(jobseeker_index(settings.search.index_prefix))
        assert (await index.get_document(recent))["id"] == recent
        with pytest.raises(MeilisearchApiError):
            await index.get_document(old)


# --- retraining --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def population():  # type: ignore[no-untyped-def]
    return synthetic_population(toy_occupations(20, seed=2), 60, 1500, seed=2, today=NOW.date())


def test_retrain_only_on_new_outcomes_and_only_promotes_a_better_model(
    population,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The gate's checks beyond the simulator are tested in tests/test_ranking_quality.py.
    monkeypatch.setattr("ml.train.DEFAULT_CHECKS", GateChecks(None, None, (60, 150)))
    frame = offline_history(population.vacancies, population.jobseekers, 160, seed=4, now=NOW)
    first = scheduled.retrain_on(frame, tmp_path)
    assert first["status"] == "trained" and first["promoted"]
    assert current_version(tmp_path) == first["version"]
    # Nothing new since: nothing trained.
    assert scheduled.retrain_on(frame, tmp_path)["status"] == "skipped"

    # More outcomes arrive, but the model in use is better on the held-out period (it was,
    # unfairly, fitted on those very rows): the new model is stored, not promoted.
    more = offline_history(population.vacancies, population.jobseekers, 200, seed=4, now=NOW)
    X, y = more[list(FEATURES)].to_numpy(), more["label"].to_numpy()
    strong = fit_calibrated("gbm", X, y, X, y, seed=0)
    in_use = save_version(
        strong, tmp_path, metrics={}, data={"source": "test"}, kind="gbm", reference=X.mean(0)
    )
    second = scheduled.retrain_on(more, tmp_path)
    assert second["status"] == "trained" and second["new_outcomes"] == len(more) - len(frame)
    assert not second["promoted"], second
    assert current_version(tmp_path) == in_use.version
    stored = json.loads((tmp_path / second["version"] / "comparison.json").read_text())
    assert stored["promoted"] is False and stored["current"]["version"] == in_use.version
    # Trained on these outcomes, promoted or not: not trained on again.
    assert scheduled.retrain_on(more, tmp_path)["status"] == "skipped"


@pytest.mark.usefixtures("clean")
async def test_retrain_job_without_outcomes_does_nothing(tmp_path: Path) -> None:
    settings = get_settings()
    settings = replace(settings, matching=replace(settings.matching, model_dir=tmp_path))
    report = await scheduled.retrain({"settings": settings, "model": None})
    assert report["status"] == "skipped" and report["outcomes"] == 0
    assert current_version(tmp_path) is None
