"""Settings per subsystem, read from the environment once and checked at start-up.

Every value has an embedded default so the demo runs on one machine with no
configuration (the demo's own PostgreSQL under ``var/postgres``, a local Meilisearch,
the local Redis).

Each field names its environment variable (``_env``); :func:`load_settings` converts
every variable with ``msgspec.convert`` to the field's type (and its constraints: a
port in range, a mode from a list, a URL with a known scheme) and raises one
:class:`SettingsError` listing every bad variable with what it expected. The API
(``create_app``), the worker (``jobs.worker.startup``) and the CLI call
:func:`get_settings` when they start, so a typo stops the process at once instead of
failing on the first request that reads the value.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("KOHTAANTO_VAR_DIR", PROJECT_ROOT / "var"))

DEFAULT_TOKEN_SECRET = "kohtaanto-development-secret-change-me-in-production"
DEFAULT_MEILI_MASTER_KEY = "kohtaanto-dev-master-key"
# Secrets shorter than this are refused outside the demo and development (HS256 wants
# at least as many bytes as the hash; a short key can be brute-forced offline).
MIN_SECRET_BYTES = 32
Mode = Literal["production", "demo", "development"]
MODES: tuple[str, ...] = get_args(Mode)
RATE_UNITS = ("second", "minute", "hour", "day")

# The constraints msgspec checks; the description is what an error says was expected.
Positive = Annotated[int, msgspec.Meta(ge=1, description="a whole number of at least 1")]
NonNegative = Annotated[int, msgspec.Meta(ge=0, description="a whole number of at least 0")]
Port = Annotated[int, msgspec.Meta(ge=1, le=65535, description="a port number, 1 to 65535")]
Fraction = Annotated[float, msgspec.Meta(ge=0, le=1, description="a number from 0 to 1")]
Seconds = Annotated[float, msgspec.Meta(ge=0, description="a number of seconds, at least 0")]
# PostgreSQL's lock_timeout: empty (no limit) or a number with an optional unit.
Duration = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(\d+\s*(us|ms|s|min|h|d)?)?$",
        description="a duration such as 5s, 500ms or 1min, or empty",
    ),
]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class SettingsError(SystemExit):
    """Bad values in the environment: one line per variable, naming what it expected.

    A ``SystemExit``: the process that reads its settings at start-up stops with this
    message and status 1, before it serves or works on anything.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Bad settings: " + "; ".join(problems))


def _env(
    name: str,
    *,
    schemes: tuple[str, ...] = (),
    parse: Callable[[str], Any] | None = None,
    secret: bool = False,
    by_mode: Callable[[str], Any] | None = None,
) -> dict[str, Any]:
    """The metadata of a field read from the environment variable ``name``.

    ``schemes``: the URL schemes the value may have. ``parse``: turns the text into the
    field's value before it is checked (raises ``ValueError`` with what it expected).
    ``secret``: the value is never repeated in an error (secrets, and URLs, which may
    hold a password). ``by_mode``: the default when unset depends on ``KOHTAANTO_MODE``.
    """
    return {"env": name, "schemes": schemes, "parse": parse, "secret": secret, "by_mode": by_mode}


def _rate(text: str) -> tuple[str, int]:
    """``"10/minute"`` → ``("minute", 10)``, as Litestar's rate-limit middleware takes it."""
    count, _, unit = text.partition("/")
    if unit not in RATE_UNITS or not count.strip().isdigit() or int(count) < 1:
        raise ValueError(
            f"expected COUNT/UNIT, COUNT at least 1, UNIT one of {', '.join(RATE_UNITS)}"
        )
    return unit, int(count)


def _upper(text: str) -> str:
    return text.strip().upper()


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class DatabaseSettings:
    # PostgreSQL everywhere; by default the demo's own server on its Unix socket in
    # var/postgres (``kohtaanto db start``, run by the demo; kohtaanto.db.embedded).
    url: str = field(
        default=f"postgresql+asyncpg://postgres@/kohtaanto?host={VAR_DIR / 'postgres'}",
        metadata=_env("KOHTAANTO_DATABASE_URL", schemes=("postgresql+asyncpg",), secret=True),
    )
    echo: bool = field(default=False, metadata=_env("KOHTAANTO_DATABASE_ECHO"))
    # "null" opens a connection per session (tests, where several event loops share
    # one engine); the default pools connections.
    pool: Literal["queue", "null"] = field(
        default="queue", metadata=_env("KOHTAANTO_DATABASE_POOL")
    )
    # Connections a pooled process keeps open, and how many more it may open at a busy
    # moment. Past the pool size, every connection handed back is closed and the next
    # one opened anew (a TCP and TLS handshake and cold prepared statements: on the
    # national benchmark, 16 concurrent profile reads against SQLAlchemy's default of 5
    # spent a tenth of the API's CPU connecting). Size it for the requests one process
    # serves at once, times the processes, within PostgreSQL's max_connections.
    pool_size: Positive = field(default=20, metadata=_env("KOHTAANTO_DATABASE_POOL_SIZE"))
    pool_overflow: NonNegative = field(
        default=10, metadata=_env("KOHTAANTO_DATABASE_POOL_OVERFLOW")
    )
    # How long a statement waits for a row lock before giving up (PostgreSQL's
    # lock_timeout, e.g. "5s"); empty: as long as it takes. A request that gives up
    # answers 503 with Retry-After (kohtaanto.web.failures).
    lock_timeout: Duration = field(default="", metadata=_env("KOHTAANTO_DATABASE_LOCK_TIMEOUT"))


@dataclass(frozen=True)
class SearchSettings:
    url: str = field(
        default="http://127.0.0.1:7700",
        metadata=_env("KOHTAANTO_MEILI_URL", schemes=("http", "https")),
    )
    master_key: str = field(
        default=DEFAULT_MEILI_MASTER_KEY, metadata=_env("KOHTAANTO_MEILI_MASTER_KEY", secret=True)
    )
    # Scoped keys (search.keys): request handlers search with the first, the worker and
    # reindex write with the second. Empty: derived from the master key.
    search_key: str = field(default="", metadata=_env("KOHTAANTO_MEILI_SEARCH_KEY", secret=True))
    admin_key: str = field(default="", metadata=_env("KOHTAANTO_MEILI_ADMIN_KEY", secret=True))
    # Index names are prefixed so tests and several deployments can share one engine.
    index_prefix: str = field(default="", metadata=_env("KOHTAANTO_MEILI_INDEX_PREFIX"))
    # A job that finds Meilisearch away tries again after this long, then twice that, …
    # (at most ten minutes; jobs.tasks): the database holds the truth, nothing is lost.
    retry_seconds: Seconds = field(default=5.0, metadata=_env("KOHTAANTO_SEARCH_RETRY_SECONDS"))
    # How many candidates retrieval hands to the reranker.
    retrieve_limit: Positive = field(default=300, metadata=_env("KOHTAANTO_RETRIEVE_LIMIT"))
    # Candidates further than this from the workplace are not retrieved at all;
    # each person's own travel limit is applied by the ranking.
    retrieve_radius_km: Positive = field(default=150, metadata=_env("KOHTAANTO_RETRIEVE_RADIUS_KM"))


@dataclass(frozen=True)
class QueueSettings:
    redis_url: str = field(
        default="redis://127.0.0.1:6379/0",
        metadata=_env("KOHTAANTO_REDIS_URL", schemes=("redis", "rediss", "unix"), secret=True),
    )
    # Interactive work (a vacancy just published, a profile just saved) has a queue of
    # its own, served first, so it never waits behind bulk work (the nightly refresh,
    # the demo's backlog) on the other.
    queue_name: str = field(default="kohtaanto:queue", metadata=_env("KOHTAANTO_QUEUE_NAME"))
    bulk_queue_name: str = field(
        default="kohtaanto:bulk", metadata=_env("KOHTAANTO_BULK_QUEUE_NAME")
    )


@dataclass(frozen=True)
class AuthSettings:
    token_secret: str = field(
        default=DEFAULT_TOKEN_SECRET, metadata=_env("KOHTAANTO_TOKEN_SECRET", secret=True)
    )
    token_hours: Positive = field(default=12, metadata=_env("KOHTAANTO_TOKEN_HOURS"))
    # Cookies only over https. Behind a TLS-terminating proxy the app sees http, so this
    # comes from configuration, not from the request; off only for the loopback demo.
    secure_cookies: bool = field(
        default=True,
        metadata=_env("KOHTAANTO_SECURE_COOKIES", by_mode=lambda mode: mode == "production"),
    )
    # A password-reset link works this long, once.
    reset_minutes: Positive = field(default=60, metadata=_env("KOHTAANTO_RESET_MINUTES"))
    # Where links in account e-mails (password reset) point.
    public_url: str = field(
        default="http://127.0.0.1:8000",
        metadata=_env(
            "KOHTAANTO_PUBLIC_URL", schemes=("http", "https"), parse=lambda url: url.rstrip("/")
        ),
    )
    # Per client address, over all processes (the store is Redis).
    login_rate: tuple[str, int] = field(
        default=("minute", 10), metadata=_env("KOHTAANTO_RATE_LOGIN", parse=_rate)
    )
    register_rate: tuple[str, int] = field(
        default=("hour", 20), metadata=_env("KOHTAANTO_RATE_REGISTER", parse=_rate)
    )
    reset_rate: tuple[str, int] = field(
        default=("hour", 10), metadata=_env("KOHTAANTO_RATE_RESET", parse=_rate)
    )
    suggest_rate: tuple[str, int] = field(
        default=("minute", 30), metadata=_env("KOHTAANTO_RATE_SUGGEST", parse=_rate)
    )


@dataclass(frozen=True)
class MatchingSettings:
    model_dir: Path = field(default=VAR_DIR / "models", metadata=_env("KOHTAANTO_MODEL_DIR"))
    shortlist_size: Positive = field(default=25, metadata=_env("KOHTAANTO_SHORTLIST_SIZE"))
    # The nightly refresh ranks this many vacancies per job: one search and one read of
    # candidates for all of them.
    refresh_batch: Positive = field(default=50, metadata=_env("KOHTAANTO_REFRESH_BATCH"))
    # A jobseeker is told about a vacancy when the model's score reaches this.
    notify_threshold: Fraction = field(default=0.35, metadata=_env("KOHTAANTO_NOTIFY_THRESHOLD"))
    notify_max_per_save: NonNegative = field(
        default=10, metadata=_env("KOHTAANTO_NOTIFY_MAX_PER_SAVE")
    )


@dataclass(frozen=True)
class WorkflowSettings:
    """Time limits of the recruitment workflow and the exposure cap."""

    consent_days: Positive = field(default=14, metadata=_env("KOHTAANTO_CONSENT_DAYS"))
    share_days: Positive = field(default=30, metadata=_env("KOHTAANTO_SHARE_DAYS"))
    # A person is on at most this many active shortlists, so opportunities spread.
    exposure_cap: Positive = field(default=5, metadata=_env("KOHTAANTO_EXPOSURE_CAP"))
    # Profiles untouched this long are anonymised by the retention job.
    retention_days: Positive = field(default=730, metadata=_env("KOHTAANTO_RETENTION_DAYS"))
    # Referrals to partner services: a reminder to the partner after this many days
    # without an answer, expiry after this many; a link for the next answer lasts so long.
    referral_remind_days: Positive = field(
        default=5, metadata=_env("KOHTAANTO_REFERRAL_REMIND_DAYS")
    )
    referral_expire_days: Positive = field(
        default=14, metadata=_env("KOHTAANTO_REFERRAL_EXPIRE_DAYS")
    )
    referral_link_days: Positive = field(default=120, metadata=_env("KOHTAANTO_REFERRAL_LINK_DAYS"))


@dataclass(frozen=True)
class DeliverySettings:
    """Notifications beyond the in-app inbox: e-mail over SMTP and signed webhooks."""

    # No host: e-mail is off and the inbox alone carries notifications (the demo's default).
    smtp_host: str = field(default="", metadata=_env("KOHTAANTO_SMTP_HOST"))
    smtp_port: Port = field(default=25, metadata=_env("KOHTAANTO_SMTP_PORT"))
    # "auto": STARTTLS when the server offers it; "starttls" requires it; "tls" is
    # implicit TLS (port 465); "none" never encrypts.
    smtp_security: Literal["auto", "starttls", "tls", "none"] = field(
        default="auto", metadata=_env("KOHTAANTO_SMTP_SECURITY")
    )
    smtp_username: str = field(default="", metadata=_env("KOHTAANTO_SMTP_USERNAME"))
    smtp_password: str = field(default="", metadata=_env("KOHTAANTO_SMTP_PASSWORD", secret=True))
    mail_from: str = field(
        default="Kohtaanto <no-reply@kohtaanto.fi>", metadata=_env("KOHTAANTO_MAIL_FROM")
    )
    # Webhooks go to public https addresses only; "1" also allows plain http to
    # loopback, for a local receiver in development and tests.
    webhook_allow_http_loopback: bool = field(
        default=False, metadata=_env("KOHTAANTO_WEBHOOK_ALLOW_HTTP_LOOPBACK")
    )
    # Delivery tries (e-mail and webhook) per notification; waits double from the base.
    max_tries: Positive = field(default=5, metadata=_env("KOHTAANTO_DELIVERY_MAX_TRIES"))
    retry_seconds: Seconds = field(default=30.0, metadata=_env("KOHTAANTO_DELIVERY_RETRY_SECONDS"))


@dataclass(frozen=True)
class ObservabilitySettings:
    """Logs and metrics."""

    # "json": one JSON object per line (production); "text": readable lines (the demo).
    log_format: Literal["json", "text"] = field(
        default="json", metadata=_env("KOHTAANTO_LOG_FORMAT")
    )
    log_level: LogLevel = field(default="INFO", metadata=_env("KOHTAANTO_LOG_LEVEL", parse=_upper))
    # Prometheus metrics at /metrics (unauthenticated: expose them to the scraper only).
    metrics: bool = field(default=False, metadata=_env("KOHTAANTO_METRICS"))


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
    debug: bool = field(default=False, metadata=_env("KOHTAANTO_DEBUG"))
    # "production" (the default) refuses weak secrets and sends Secure cookies;
    # "demo" (set by `kohtaanto demo`, loopback, secrets generated under var/) and
    # "development" (the tests) do not.
    mode: Mode = field(default="production", metadata=_env("KOHTAANTO_MODE"))
    # The OpenAPI document and Swagger UI at /schema; on in the demo and development.
    openapi: bool = field(
        default=False, metadata=_env("KOHTAANTO_OPENAPI", by_mode=lambda mode: mode != "production")
    )
    # Largest request body any route accepts (bytes).
    max_body_bytes: Positive = field(default=1024 * 1024, metadata=_env("KOHTAANTO_MAX_BODY_BYTES"))


_T = TypeVar("_T")


def _plain(kind: Any) -> Any:
    """The type under ``Annotated[...]``."""
    return get_args(kind)[0] if get_origin(kind) is Annotated else kind


def _expected(kind: Any) -> str:
    """What a value of type ``kind`` must look like, in words."""
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(str(choice) for choice in get_args(kind))
    if get_origin(kind) is Annotated:
        for meta in get_args(kind)[1:]:
            if isinstance(meta, msgspec.Meta) and meta.description:
                return meta.description
    plain = _plain(kind)
    if plain is bool:
        return "one of " + ", ".join(_TRUE + _FALSE)
    return {int: "a whole number", float: "a number"}.get(plain, getattr(plain, "__name__", "?"))


def _convert(raw: str, kind: Any, meta: Mapping[str, Any]) -> Any:
    """``raw`` as a value of ``kind``; ``ValueError`` saying what was expected."""
    value: Any = raw
    if meta["parse"] is not None:
        value = meta["parse"](raw)
    plain = _plain(kind)
    if plain is bool:
        word = raw.strip().lower()
        if word not in _TRUE + _FALSE:
            raise ValueError(f"expected {_expected(kind)}")
        return word in _TRUE
    if plain is Path:
        return Path(raw)
    if plain is not tuple:  # a parsed rate is checked by its parser
        try:
            value = msgspec.convert(value, kind, strict=False)
        except msgspec.ValidationError:
            raise ValueError(f"expected {_expected(kind)}") from None
    schemes = meta["schemes"]
    if schemes and urlsplit(value).scheme not in schemes:
        scheme = urlsplit(value).scheme or "none"
        raise ValueError(
            f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}, "
            f"not scheme {scheme!r}"
        )
    return value


def _read(
    cls: type[Any], environ: Mapping[str, str], mode: str, problems: list[str]
) -> dict[str, Any]:
    """The fields of ``cls`` that the environment sets, converted; bad ones into ``problems``."""
    kinds = get_type_hints(cls, include_extras=True)
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):
        meta = spec.metadata
        if "env" not in meta:
            continue
        kind = kinds[spec.name]
        raw = environ.get(meta["env"])
        # Empty is unset, except for free text (an empty key or prefix means something).
        if raw is None or (raw == "" and _plain(kind) is not str):
            if meta["by_mode"] is not None:
                values[spec.name] = meta["by_mode"](mode)
            continue
        try:
            values[spec.name] = _convert(raw, kind, meta)
        except ValueError as err:
            shown = "" if meta["secret"] else f" (got {raw!r})"
            problems.append(f"{meta['env']}: {err}{shown}")
    return values


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``environ`` (default: this process's environment), all checked.

    Raises :class:`SettingsError` naming every variable that has a bad value.
    """
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    mode = environ.get("KOHTAANTO_MODE") or "production"
    kinds = get_type_hints(Settings)
    subsystems = {
        spec.name: kinds[spec.name](**_read(kinds[spec.name], environ, mode, problems))
        for spec in dataclasses.fields(Settings)
        if "env" not in spec.metadata
    }
    top = _read(Settings, environ, mode, problems)
    if problems:
        raise SettingsError(problems)
    return Settings(**subsystems, **top)


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
    """The settings of this process, read from the environment and checked on first use.

    Raises :class:`SettingsError` (a ``SystemExit``) naming every bad variable.
    """
    return load_settings()
