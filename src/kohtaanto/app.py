"""The Litestar application factory."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, Request, Response, get
from litestar.config.app import AppConfig
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from kohtaanto.api.auth import AuthController
from kohtaanto.api.documentation import document_error_answers
from kohtaanto.api.employers import EmployerController
from kohtaanto.api.errors import domain_error_response, validation_error_handler
from kohtaanto.api.esco import EscoController
from kohtaanto.api.events import EventBookingController, EventController
from kohtaanto.api.jobseekers import CoachController, JobseekerController
from kohtaanto.api.notifications import NotificationController, PreferencesController
from kohtaanto.api.partners import (
    PartnerServiceController,
    ReferralController,
    SkillsGapController,
)
from kohtaanto.api.service_paths import (
    CoachServicePathController,
    MyServicePathController,
    PlanActivityController,
    SpecialistController,
)
from kohtaanto.api.shortlists import CandidateController, EntryController, ShortlistController
from kohtaanto.api.vacancies import VacancyController
from kohtaanto.auth import build_auth
from kohtaanto.db import alchemy_config, session_scope
from kohtaanto.domain import outbox
from kohtaanto.domain.errors import DomainError
from kohtaanto.headers import security_headers
from kohtaanto.heap import settle_once
from kohtaanto.limits import STORE, rate_limit_store, rate_limits
from kohtaanto.observability import (
    QUEUE_DEPTH,
    REGISTRY,
    configure_logging,
    request_context_middleware,
)
from kohtaanto.queue import open_queue
from kohtaanto.settings import QueueSettings, get_settings, require_strong_secrets
from kohtaanto.web import EXCEPTION_HANDLERS as PAGE_EXCEPTION_HANDLERS
from kohtaanto.web import route_handlers as page_handlers
from kohtaanto.web import template_config
from kohtaanto.web.failures import EXCEPTION_HANDLERS as FAILURE_HANDLERS
from kohtaanto.web.failures import domain_error_page
from kohtaanto.web.rendering import wants_page
from search.keys import ensure_keys_or_warn

log = logging.getLogger(__name__)


@get("/health", operation_id="health", exclude_from_auth=True)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/metrics", operation_id="metrics", exclude_from_auth=True, include_in_schema=False)
async def metrics() -> Response[bytes]:
    """Prometheus metrics (registered only when KOHTAANTO_METRICS=1)."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from redis.asyncio import Redis

    settings = get_settings().queue
    try:
        async with Redis.from_url(settings.redis_url, socket_timeout=1) as redis:
            for name in (settings.queue_name, settings.bulk_queue_name):
                QUEUE_DEPTH.labels(name).set(await redis.zcard(name))
    except Exception as e:  # the metrics still answer while Redis is away
        log.warning("queue depth unavailable: %s", e)
    return Response(
        generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST.split(";")[0], status_code=200
    )


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """A use case's refusal: JSON with the field and code at the API, translated on a page."""
    return domain_error_page(request, exc) if wants_page(request) else domain_error_response(exc)


def _outermost(config: AppConfig) -> AppConfig:
    """The request-id middleware around every other one (auth, CSRF), so their
    answers carry the id too."""
    config.middleware.insert(0, request_context_middleware)
    return config


class OutboxRelay:
    """Moves committed jobs to the queue right after each write request.

    If Redis is down the messages stay in the outbox and the worker's periodic
    relay sends them later; the request has already succeeded either way.
    """

    def __init__(self, queue: QueueSettings | None = None) -> None:
        self._settings = queue
        self._queue: Any = None

    async def after_response(self, request: Request[Any, Any, Any]) -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        try:
            if self._queue is None:
                self._queue = await open_queue(self._settings)
            async with session_scope() as session:
                await outbox.relay(session, self._queue, queues=self._settings)
        except Exception as e:
            log.warning("outbox relay postponed: %s", e)
            await self.close()

    async def close(self) -> None:
        if self._queue is not None:
            queue, self._queue = self._queue, None
            with contextlib.suppress(Exception):
                await queue.aclose()


def create_app(queue: QueueSettings | None = None) -> Litestar:
    """Build the API application from the settings in the environment.

    ``queue``: where the relay sends jobs after a write, when not the environment's
    (fault tests use a Redis of their own).
    """
    # A default or short secret would let anyone sign a token: refuse to serve at all.
    require_strong_secrets()
    settings = get_settings()
    configure_logging(settings.observability.log_format, settings.observability.log_level)
    relay = OutboxRelay(queue)
    rate_store = rate_limit_store(settings)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        # The scoped Meilisearch keys the handlers and worker use (search.keys).
        await ensure_keys_or_warn(settings.search)
        settle_once()  # what the process holds from now on is not the collector's concern
        try:
            async with rate_store:
                yield
        finally:
            await relay.close()

    openapi = OpenAPIConfig(
        title="Kohtaanto",
        version="0.1.0",
        description="Matching jobseekers with vacancies for public employment services. "
        "Skill vocabulary: ESCO classification, European Commission.",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin()],
    )
    app = Litestar(
        debug=settings.debug,
        route_handlers=[
            health,
            AuthController,
            EmployerController,
            VacancyController,
            ShortlistController,
            EntryController,
            CandidateController,
            JobseekerController,
            CoachController,
            NotificationController,
            PreferencesController,
            EscoController,
            CoachServicePathController,
            PlanActivityController,
            MyServicePathController,
            SpecialistController,
            PartnerServiceController,
            ReferralController,
            SkillsGapController,
            EventController,
            EventBookingController,
            *page_handlers,
            *([metrics] if settings.observability.metrics else []),
        ],
        plugins=[SQLAlchemyPlugin(config=alchemy_config())],
        middleware=[limit.middleware for limit in rate_limits(settings)],
        stores={STORE: rate_store},
        on_app_init=[build_auth().on_app_init, _outermost],
        # Logging is ours (kohtaanto.observability): JSON lines with request ids, and
        # every unhandled exception logged by the 500 handler with its traceback.
        logging_config=None,
        after_response=relay.after_response,
        exception_handlers={
            ValidationException: validation_error_handler,
            DomainError: _domain_error,
            **PAGE_EXCEPTION_HANDLERS,
            **FAILURE_HANDLERS,
        },
        template_config=template_config(),
        csrf_config=CSRFConfig(
            secret=settings.auth.token_secret + ":csrf",
            # The JSON API takes the bearer header only (never the cookie: see
            # SessionAuthenticationMiddleware), which a cross-site form cannot send;
            # the pages' forms and htmx posts carry the token. Anchored patterns.
            exclude=["^/api/", "^/schema(/|$)", "^/health$"],
            cookie_samesite="lax",
            cookie_secure=settings.auth.secure_cookies,
        ),
        before_send=[security_headers(hsts=settings.auth.secure_cookies)],
        # No route takes more (the largest is a vacancy with its skills); Litestar's
        # default of 10 MB let one request hold the event loop for seconds.
        request_max_body_size=settings.max_body_bytes,
        lifespan=[lifespan],
        # Off in production unless asked for (KOHTAANTO_OPENAPI); on in the demo.
        openapi_config=openapi if settings.openapi else None,
    )
    document_error_answers(app)
    return app
