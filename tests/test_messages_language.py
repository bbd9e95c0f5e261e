"""Messages in the reader's language (issue 9): a notification is stored as a kind and
params; a Swedish-speaking jobseeker reads the inbox, the e-mail (from a real SMTP
server, text and HTML) and the match explanation in Swedish, a Finnish one in Finnish;
the webhook (to a real HTTP server) carries data, not prose; account e-mails follow
the user's language too."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from kohtaanto.db import session_scope
from kohtaanto.db.models import (
    EducationLevel,
    Notification,
    NotifyFrequency,
    Role,
    ShortlistEntry,
    User,
)
from kohtaanto.domain import account_mail
from kohtaanto.domain.explanations import factor_text
from kohtaanto.domain.notifications import KINDS, notify_once, title
from kohtaanto.i18n import translations
from kohtaanto.web.labels import LABELS
from ml.predict import _Context, _english, _factor_label
from tests.test_delivery import configure, hook, smtp  # noqa: F401  (fixtures)
from tests.test_jobseeker_pages import World, world  # noqa: F401  (fixture)
from tests.test_web import page_login

CONTEXT = _Context(
    matched=2,
    essential=5,
    optional_matched=1,
    optional=3,
    distance_km=12.4,
    limit_km=30.0,
    within=True,
    languages_missing=["sv"],
    saving=1234.0,
    hours=37.5,
    education="upper_secondary",
    isco="51200",
)


def _explanation() -> dict[str, Any]:
    """A match explanation with factors as ``ml.predict`` writes them."""
    factors = []
    for feature, value in (
        ("essential_coverage", 0.4),
        ("distance_ratio", 0.4),
        ("education_rank", 0.5),
    ):
        text, params = _factor_label(feature, value, CONTEXT)
        factors.append(
            {
                "feature": feature,
                "label": _english(text, params),
                "text": text,
                "params": params,
                "direction": "+",
                "weight": 0.5,
            }
        )
    return {"matched_essential": [], "missing_essential": [], "top_factors": factors}


EXPECTED = {
    "sv": {
        "subject": "Kohtaanto: En plats för dig: Kokki, Tammerfors",
        "greeting": "Hej",
        "sign_off": "Med vänliga hälsningar",
        "inbox": "En plats för dig: Kokki, Tammerfors",
        "reasons": [
            "Har 2 av 5 nödvändiga färdigheter",
            "12 km",
        ],
    },
    "fi": {
        "subject": "Kohtaanto: Työpaikka sinulle: Kokki, Tampere",
        "greeting": "Hei",
        "sign_off": "Ystävällisin terveisin",
        "inbox": "Työpaikka sinulle: Kokki, Tampere",
        "reasons": [
            "Hänellä on 2/5 välttämättömästä osaamisesta",
            "12 km",
        ],
    },
}


@pytest.mark.parametrize("lang", ["sv", "fi"])
async def test_jobseeker_reads_inbox_email_and_explanation_in_their_language(
    client: Any,
    world: World,  # noqa: F811
    smtp: list[Any],  # noqa: F811
    run_jobs: Any,
    lang: str,
) -> None:
    expected = EXPECTED[lang]
    # The language chosen in the interface is remembered on the user.
    await page_login(client, world.jobseeker.email)
    switched = await client.get(f"/lang/{lang}?next=/jobseeker", follow_redirects=False)
    assert switched.status_code == 302
    async with session_scope() as session:
        user = await session.get(User, world.jobseeker.id)
        assert user is not None and user.language == lang
        await session.execute(
            update(ShortlistEntry)
            .where(ShortlistEntry.jobseeker_id == world.profile_id)
            .values(explanation=_explanation())
        )
        notification = await notify_once(
            session,
            recipient_id=world.jobseeker.id,
            kind="match",
            vacancy_id=world.open_id,
            params={
                "vacancy_title": "Kokki",
                "place": "Tampere",
                "score": 0.84,
                "explanation": _explanation(),
            },
        )
        assert notification is not None
    stored_id = notification.id

    # Stored as kind and params (ids as strings), no prose.
    async with session_scope() as session:
        stored = await session.get(Notification, stored_id)
        assert stored is not None
        assert stored.kind == "match"
        assert stored.params["vacancy_id"] == str(world.open_id)
        assert not hasattr(stored, "title")

    # The e-mail, as the SMTP server received it.
    assert (await run_jobs())["failed"] == 0
    (message,) = smtp
    assert message["To"] == world.jobseeker.email
    assert message["Subject"] == expected["subject"]
    assert message["Content-Language"] == lang
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    plain = text.get_content()
    assert plain.startswith(expected["greeting"]) and expected["sign_off"] in plain
    assert expected["inbox"] in plain
    assert f"/jobseeker/vacancies/{world.open_id}" in plain
    markup = html.get_content()
    assert f'<html lang="{lang}">' in markup
    assert f"<strong>{expected['inbox']}</strong>" in markup
    assert expected["sign_off"] in markup
    other = "fi" if lang == "sv" else "sv"
    assert EXPECTED[other]["sign_off"] not in plain + markup

    # The inbox.
    inbox = (await client.get("/notifications")).text
    assert expected["inbox"] in inbox
    assert EXPECTED[other]["inbox"] not in inbox

    # The match explanation on the jobseeker's page.
    matches = (await client.get("/jobseeker")).text
    for reason in expected["reasons"]:
        assert reason in matches, reason
    assert "essential skills" not in matches and "Has 2 of 5" not in matches
    education = translations(lang).gettext(LABELS["education"][EducationLevel.UPPER_SECONDARY])
    said = {"sv": "Utbildning", "fi": "Koulutus"}[lang]
    assert f"{said}: {education}" in matches


async def test_webhook_carries_kind_params_and_link_not_prose(
    make_user: Any,
    run_jobs: Any,
    hook: Any,  # noqa: F811
) -> None:
    coordinator = await make_user(
        Role.COORDINATOR,
        notify_frequency=NotifyFrequency.OFF,
        webhook_url=hook.url,
        webhook_secret="s3cret",
        language="sv",
    )
    hook.secret = "s3cret"
    async with session_scope() as session:
        notification = await notify_once(
            session,
            recipient_id=coordinator.id,
            kind="employer_registration",
            params={"employer_id": "0b7e7d8e-0000-4000-8000-000000000001", "name": "Testi Oy"},
            key="employer_registration:x",
        )
        assert notification is not None
    assert (await run_jobs())["failed"] == 0
    (delivered,) = hook.accepted
    body = delivered["body"]
    assert set(body) == {"id", "kind", "params", "vacancy_id", "link", "created_at"}
    assert body["kind"] == "employer_registration"
    assert body["params"] == {
        "employer_id": "0b7e7d8e-0000-4000-8000-000000000001",
        "name": "Testi Oy",
    }
    assert body["link"].endswith("/coordinator/employers")
    assert body["vacancy_id"] is None
    assert "verify" not in str(body) and "granska" not in str(body)


async def test_api_says_the_title_in_the_users_language(
    client: Any, login: Any, make_user: Any
) -> None:
    person = await make_user(Role.JOBSEEKER, notify_frequency=NotifyFrequency.OFF)
    headers = await login(person.email)
    changed = await client.put("/api/me/preferences", json={"language": "sv"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["language"] == "sv"
    async with session_scope() as session:
        await notify_once(
            session,
            recipient_id=person.id,
            kind="outcome",
            params={"vacancy_title": "Kokki", "status": "hired"},
            key="outcome:x",
        )
    listed = (await client.get("/api/notifications", headers=headers)).json()["items"]
    assert listed[0]["title"] == "Kokki: du fick jobbet"
    assert listed[0]["params"] == {"vacancy_title": "Kokki", "status": "hired"}
    bad = await client.put("/api/me/preferences", json={"language": "de"}, headers=headers)
    assert bad.status_code == 400 and "language" in bad.text


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_account_mails_are_in_the_users_language(lang: str) -> None:
    reset = account_mail.password_reset("a@example.fi", "https://x/reset/t", 30, lang, "Aino")
    registered = account_mail.registration_received("a@example.fi", "Testi Oy", lang, "Aino")
    again = account_mail.address_already_registered("a@example.fi", lang)
    hello = {"fi": "Hei Aino,", "sv": "Hej Aino,", "en": "Hello Aino,"}[lang]
    for message in (reset, registered, again):
        text, html = message.get_body(("plain",)), message.get_body(("html",))
        assert text is not None and html is not None
        assert message["Content-Language"] == lang
        assert f'<html lang="{lang}">' in html.get_content()
    assert reset.get_body(("plain",)).get_content().startswith(hello)  # type: ignore[union-attr]
    assert "https://x/reset/t" in reset.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Testi Oy" in registered.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    subject = translations(lang).gettext("Kohtaanto: password reset")
    assert reset["Subject"] == subject
    if lang != "en":
        assert subject != "Kohtaanto: password reset"


def test_every_kind_says_something_in_every_language() -> None:
    for kind in KINDS:
        for lang in ("fi", "sv", "en"):
            for role in (Role.JOBSEEKER, Role.COACH, Role.COORDINATOR):
                said = title(
                    kind,
                    {
                        "vacancy_title": "Kokki",
                        "place": "Tampere",
                        "name": "Oy",
                        "candidates": 2,
                        "service": "Kokki",
                        "organisation": "Oy",
                        "employer": "Oy",
                        "event": "Kokki",
                    },
                    lang,
                    role,
                )
                assert "Kokki" in said or "Oy" in said, (kind, lang, said)
                assert "%(" not in said


def test_explanation_factors_are_said_in_the_readers_language() -> None:
    why = _explanation()
    said = {lang: [factor_text(f, why, lang) for f in why["top_factors"]] for lang in ("fi", "sv")}
    assert said["sv"][0] == "Har 2 av 5 nödvändiga färdigheter"
    assert said["fi"][0] == "Hänellä on 2/5 välttämättömästä osaamisesta"
    # Explanations stored before factors carried their msgid are still translated.
    old = {"feature": "essential_coverage", "label": "Has 2 of 5 essential skills"}
    legacy_why = {"matched_essential": [1, 2], "missing_essential": [3, 4, 5]}
    assert factor_text(old, legacy_why, "sv") == "Har 2 av 5 nödvändiga färdigheter"


async def test_an_unknown_kind_is_refused(clean: None, make_user: Any) -> None:
    person = await make_user(Role.JOBSEEKER)
    async with session_scope() as session:
        with pytest.raises(ValueError, match="unknown notification kind"):
            await notify_once(session, recipient_id=person.id, kind="nonsense", params={})
        assert (await session.scalars(select(Notification))).all() == []
