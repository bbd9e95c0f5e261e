"""Issue 8, authentication and sessions: each test attacks as the security review did.

Start-up refuses weak secrets outside the demo; registration gives out no staff ids.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest

from kohtaanto.db.models import Role
from kohtaanto.settings import DEFAULT_TOKEN_SECRET, Settings, get_settings
from tests.factories import register_employer

ROOT = Path(__file__).resolve().parents[1]
STRONG = "s" * 40


def _production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOHTAANTO_")}
    env |= {
        "KOHTAANTO_MODE": "production",
        "KOHTAANTO_DATABASE_URL": os.environ["KOHTAANTO_DATABASE_URL"],
        "KOHTAANTO_REDIS_URL": os.environ["KOHTAANTO_REDIS_URL"],
        "KOHTAANTO_MEILI_MASTER_KEY": STRONG,
        "KOHTAANTO_TOKEN_SECRET": STRONG,
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def _start(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


APP = ["-c", "from kohtaanto.app import create_app; create_app(); print('started')"]
CLI = ["-m", "kohtaanto.cli", "scheduled", "no-such-job"]


@pytest.mark.parametrize(
    ("program", "variable", "value"),
    [
        (APP, "KOHTAANTO_TOKEN_SECRET", ""),  # unset: the public default
        (APP, "KOHTAANTO_TOKEN_SECRET", DEFAULT_TOKEN_SECRET),
        (APP, "KOHTAANTO_TOKEN_SECRET", "short-secret"),
        (APP, "KOHTAANTO_MEILI_MASTER_KEY", ""),
        (APP, "KOHTAANTO_MEILI_MASTER_KEY", "kohtaanto-test-master-key"),
        (CLI, "KOHTAANTO_TOKEN_SECRET", ""),
        (CLI, "KOHTAANTO_MEILI_MASTER_KEY", "short"),
    ],
)
def test_weak_secret_refused_at_start_up(program: list[str], variable: str, value: str) -> None:
    done = _start(program, _production_env(**{variable: value}))
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], done.stderr
    assert "started" not in done.stdout


def test_strong_secrets_start() -> None:
    done = _start(APP, _production_env())
    assert done.returncode == 0, done.stderr
    assert "started" in done.stdout


async def test_worker_refuses_weak_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobs.worker import startup

    monkeypatch.setenv("KOHTAANTO_MODE", "production")
    monkeypatch.setenv("KOHTAANTO_TOKEN_SECRET", "too-short")
    with pytest.raises(SystemExit, match="KOHTAANTO_TOKEN_SECRET"):
        await startup({"settings": Settings()})


def test_demo_draws_its_own_secrets(tmp_path: Path) -> None:
    """The demo needs no secret set by hand, yet never runs on the public default."""
    env = _production_env(KOHTAANTO_TOKEN_SECRET="", KOHTAANTO_VAR_DIR=str(tmp_path))
    program = [
        "-c",
        "import os, pathlib;"
        "from kohtaanto.demo.secrets import enter_demo_mode;"
        "enter_demo_mode(pathlib.Path(os.environ['KOHTAANTO_VAR_DIR']));"
        "from kohtaanto.settings import get_settings; print(get_settings().auth.token_secret);"
        "from kohtaanto.app import create_app; create_app()",
    ]
    first = _start(program, env)
    assert first.returncode == 0, first.stderr
    secret = first.stdout.strip()
    assert secret != DEFAULT_TOKEN_SECRET and len(secret) >= 32
    stored = tmp_path / "secrets.env"
    assert f"KOHTAANTO_TOKEN_SECRET={secret}" in stored.read_text()
    assert stored.stat().st_mode & 0o077 == 0  # the owner's only
    again = _start(program, env)
    assert again.stdout.strip() == secret  # kept: logins survive a restart


async def test_registration_gives_out_no_staff_id(client, make_user, login) -> None:
    """Finding 1: the answer to an anonymous registration named the coordinator's id."""
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    answer: dict[str, Any] = await register_employer(client, "0737546-2", "hr@kauppa.fi")
    assert str(coordinator.id) not in str(answer)
    headers = await login("hr@kauppa.fi", "kauppa-salasana")
    mine = await client.get("/api/employers/me", headers=headers)
    assert mine.status_code == 200
    assert str(coordinator.id) not in mine.text


async def test_token_signed_with_the_public_default_is_refused(client, make_user) -> None:
    """The forgery of finding 1: sign the coordinator's id with the default secret."""
    coordinator = await make_user(Role.COORDINATOR, sub_region="Tampere")
    forged = jwt.encode(
        {"sub": str(coordinator.id), "exp": 4102444800, "iat": 1700000000},
        DEFAULT_TOKEN_SECRET,
        algorithm="HS256",
    )
    assert get_settings().auth.token_secret != DEFAULT_TOKEN_SECRET
    response = await client.get("/api/vacancies", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
