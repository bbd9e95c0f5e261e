"""The coordinator's, coach's and manager's pages on the hand-counted reports dataset."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from sqlalchemy import select

from kohtaanto.db import session_scope
from kohtaanto.db.models import EntryStatus, Jobseeker, Role, Shortlist, ShortlistEntry, Vacancy
from tests.conftest import PASSWORD
from tests.test_reports import Seeded, seed_reports_dataset

S = EntryStatus


@pytest.fixture
async def seeded(clean: None) -> Seeded:
    return await seed_reports_dataset()


async def _login(client: Any, email: str) -> None:
    client.cookies.clear()
    response = await client.post(
        "/login", data={"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


async def test_manager_dashboard_shows_each_report_with_chart_and_table(
    client: Any, make_user: Any, seeded: Seeded
) -> None:
    manager = await make_user(Role.MANAGER)
    await _login(client, manager.email)
    response = await client.get("/manager", cookies={"lang": "en"})
    assert response.status_code == 200
    html = response.text
    for name in ("funnel", "municipalities", "instruments", "time-to-shortlist", "caseloads"):
        assert f'id="{name}"' in html
        assert f'href="/manager/reports/{name}.csv"' in html
    # One chart per report (other concepts add reports of their own: events, service paths).
    reports = set(re.findall(r'href="/manager/reports/([a-z0-9-]+)\.csv"', html))
    assert len(reports) >= 5
    assert html.count('role="img"') == len(reports)
    assert "<title>" in html.split("<svg", 1)[1]
    assert "Matching funnel" in html
    # Finnish by default.
    response = await client.get("/manager")
    assert "Täsmäytyssuppilo" in response.text or "Suppilo" in response.text
    # Small counts are never on the page: the funnel's one hire is "<5".
    assert "&lt;5" in html
    assert "Hours from a vacancy" in html and "minutes" not in html.lower()
    # Swedish names the municipalities in Swedish, and English writes "0.5".
    swedish = (await client.get("/manager", cookies={"lang": "sv"})).text
    assert "Tammerfors" in swedish and "Birkala" in swedish
    assert ">0.5<" in html and ">0,5<" in response.text


async def test_manager_filters_by_period_and_place(
    client: Any, make_user: Any, seeded: Seeded
) -> None:
    manager = await make_user(Role.MANAGER)
    await _login(client, manager.email)
    response = await client.get(
        "/manager?since=2026-02-01&until=2026-02-28&place=municipality:837",
        cookies={"lang": "en"},
    )
    assert response.status_code == 200
    html = response.text
    assert 'value="2026-02-01"' in html and 'value="municipality:837" selected' in html
    # The CSV links keep the filter.
    assert "time-to-shortlist.csv?since=2026-02-01&amp;until=2026-02-28" in html
    rows = list(
        csv.reader(
            io.StringIO(
                (
                    await client.get(
                        "/manager/reports/time-to-shortlist.csv?since=2026-02-01&until=2026-02-28"
                    )
                ).text
            )
        )
    )
    assert [r[0] for r in rows[1:]] == ["2026-02", "all"]
    bad = await client.get("/manager?since=2026-13-01", cookies={"lang": "en"})
    assert bad.status_code == 400
    assert 'id="since-error"' in bad.text
    bad = await client.get("/manager/reports/funnel.csv?place=atlantis")
    assert bad.status_code == 400
    assert bad.json()["extra"][0]["key"] == "place"


async def test_chart_labels_fit_the_chart() -> None:
    from kohtaanto.web.charts import bar_chart
    from kohtaanto.web.rendering import environment

    long = "Palkkatuki (yhdistykset ja säätiöt, 100 %, osaamisperusteinen)"
    draw = environment().get_template("charts.html").module.bar_chart  # type: ignore[attr-defined]
    svg = str(draw(bar_chart("t", [long, "Akaa"], [3.0, 1.0], ["3", "1"])))
    assert svg.count("<rect ") == 2
    labels = re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end">(.*?)</text>', svg)
    assert len(labels) == 2
    for x, text in labels:
        shown = re.sub(r"<title>.*?</title>", "", text)
        # 13 px text is at most about 7.6 px a character: the label starts inside the box.
        assert float(x) - len(shown) * 7.6 >= 0, shown
    assert f"<title>{long}</title>" in svg  # the whole label as its tooltip


async def test_report_csv_download(client: Any, make_user: Any, seeded: Seeded) -> None:
    manager = await make_user(Role.MANAGER)
    await _login(client, manager.email)
    response = await client.get("/manager/reports/funnel.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="kohtaanto-funnel.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["stage", "entries", "share_of_cohort"]
    assert [r[1] for r in rows[1:]] == ["<5", "0", "<5", "0", "<5", "0", "<5", "6"]
    response = await client.get("/manager/reports/time-to-shortlist.csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[-1] == ["all", "3", "0.5", "0.9"]
    assert (await client.get("/manager/reports/nothing.csv")).status_code == 404
    assert (await client.get("/manager/reports/funnel.txt")).status_code == 404


async def test_reports_are_for_managers_and_admins_only(
    client: Any, make_user: Any, seeded: Seeded
) -> None:
    client.cookies.clear()
    response = await client.get("/manager/reports/funnel.csv", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].startswith("/login?next=")
    for role in (Role.COORDINATOR, Role.COACH, Role.EMPLOYER, Role.JOBSEEKER):
        user = await make_user(role)
        await _login(client, user.email)
        assert (await client.get("/manager")).status_code == 403
        assert (await client.get("/manager/reports/funnel.csv")).status_code == 403
    admin = await make_user(Role.ADMIN)
    await _login(client, admin.email)
    assert (await client.get("/manager/reports/caseloads.csv")).status_code == 200


async def _board_of(title: str) -> tuple[str, dict[int, str]]:
    async with session_scope() as session:
        vacancy = await session.scalar(select(Vacancy).where(Vacancy.title == title))
        assert vacancy is not None
        rows = await session.execute(
            select(ShortlistEntry.rank, ShortlistEntry.id)
            .join(Shortlist, Shortlist.id == ShortlistEntry.shortlist_id)
            .where(Shortlist.vacancy_id == vacancy.id)
        )
        return str(vacancy.id), {rank: str(i) for rank, i in rows.all()}


async def _statuses(ids: list[str]) -> list[EntryStatus]:
    async with session_scope() as session:
        rows = await session.execute(
            select(ShortlistEntry.id, ShortlistEntry.status).where(ShortlistEntry.id.in_(ids))
        )
        by_id = {str(i): s for i, s in rows.all()}
    return [by_id[i] for i in ids]


async def test_coordinator_works_the_board_in_bulk_all_or_nothing(
    client: Any, seeded: Seeded
) -> None:
    await _login(client, "coord@example.fi")
    listing = await client.get("/coordinator")
    assert listing.status_code == 200
    vacancy_id, _ = await _board_of("Vacancy 536")  # Nokia: j1 not hired, j2 removed
    assert f"/coordinator/vacancies/{vacancy_id}" in listing.text
    v1, v1_entries = await _board_of("Vacancy 837")
    board = await client.get(f"/coordinator/vacancies/{v1}")
    assert board.status_code == 200
    assert 'id="board"' in board.text
    # j3 (rank 3) is suggested, j4 (rank 4) waits for consent: asking both again fails for j4,
    # so neither moves.
    htmx = {"HX-Request": "true"}
    response = await client.post(
        f"/coordinator/vacancies/{v1}/moves",
        data={"entry_ids": [v1_entries[3], v1_entries[4]], "to": "consent_requested"},
        headers=htmx,
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.text
    assert response.text.lstrip().startswith('<div id="board"')
    assert await _statuses([v1_entries[3], v1_entries[4]]) == [S.SUGGESTED, S.CONSENT_REQUESTED]
    # Removing both with a reason works for both at once.
    response = await client.post(
        f"/coordinator/vacancies/{v1}/moves",
        data={"entry_ids": [v1_entries[3], v1_entries[4]], "to": "removed", "reason": "employed"},
        headers=htmx,
    )
    assert response.status_code == 200, response.text
    assert 'class="error-summary"' not in response.text
    assert await _statuses([v1_entries[3], v1_entries[4]]) == [S.REMOVED, S.REMOVED]
    # Without htmx the form posts and redirects back to the board.
    response = await client.post(
        f"/coordinator/vacancies/{v1}/moves",
        data={"entry_ids": [v1_entries[2]], "to": "removed"},
    )
    assert response.status_code == 400  # a removal needs a reason
    assert await _statuses([v1_entries[2]]) == [S.DECLINED]


async def test_coordinator_records_an_outcome_and_adds_by_hand(client: Any, seeded: Seeded) -> None:
    await _login(client, "coord@example.fi")
    v1, entries = await _board_of("Vacancy 837")
    response = await client.post(
        f"/coordinator/entries/{entries[3]}/move",
        data={"to": "contacted"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert await _statuses([entries[3]]) == [S.CONTACTED]
    async with session_scope() as session:
        person = await session.scalar(
            select(Jobseeker.id).where(Jobseeker.id.not_in(select(ShortlistEntry.jobseeker_id)))
        )
    assert person is None  # everyone is on V1 already
    response = await client.post(
        f"/coordinator/vacancies/{v1}/entries",
        data={"jobseeker_id": "not-an-id"},
        headers={"HX-Request": "true"},
    )
    assert "error-summary" in response.text


async def test_coach_caseload_lists_only_their_clients(client: Any, seeded: Seeded) -> None:
    async with session_scope() as session:
        mine = {
            str(i)
            for i in (
                await session.scalars(
                    select(Jobseeker.id).where(Jobseeker.coach_id == seeded.coach_a.id)
                )
            ).all()
        }
        others = {
            str(i)
            for i in (
                await session.scalars(
                    select(Jobseeker.id).where(Jobseeker.coach_id != seeded.coach_a.id)
                )
            ).all()
        }
    await _login(client, "coach-a@example.fi")
    response = await client.get("/coach")
    assert response.status_code == 200
    listed = set(re.findall(r'href="/coach/clients/([0-9a-f-]+)"', response.text))
    assert listed == mine and len(mine) == 3
    client_page = await client.get(f"/coach/clients/{sorted(mine)[0]}")
    assert client_page.status_code == 200
    assert (await client.get(f"/coach/clients/{sorted(others)[0]}")).status_code == 404


def test_numbers_and_municipalities_in_each_language() -> None:
    from kohtaanto.web.i18n import translations
    from kohtaanto.web.rendering import environment

    template = environment().from_string(
        "{{ score|number(2) }} {{ big|number }} {{ 'Tampere'|place }} {{ 'Nokia'|place }}"
    )
    shown = {
        lang: template.render(lang=lang, translations=translations(lang), score=0.84, big=55400)
        for lang in ("fi", "sv", "en")
    }
    assert shown["en"] == "0.84 55,400 Tampere Nokia"  # "Score 0.84" in English
    assert shown["fi"] == "0,84 55\xa0400 Tampere Nokia"
    assert shown["sv"] == "0,84 55\xa0400 Tammerfors Nokia"
