"""The manager's dashboard: aggregate reports with charts, each table as CSV.

Managers (and admins) see counts and durations only, never a person's profile;
the numbers come from :mod:`kohtaanto.domain.reports`.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from babel.numbers import format_percent
from litestar import Controller, Response, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db import Db
from kohtaanto.db.models import EmploymentArea, Municipality, Role
from kohtaanto.domain import reports
from kohtaanto.domain.events import INSTRUMENTS
from kohtaanto.web.charts import bar_chart
from kohtaanto.web.i18n import N_, language_of, translations
from kohtaanto.web.labels import LABELS
from kohtaanto.web.rendering import format_number, page, place_name

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
            "Shortlist entries suggested in the period, each counted once at the furthest "
            "stage it reached. Contacting and the interview are optional steps, so some "
            "entries skip them."
        ),
        (
            Column("stage", N_("Furthest stage reached"), "status"),
            Column("entries", N_("Entries")),
            Column("share_of_cohort", N_("Share of all entries"), "percent"),
        ),
        "stage",
        "entries",
        N_("Shortlist entries by furthest stage reached"),
    ),
    ReportView(
        "municipalities",
        N_("Placements and open vacancies by municipality"),
        N_(
            "Placements are shortlist entries hired in the period, counted in the "
            "vacancy's municipality; open vacancies were published in the period."
        ),
        (
            Column("municipality", N_("Municipality"), "place"),
            Column("code", N_("Code"), "text"),
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
            "Vacancies published in the period that offered each instrument, those whose "
            "shortlist had someone estimated eligible for it, and hires estimated eligible "
            "with the saving the estimates name. Estimates only: the employment authority "
            "decides."
        ),
        (
            Column("label", N_("Instrument"), "msgid"),
            Column("vacancies_open_to", N_("Vacancies offering it")),
            Column(
                "vacancies_with_eligible_candidates", N_("Vacancies with an eligible candidate")
            ),
            Column("hires_estimated_eligible", N_("Hires estimated eligible")),
            Column("share_of_hires", N_("Share of hires"), "percent"),
            Column("estimated_saving_eur", N_("Estimated saving to employers"), "eur"),
        ),
        "label",
        "vacancies_with_eligible_candidates",
        N_("Vacancies with a candidate estimated eligible, by instrument"),
    ),
    ReportView(
        "time-to-shortlist",
        N_("Time from publishing to shortlist"),
        N_("Hours from a vacancy's publication to its first shortlist, by month published."),
        (
            Column("month", N_("Month published"), "msgid"),
            Column("vacancies", N_("Vacancies")),
            Column("median_hours", N_("Median, hours"), "decimal"),
            Column("p90_hours", N_("90th percentile, hours"), "decimal"),
        ),
        "month",
        "median_hours",
        N_("Median hours from publishing to shortlist"),
    ),
    ReportView(
        "caseloads",
        N_("Caseloads of the personal coaches"),
        N_(
            "How many coaches have how many clients, with the clients in each group and "
            "how many of them are on an active shortlist. About 130 clients a coach is "
            "the reference."
        ),
        (
            Column("clients_per_coach", N_("Clients per coach"), "text"),
            Column("coaches", N_("Coaches")),
            Column("clients", N_("Clients")),
            Column("clients_on_active_shortlists", N_("On an active shortlist")),
        ),
        "clients_per_coach",
        "coaches",
        N_("Coaches by number of clients"),
    ),
    ReportView(
        "time-to-assessment",
        N_("Time from registration to the first assessment"),
        N_(
            "Coaches' clients registered in the period, by month: how many have had their "
            "service-needs assessment, and the days from registration to the first one."
        ),
        (
            Column("month", N_("Month registered"), "text"),
            Column("clients", N_("Clients")),
            Column("assessed", N_("Assessed")),
            Column("median_days", N_("Median, days"), "decimal"),
            Column("p90_days", N_("90th percentile, days"), "decimal"),
        ),
        "month",
        "median_days",
        N_("Median days from registration to the first assessment"),
    ),
    ReportView(
        "agreed-plans",
        N_("Clients with an agreed plan"),
        N_(
            "Clients with a service plan, and with an agreed activity in it, by the plan's "
            "type; the share is of all the coaches' clients."
        ),
        (
            Column("plan_type", N_("Plan type"), "label:plan_type"),
            Column("with_plan", N_("With a plan")),
            Column("with_agreed_plan", N_("With an agreed plan")),
            Column("share_of_clients", N_("Share of clients"), "percent"),
        ),
        "plan_type",
        "with_agreed_plan",
        N_("Clients with an agreed plan, by plan type"),
    ),
    ReportView(
        "job-search",
        N_("Job-search obligation"),
        N_(
            "By month: clients with a plan, how many reported applications and how many "
            "reached their month's number (the plan's, or four). Information for the "
            "coaches, never a sanction."
        ),
        (
            Column("month", N_("Month"), "text"),
            Column("clients_with_plan", N_("Clients with a plan")),
            Column("reported", N_("Reported applications")),
            Column("fulfilled", N_("Reached the obligation")),
            Column("share_fulfilled", N_("Share reached"), "percent"),
        ),
        "month",
        "fulfilled",
        N_("Clients who reached their job-search obligation, by month"),
    ),
    ReportView(
        "outcomes-by-path",
        N_("Outcomes by service path type"),
        N_(
            "Clients by the type of their plan: how many were hired in the period and how "
            "many entered training through a referral."
        ),
        (
            Column("plan_type", N_("Plan type"), "label:plan_type"),
            Column("clients", N_("Clients")),
            Column("to_work", N_("To work")),
            Column("to_training", N_("To training")),
            Column("share_to_work", N_("Share to work"), "percent"),
            Column("share_to_training", N_("Share to training"), "percent"),
        ),
        "plan_type",
        "to_work",
        N_("Clients hired, by plan type"),
    ),
    ReportView(
        "referrals-by-partner",
        N_("Referrals to partner services, by partner"),
        N_(
            "Referrals sent in the period (after the client's consent), by the partner "
            "organisation: how many it accepted, refused or let expire, and how many were "
            "completed. Acceptance is of those answered, completion of those accepted."
        ),
        (
            Column("partner", N_("Partner"), "name"),
            Column("referrals", N_("Referrals")),
            Column("accepted", N_("Accepted")),
            Column("refused", N_("Refused")),
            Column("expired", N_("Expired without an answer")),
            Column("completed", N_("Completed")),
            Column("acceptance_rate", N_("Acceptance rate"), "percent"),
            Column("completion_rate", N_("Completion rate"), "percent"),
        ),
        "partner",
        "referrals",
        N_("Referrals sent, by partner"),
    ),
    ReportView(
        "referrals-by-type",
        N_("Referrals to partner services, by service type"),
        N_("The same referrals by the type of the service."),
        (
            Column("service_type", N_("Service type"), "label:service_type"),
            Column("referrals", N_("Referrals")),
            Column("accepted", N_("Accepted")),
            Column("refused", N_("Refused")),
            Column("expired", N_("Expired without an answer")),
            Column("completed", N_("Completed")),
            Column("acceptance_rate", N_("Acceptance rate"), "percent"),
            Column("completion_rate", N_("Completion rate"), "percent"),
        ),
        "service_type",
        "referrals",
        N_("Referrals sent, by service type"),
    ),
)
EVENT_VIEWS: tuple[ReportView, ...] = (
    ReportView(
        "event-kinds",
        N_("Recruitment events by kind and municipality"),
        N_(
            "Published and completed events that began in the period, by kind and "
            "municipality (online events apart), with the people booked and the people "
            "who came."
        ),
        (
            Column("kind", N_("Kind of event"), "event_kind"),
            Column("municipality", N_("Municipality"), "event_place"),
            Column("events", N_("Events")),
            Column("booked", N_("People booked")),
            Column("attended", N_("People who came")),
        ),
        "kind",
        "events",
        N_("Recruitment events by kind"),
    ),
    ReportView(
        "event-funnel",
        N_("Recruitment events: from invitation to hire"),
        N_(
            "Invitations to the events of the period, and how many of them led to a "
            "booking, to attendance, to an interview (the employer was interested) and "
            "to a hire, per employer and per support instrument the employer offered."
        ),
        (
            Column("dimension", N_("By"), "dimension"),
            Column("group", N_("Employer or instrument"), "event_name"),
            Column("invited", N_("Invited")),
            Column("booked", N_("Booked")),
            Column("attended", N_("Came")),
            Column("interviews", N_("Interviews")),
            Column("hires", N_("Hires")),
        ),
        "group",
        "invited",
        N_("Invitations per employer and instrument"),
    ),
)
VIEWS = (*VIEWS, *EVENT_VIEWS)
_BY_NAME = {v.name: v for v in VIEWS}
# The total row of a report, shown translated.
N_("all")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _cell(value: Any, kind: str, gettext: Callable[[str], str], label: Label, lang: str) -> str:
    """One table cell as shown, in the visitor's language."""
    if _missing(value):
        return "\u2013"
    if value in (reports.BELOW, reports.HIDDEN):
        return str(value)  # a suppressed small count, or a figure derived from one
    match kind:
        case "percent":
            return str(format_percent(value, locale=lang, decimal_quantization=False))
        case "decimal":
            return format_number(value, 1, lang)
        case "eur":
            return format_number(value, 0, lang) + "\u00a0€"
        case "int":
            return format_number(int(value), 0, lang)
        case "msgid":
            return gettext(str(value))
        case "status":
            return gettext("all") if value == reports.TOTAL else label("entry_status", value)
        case "place":
            return place_name(str(value), lang)
        case "event_place":
            return gettext("Online") if value == "online" else place_name(str(value), lang)
        case "event_kind":
            return label("event_kind", value)
        case "event_name":
            if value == reports.TOTAL:
                return gettext("all")
            return label("instrument", value) if value in INSTRUMENTS else str(value)
        case "dimension":
            return {
                "employer": gettext("Employer"),
                "instrument": gettext("Instrument"),
            }.get(str(value), gettext("all"))
        case "name":  # a name, or the total row
            return gettext("all") if value == reports.TOTAL else str(value)
    if kind.startswith("label:"):  # a code of a vocabulary (web.labels), or the total row
        return gettext("all") if value == reports.TOTAL else label(kind[6:], value)
    return str(value)


def _table(
    view: ReportView,
    frame: pd.DataFrame,
    gettext: Callable[[str], str],
    label: Label,
    lang: str,
) -> dict[str, Any]:
    """A report as the page shows it: translated headers and cells, and its chart."""
    rows = [
        [_cell(record.get(c.name), c.kind, gettext, label, lang) for c in view.columns]
        for record in frame.to_dict("records")
    ]
    names = [c.name for c in view.columns]
    at_label, at_value = names.index(view.chart_label), names.index(view.chart_value)
    # The total row would dwarf the others; the table has it.
    bars = [
        (row, value)
        for row, value, key in zip(
            rows, frame[view.chart_value], frame[view.chart_label], strict=True
        )
        if key != reports.TOTAL
    ]
    chart = bar_chart(
        gettext(view.chart_title),
        [row[at_label] for row, _ in bars],
        [math.nan if _missing(v) or isinstance(v, str) else float(v) for _, v in bars],
        [row[at_value] for row, _ in bars],
    )
    return {
        "view": view,
        "headers": [gettext(c.header) for c in view.columns],
        "numeric": [c.kind in ("int", "decimal", "percent", "eur") for c in view.columns],
        "rows": rows,
        "chart": chart,
    }


@dataclass(frozen=True)
class Choices:
    """The filter form's options: employment areas and municipalities."""

    areas: list[tuple[int, str]]
    municipalities: list[tuple[str, str]]


async def _choices(db: Db) -> Choices:
    areas = await db.execute(select(EmploymentArea.id, EmploymentArea.name).order_by("name"))
    places = await db.execute(select(Municipality.code, Municipality.name).order_by("name"))
    return Choices([(i, n) for i, n in areas], [(c, n) for c, n in places])


def read_filter(
    query: Mapping[str, str], choices: Choices
) -> tuple[reports.ReportFilter, dict[str, str]]:
    """The report filter from the query string (``since``, ``until`` as ISO dates;
    ``place`` as ``area:<id>`` or ``municipality:<code>``), and errors by field."""
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for key in ("since", "until"):
        text = (query.get(key) or "").strip()
        try:
            dates[key] = date.fromisoformat(text) if text else None
        except ValueError:
            dates[key] = None
            errors[key] = N_("Give a date as YYYY-MM-DD.")
    since, until = dates["since"], dates["until"]
    if since and until and since > until:
        errors["until"] = N_("The end of the period is before its start.")
    place = (query.get("place") or "").strip()
    area_id: int | None = None
    code: str | None = None
    kind, _, value = place.partition(":")
    if kind == "area" and value.isdigit() and int(value) in {i for i, _ in choices.areas}:
        area_id = int(value)
    elif kind == "municipality" and value in {c for c, _ in choices.municipalities}:
        code = value
    elif place:
        errors["place"] = N_("Choose an area or a municipality from the list.")
    return reports.ReportFilter(since, until, area_id, code), errors


class ManagerPages(Controller):
    path = "/manager"
    guards = [requires(Role.MANAGER, Role.ADMIN)]
    include_in_schema = False

    @get("/", operation_id="pageManagerDashboard")
    async def dashboard(self, request: AuthRequest, db_session: Db) -> Template:
        """Every report with its chart and table, for the period and place chosen."""
        lang = language_of(request)
        catalog = translations(lang)

        def gettext(message: str) -> str:
            return str(catalog.gettext(message))

        def label(kind: str, value: Any) -> str:
            msgid = LABELS.get(kind, {}).get(getattr(value, "value", value))
            return gettext(msgid) if msgid else str(value)

        choices = await _choices(db_session)
        where, errors = read_filter(request.query_params, choices)
        tables = []
        if not errors:
            for view in VIEWS:
                frame = await reports.run(view.name, db_session, where)
                tables.append(_table(view, frame, gettext, label, lang))
        query = urlencode(
            {
                k: request.query_params[k]
                for k in ("since", "until", "place")
                if request.query_params.get(k)
            }
        )
        return page(
            request,
            "manager/dashboard.html",
            status_code=400 if errors else 200,
            tables=tables,
            errors=errors,
            values={k: request.query_params.get(k, "") for k in ("since", "until", "place")},
            areas=choices.areas,
            municipalities=[(c, place_name(n, lang)) for c, n in choices.municipalities],
            query=f"?{query}" if query else "",
        )

    @get("/reports/{filename:str}", operation_id="pageManagerReportCsv")
    async def csv(
        self, request: AuthRequest, db_session: Db, filename: FromPath[str]
    ) -> Response[str]:
        """One report's table as CSV (UTF-8, comma-separated, stable English headers),
        filtered like the page; small counts suppressed, formula-like cells neutralised."""
        name = filename.removesuffix(".csv")
        if not filename.endswith(".csv") or name not in _BY_NAME:
            raise NotFoundException(detail="No such report")
        where, errors = read_filter(request.query_params, await _choices(db_session))
        if errors:
            field = next(iter(errors))
            raise ValidationException(
                detail=f"Invalid {field}", extra=[{"key": field, "message": errors[field]}]
            )
        frame = await reports.run(name, db_session, where)
        body = await asyncio.to_thread(reports.to_csv, frame)
        return Response(
            body,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="kohtaanto-{name}.csv"'},
        )
