"""Pirkanmaa demo data: jobseekers, coaches, coordinators, employers and open vacancies.

Everything is generated from one random seed, so two runs with the same seed and
the same ESCO import give the same rows (timestamps follow ``now``). The shape
follows the Pirkanmaa pilot: about 30 000 jobseekers of whom about 19 000 live in
Tampere, a personal coach (OMA-valmentaja) for about every 130 of them, two to
four company coordinators (yrityskoordinaattorit) per sub-region, and vacancies
in the occupations that employ most people: care, sales, construction, ICT,
logistics, cleaning, restaurants and manufacturing.

Rows are written with SQLAlchemy core inserts in batches; nothing is sent to
Meilisearch or Redis — index and train afterwards.
"""

from __future__ import annotations

import itertools
import math
import random
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EducationLevel,
    Employer,
    EmployerKind,
    EscoOccupation,
    EscoSkill,
    Jobseeker,
    JobseekerOccupation,
    JobseekerSkill,
    Municipality,
    OccupationSkill,
    Role,
    User,
    Vacancy,
    VacancySkill,
    VacancyStatus,
)
from kohtaanto.demo.service_paths import SPECIALIST_EMAIL, seed_service_paths
from kohtaanto.domain.business_id import make_business_id
from kohtaanto.domain.places import TAMPERE_CODE, place_name
from kohtaanto.security import hash_password

Progress = Callable[[str, int, int], None]

DEMO_DOMAIN = "demo.kohtaanto.fi"
DEMO_PASSWORD = "demo"
# The named accounts for trying each role, as (role, e-mail); password ``demo``.
DEMO_USERS: tuple[tuple[str, str], ...] = tuple(
    (role, f"{role}@{DEMO_DOMAIN}")
    for role in (
        "employer",
        "coordinator",
        "coach",
        "jobseeker",
        "manager",
        "admin",
        "specialist",
        "partner",
    )
)

# At full scale (30 000 jobseekers) about 19 000 live in Tampere.
TAMPERE_SHARE = 19_000 / 30_000
CLIENTS_PER_COACH = 130

# Approximate populations at the end of 2024, by municipality code; they spread the
# jobseekers outside Tampere and the employers.
POPULATION_2024: dict[str, int] = {
    "020": 16_400,  # Akaa
    "108": 10_300,  # Hämeenkyrö
    "143": 6_800,  # Ikaalinen
    "177": 1_800,  # Juupajoki
    "211": 33_800,  # Kangasala
    "250": 1_700,  # Kihniö
    "291": 2_100,  # Kuhmoinen
    "418": 25_000,  # Lempäälä
    "508": 9_400,  # Mänttä-Vilppula
    "536": 35_700,  # Nokia
    "562": 8_900,  # Orivesi
    "581": 6_100,  # Parkano
    "604": 20_600,  # Pirkkala
    "619": 2_700,  # Punkalaidun
    "635": 6_400,  # Pälkäne
    "702": 4_000,  # Ruovesi
    "790": 23_600,  # Sastamala
    TAMPERE_CODE: 260_000,
    "887": 4_600,  # Urjala
    "908": 21_000,  # Valkeakoski
    "922": 4_500,  # Vesilahti
    "936": 6_400,  # Virrat
    "980": 34_000,  # Ylöjärvi
}

# ISCO-08 unit groups the demo's vacancies and jobseekers come from: (code, relative
# weight ≈ share of open vacancies, sector word used in employer names).
OCCUPATION_GROUPS: tuple[tuple[str, float, str], ...] = (
    # care and social services
    ("5321", 10, "Hoiva"),
    ("5322", 6, "Kotihoito"),
    ("2221", 6, "Terveys"),
    ("5311", 3, "Päiväkoti"),
    ("2635", 2, "Sosiaalipalvelu"),
    ("3412", 2, "Tukipalvelu"),
    ("3255", 1, "Kuntoutus"),
    # sales and customer service
    ("5223", 9, "Kauppa"),
    ("5230", 3, "Market"),
    ("5244", 2, "Asiakaspalvelu"),
    ("4222", 2, "Palvelukeskus"),
    ("3322", 3, "Myynti"),
    ("2431", 1.5, "Markkinointi"),
    # construction
    ("7112", 1.5, "Rakennus"),
    ("7115", 3, "Puurakenne"),
    ("7119", 1.5, "Rakennuspalvelu"),
    ("7126", 2, "LVI"),
    ("7411", 3, "Sähkö"),
    ("7131", 1.5, "Maalaus"),
    ("9313", 3, "Rakennustyö"),
    # ICT
    ("2512", 4, "Ohjelmisto"),
    ("2511", 2, "Data"),
    ("3512", 2, "IT-tuki"),
    # logistics
    ("8322", 2, "Kuljetus"),
    ("8332", 3, "Rahti"),
    ("9333", 2, "Logistiikka"),
    ("4321", 2, "Varasto"),
    ("8344", 2, "Terminaali"),
    ("4412", 1, "Jakelu"),
    # cleaning and property services
    ("9112", 6, "Siivous"),
    ("9111", 1, "Kotisiivous"),
    ("5151", 1, "Kiinteistöpalvelu"),
    ("9622", 1.5, "Huoltomies"),
    # restaurants
    ("5120", 4, "Ravintola"),
    ("5131", 3, "Bistro"),
    ("9412", 2.5, "Keittiö"),
    ("5246", 2, "Pikaruoka"),
    ("3434", 1.5, "Gastro"),
    # manufacturing
    ("7223", 3, "Konepaja"),
    ("7212", 3, "Hitsaus"),
    ("7233", 2, "Konehuolto"),
    ("8211", 2, "Kokoonpano"),
    ("9329", 2, "Tehdas"),
    ("8160", 1.5, "Elintarvike"),
    ("7231", 2, "Autohuolto"),
    ("8121", 1, "Metalli"),
    ("7543", 1, "Laatu"),
    ("9321", 1, "Pakkaus"),
    # office, education, security, green, hair
    ("4110", 2, "Toimisto"),
    ("4311", 1, "Laskutus"),
    ("3313", 1.5, "Tilitoimisto"),
    ("2411", 1.5, "Talous"),
    ("2341", 1.5, "Koulu"),
    ("2342", 2, "Varhaiskasvatus"),
    ("5312", 2, "Koulunkäynti"),
    ("5414", 2, "Vartiointi"),
    ("6113", 1, "Viher"),
    ("9214", 1, "Puutarha"),
    ("5141", 1, "Kampaamo"),
)
OCCUPATIONS_PER_GROUP = 8

# ISCO unit group → (Finnish titles, Swedish title, English title or None). Demo vacancies
# are mostly Finnish, some Swedish (bilingual employers), some English (ICT, marketing).
VACANCY_TITLES: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "5321": (("Lähihoitaja", "Hoiva-avustaja"), "Närvårdare", None),
    "5322": (("Kotihoidon lähihoitaja", "Kotihoitaja"), "Hemvårdare", None),
    "2221": (("Sairaanhoitaja", "Terveydenhoitaja"), "Sjukskötare", "Registered Nurse"),
    "5311": (("Lastenhoitaja", "Varhaiskasvatuksen lastenhoitaja"), "Barnskötare", None),
    "2635": (("Sosiaaliohjaaja", "Sosiaalityöntekijä"), "Socialhandledare", None),
    "3412": (("Sosiaalialan ohjaaja", "Asumisen ohjaaja"), "Handledare", None),
    "3255": (("Kuntohoitaja", "Fysioterapia-avustaja"), "Rehabiliteringsassistent", None),
    "5223": (("Myyjä", "Myymälätyöntekijä"), "Försäljare", None),
    "5230": (("Kassamyyjä", "Kassatyöntekijä"), "Kassapersonal", None),
    "5244": (("Asiakaspalvelija", "Puhelinmyyjä"), "Kundtjänstmedarbetare", None),
    "4222": (("Asiakasneuvoja", "Asiakaspalvelusihteeri"), "Kundrådgivare", None),
    "3322": (("Myyntiedustaja", "Myyntineuvottelija"), "Försäljare", "Sales Representative"),
    "2431": (("Markkinointisuunnittelija",), "Marknadsförare", "Marketing Coordinator"),
    "7112": (("Muurari", "Laatoittaja"), "Murare", None),
    "7115": (("Kirvesmies", "Rakennuspuuseppä"), "Timmerman", None),
    "7119": (("Rakennusmies", "Rakennustyöntekijä"), "Byggarbetare", None),
    "7126": (("Putkiasentaja", "LVI-asentaja"), "VVS-montör", None),
    "7411": (("Sähköasentaja", "Rakennussähköasentaja"), "Elmontör", None),
    "7131": (("Maalari", "Rakennusmaalari"), "Målare", None),
    "9313": (("Rakennusapumies", "Rakennustyöntekijä"), "Byggnadsarbetare", None),
    "2512": (
        ("Ohjelmistokehittäjä", "Sovelluskehittäjä"),
        "Programutvecklare",
        "Software Developer",
    ),
    "2511": (("Järjestelmäasiantuntija", "Data-analyytikko"), "Systemanalytiker", "Data Engineer"),
    "3512": (("IT-tukihenkilö", "Lähitukihenkilö"), "IT-stödperson", "IT Support Specialist"),
    "8322": (("Kuljettaja", "Pakettiauton kuljettaja"), "Chaufför", None),
    "8332": (
        ("Kuorma-autonkuljettaja", "Yhdistelmäajoneuvon kuljettaja"),
        "Lastbilschaufför",
        None,
    ),
    "9333": (("Varastotyöntekijä", "Lastaaja"), "Lagerarbetare", None),
    "4321": (("Varastonhoitaja", "Varastosihteeri"), "Lagerskötare", None),
    "8344": (("Trukinkuljettaja", "Trukkikuski"), "Truckförare", None),
    "4412": (("Postinjakaja", "Lehdenjakaja"), "Brevbärare", None),
    "9112": (("Siivooja", "Toimitilahuoltaja"), "Städare", None),
    "9111": (("Kotisiivooja",), "Hemstädare", None),
    "5151": (("Siivoustyönjohtaja", "Palveluesimies"), "Städförman", None),
    "9622": (("Kiinteistönhoitaja", "Huoltomies"), "Fastighetsskötare", None),
    "5120": (("Kokki", "Ravintolakokki"), "Kock", "Cook"),
    "5131": (("Tarjoilija", "Ravintolatyöntekijä"), "Servitör", None),
    "9412": (("Keittiöapulainen", "Tiskaaja"), "Köksbiträde", None),
    "5246": (("Pikaruokatyöntekijä", "Kahvilatyöntekijä"), "Restaurangarbetare", None),
    "3434": (("Keittiöpäällikkö", "Vuoropäällikkö"), "Köksmästare", None),
    "7223": (("Koneistaja", "CNC-koneistaja"), "Maskinställare", None),
    "7212": (("Hitsaaja", "Levyseppähitsaaja"), "Svetsare", "Welder"),
    "7233": (("Huoltoasentaja", "Teollisuusasentaja"), "Servicemontör", None),
    "8211": (("Kokoonpanija", "Kokoonpanotyöntekijä"), "Montör", None),
    "9329": (("Tuotantotyöntekijä", "Teollisuustyöntekijä"), "Produktionsarbetare", None),
    "8160": (("Elintarviketyöntekijä", "Leipomotyöntekijä"), "Livsmedelsarbetare", None),
    "7231": (("Automekaanikko", "Ajoneuvoasentaja"), "Bilmekaniker", None),
    "8121": (("Prosessinhoitaja", "Metallityöntekijä"), "Processoperatör", None),
    "7543": (("Laaduntarkastaja", "Laatutarkastaja"), "Kvalitetskontrollant", None),
    "9321": (("Pakkaaja", "Pakkaustyöntekijä"), "Packare", None),
    "4110": (("Toimistosihteeri", "Toimistotyöntekijä"), "Kontorsassistent", None),
    "4311": (("Laskuttaja", "Reskontranhoitaja"), "Faktureringsassistent", None),
    "3313": (("Kirjanpitäjä", "Palkanlaskija"), "Bokförare", None),
    "2411": (("Controller", "Taloushallinnon asiantuntija"), "Ekonom", "Financial Controller"),
    "2341": (("Luokanopettaja",), "Klasslärare", None),
    "2342": (("Varhaiskasvatuksen opettaja",), "Lärare inom småbarnspedagogik", None),
    "5312": (("Koulunkäynninohjaaja", "Koulunkäyntiavustaja"), "Skolgångsbiträde", None),
    "5414": (("Vartija", "Järjestyksenvalvoja"), "Väktare", None),
    "6113": (("Puutarhuri", "Viherrakentaja"), "Trädgårdsmästare", None),
    "9214": (("Puutarhatyöntekijä", "Viheralueiden hoitaja"), "Trädgårdsarbetare", None),
    "5141": (("Parturi-kampaaja", "Kampaaja"), "Frisör", None),
}

# Transversal skills a person lists beside their occupation's own: ESCO's transversal
# group is mostly languages ("Catalan", "understand spoken Bihari"), which belong in
# the languages field, and health matters, which are not skills; these are the ones a
# CV would name.
CV_TRANSVERSAL_SKILLS = (
    "work in teams", "work independently", "manage time", "attend to detail",
    "solve problems", "adapt to change", "show empathy", "ensure customer orientation",
    "apply hygiene standards", "cope with stress", "work efficiently",
    "use communication and collaboration software", "conduct web searches",
    "instruct others", "demonstrate willingness to learn", "meet commitments",
    "show initiative", "think critically", "report facts", "move objects",
    "respect confidentiality obligations", "comply with regulations",
    "operate digital hardware", "carry out calculations", "resolve conflicts",
    "motivate others", "make decisions", "organise information, objects and resources",
    "adjust to physical demands",
)  # fmt: skip
_LANGUAGE_LABEL = re.compile(
    r"^(understand (spoken|written)|write|interact verbally in|read) [A-Z]"
)
_LANGUAGE_DESCRIPTION = re.compile(r"^The\b.{0,60}\blanguages?\b")


def is_language_skill(label: str, description: str, reuse_level: str) -> bool:
    """Whether an ESCO skill is a natural language ("Greek", "write Chinese",
    "understand spoken Bihari"): languages are a profile field of their own."""
    if _LANGUAGE_LABEL.match(label.strip()):
        return True
    return reuse_level == "transversal" and bool(_LANGUAGE_DESCRIPTION.match(description.strip()))


# Full-time monthly pay (EUR) by ISCO major group, roughly Finnish medians.
PAY_BY_MAJOR_GROUP = {
    "1": 5500,
    "2": 4300,
    "3": 3500,
    "4": 2900,
    "5": 2650,
    "6": 2600,
    "7": 3200,
    "8": 3100,
    "9": 2400,
}

# Mother tongues other than Finnish and Swedish common among Pirkanmaa jobseekers.
OTHER_LANGUAGES = ("ru", "ar", "so", "et", "uk", "fa", "ku", "vi", "th", "tr")

FIRST_NAMES = (
    "Aino", "Eino", "Emma", "Elias", "Helmi", "Juha", "Kaisa", "Lauri", "Leena", "Markku",
    "Matti", "Minna", "Mikko", "Niina", "Olli", "Pekka", "Pirjo", "Riikka", "Sami", "Sanna",
    "Satu", "Tapio", "Teemu", "Tiina", "Timo", "Tuula", "Ville", "Veera", "Anne", "Jari",
    "Johanna", "Kari", "Heidi", "Antti", "Marja", "Onni", "Aada", "Leo", "Iida", "Eetu",
)  # fmt: skip
SURNAMES = (
    "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen",
    "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen",
    "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen",
    "Rantanen", "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen",
)  # fmt: skip
OTHER_FIRST_NAMES = (
    "Ahmed", "Fatima", "Olga", "Hodan", "Dmitri", "Mariam", "Hassan", "Svetlana", "Ali",
    "Amina", "Oksana", "Mohamed", "Reza", "Leyla", "Thanh", "Aleksei", "Kadri", "Zahra",
)  # fmt: skip
OTHER_SURNAMES = (
    "Ahmed", "Ivanova", "Hassan", "Mohamud", "Petrov", "Ali", "Nguyen", "Tamm", "Hosseini",
    "Kovalenko", "Yilmaz", "Abdi", "Smirnov", "Rahimi", "Karimi", "Saar",
)  # fmt: skip
EMPLOYER_PREFIXES = (
    "Pirkan", "Näsin", "Tammer", "Hämeen", "Pyynikin", "Kalevan", "Hervannan", "Sorin",
    "Nekalan", "Linnan", "Kosken", "Härmälän", "Viinikan", "Pispalan", "Lielahden",
    "Järvi", "Harju", "Sisä-Suomen", "Keskustan", "Ratinan",
)  # fmt: skip
EMPLOYER_FORMS = ("Oy", "Oy", "Oy", "Ky", "Oyj", "Osuuskunta")


@dataclass
class DemoReport:
    """What :func:`seed_demo` wrote, and the named accounts for the README."""

    jobseekers: int = 0
    coaches: int = 0
    coordinators: int = 0
    employers: int = 0
    employer_users: int = 0
    vacancies: int = 0
    occupations_used: int = 0
    jobseeker_skills: int = 0
    vacancy_skills: int = 0
    users: int = 0
    # The demo coach's service-path rows (kohtaanto.demo.service_paths), by kind.
    service_paths: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    password: str = DEMO_PASSWORD
    # role → e-mail of the named demo user of that role; all use ``password``.
    demo_users: dict[str, str] = field(default_factory=dict)


@dataclass
class _Occupation:
    id: int
    label: str
    alt_labels: list[str]
    isco_code: str
    description: str
    weight: float
    group: str
    essential: list[int] = field(default_factory=list)
    optional: list[int] = field(default_factory=list)


class _Writer:
    """Batched core inserts with progress reporting."""

    # Bind parameters per statement stay under asyncpg's 32 767 even if rendered as
    # one multi-row VALUES.
    MAX_PARAMS = 30_000

    def __init__(self, session: AsyncSession, progress: Progress | None) -> None:
        self.session = session
        self.progress = progress

    async def insert(self, step: str, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        target: Table = table.__table__
        size = max(1, self.MAX_PARAMS // len(rows[0]))
        for start in range(0, len(rows), size):
            await self.session.execute(target.insert(), list(rows[start : start + size]))
            if self.progress is not None:
                self.progress(step, min(start + size, len(rows)), len(rows))


def _apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split ``total`` over the keys proportionally (largest remainder), deterministically."""
    weight_sum = sum(weights.values())
    exact = {k: total * w / weight_sum for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    by_remainder = sorted(weights, key=lambda k: (counts[k] - exact[k], k))
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _sample(rng: random.Random, items: Sequence[int], low: int, high: int) -> list[int]:
    return rng.sample(items, min(len(items), rng.randint(low, high)))


async def seed_demo(
    session: AsyncSession,
    *,
    jobseekers: int = 30000,
    employers: int = 2000,
    vacancies: int = 3000,
    seed: int = 42,
    progress: Callable[[str, int, int], None] | None = None,
    now: datetime | None = None,
) -> DemoReport:
    """Fill an empty database with Pirkanmaa demo data; the caller commits.

    Precondition: ESCO (:func:`kohtaanto.domain.esco.import_esco`) and the places
    (:func:`kohtaanto.domain.places.import_places`) are imported. Deterministic for a
    given ``seed``; dates count back from ``now`` (default: the current time).
    ``progress(step, done, total)`` is called after every batch written.

    Every person has a user account; all demo accounts share one password hash
    (password ``demo``), hashed once. Named accounts for trying the roles are
    returned in ``DemoReport.demo_users``.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    writer = _Writer(session, progress)
    report = DemoReport()

    municipalities = {m.code: m for m in await session.scalars(select(Municipality))}
    if TAMPERE_CODE not in municipalities:
        raise RuntimeError("seed_demo needs the municipalities: run import_places first")
    occupations = await _occupation_pool(session, rng)
    if not occupations:
        raise RuntimeError("seed_demo needs the ESCO classification: run import_esco first")
    taken = await session.scalar(
        select(func.count()).select_from(User).where(User.email.like(f"%@{DEMO_DOMAIN}"))
    )
    if taken:
        raise RuntimeError("the database already holds demo data")
    transversal = list(
        await session.scalars(
            select(EscoSkill.id)
            .where(EscoSkill.label.in_(CV_TRANSVERSAL_SKILLS))
            .order_by(EscoSkill.id)
        )
    )
    report.occupations_used = len(occupations)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    password_hash = hash_password(DEMO_PASSWORD)
    users: list[dict[str, Any]] = []

    def add_user(email: str, name: str, role: Role, **extra: Any) -> uuid.UUID:
        user_id = new_id()
        users.append(
            {
                "id": user_id,
                "email": email,
                "password_hash": password_hash,
                "name": name,
                "role": role,
                "employer_id": extra.get("employer_id"),
                "sub_region": extra.get("sub_region"),
                "webhook_url": None,
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            }
        )
        return user_id

    def finnish_name() -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"

    # Staff: the admin, company coordinators per sub-region, coaches.
    add_user(f"admin@{DEMO_DOMAIN}", "Demo Admin", Role.ADMIN)
    report.demo_users["admin"] = f"admin@{DEMO_DOMAIN}"
    add_user(f"manager@{DEMO_DOMAIN}", "Demo Manager", Role.MANAGER)
    report.demo_users["manager"] = f"manager@{DEMO_DOMAIN}"
    sub_regions = sorted({m.sub_region for m in municipalities.values()})
    coordinators: dict[str, list[uuid.UUID]] = {}
    for sub_region in sub_regions:
        count = 4 if sub_region == "Tampere" else rng.randint(2, 4)
        coordinators[sub_region] = []
        for _ in range(count):
            number = sum(len(c) for c in coordinators.values()) + 1
            email = f"coordinator{number:02d}@{DEMO_DOMAIN}"
            if sub_region == "Tampere" and not coordinators[sub_region]:
                email = f"coordinator@{DEMO_DOMAIN}"
                report.demo_users["coordinator"] = email
            coordinators[sub_region].append(
                add_user(email, finnish_name(), Role.COORDINATOR, sub_region=sub_region)
            )
    report.coordinators = sum(len(c) for c in coordinators.values())

    coach_count = max(1, round(jobseekers / CLIENTS_PER_COACH))
    coaches = []
    for number in range(1, coach_count + 1):
        email = f"coach@{DEMO_DOMAIN}" if number == 1 else f"coach{number:03d}@{DEMO_DOMAIN}"
        coaches.append(add_user(email, finnish_name(), Role.COACH))
    report.demo_users["coach"] = f"coach@{DEMO_DOMAIN}"
    report.coaches = coach_count

    # Employers, spread by population, each with a coordinator of its sub-region.
    employer_rows, employer_sector = _employers(
        rng, employers, municipalities, coordinators, new_id, now
    )
    report.employers = len(employer_rows)
    employer_users: list[uuid.UUID] = []
    for number, employer in enumerate(employer_rows, start=1):
        email = f"employer@{DEMO_DOMAIN}" if number == 1 else f"employer{number:04d}@{DEMO_DOMAIN}"
        employer_users.append(
            add_user(email, finnish_name(), Role.EMPLOYER, employer_id=employer["id"])
        )
    report.demo_users["employer"] = f"employer@{DEMO_DOMAIN}"
    report.employer_users = len(employer_users)

    # Vacancies.
    vacancy_rows, vacancy_skill_rows = _vacancies(
        rng, vacancies, employer_rows, employer_sector, occupations, municipalities, new_id, now
    )
    report.vacancies, report.vacancy_skills = len(vacancy_rows), len(vacancy_skill_rows)

    # Jobseekers, grouped by municipality so that each coach's caseload is local.
    counts = {TAMPERE_CODE: round(jobseekers * TAMPERE_SHARE)}
    counts.update(
        _apportion(
            jobseekers - counts[TAMPERE_CODE],
            {c: p for c, p in POPULATION_2024.items() if c != TAMPERE_CODE and c in municipalities},
        )
    )
    homes = [
        code
        for code in sorted(counts, key=lambda c: (c != TAMPERE_CODE, c))
        for _ in range(counts[code])
    ]
    per_coach = math.ceil(len(homes) / coach_count) if homes else 1
    cum_weights = occupation_cum_weights(occupations)
    jobseeker_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    skill_rows: list[dict[str, Any]] = []
    for index, code in enumerate(homes):
        jobseeker_id = new_id()
        other_tongue = rng.random() < 0.12
        if other_tongue:
            name = f"{rng.choice(OTHER_FIRST_NAMES)} {rng.choice(OTHER_SURNAMES)}"
        else:
            name = finnish_name()
        if index == 0:
            email = f"jobseeker@{DEMO_DOMAIN}"
            report.demo_users["jobseeker"] = email
        else:
            email = f"jobseeker{index:05d}@{DEMO_DOMAIN}"
        user_id = add_user(email, name, Role.JOBSEEKER)

        profile, wanted, skills = jobseeker_profile(
            rng, occupations, cum_weights, transversal, other_tongue, now, named=index == 0
        )
        jobseeker_rows.append(
            {
                "id": jobseeker_id,
                "user_id": user_id,
                "coach_id": coaches[min(index // per_coach, coach_count - 1)],
                "municipality_id": municipalities[code].id,
                **profile,
                "created_at": now,
                "updated_at": now,
            }
        )
        link_rows += [{"jobseeker_id": jobseeker_id, "occupation_id": o.id} for o in wanted]
        skill_rows += [{"jobseeker_id": jobseeker_id, "skill_id": s} for s in skills]
    report.jobseekers, report.jobseeker_skills = len(jobseeker_rows), len(skill_rows)

    # Foreign-key order: employers point at their coordinator and employer users at
    # their employer, so staff go first, then employers, then everyone else.
    staff = [u for u in users if u["employer_id"] is None and u["role"] != Role.JOBSEEKER]
    others = [u for u in users if u["employer_id"] is not None or u["role"] == Role.JOBSEEKER]
    await writer.insert("users", User, staff)
    await writer.insert("employers", Employer, employer_rows)
    await writer.insert("users", User, others)
    await writer.insert("vacancies", Vacancy, vacancy_rows)
    await writer.insert("vacancy skills", VacancySkill, vacancy_skill_rows)
    await writer.insert("jobseekers", Jobseeker, jobseeker_rows)
    await writer.insert("jobseeker occupations", JobseekerOccupation, link_rows)
    await writer.insert("jobseeker skills", JobseekerSkill, skill_rows)
    report.users = len(users)
    if coaches:
        report.service_paths = await seed_service_paths(session, coaches[0], seed=seed, now=now)
        report.demo_users["specialist"] = SPECIALIST_EMAIL
    # The partner services catalogue and the named partner user (kohtaanto.demo.partners).
    from kohtaanto.demo.partners import seed_partners, seed_referrals

    await seed_partners(session, password_hash=password_hash, email=f"partner@{DEMO_DOMAIN}")
    await seed_referrals(session, seed=seed, now=now, coach_email=f"coach@{DEMO_DOMAIN}")
    report.demo_users["partner"] = f"partner@{DEMO_DOMAIN}"
    report.users += 1
    # A past recruitment event with outcomes and an upcoming one with open slots.
    from kohtaanto.demo.events import seed_events

    await seed_events(session, rng, now, f"coordinator@{DEMO_DOMAIN}")
    report.seconds = time.perf_counter() - started
    return report


async def _occupation_pool(session: AsyncSession, rng: random.Random) -> list[_Occupation]:
    """A few hundred ESCO occupations from common ISCO groups, weighted towards the
    groups with many vacancies and, within a group, towards short generic titles
    ("cook" rather than "fish cook")."""
    group_weight = {code: weight for code, weight, _ in OCCUPATION_GROUPS}
    rows = (
        await session.execute(
            select(
                EscoOccupation.id,
                EscoOccupation.label,
                EscoOccupation.alt_labels,
                EscoOccupation.isco_code,
                EscoOccupation.description,
            )
            .where(EscoOccupation.isco_code.in_(group_weight))
            .order_by(EscoOccupation.uri)
        )
    ).all()
    by_id: dict[int, _Occupation] = {}
    for id_, label, alt_labels, isco_code, description in rows:
        by_id[id_] = _Occupation(
            id_, label.strip(), list(alt_labels or []), isco_code, description, 0.0, isco_code
        )
    relations = await session.execute(
        select(
            OccupationSkill.occupation_id,
            OccupationSkill.skill_id,
            OccupationSkill.essential,
            EscoSkill.label,
            EscoSkill.description,
            EscoSkill.reuse_level,
        )
        .join(EscoSkill, EscoSkill.id == OccupationSkill.skill_id)
        .where(OccupationSkill.occupation_id.in_(list(by_id)))
        .order_by(OccupationSkill.occupation_id, OccupationSkill.skill_id)
    )
    for occupation_id, skill_id, essential, label, description, reuse in relations.tuples():
        if is_language_skill(label, description or "", reuse or ""):
            continue  # a language is asked for in the vacancy's languages, not as a skill
        target = by_id[occupation_id]
        (target.essential if essential else target.optional).append(skill_id)

    groups: dict[str, list[_Occupation]] = defaultdict(list)
    for occupation in by_id.values():
        if len(occupation.essential) >= 4:
            groups[occupation.isco_code].append(occupation)
    pool: list[_Occupation] = []
    for code in sorted(groups):
        members = sorted(groups[code], key=lambda o: (len(o.label.split()), o.label))
        members = members[:OCCUPATIONS_PER_GROUP]
        shape = [1 / len(o.label.split()) ** 2 for o in members]
        for occupation, share in zip(members, shape, strict=True):
            occupation.weight = group_weight[code] * share / sum(shape) * rng.uniform(0.7, 1.3)
            pool.append(occupation)
    return pool


def _employers(
    rng: random.Random,
    count: int,
    municipalities: dict[str, Municipality],
    coordinators: dict[str, list[uuid.UUID]],
    new_id: Callable[[], uuid.UUID],
    now: datetime,
    population: dict[str, int] = POPULATION_2024,
) -> tuple[list[dict[str, Any]], dict[uuid.UUID, str]]:
    codes = [c for c in sorted(population) if c in municipalities]
    places = rng.choices(codes, weights=[population[c] for c in codes], k=count)
    if places:
        places[0] = TAMPERE_CODE  # the named demo employer is in Tampere
    used_ids: set[str] = set()
    used_names: set[str] = set()
    sectors = [code for code, _, _ in OCCUPATION_GROUPS]
    sector_weights = [weight for _, weight, _ in OCCUPATION_GROUPS]
    sector_words = {code: word for code, _, word in OCCUPATION_GROUPS}
    rows: list[dict[str, Any]] = []
    sector_of: dict[uuid.UUID, str] = {}
    for code in places:
        business_id = None
        while business_id is None or business_id in used_ids:
            business_id = make_business_id(rng.randint(1_000_000, 3_399_999))
        used_ids.add(business_id)
        sector = rng.choices(sectors, weights=sector_weights)[0]
        municipality = municipalities[code]
        for attempt in range(10):
            prefix = rng.choice(EMPLOYER_PREFIXES)
            name = f"{prefix} {sector_words[sector]} {rng.choice(EMPLOYER_FORMS)}"
            if attempt > 5:
                name = f"{municipality.name} {name}"
            if name not in used_names:
                break
        used_names.add(name)
        team = coordinators[municipality.sub_region]
        employer_id = new_id()
        rows.append(
            {
                "id": employer_id,
                "business_id": business_id,
                "name": name,
                "municipality_id": municipality.id,
                # The named coordinator (first of Tampere) looks after the named employer.
                "coordinator_id": team[0] if not rows else rng.choice(team),
                # A few associations and foundations (yhdistykset, säätiöt) among the firms.
                "kind": EmployerKind.ASSOCIATION
                if rows and rng.random() < 0.06
                else EmployerKind.BUSINESS,
                "created_at": now,
                "updated_at": now,
            }
        )
        sector_of[employer_id] = sector
    return rows, sector_of


def _vacancies(
    rng: random.Random,
    count: int,
    employers: list[dict[str, Any]],
    employer_sector: dict[uuid.UUID, str],
    occupations: list[_Occupation],
    municipalities: dict[str, Municipality],
    new_id: Callable[[], uuid.UUID],
    now: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if not employers:
        return [], []
    names = {m.id: m.name for m in municipalities.values()}
    in_group: dict[str, list[_Occupation]] = defaultdict(list)
    for occupation in occupations:
        in_group[occupation.group].append(occupation)
    weights = [o.weight for o in occupations]
    # A few employers post many vacancies, most post one or two.
    employer_weights = [rng.lognormvariate(0, 0.9) for _ in employers]
    # Summed once: tens of thousands of employers (the national dataset) would otherwise
    # be summed again for every vacancy. The draws are the same as with weights=.
    employer_cum = list(itertools.accumulate(employer_weights))
    vacancy_rows: list[dict[str, Any]] = []
    skill_rows: list[dict[str, Any]] = []
    for index in range(count):
        # The named demo employer gets the first few vacancies.
        employer = (
            employers[0] if index < 5 else rng.choices(employers, cum_weights=employer_cum)[0]
        )
        sector = in_group.get(employer_sector[employer["id"]])
        if sector and rng.random() < 0.75:
            occupation = rng.choices(sector, weights=[o.weight for o in sector])[0]
        else:
            occupation = rng.choices(occupations, weights=weights)[0]
        hours = rng.choices(
            (20, 24, 25, 30, 32, 35, 37, 38, 40), weights=(6, 4, 5, 10, 5, 8, 30, 22, 10)
        )[0]
        base = PAY_BY_MAJOR_GROUP.get(occupation.isco_code[0], 2800)
        pay = None
        if rng.random() < 0.85:
            pay = int(round(base * rng.uniform(0.88, 1.15) * min(hours, 37.5) / 37.5 / 50) * 50)
        languages = ["fi"] if rng.random() < 0.97 else []
        if rng.random() < 0.25 or not languages:
            languages.append("en")
        if rng.random() < 0.03:
            languages.append("sv")
        municipality_name = names[employer["municipality_id"]]
        start = None if rng.random() < 0.2 else now.date() + timedelta(days=rng.randint(7, 60))
        english = VACANCY_TITLES[occupation.group][2]
        if "sv" in languages or rng.random() < 0.04:
            tongue = "sv"
        elif english and (rng.random() < 0.3 or "fi" not in languages):
            tongue = "en"
        else:
            tongue = "fi"
        if tongue == "sv" and "sv" not in languages:
            languages.append("sv")
        title = _title(rng, occupation, hours, tongue)
        vacancy_id = new_id()
        vacancy_rows.append(
            {
                "id": vacancy_id,
                "employer_id": employer["id"],
                "title": title,
                "description": _description(
                    rng, tongue, employer["name"], title, municipality_name, hours, start
                ),
                "occupation_id": occupation.id,
                "municipality_id": employer["municipality_id"],
                "hours_per_week": hours,
                "start_date": start,
                "monthly_pay_eur": pay,
                "languages": languages,
                "status": VacancyStatus.OPEN,
                "open_to_wage_subsidy": rng.random() < 0.40,
                "open_to_work_trial": rng.random() < 0.25,
                "open_to_apprenticeship": rng.random() < 0.20,
                "published_at": now - timedelta(minutes=rng.randint(0, 60 * 24 * 60)),
                "created_at": now,
                "updated_at": now,
            }
        )
        essential = _sample(rng, occupation.essential, 4, 10)
        optional = _sample(rng, occupation.optional, 2, 6)
        skill_rows += [
            {"vacancy_id": vacancy_id, "skill_id": s, "essential": True} for s in essential
        ]
        skill_rows += [
            {"vacancy_id": vacancy_id, "skill_id": s, "essential": False} for s in optional
        ]
    return vacancy_rows, skill_rows


_SUFFIXES = {
    "fi": (", osa-aikainen", (", vakituinen", ", määräaikainen", " (kesätyö)", ", iltavuorot")),
    "sv": (", deltid", (", fast anställning", ", visstid", " (sommarjobb)", ", kvällsskift")),
    "en": (", part-time", (", permanent", ", fixed-term", " (summer)", ", evening shifts")),
}
_OFFERS = {
    "fi": (
        "Tarjoamme mukavan työyhteisön, hyvän perehdytyksen ja mahdollisuuden kehittyä.",
        "Tarjoamme koeajan jälkeen vakituisen työsuhteen ja joustavat työvuorot.",
        "Arvostamme motivaatiota enemmän kuin kokemusta: koulutamme oikean henkilön.",
        "Kerro meille itsestäsi, niin olemme yhteydessä.",
    ),
    "sv": (
        "Vi erbjuder en trevlig arbetsgemenskap, en bra introduktion och möjlighet att utvecklas.",
        "Vi erbjuder fast anställning efter prövotiden och flexibla arbetsturer.",
        "Vi värdesätter motivation mer än erfarenhet: vi utbildar rätt person.",
        "Berätta om dig själv så hör vi av oss.",
    ),
    "en": (
        "We offer a friendly team, induction and a chance to grow with us.",
        "We offer a permanent position after a trial period and flexible shifts.",
        "We value motivation over experience: we will train the right person.",
        "Tell us about yourself and we will get in touch.",
    ),
}


def _title(rng: random.Random, occupation: _Occupation, hours: int, tongue: str) -> str:
    """A job title as a Finnish employer would write it, in ``tongue`` (fi, sv or en)."""
    finnish, swedish, english = VACANCY_TITLES[occupation.group]
    title = {"fi": rng.choice(finnish), "sv": swedish, "en": english or finnish[0]}[tongue]
    part_time, others = _SUFFIXES[tongue]
    if hours < 30:
        title += part_time
    elif rng.random() < 0.1:
        title += rng.choice(others)
    return title[:255]


def _description(
    rng: random.Random,
    tongue: str,
    employer: str,
    title: str,
    municipality: str,
    hours: int,
    start: date | None,
) -> str:
    """A short advertisement text in the vacancy's language (no inflected place names:
    Finnish would need the locative case, so the municipality stands on its own)."""
    offer = rng.choice(_OFFERS[tongue])
    when = start.strftime("%d.%m.%Y") if start else None
    if tongue == "fi":
        begins = f"Työ alkaa {when}." if when else "Aloitus sopimuksen mukaan."
        return (
            f"{employer} hakee joukkoonsa uutta työntekijää tehtävään: {title}.\n\n"
            f"Työaika on {hours} tuntia viikossa, ja työpaikka sijaitsee kunnassa "
            f"{municipality}. {begins}\n\n{offer}"
        )
    if tongue == "sv":
        begins = f"Arbetet börjar {when}." if when else "Start enligt överenskommelse."
        return (
            f"{employer} söker en ny medarbetare till uppgiften: {title}.\n\n"
            f"Arbetstiden är {hours} timmar i veckan och arbetsplatsen finns i "
            f"{place_name(municipality, 'sv')}. {begins}\n\n{offer}"
        )
    begins = f"The job starts on {when}." if when else "Start date by agreement."
    return (
        f"{employer} is hiring in {municipality}: {title}, {hours} hours a week. "
        f"{begins}\n\n{offer}"
    )


def occupation_cum_weights(occupations: Sequence[_Occupation]) -> list[float]:
    """Cumulative weights for ``rng.choices(occupations, cum_weights=...)``: the same draws
    as ``weights=`` without summing the weights again for every person."""
    return list(itertools.accumulate(o.weight for o in occupations))


def jobseeker_profile(
    rng: random.Random,
    occupations: Sequence[_Occupation],
    cum_weights: Sequence[float],
    transversal: list[int],
    other_tongue: bool,
    now: datetime,
    *,
    named: bool = False,
) -> tuple[dict[str, Any], list[_Occupation], list[int]]:
    """One person's profile columns (all but ids, home, coach and timestamps), the
    occupations they look for and their skills; the demo and the national dataset
    (``kohtaanto.demo.national``) draw people the same way. ``named``: the demo's named
    jobseeker, always visible and available."""
    wanted = rng.choices(occupations, cum_weights=cum_weights, k=1)
    if rng.random() < 0.4:
        second = rng.choices(occupations, cum_weights=cum_weights, k=1)[0]
        if second.id != wanted[0].id:
            wanted.append(second)
    skills = _jobseeker_skills(rng, wanted, transversal)
    languages = _jobseeker_languages(rng, other_tongue)
    hours_min = rng.choices((0, 20, 25, 30, 37), weights=(35, 20, 10, 15, 20))[0]
    hours_max = max(hours_min, rng.choices((30, 37, 40), weights=(15, 45, 40))[0])
    profile = {
        "max_travel_km": rng.choices(
            (5, 10, 15, 20, 30, 40, 50, 60, 80), weights=(5, 10, 12, 15, 20, 14, 10, 8, 6)
        )[0],
        "languages": languages,
        "education": _education(rng, wanted[0].isco_code[0]),
        "unemployed_since": now.date()
        - timedelta(days=min(4 * 365, int(rng.expovariate(1 / 420)))),
        "reduced_work_ability": rng.random() < 0.08,
        "integration_plan": other_tongue and rng.random() < 0.55,
        "birth_year": rng.randint(1960, 2007),
        "min_hours_per_week": hours_min,
        "max_hours_per_week": hours_max,
        "visible_to_employers": named or rng.random() < 0.85,
        "available": named or rng.random() < 0.95,
        "last_active_at": now - timedelta(minutes=rng.randint(0, 60 * 24 * 120)),
    }
    return profile, wanted, skills


def _jobseeker_skills(
    rng: random.Random, wanted: list[_Occupation], transversal: list[int]
) -> list[int]:
    essential = sorted({s for o in wanted for s in o.essential})
    optional = sorted({s for o in wanted for s in o.optional} - set(essential))
    total = rng.randint(8, 25)
    from_essential = min(len(essential), round(total * rng.uniform(0.45, 0.8)))
    chosen = rng.sample(essential, from_essential)
    chosen += rng.sample(optional, min(len(optional), total - from_essential))
    if transversal:
        chosen += rng.sample(transversal, min(len(transversal), rng.randint(1, 3)))
    return list(dict.fromkeys(chosen))


def _jobseeker_languages(rng: random.Random, other_tongue: bool) -> list[str]:
    if other_tongue:
        languages = [rng.choice(OTHER_LANGUAGES)]
        if rng.random() < 0.3:
            languages.insert(0, "fi")
        if rng.random() < 0.55:
            languages.append("en")
        return languages
    languages = ["fi"]
    if rng.random() < 0.47:
        languages.append("en")
    if rng.random() < 0.08:
        languages.append("sv")
    return languages


_EDUCATION = list(EducationLevel)
# Basic, upper secondary, bachelor, master, doctorate by ISCO major group.
_EDUCATION_WEIGHTS = {
    "2": (2, 15, 43, 35, 5),
    "3": (5, 45, 40, 10, 0),
}
_EDUCATION_DEFAULT = (30, 56, 11, 3, 0)


def _education(rng: random.Random, major_group: str) -> EducationLevel:
    weights = _EDUCATION_WEIGHTS.get(major_group, _EDUCATION_DEFAULT)
    return rng.choices(_EDUCATION, weights=weights)[0]
