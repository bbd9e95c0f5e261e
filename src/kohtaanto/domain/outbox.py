"""Transactional outbox: jobs are recorded with the write that needs them.

A write adds an ``OutboxMessage`` in its own transaction, so the job exists
exactly when the write does. ``relay`` later moves pending messages to the
queue; if Redis is down they simply wait, and nothing is lost.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import OutboxMessage
from kohtaanto.queue import BULK, INTERACTIVE, LANES, TASKS, current_lane, enqueue, queue_name
from kohtaanto.settings import QueueSettings

# The payload key that carries the lane; it is not passed on to the task.
LANE_KEY = "_lane"

log = logging.getLogger(__name__)


def record(
    session: AsyncSession, task: str, *, lane: str | None = None, **payload: Any
) -> OutboxMessage:
    """Add a job for ``task`` to the current transaction.

    ``lane``: ``"bulk"`` for background work nobody waits for (the demo's backlog);
    by default the lane of the work in progress, interactive outside a bulk job.
    """
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}")
    lane = lane or current_lane.get()
    if lane not in LANES:
        raise ValueError(f"unknown lane {lane!r}")
    if lane == BULK:
        payload = {**payload, LANE_KEY: BULK}
    message = OutboxMessage(task=task, payload=payload, created_at=datetime.now(UTC))
    session.add(message)
    return message


def job_id(message: OutboxMessage) -> str:
    """The queue's id for ``message``'s job: the same on every relay of the message, so a
    message relayed twice runs once, and different for a message of another database whose
    ids restarted at 1 (a rebuilt demo, a restored backup): arq keeps finished jobs' results
    and would silently refuse a new job under an old id."""
    return f"outbox-{message.id}-{int(message.created_at.timestamp() * 1_000_000)}"


def lane_of(message: OutboxMessage) -> str:
    return str(message.payload.get(LANE_KEY, INTERACTIVE))


async def relay(
    session: AsyncSession, queue: Any, batch: int = 500, *, queues: QueueSettings | None = None
) -> int:
    """Move pending outbox messages to their lane's queue; returns how many were sent.

    Each message becomes a job whose id is derived from the message id, so a
    message relayed twice (a crash between enqueue and commit) runs once.
    ``queues``: the queue names (by default this process's settings).
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.dispatched_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(batch)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    messages = (await session.scalars(query)).all()
    sent = 0
    for message in messages:
        message.attempts += 1
        payload = {k: v for k, v in message.payload.items() if k != LANE_KEY}
        await enqueue(
            queue,
            message.task,
            payload,
            job_id=job_id(message),
            name=queue_name(lane_of(message), queues),
        )
        message.dispatched_at = datetime.now(UTC)
        sent += 1
    await session.commit()
    return sent


async def newest_job_lane(session: AsyncSession, task: str, key: str, value: str) -> str | None:
    """The lane of the newest job recorded for ``task`` with ``payload[key] == value``, or
    None when there is none: lets a page say honestly that work is queued, and where."""
    message = await session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.task == task, OutboxMessage.payload[key].as_string() == value)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return lane_of(message) if message is not None else None
