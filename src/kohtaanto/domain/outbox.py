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
from kohtaanto.queue import TASKS, enqueue

log = logging.getLogger(__name__)


def record(session: AsyncSession, task: str, **payload: Any) -> OutboxMessage:
    """Add a job for ``task`` to the current transaction."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}")
    message = OutboxMessage(task=task, payload=payload, created_at=datetime.now(UTC))
    session.add(message)
    return message


async def relay(session: AsyncSession, queue: Any, batch: int = 500) -> int:
    """Move pending outbox messages to the queue; returns how many were sent.

    Each message becomes a job whose id is derived from the message id, so a
    message relayed twice (a crash between enqueue and commit) runs once.
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
        await enqueue(queue, message.task, message.payload, job_id=f"outbox-{message.id}")
        message.dispatched_at = datetime.now(UTC)
        sent += 1
    await session.commit()
    return sent
