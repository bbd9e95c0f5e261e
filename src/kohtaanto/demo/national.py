"""A national-size dataset for the benchmark (issue 11): all 45 employment areas.

Pirkanmaa's 23 municipalities are there in detail (``kohtaanto.domain.places``); the
rest of Finland is one place per employment area, at the area's main town
(``kohtaanto/data/employment-areas.csv``, approximate: see ``data/NOTICE.md``).
People are spread by population, and drawn the way the demo draws them
(:func:`kohtaanto.demo.seed.jobseeker_profile`, the demo's employers and vacancies),
so the occupation and skill mix is the demo's, from the shipped ESCO.

Rows go in with PostgreSQL's COPY (asyncpg ``copy_records_to_table``) in the
session's own transaction, jobseekers a chunk at a time so memory stays flat at
any size: no ORM object per row. Nothing is sent to Meilisearch: index afterwards.
"""

from __future__ import annotations

import asyncio
import csv
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Sequence as Sequence_
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.data import DATA_DIR
from kohtaanto.db.models import (
    Employer,
    EmploymentArea,
    EscoSkill,
    Jobseeker,
    JobseekerOccupation,
    JobseekerSkill,
    Municipality,
    Role,
    User,
    Vacancy,
    VacancySkill,
)
from kohtaanto.demo.seed import (
    CLIENTS_PER_COACH,
    CV_TRANSVERSAL_SKILLS,
    FIRST_NAMES,
    OTHER_FIRST_NAMES,
    OTHER_SURNAMES,
    POPULATION_2024,
    SURNAMES,
    _apportion,
    _employers,
    _occupation_pool,
    _vacancies,
    jobseeker_profile,
    occupation_cum_weights,
)
from kohtaanto.domain.places import import_places
from kohtaanto.security import hash_password

Progress = Callable[[str, int, int], None]

AREAS_CSV = DATA_DIR / "employment-areas.csv"
# Accounts of the national dataset; apart from the demo's, so both can share a database.
NATIONAL_DOMAIN = "kansallinen.kohtaanto.fi"
NATIONAL_PASSWORD = "demo"
# Jobseekers generated and written per COPY round: memory stays flat at 350 000.
CHUNK = 20_000
# The national figures: 350 000 jobseekers, 83 000 vacancies, 40 000 employers.
VACANCIES_PER_JOBSEEKER = 83_000 / 350_000
EMPLOYERS_PER_JOBSEEKER = 40_000 / 350_000


@dataclass(frozen=True)
class AreaCentre:
    """An employment area outside Pirkanmaa, placed at its main town."""

    area: str
    code: str  # the main town's municipality code
    name: str
    lat: float
    lon: float
    population: int


def read_area_centres(path: Path = AREAS_CSV) -> list[AreaCentre]:
    """The 42 areas of the shipped file (codes as text with their leading zeros)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            AreaCentre(
                area=row["area"].strip(),
                code=row["centre_code"].strip().zfill(3),
                name=row["centre"].strip(),
                lat=float(row["centre_lat"]),
                lon=float(row["centre_lon"]),
                population=int(row["population"]),
            )
            for row in csv.DictReader(handle)
        ]


async def import_national_places(session: AsyncSession) -> int:
    """Pirkanmaa's places, then one place per employment area for the rest of Finland
    (its sub-region is the area's name, so each area has its own coordinators).

    Idempotent (areas by name, places by code); returns the number of employment
    areas. The caller commits.
    """
    await import_places(session)
    centres = read_area_centres()
    areas = {a.name: a for a in await session.scalars(select(EmploymentArea))}
    for centre in centres:
        if centre.area not in areas:
            areas[centre.area] = EmploymentArea(name=centre.area)
            session.add(areas[centre.area])
    await session.flush()
    existing = {m.code: m for m in await session.scalars(select(Municipality))}
    for centre in centres:
        place = existing.get(centre.code)
        if place is None:
            place = Municipality(code=centre.code)
            session.add(place)
        place.name = centre.name
        place.sub_region = centre.area
        place.area_id = areas[centre.area].id
        place.lat, place.lon = centre.lat, centre.lon
    await session.flush()
    return len(areas)


def national_population() -> dict[str, int]:
    """Municipality code → inhabitants: Pirkanmaa's municipalities, the other areas'
    main towns standing for the whole area."""
    return POPULATION_2024 | {c.code: c.population for c in read_area_centres()}


def scaled_sizes(jobseekers: int) -> tuple[int, int]:
    """(vacancies, employers) in the issue's national proportion to ``jobseekers``."""
    return (
        max(1, round(jobseekers * VACANCIES_PER_JOBSEEKER)),
        max(1, round(jobseekers * EMPLOYERS_PER_JOBSEEKER)),
    )


@dataclass
class NationalReport:
    """What :func:`seed_national` wrote."""

    jobseekers: int = 0
    employers: int = 0
    vacancies: int = 0
    users: int = 0
    coaches: int = 0
    coordinators: int = 0
    jobseeker_skills: int = 0
    vacancy_skills: int = 0
    areas: int = 0
    seconds: float = 0.0
    # Rows written per table.
    rows: dict[str, int] = field(default_factory=dict)


# One COPY: table, column names, records in column order.
_Copy = tuple[Table, Sequence[str], list[tuple[Any, ...]]]


def _records(table: Table, rows: Sequence[dict[str, Any]]) -> _Copy:
    """Dict rows as COPY records. Columns missing from the rows get the model's Python
    default (COPY applies only the database's defaults); lists go in as JSON text."""
    if not rows:
        return table, (), []
    given = rows[0].keys()
    columns: list[str] = []
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.name in given:
            columns.append(column.name)
        elif column.default is not None and not column.primary_key:
            default: Any = column.default
            if getattr(default, "is_sentinel", False):
                continue  # SQLAlchemy's insert sentinel: NULL is what it stores
            columns.append(column.name)
            defaults[column.name] = default.arg if default.is_scalar else default.arg(None)
    json_columns = {
        name for name in columns if isinstance(rows[0].get(name, defaults.get(name)), list)
    }

    def cell(row: dict[str, Any], name: str) -> Any:
        value = row[name] if name in row else defaults[name]
        return json.dumps(value) if name in json_columns else value

    return table, columns, [tuple(cell(r, c) for c in columns) for r in rows]


class _Copier:
    """COPY into the session's connection (and transaction), in the session's schema."""

    def __init__(self, connection: Any, schema: str | None, report: NationalReport) -> None:
        self.connection = connection
        self.schema = schema
        self.report = report

    async def analyze(self, tables: Iterable[str]) -> None:
        """Refresh the planner's statistics of the tables written."""
        for name in tables:
            qualified = f'"{self.schema}"."{name}"' if self.schema else f'"{name}"'
            await self.connection.execute(f"ANALYZE {qualified}")

    async def copy(self, *copies: _Copy) -> None:
        for table, columns, records in copies:
            if not records:
                continue
            key = table.c.get("id")
            if key is not None and isinstance(key.default, Sequence_) and "id" not in columns:
                # Integer keys come from the table's sequence, as the ORM's inserts take
                # them (a schema made by create_all has no DEFAULT nextval on the column).
                name = f"{self.schema}.{key.default.name}" if self.schema else key.default.name
                ids = await self.connection.fetch(
                    "SELECT nextval($1::regclass) FROM generate_series(1, $2)", name, len(records)
                )
                columns = ("id", *columns)
                records = [(i[0], *r) for i, r in zip(ids, records, strict=True)]
            await self.connection.copy_records_to_table(
                table.name, records=records, columns=list(columns), schema_name=self.schema
            )
            self.report.rows[table.name] = self.report.rows.get(table.name, 0) + len(records)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


async def seed_national(
    session: AsyncSession,
    *,
    jobseekers: int = 350_000,
    vacancies: int = 83_000,
    employers: int = 40_000,
    seed: int = 42,
    progress: Progress | None = None,
    now: datetime | None = None,
    chunk: int = CHUNK,
) -> NationalReport:
    """Write a national-size population with COPY; the caller commits.

    Precondition: ESCO imported and :func:`import_national_places` run. Deterministic
    for a given ``seed`` (dates count back from ``now``). Every person has a user
    account (password ``demo``, hashed once). ``progress(step, done, total)`` is
    called after every COPY round.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    report = NationalReport()
    step = progress or (lambda *_: None)

    municipalities = {m.code: m for m in await session.scalars(select(Municipality))}
    population = national_population()
    missing = sorted(set(population) - set(municipalities))
    if missing:
        raise RuntimeError(
            f"seed_national needs the places: run import_national_places (missing {missing})"
        )
    occupations = await _occupation_pool(session, rng)
    if not occupations:
        raise RuntimeError("seed_national needs the ESCO classification: run import_esco first")
    if await session.scalar(
        select(func.count()).select_from(User).where(User.email.like(f"%@{NATIONAL_DOMAIN}"))
    ):
        raise RuntimeError("the database already holds the national dataset")
    transversal = list(
        await session.scalars(
            select(EscoSkill.id)
            .where(EscoSkill.label.in_(CV_TRANSVERSAL_SKILLS))
            .order_by(EscoSkill.id)
        )
    )
    report.areas = len({municipalities[c].area_id for c in population})

    connection = await session.connection()
    # A schema-translated engine (the tests') names the schema; COPY must name it too.
    options = (
        connection.sync_connection.get_execution_options() if connection.sync_connection else {}
    )
    schema = (options.get("schema_translate_map") or {}).get(None)
    raw = (await connection.get_raw_connection()).driver_connection
    copier = _Copier(raw, schema, report)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    password_hash = hash_password(NATIONAL_PASSWORD)

    def user(email: str, name: str, role: Role, **extra: Any) -> dict[str, Any]:
        return {
            "id": new_id(),
            "email": email,
            "password_hash": password_hash,
            "name": name,
            "role": role,
            "employer_id": extra.get("employer_id"),
            "sub_region": extra.get("sub_region"),
            "is_active": True,
            "created_at": now,
            "updated_at": now,
        }

    def finnish_name() -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"

    # Staff: two to four company coordinators per sub-region (each area outside
    # Pirkanmaa is one), a personal coach for about every 130 jobseekers.
    step("staff", 0, 1)
    staff: list[dict[str, Any]] = []
    coordinators: dict[str, list[uuid.UUID]] = {}
    for sub_region in sorted({m.sub_region for m in municipalities.values()}):
        coordinators[sub_region] = []
        for _ in range(rng.randint(2, 4)):
            staff.append(
                user(
                    f"coordinator{len(staff) + 1:03d}@{NATIONAL_DOMAIN}",
                    finnish_name(),
                    Role.COORDINATOR,
                    sub_region=sub_region,
                )
            )
            coordinators[sub_region].append(staff[-1]["id"])
    report.coordinators = len(staff)
    coach_count = max(1, round(jobseekers / CLIENTS_PER_COACH))
    coaches = [
        user(f"coach{n:05d}@{NATIONAL_DOMAIN}", finnish_name(), Role.COACH)
        for n in range(1, coach_count + 1)
    ]
    report.coaches = coach_count
    await copier.copy(_records(_table(User), staff + coaches))
    step("staff", 1, 1)

    # Employers where people live, each with a coordinator of its sub-region, and
    # their vacancies: the demo's generators, with the national population.
    step("employers and vacancies", 0, 3)
    employer_rows, employer_sector = _employers(
        rng, employers, municipalities, coordinators, new_id, now, population=population
    )
    employer_users = [
        user(
            f"employer{n:05d}@{NATIONAL_DOMAIN}",
            finnish_name(),
            Role.EMPLOYER,
            employer_id=e["id"],
        )
        for n, e in enumerate(employer_rows, start=1)
    ]
    await copier.copy(
        _records(_table(Employer), employer_rows), _records(_table(User), employer_users)
    )
    step("employers and vacancies", 1, 3)
    vacancy_rows, vacancy_skill_rows = _vacancies(
        rng, vacancies, employer_rows, employer_sector, occupations, municipalities, new_id, now
    )
    step("employers and vacancies", 2, 3)
    await copier.copy(
        _records(_table(Vacancy), vacancy_rows),
        (
            _table(VacancySkill),
            ("vacancy_id", "skill_id", "essential"),
            [(r["vacancy_id"], r["skill_id"], r["essential"]) for r in vacancy_skill_rows],
        ),
    )
    report.employers, report.vacancies = len(employer_rows), len(vacancy_rows)
    report.vacancy_skills = len(vacancy_skill_rows)
    del vacancy_rows, vacancy_skill_rows
    step("employers and vacancies", 3, 3)

    # Jobseekers by home, in code order so that each coach's caseload is local.
    counts = _apportion(jobseekers, {c: float(p) for c, p in population.items()})
    homes = [municipalities[code].id for code in sorted(counts) for _ in range(counts[code])]
    per_coach = -(-len(homes) // coach_count) if homes else 1
    cum_weights = occupation_cum_weights(occupations)

    def people(start: int, stop: int) -> list[_Copy]:
        """Jobseekers ``start`` to ``stop`` with their accounts, occupations and skills."""
        users: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        wanted_links: list[tuple[Any, ...]] = []
        skill_links: list[tuple[Any, ...]] = []
        for index in range(start, stop):
            jobseeker_id = new_id()
            other_tongue = rng.random() < 0.12
            if other_tongue:
                name = f"{rng.choice(OTHER_FIRST_NAMES)} {rng.choice(OTHER_SURNAMES)}"
            else:
                name = finnish_name()
            users.append(user(f"jobseeker{index:06d}@{NATIONAL_DOMAIN}", name, Role.JOBSEEKER))
            profile, wanted, skills = jobseeker_profile(
                rng, occupations, cum_weights, transversal, other_tongue, now
            )
            rows.append(
                {
                    "id": jobseeker_id,
                    "user_id": users[-1]["id"],
                    "coach_id": coaches[min(index // per_coach, coach_count - 1)]["id"],
                    "municipality_id": homes[index],
                    **profile,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            wanted_links += [(jobseeker_id, o.id) for o in wanted]
            skill_links += [(jobseeker_id, s) for s in skills]
        return [
            _records(_table(User), users),
            _records(_table(Jobseeker), rows),
            (_table(JobseekerOccupation), ("jobseeker_id", "occupation_id"), wanted_links),
            (_table(JobseekerSkill), ("jobseeker_id", "skill_id"), skill_links),
        ]

    # A pipeline: the next chunk is drawn in a thread while PostgreSQL takes in the
    # last one (two cores: one generates, one loads). Chunks are drawn in order, one
    # at a time, so the result does not depend on timing.
    step("jobseekers", 0, len(homes))
    writing: asyncio.Task[None] | None = None
    try:
        for start in range(0, len(homes), chunk):
            copies = await asyncio.to_thread(people, start, min(start + chunk, len(homes)))
            if writing is not None:
                await writing
                step("jobseekers", report.rows.get(_table(Jobseeker).name, 0), len(homes))
            writing = asyncio.create_task(copier.copy(*copies))
        if writing is not None:
            await writing
    except BaseException:
        if writing is not None:
            writing.cancel()
        raise
    report.jobseekers = report.rows.get(_table(Jobseeker).name, 0)
    report.jobseeker_skills = report.rows.get(_table(JobseekerSkill).name, 0)
    step("jobseekers", report.jobseekers, len(homes))
    report.users = report.rows.get(_table(User).name, 0)
    # Planner statistics now, not when autovacuum gets round to it: without them
    # PostgreSQL reads a shortlist's candidates' skills by scanning every link row
    # (150 ms instead of 15 at 30 000 people). ANALYZE counts this transaction's rows.
    step("statistics", 0, 1)
    await copier.analyze(report.rows)
    step("statistics", 1, 1)
    report.seconds = time.perf_counter() - started
    return report
