"""Settings are checked when a process starts: a bad value names its variable and what it
expected, and the API, the worker and the CLI refuse to start on it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from jobs.worker import startup
from kohtaanto.app import create_app
from kohtaanto.cli import main
from kohtaanto.settings import SettingsError, get_settings, load_settings


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("KOHTAANTO_SMTP_PORT", "twenty-five", "a port number, 1 to 65535 (got 'twenty-five')"),
        ("KOHTAANTO_SMTP_PORT", "70000", "a port number"),
        ("KOHTAANTO_EXPOSURE_CAP", "0", "a whole number of at least 1 (got '0')"),
        ("KOHTAANTO_NOTIFY_THRESHOLD", "high", "a number from 0 to 1"),
        ("KOHTAANTO_DELIVERY_RETRY_SECONDS", "-1", "a number of seconds, at least 0"),
        ("KOHTAANTO_MODE", "prod", "one of production, demo, development (got 'prod')"),
        ("KOHTAANTO_SMTP_SECURITY", "ssl", "one of auto, starttls, tls, none"),
        ("KOHTAANTO_DATABASE_POOL", "none", "one of queue, null"),
        ("KOHTAANTO_LOG_FORMAT", "xml", "one of json, text"),
        ("KOHTAANTO_LOG_LEVEL", "loud", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("KOHTAANTO_METRICS", "maybe", "one of 1, true, yes, on, 0, false, no, off"),
        ("KOHTAANTO_RATE_LOGIN", "10/week", "COUNT/UNIT"),
        ("KOHTAANTO_RATE_LOGIN", "many/minute", "COUNT/UNIT"),
        ("KOHTAANTO_DATABASE_LOCK_TIMEOUT", "soon", "a duration such as 5s"),
        ("KOHTAANTO_MEILI_URL", "127.0.0.1:7700", "a URL starting with http:// or https://"),
        ("KOHTAANTO_PUBLIC_URL", "ftp://example.org", "a URL starting with http:// or https://"),
        ("KOHTAANTO_REDIS_URL", "http://127.0.0.1:6379", "a URL starting with redis://"),
    ],
)
def test_bad_value_names_the_variable_and_what_it_expected(
    variable: str, value: str, expected: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({variable: value})
    (problem,) = raised.value.problems
    assert problem.startswith(f"{variable}: expected {expected}"), problem


def test_every_bad_variable_is_named_at_once_and_no_secret_is_repeated() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {
                "KOHTAANTO_TOKEN_HOURS": "twelve",
                "KOHTAANTO_DATABASE_URL": "mysql://kohtaanto:hunter2@db/kohtaanto",
            }
        )
    problems = raised.value.problems
    assert [problem.split(":")[0] for problem in problems] == [
        "KOHTAANTO_DATABASE_URL",
        "KOHTAANTO_TOKEN_HOURS",
    ]
    assert "postgresql+asyncpg://" in problems[0] and "'mysql'" in problems[0]
    assert "hunter2" not in str(raised.value)


def test_values_are_converted_and_defaults_follow_the_mode() -> None:
    settings = load_settings(
        {
            "KOHTAANTO_MODE": "demo",
            "KOHTAANTO_SMTP_PORT": "2525",
            "KOHTAANTO_NOTIFY_THRESHOLD": "0.5",
            "KOHTAANTO_METRICS": "yes",
            "KOHTAANTO_DATABASE_ECHO": "",  # empty: the default
            "KOHTAANTO_LOG_LEVEL": "debug",
            "KOHTAANTO_RATE_LOGIN": "3/minute",
            "KOHTAANTO_PUBLIC_URL": "https://kohtaanto.example/",
            "KOHTAANTO_MODEL_DIR": "/srv/models",
        }
    )
    assert settings.delivery.smtp_port == 2525
    assert settings.matching.notify_threshold == 0.5
    assert settings.observability.metrics is True
    assert settings.observability.log_level == "DEBUG"
    assert settings.database.echo is False
    assert settings.auth.login_rate == ("minute", 3)
    assert settings.auth.public_url == "https://kohtaanto.example"
    assert settings.matching.model_dir == Path("/srv/models")
    # Off the production defaults: no Secure cookies on the loopback demo, OpenAPI on.
    assert settings.auth.secure_cookies is False and settings.openapi is True
    production = load_settings({})
    assert production.auth.secure_cookies is True and production.openapi is False


@pytest.fixture
def bad_shortlist_size(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A bad value in this process's environment (read again); the good one back after."""
    monkeypatch.setenv("KOHTAANTO_SHORTLIST_SIZE", "lots")
    get_settings.cache_clear()
    yield "KOHTAANTO_SHORTLIST_SIZE: expected a whole number of at least 1 (got 'lots')"
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_api_refuses_to_start(bad_shortlist_size: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(bad_shortlist_size)):
        create_app()


async def test_the_worker_refuses_to_start(bad_shortlist_size: str) -> None:
    ctx: dict[str, Any] = {}
    with pytest.raises(SettingsError, match=re.escape(bad_shortlist_size)):
        await startup(ctx)
    assert "search" not in ctx  # nothing opened


def test_every_command_refuses_to_start(bad_shortlist_size: str) -> None:
    # Harmless if the check were missing: an unknown job, and help (after the check).
    for command in (["scheduled", "no-such-job"], ["db", "--help"], ["demo", "--help"]):
        done = CliRunner().invoke(main, command)
        assert done.exit_code == 1, (command, done.output)
        assert done.output.strip() == f"Bad settings: {bad_shortlist_size}", command
