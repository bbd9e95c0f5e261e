"""A use case's refusal reads the same through both doors: the API names the field and
the code, a page shows the message translated into the visitor's language."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from kohtaanto.domain.errors import Conflict, DomainError, NotFound
from kohtaanto.i18n import N_


def _refuse(kind: str) -> None:
    if kind == "missing":
        raise NotFound("vacancy_not_found", N_("Not found"), field="vacancy_id")
    if kind == "taken":
        raise Conflict("slot_taken", N_("Not done"))
    raise DomainError("too_many", N_("Your role may not do this"), field="hours", limit=3)


@get("/api/probe/{kind:str}", opt={"exclude_from_auth": True}, sync_to_thread=False)
def api_probe(kind: FromPath[str]) -> None:
    _refuse(kind)


@get("/probe/{kind:str}", opt={"exclude_from_auth": True}, sync_to_thread=False)
def page_probe(kind: FromPath[str]) -> None:
    _refuse(kind)


async def test_api_answers_status_field_and_code(client: AsyncTestClient[Any]) -> None:
    client.app.register(api_probe)
    answer = await client.get("/api/probe/refused")
    assert answer.status_code == 400
    [item] = answer.json()["extra"]
    assert item == {
        "key": "hours",
        "code": "too_many",
        "message": "Your role may not do this",
        "params": {"limit": 3},
    }
    missing = await client.get("/api/probe/missing")
    assert missing.status_code == 404
    assert missing.json()["extra"][0]["key"] == "vacancy_id"
    assert (await client.get("/api/probe/taken")).status_code == 409


async def test_pages_translate_the_message(client: AsyncTestClient[Any]) -> None:
    client.app.register(page_probe)
    finnish = await client.get("/probe/refused")
    assert finnish.status_code == 400
    assert "Roolisi ei salli tätä" in finnish.text
    client.cookies.set("lang", "sv")
    swedish = await client.get("/probe/refused", headers={"HX-Request": "true"})
    assert swedish.status_code == 400
    assert 'data-code="too_many"' in swedish.text
    assert "Din roll får inte göra detta" in swedish.text
