"""What every job is given: arq's context, holding the worker's settings and clients
(``jobs.worker.startup`` puts them there)."""

from __future__ import annotations

from typing import Any

from kohtaanto.settings import Settings

Ctx = dict[str, Any]


def settings_of(ctx: Ctx) -> Settings:
    """The settings the worker was started with (the environment's, or a test's own)."""
    settings: Settings = ctx["settings"]
    return settings
