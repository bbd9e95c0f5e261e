"""Seeing what happens: request ids, structured logs, unhandled errors and metrics.

- Every request has an id: the caller's ``X-Request-ID`` when it is a sane token,
  else a new one. It is echoed in the response header, put on every log line
  written while the request is handled, and shown on error pages, so a user's
  "reference abc123" leads straight to the traceback.
- Logs are JSON lines in production (``KOHTAANTO_LOG_FORMAT=json``, the default)
  and readable lines in the demo (``text``).
- Every unhandled exception is logged with its traceback and answered with a 500
  that names the request id; a write that lost a race in the database (deadlock,
  serialization failure, lock timeout) is answered with a 503 and ``Retry-After``.
- Prometheus metrics at ``/metrics`` when ``KOHTAANTO_METRICS=1``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REQUEST_ID_HEADER = b"x-request-id"  # ASGI header names are lower-case bytes
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)


def current_request_id() -> str | None:
    return request_id_var.get()


# ------------------------------------------------------------------------------ logs


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what a log collector indexes without parsing rules."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            entry["request_id"] = request_id
        for key in ("method", "path", "status", "route"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


def configure_logging(log_format: str = "json", level: str = "INFO") -> None:
    """Root logging for the API or the worker: one handler on stderr, request ids on
    every line. Called again (tests build many apps) it replaces its own handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        # Ours from an earlier call, or a bare one from logging.basicConfig (the CLI's):
        # one line per record. Test harnesses' handlers (subclasses) stay.
        if getattr(handler, "_kohtaanto", False) or type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._kohtaanto = True  # type: ignore[attr-defined]
    handler.addFilter(_RequestIdFilter())
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # A line per outgoing HTTP call (Meilisearch, webhooks) drowns what matters.
    for chatty in ("httpx", "httpx2", "httpcore"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))


# ---------------------------------------------------------------------------- metrics

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "kohtaanto_http_requests",
    "HTTP requests answered, by method, route and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "kohtaanto_http_errors",
    "Server errors (5xx) and unhandled exceptions, by route and status.",
    ["route", "status"],
    registry=REGISTRY,
)
DURATION = Histogram(
    "kohtaanto_http_request_duration_seconds",
    "Time to answer, by route.",
    ["route"],
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge(
    "kohtaanto_queue_depth",
    "Jobs waiting in each arq queue (read when the metrics are scraped).",
    ["queue"],
    registry=REGISTRY,
)


def _route(scope: Scope) -> str:
    # The route's template (/api/vacancies/{vacancy_id:uuid}), never the raw path:
    # one series per route, not per id.
    return str(scope.get("path_template") or "unrouted")


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    """Request id in, request id out, and the request counted and timed."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        given = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == REQUEST_ID_HEADER), ""
        )
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != REQUEST_ID_HEADER
                ]
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            route = _route(scope)
            REQUESTS.labels(str(scope.get("method", "")), route, str(status)).inc()
            DURATION.labels(route).observe(time.perf_counter() - started)
            if status >= 500:
                ERRORS.labels(route, str(status)).inc()
            request_id_var.reset(token)

    return middleware
