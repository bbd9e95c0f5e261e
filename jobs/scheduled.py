"""Scheduled work: arq cron jobs (times in ``jobs.worker``), each also a CLI command.

- ``refresh_shortlists`` (nightly): rebuild the search indexes from the database,
  then queue the shortlists of every open vacancy, in batches, on the bulk queue
  (``jobs.tasks.refresh_shortlist_batch``); a shortlist whose inputs have not changed
  since it was built is skipped, worked entries stay as they are.
  ``rebuild_shortlists`` does the same without skipping any.
- ``expire_consents`` (hourly): consent requests past their deadline expire,
  sharing past its date ends.
- ``retrain`` (weekly): when outcomes were recorded since the last training,
  train on them; the new model is promoted only if it beats the one in use.
- ``remind_referrals`` (hourly, ``jobs.partners``): partners are reminded of referrals
  unanswered for the configured days; those past their deadline expire.
- ``remind_event_bookings`` (hourly): everyone with a recruitment-event slot in the
  next 24 hours gets a reminder (once), with the slot's calendar entry.
- ``purge_inactive`` (nightly): profiles inactive for the retention period are
  anonymised, as on erasure.

Each takes the worker's ``ctx`` (settings, search client, cached model) and
returns a small report.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from jobs.context import Ctx, settings_of
from jobs.partners import remind_referrals
from jobs.tasks import relay_outbox
from kohtaanto import queue
from kohtaanto.db import session_scope
from kohtaanto.db.models import Vacancy, VacancyStatus
from kohtaanto.domain import events, outbox, privacy, shortlists
from kohtaanto.queue import BULK
from ml.dataset import load_outcomes
from ml.registry import MODEL_FILE
from ml.train import train_from_history
from search.partners import rebuild_services
from search.sync import reindex

log = logging.getLogger(__name__)


async def refresh_shortlists(ctx: Ctx, *, force: bool = False) -> dict[str, Any]:
    """Rebuild the indexes, then queue every open vacancy's shortlist for a refresh, in
    jobs of ``KOHTAANTO_REFRESH_BATCH`` vacancies on the bulk queue.

    The index is derived data: rebuilding it nightly repairs whatever a long
    Meilisearch outage left behind. A batch job skips the shortlists whose inputs are
    unchanged, unless ``force``. Shortlists are not pushed again. Interactive work
    goes between the batches (the bulk worker yields to it).
    """
    settings = settings_of(ctx)
    client = ctx["search"]
    size = settings.matching.refresh_batch
    async with session_scope() as session:
        indexed = await reindex(client, session, settings.search.index_prefix)
        indexed["partner_services"] = await rebuild_services(
            client, session, settings.search.index_prefix
        )
        open_ids = [
            str(i)
            for i in await session.scalars(
                select(Vacancy.id).where(Vacancy.status == VacancyStatus.OPEN).order_by(Vacancy.id)
            )
        ]
        batches = [open_ids[k : k + size] for k in range(0, len(open_ids), size)]
        for batch in batches:
            outbox.record(
                session, queue.REFRESH_SHORTLIST_BATCH, lane=BULK, vacancy_ids=batch, force=force
            )
    if "redis" in ctx:  # in the worker; elsewhere (the CLI) the worker's relay sends them
        await relay_outbox(ctx)
    return {"indexed": indexed, "shortlists": len(open_ids), "batches": len(batches)}


async def rebuild_shortlists(ctx: Ctx) -> dict[str, Any]:
    """``refresh_shortlists`` without skipping: every open vacancy's shortlist rebuilt
    (after a change to the ranking code that kept the model's version)."""
    return await refresh_shortlists(ctx, force=True)


async def expire_consents(ctx: Ctx) -> dict[str, int]:
    """Expire consent requests past their deadline and end sharing past its date."""
    async with session_scope() as session:
        consents, shares = await shortlists.expire(session)
    return {"consents_expired": consents, "shares_ended": shares}


async def remind_event_bookings(ctx: Ctx) -> dict[str, int]:
    """The day before a recruitment event: remind each booked person once."""
    async with session_scope() as session:
        reminded = await events.remind(session)
    return {"reminded": reminded}


async def purge_inactive(ctx: Ctx) -> dict[str, int]:
    """Anonymise profiles inactive for ``KOHTAANTO_RETENTION_DAYS`` (index removal follows)."""
    days = settings_of(ctx).workflow.retention_days
    async with session_scope() as session:
        anonymised = await privacy.erase_inactive(session, days)
    return {"anonymised": anonymised, "retention_days": days}


def trained_outcomes(model_dir: Path) -> int:
    """How many recorded outcomes the latest training on history saw (0 if none).

    Versions trained on history describe their time split in ``data.json``;
    promoted or not, a training counts, so the same outcomes are not trained on twice.
    """
    seen = 0
    for data in Path(model_dir).glob("*/data.json"):
        if not (data.parent / MODEL_FILE).is_file():
            continue
        described = json.loads(data.read_text())
        if "holdout" in described:
            seen = max(seen, int(described.get("pairs", 0)))
    return seen


def retrain_on(frame: pd.DataFrame, model_dir: Path, seed: int = 42) -> dict[str, Any]:
    """Train on ``frame`` (recorded outcomes) if it holds outcomes the last training did not.

    The new version is registered either way and promoted only through the gate
    of ``ml.train`` (it must beat the model in use on the held-out period).
    """
    seen = trained_outcomes(model_dir)
    if len(frame) <= seen:
        return {"status": "skipped", "reason": "no new outcomes", "outcomes": len(frame)}
    try:
        version = train_from_history(frame, model_dir, seed=seed)
    except ValueError as e:  # too little history for a time split
        return {"status": "skipped", "reason": str(e), "outcomes": len(frame)}
    comparison = json.loads((version.path / "comparison.json").read_text())
    return {
        "status": "trained",
        "version": version.version,
        "promoted": version.promoted,
        "decision": comparison["decision"],
        "outcomes": len(frame),
        "new_outcomes": len(frame) - seen,
    }


async def retrain(ctx: Ctx) -> dict[str, Any]:
    """Weekly: train on the recorded outcomes when there are new ones (see ``retrain_on``)."""
    frame = await load_outcomes()
    # Fitting is CPU work: keep the worker's event loop free for other jobs.
    report = await asyncio.to_thread(retrain_on, frame, settings_of(ctx).matching.model_dir)
    if report.get("promoted"):
        ctx["model"] = None  # the next job loads the promoted model
    log.info("retrain: %s", report)
    return report


# Names for `kohtaanto scheduled NAME`.
SCHEDULED = {
    "refresh-shortlists": refresh_shortlists,
    "rebuild-shortlists": rebuild_shortlists,
    "expire-consents": expire_consents,
    "retrain": retrain,
    "purge-inactive": purge_inactive,
    "remind-referrals": remind_referrals,
    "remind-event-bookings": remind_event_bookings,
}
