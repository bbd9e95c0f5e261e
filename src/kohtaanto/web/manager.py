"""The manager's dashboard: aggregate reports with charts, each table as CSV.

Managers (and admins) see counts and durations only, never a person's profile;
the numbers come from :mod:`kohtaanto.domain.reports`.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from kohtaanto.api.auth import AuthRequest, requires
from kohtaanto.api.schemas import Db
from kohtaanto.db.models import Role
from kohtaanto.domain import reports
from kohtaanto.web.charts import bar_chart
from kohtaanto.web.i18n import N_, language_of, translations
from kohtaanto.web.labels import LABELS
from kohtaanto.web.rendering import page

Label = Callable[[str, Any], str]


@dataclass(frozen=True)
class Column:
    name: str
    header: str  # msgid
    kind: str = "int"  # int | decimal | percent | eur | text | status | msgid


@dataclass(frozen=True)
class ReportView:
    name: str
    title: str  # msgid
    intro: str  # msgid
    columns: tuple[Column, ...]
    chart_label: str  # the column naming each bar
    chart_value: str  # the column the bars show
    chart_title: str  # msgid


VIEWS: tuple[ReportView, ...] = (
    ReportView(
        "funnel",
        N_("Matching funnel"),
        N_(
            "Shortlist entries that reached each stage or a later one. Contacting and the "
            "interview are optional steps, so they count everyone who went further."
        ),
        (
            Column("stage", N_("Stage"), "status"),
            Column("entries", N_("Entries")),
            Column("conversion_from_previous", N_("Conversion from the previous stage"), "percent"),
            Column("share_of_suggested", N_("Share of suggested"), "percent"),
        ),
        "stage",
        "entries",
        N_("Shortlist entries by furthest stage reached"),
    ),
    ReportView(
        "municipalities",
        N_("Placements and open vacancies by municipality"),
        N_("Placements are hired shortlist entries, counted in the vacancy's municipality."),
        (
            Column("code", N_("Code"), "text"),
            Column("municipality", N_("Municipality"), "text"),
            Column("sub_region", N_("Sub-region"), "text"),
            Column("open_vacancies", N_("Open vacancies")),
            Column("placements", N_("Placements")),
        ),
        "municipality",
        "placements",
        N_("Placements by municipality"),
    ),
    ReportView(
        "instruments",
        N_("Use of support instruments"),
        N_(
            "Published vacancies open to each instrument, and hires where the person was "
            "estimated eligible for it. Estimates only: the employment authority decides."
        ),
        (
            Column("label", N_("Instrument"), "msgid"),
            Column("vacancies_open_to", N_("Vacancies open to it")),
            Column("hires_estimated_eligible", N_("Hires estimated eligible")),
            Column("share_of_hires", N_("Share of hires"), "percent"),
            Column("estimated_saving_eur", N_("Estimated saving to employers"), "eur"),
        ),
        "label",
        "vacancies_open_to",
        N_("Published vacancies open to each instrument"),
    ),
    ReportView(
        "time-to-shortlist",
        N_("Time from publishing to shortlist"),
        N_("Minutes from a vacancy's publication to its first shortlist, by month published."),
        (
            Column("month", N_("Month published"), "msgid"),
            Column("vacancies", N_("Vacancies")),
            Column("median_minutes", N_("Median, minutes"), "decimal"),
            Column("p90_minutes", N_("90th percentile, minutes"), "decimal"),
        ),
        "month",
        "median_minutes",
        N_("Median minutes from publishing to shortlist"),
    ),
    ReportView(
        "caseloads",
        N_("Caseloads per coach"),
        N_(
            "Clients of each personal coach, how many are on an active shortlist, "
            "consent requests waiting for an answer, and hires."
        ),
        (
            Column("coach", N_("Coach"), "text"),
            Column("clients", N_("Clients")),
            Column("clients_on_active_shortlists", N_("On an active shortlist")),
            Column("pending_consents", N_("Consents pending")),
            Column("hires", N_("Hires")),
        ),
        "coach",
        "clients",
        N_("Clients per coach"),
    ),
)
_BY_NAME = {v.name: v for v in VIEWS}
# The total row of time-to-shortlist, shown translated.
N_("all")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _cell(value: Any, kind: str, gettext: Callable[[str], str], label: Label) -> str:
    """One table cell as shown, in the visitor's language."""
    if _missing(value):
        return "\u2013"
    match kind:
        case "percent":
            return f"{value * 100:.1f}".replace(".", ",") + "\u00a0%"
        case "decimal":
            return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
        case "eur":
            return f"{value:,.0f}".replace(",", "\u202f") + "\u00a0€"
        case "int":
            return f"{int(value):,}".replace(",", "\u202f")
        case "msgid":
            return gettext(str(value))
        case "status":
            return label("entry_status", value)
    return str(value)


def _table(
    view: ReportView, frame: pd.DataFrame, gettext: Callable[[str], str], label: Label
) -> dict[str, Any]:
    """A report as the page shows it: translated headers and cells, and its chart."""
    rows = [
        [_cell(record.get(c.name), c.kind, gettext, label) for c in view.columns]
        for record in frame.to_dict("records")
    ]
    names = [c.name for c in view.columns]
    at_label, at_value = names.index(view.chart_label), names.index(view.chart_value)
    # The "all months" total would dwarf the months; the table has it.
    bars = [
        (row, value)
        for row, value, key in zip(
            rows, frame[view.chart_value], frame[view.chart_label], strict=True
        )
        if key != "all"
    ]
    chart = bar_chart(
        gettext(view.chart_title),
        [row[at_label] for row, _ in bars],
        [math.nan if _missing(v) else float(v) for _, v in bars],
        [row[at_value] for row, _ in bars],
    )
    return {
        "view": view,
        "headers": [gettext(c.header) for c in view.columns],
        "numeric": [c.kind in ("int", "decimal", "percent", "eur") for c in view.columns],
        "rows": rows,
        "chart": chart,
    }


class ManagerPages(Controller):
    path = "/manager"
    guards = [requires(Role.MANAGER, Role.ADMIN)]
    include_in_schema = False

    @get("/", operation_id="pageManagerDashboard")
    async def dashboard(self, request: AuthRequest, db_session: Db) -> Template:
        """Every report with its chart and table."""
        catalog = translations(language_of(request))

        def gettext(message: str) -> str:
            return str(catalog.gettext(message))

        def label(kind: str, value: Any) -> str:
            msgid = LABELS.get(kind, {}).get(getattr(value, "value", value))
            return gettext(msgid) if msgid else str(value)

        tables = []
        for view in VIEWS:
            frame = await reports.REPORTS[view.name](db_session)
            tables.append(_table(view, frame, gettext, label))
        return page(request, "manager/dashboard.html", tables=tables)

    @get("/reports/{filename:str}", operation_id="pageManagerReportCsv")
    async def csv(self, db_session: Db, filename: FromPath[str]) -> Response[str]:
        """One report's table as CSV (UTF-8, comma-separated, stable English headers)."""
        name = filename.removesuffix(".csv")
        if not filename.endswith(".csv") or name not in _BY_NAME:
            raise NotFoundException(detail="No such report")
        frame = await reports.REPORTS[name](db_session)
        body = await asyncio.to_thread(frame.to_csv, index=False)
        return Response(
            body,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="kohtaanto-{name}.csv"'},
        )
