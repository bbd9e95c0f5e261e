"""Settings per subsystem, read from the environment once.

Every value has an embedded default so the demo runs on one machine with no
configuration (a SQLite file under ``var/``, a local Meilisearch, the local Redis).
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
    url: str = field(
        default_factory=lambda: _env(
            "KOHTAANTO_DATABASE_URL", f"sqlite+aiosqlite:///{VAR_DIR / 'kohtaanto.db'}"
        )
    )
    echo: bool = field(default_factory=lambda: _env("KOHTAANTO_DATABASE_ECHO", "") == "1")
    # "null" opens a connection per session (tests, where several event loops share
    # one engine); the default pools connections.
    pool: str = field(default_factory=lambda: _env("KOHTAANTO_DATABASE_POOL", "queue"))


@dataclass(frozen=True)
class SearchSettings:
    url: str = field(default_factory=lambda: _env("KOHTAANTO_MEILI_URL", "http://127.0.0.1:7700"))
    master_key: str = field(
        default_factory=lambda: _env("KOHTAANTO_MEILI_MASTER_KEY", "kohtaanto-dev-master-key")
    )
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
    queue_name: str = field(default_factory=lambda: _env("KOHTAANTO_QUEUE_NAME", "kohtaanto:queue"))


@dataclass(frozen=True)
class AuthSettings:
    token_secret: str = field(
        default_factory=lambda: _env(
            "KOHTAANTO_TOKEN_SECRET", "kohtaanto-development-secret-change-me-in-production"
        )
    )
    token_hours: int = field(default_factory=lambda: int(_env("KOHTAANTO_TOKEN_HOURS", "12")))


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
    # Delivery tries (e-mail and webhook) per notification; waits double from the base.
    max_tries: int = field(default_factory=lambda: int(_env("KOHTAANTO_DELIVERY_MAX_TRIES", "5")))
    retry_seconds: float = field(
        default_factory=lambda: float(_env("KOHTAANTO_DELIVERY_RETRY_SECONDS", "30"))
    )


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    workflow: WorkflowSettings = field(default_factory=WorkflowSettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    # Tracebacks in error responses: for development only.
    debug: bool = field(default_factory=lambda: _env("KOHTAANTO_DEBUG", "") == "1")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
