"""Settings per subsystem, read from the environment once.

Every value has an embedded default so the demo runs on one machine with no
configuration (the demo's own PostgreSQL under ``var/postgres``, a local Meilisearch,
the local Redis).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("KOHTAANTO_VAR_DIR", PROJECT_ROOT / "var"))


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class DatabaseSettings:
    # PostgreSQL everywhere; by default the demo's own server on its Unix socket in
    # var/postgres (``kohtaanto db start``, run by the demo; kohtaanto.db.embedded).
    url: str = field(
        default_factory=lambda: _env(
            "KOHTAANTO_DATABASE_URL",
            f"postgresql+asyncpg://postgres@/kohtaanto?host={VAR_DIR / 'postgres'}",
        )
    )
    echo: bool = field(default_factory=lambda: _env("KOHTAANTO_DATABASE_ECHO", "") == "1")
    # "null" opens a connection per session (tests, where several event loops share
    # one engine); the default pools connections.
    pool: str = field(default_factory=lambda: _env("KOHTAANTO_DATABASE_POOL", "queue"))
    # How long a statement waits for a row lock before giving up (PostgreSQL's
    # lock_timeout, e.g. "5s"); empty: as long as it takes. A request that gives up
    # answers 503 with Retry-After (kohtaanto.web.failures).
    lock_timeout: str = field(default_factory=lambda: _env("KOHTAANTO_DATABASE_LOCK_TIMEOUT", ""))


@dataclass(frozen=True)
class SearchSettings:
    url: str = field(default_factory=lambda: _env("KOHTAANTO_MEILI_URL", "http://127.0.0.1:7700"))
    master_key: str = field(
        default_factory=lambda: _env("KOHTAANTO_MEILI_MASTER_KEY", DEFAULT_MEILI_MASTER_KEY)
    )
    # Scoped keys (search.keys): request handlers search with the first, the worker and
    # reindex write with the second. Empty: derived from the master key.
    search_key: str = field(default_factory=lambda: _env("KOHTAANTO_MEILI_SEARCH_KEY", ""))
    admin_key: str = field(default_factory=lambda: _env("KOHTAANTO_MEILI_ADMIN_KEY", ""))
    # Index names are prefixed so tests and several deployments can share one engine.
    index_prefix: str = field(default_factory=lambda: _env("KOHTAANTO_MEILI_INDEX_PREFIX", ""))
    # How many candidates retrieval hands to the reranker.
    retrieve_limit: int = field(
        default_factory=lambda: int(_env("KOHTAANTO_RETRIEVE_LIMIT", "300"))
    )
    # Candidates further than this from the workplace are not retrieved at all;
    # each person's own travel limit is applied by the ranking.
    retrieve_radius_km: int = field(
        default_factory=lambda: int(_env("KOHTAANTO_RETRIEVE_RADIUS_KM", "150"))
    )


@dataclass(frozen=True)
class QueueSettings:
    redis_url: str = field(
        default_factory=lambda: _env("KOHTAANTO_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    # Interactive work (a vacancy just published, a profile just saved) has a queue of
    # its own, served first, so it never waits behind bulk work (the nightly refresh,
    # the demo's backlog) on the other.
    queue_name: str = field(default_factory=lambda: _env("KOHTAANTO_QUEUE_NAME", "kohtaanto:queue"))
    bulk_queue_name: str = field(
        default_factory=lambda: _env("KOHTAANTO_BULK_QUEUE_NAME", "kohtaanto:bulk")
    )


DEFAULT_TOKEN_SECRET = "kohtaanto-development-secret-change-me-in-production"
DEFAULT_MEILI_MASTER_KEY = "kohtaanto-dev-master-key"
# Secrets shorter than this are refused outside the demo and development (HS256 wants
# at least as many bytes as the hash; a short key can be brute-forced offline).
MIN_SECRET_BYTES = 32
MODES = ("production", "demo", "development")


def _mode() -> str:
    return _env("KOHTAANTO_MODE", "production")


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _rate(name: str, default: str) -> tuple[str, int]:
    """``"10/minute"`` → ``("minute", 10)``, as Litestar's rate-limit middleware takes it."""
    count, _, unit = _env(name, default).partition("/")
    if unit not in ("second", "minute", "hour", "day"):
        raise SystemExit(f"{name}: expected COUNT/UNIT, UNIT one of second, minute, hour, day")
    return unit, int(count)


@dataclass(frozen=True)
class AuthSettings:
    token_secret: str = field(
        default_factory=lambda: _env("KOHTAANTO_TOKEN_SECRET", DEFAULT_TOKEN_SECRET)
    )
    token_hours: int = field(default_factory=lambda: int(_env("KOHTAANTO_TOKEN_HOURS", "12")))
    # Cookies only over https. Behind a TLS-terminating proxy the app sees http, so this
    # comes from configuration, not from the request; off only for the loopback demo.
    secure_cookies: bool = field(
        default_factory=lambda: _flag("KOHTAANTO_SECURE_COOKIES", _mode() == "production")
    )
    # A password-reset link works this long, once.
    reset_minutes: int = field(default_factory=lambda: int(_env("KOHTAANTO_RESET_MINUTES", "60")))
    # Where links in account e-mails (password reset) point.
    public_url: str = field(
        default_factory=lambda: _env("KOHTAANTO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    )
    # Per client address, over all processes (the store is Redis).
    login_rate: tuple[str, int] = field(
        default_factory=lambda: _rate("KOHTAANTO_RATE_LOGIN", "10/minute")
    )
    register_rate: tuple[str, int] = field(
        default_factory=lambda: _rate("KOHTAANTO_RATE_REGISTER", "20/hour")
    )
    reset_rate: tuple[str, int] = field(
        default_factory=lambda: _rate("KOHTAANTO_RATE_RESET", "10/hour")
    )
    suggest_rate: tuple[str, int] = field(
        default_factory=lambda: _rate("KOHTAANTO_RATE_SUGGEST", "30/minute")
    )


@dataclass(frozen=True)
class MatchingSettings:
    model_dir: Path = field(
        default_factory=lambda: Path(_env("KOHTAANTO_MODEL_DIR", str(VAR_DIR / "models")))
    )
    shortlist_size: int = field(default_factory=lambda: int(_env("KOHTAANTO_SHORTLIST_SIZE", "25")))
    # A jobseeker is told about a vacancy when the model's score reaches this.
    notify_threshold: float = field(
        default_factory=lambda: float(_env("KOHTAANTO_NOTIFY_THRESHOLD", "0.35"))
    )
    notify_max_per_save: int = field(
        default_factory=lambda: int(_env("KOHTAANTO_NOTIFY_MAX_PER_SAVE", "10"))
    )


@dataclass(frozen=True)
class WorkflowSettings:
    """Time limits of the recruitment workflow and the exposure cap."""

    consent_days: int = field(default_factory=lambda: int(_env("KOHTAANTO_CONSENT_DAYS", "14")))
    share_days: int = field(default_factory=lambda: int(_env("KOHTAANTO_SHARE_DAYS", "30")))
    # A person is on at most this many active shortlists, so opportunities spread.
    exposure_cap: int = field(default_factory=lambda: int(_env("KOHTAANTO_EXPOSURE_CAP", "5")))
    # Profiles untouched this long are anonymised by the retention job.
    retention_days: int = field(
        default_factory=lambda: int(_env("KOHTAANTO_RETENTION_DAYS", "730"))
    )
    # Referrals to partner services: a reminder to the partner after this many days
    # without an answer, expiry after this many; a link for the next answer lasts so long.
    referral_remind_days: int = field(
        default_factory=lambda: int(_env("KOHTAANTO_REFERRAL_REMIND_DAYS", "5"))
    )
    referral_expire_days: int = field(
        default_factory=lambda: int(_env("KOHTAANTO_REFERRAL_EXPIRE_DAYS", "14"))
    )
    referral_link_days: int = field(
        default_factory=lambda: int(_env("KOHTAANTO_REFERRAL_LINK_DAYS", "120"))
    )


@dataclass(frozen=True)
class DeliverySettings:
    """Notifications beyond the in-app inbox: e-mail over SMTP and signed webhooks."""

    # No host: e-mail is off and the inbox alone carries notifications (the demo's default).
    smtp_host: str = field(default_factory=lambda: _env("KOHTAANTO_SMTP_HOST", ""))
    smtp_port: int = field(default_factory=lambda: int(_env("KOHTAANTO_SMTP_PORT", "25")))
    # "auto": STARTTLS when the server offers it; "starttls" requires it; "tls" is
    # implicit TLS (port 465); "none" never encrypts.
    smtp_security: str = field(default_factory=lambda: _env("KOHTAANTO_SMTP_SECURITY", "auto"))
    smtp_username: str = field(default_factory=lambda: _env("KOHTAANTO_SMTP_USERNAME", ""))
    smtp_password: str = field(default_factory=lambda: _env("KOHTAANTO_SMTP_PASSWORD", ""))
    mail_from: str = field(
        default_factory=lambda: _env("KOHTAANTO_MAIL_FROM", "Kohtaanto <no-reply@kohtaanto.fi>")
    )
    # Webhooks go to public https addresses only; "1" also allows plain http to
    # loopback, for a local receiver in development and tests.
    webhook_allow_http_loopback: bool = field(
        default_factory=lambda: _env("KOHTAANTO_WEBHOOK_ALLOW_HTTP_LOOPBACK", "") == "1"
    )
    # Delivery tries (e-mail and webhook) per notification; waits double from the base.
    max_tries: int = field(default_factory=lambda: int(_env("KOHTAANTO_DELIVERY_MAX_TRIES", "5")))
    retry_seconds: float = field(
        default_factory=lambda: float(_env("KOHTAANTO_DELIVERY_RETRY_SECONDS", "30"))
    )


@dataclass(frozen=True)
class ObservabilitySettings:
    """Logs and metrics."""

    # "json": one JSON object per line (production); "text": readable lines (the demo).
    log_format: str = field(default_factory=lambda: _env("KOHTAANTO_LOG_FORMAT", "json"))
    log_level: str = field(default_factory=lambda: _env("KOHTAANTO_LOG_LEVEL", "INFO"))
    # Prometheus metrics at /metrics (unauthenticated: expose them to the scraper only).
    metrics: bool = field(default_factory=lambda: _env("KOHTAANTO_METRICS", "") == "1")


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    workflow: WorkflowSettings = field(default_factory=WorkflowSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    observability: ObservabilitySettings = field(default_factory=ObservabilitySettings)
    # Tracebacks in error responses: for development only.
    debug: bool = field(default_factory=lambda: _env("KOHTAANTO_DEBUG", "") == "1")
    # "production" (the default) refuses weak secrets and sends Secure cookies;
    # "demo" (set by `kohtaanto demo`, loopback, secrets generated under var/) and
    # "development" (the tests) do not.
    mode: str = field(default_factory=_mode)
    # The OpenAPI document and Swagger UI at /schema; on in the demo and development.
    openapi: bool = field(
        default_factory=lambda: _flag("KOHTAANTO_OPENAPI", _mode() != "production")
    )
    # Largest request body any route accepts (bytes).
    max_body_bytes: int = field(
        default_factory=lambda: int(_env("KOHTAANTO_MAX_BODY_BYTES", str(1024 * 1024)))
    )


def weak_secrets(settings: Settings) -> list[str]:
    """What is wrong with the secrets, one line each naming the variable (empty: all fine).

    Debug, the demo and development may run on the embedded defaults; production may not:
    the token secret signs every login, and the Meilisearch key guards the indexes of
    jobseekers' profiles.
    """
    if settings.debug or settings.mode in ("demo", "development"):
        return []
    problems = []
    for name, value, default in (
        ("KOHTAANTO_TOKEN_SECRET", settings.auth.token_secret, DEFAULT_TOKEN_SECRET),
        ("KOHTAANTO_MEILI_MASTER_KEY", settings.search.master_key, DEFAULT_MEILI_MASTER_KEY),
    ):
        if value == default:
            problems.append(
                f"{name} is the public default: set a random value of at least "
                f"{MIN_SECRET_BYTES} bytes"
            )
        elif len(value.encode()) < MIN_SECRET_BYTES:
            problems.append(
                f"{name} is shorter than {MIN_SECRET_BYTES} bytes: set a longer random value"
            )
    return problems


def require_strong_secrets(settings: Settings | None = None) -> None:
    """Stop the process with a one-line error when a secret is a default or too short."""
    settings = settings or get_settings()
    if settings.mode not in MODES:
        raise SystemExit(f"KOHTAANTO_MODE: one of {', '.join(MODES)}, not {settings.mode!r}")
    problems = weak_secrets(settings)
    if problems:
        raise SystemExit("Refusing to start: " + "; ".join(problems))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
