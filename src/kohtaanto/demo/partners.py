"""The demo's Pirkanmaa partner catalogue: vocational colleges and adult education,
career guidance, competence mapping, work-ability services, Kela, rehabilitative work
activity in every one of the 23 municipalities, language courses, NGOs and staffing
firms. Invented but believable; imported through the same path as a CSV/JSON file
(``catalogue.import_rows``), with the ESCO skills each training or competence
mapping covers taken from the essential skills of its field's occupations."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EscoOccupation,
    EscoSkill,
    Municipality,
    OccupationSkill,
    PartnerService,
)

# Fields of study: ISCO unit groups whose occupations' essential skills a field's
# training or competence mapping covers.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "care": ("sosiaali- ja terveysala", ("5321", "5322", "5311", "3412")),
    "sales": ("kauppa ja asiakaspalvelu", ("5223", "5230", "5244", "4222")),
    "construction": ("rakennusala", ("7112", "7115", "7119", "9313", "7131")),
    "electrical": ("sähkö- ja automaatioala", ("7411", "7126")),
    "ict": ("tieto- ja viestintätekniikka", ("3512", "2512")),
    "logistics": ("logistiikka", ("8322", "8332", "9333", "4321", "8344")),
    "cleaning": ("puhtaus- ja kiinteistöala", ("9112", "9111", "5151", "9622")),
    "restaurant": ("ravintola- ja catering-ala", ("5120", "5131", "9412", "5246")),
    "manufacturing": ("kone- ja tuotantotekniikka", ("7223", "7212", "7233", "8211", "9329")),
    "office": ("liiketoiminta ja toimisto", ("4110", "4311", "3313")),
}

# (source id, name, kind, municipality code, website)
ORGANISATIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("tredu", "Tredu - Tampereen seudun ammattiopisto", "education", "837", "https://tredu.fi"),
    ("sasky", "Sasky koulutuskuntayhtymä", "education", "790", "https://sasky.fi"),
    ("takk", "Tampereen aikuiskoulutuskeskus TAKK", "education", "837", "https://takk.fi"),
    ("valkeakoski-opisto", "Valkeakosken opisto", "education", "908", ""),
    ("sampola", "Tampereen seudun työväenopisto", "education", "837", ""),
    ("ohjaamo", "Ohjaamo Tampere", "guidance", "837", ""),
    (
        "uraohjaus",
        "Tampereen seudun työllisyysalue: ammatinvalinta- ja uraohjaus",
        "guidance",
        "837",
        "",
    ),
    ("pirha", "Pirkanmaan hyvinvointialue", "health", "837", "https://pirha.fi"),
    ("kela", "Kela", "kela", "837", "https://kela.fi"),
    ("setlementti", "Setlementti Tampere ry", "ngo", "837", ""),
    ("mielenterveysseura", "Tampereen seudun Mielenterveysseura ry", "ngo", "837", ""),
    ("ylojarvi-paja", "Ylöjärven työpaja ry", "ngo", "980", ""),
    ("ylapirkanmaa-paja", "Ylä-Pirkanmaan työpajayhdistys ry", "ngo", "508", ""),
    ("pirkan-henkilosto", "Pirkan Henkilöstöpalvelut Oy", "staffing", "837", ""),
    ("staffia", "Staffia Pirkanmaa Oy", "staffing", "908", ""),
    ("kumppanuustalo", "Kumppanuustalo Artteli", "project", "837", ""),
)

# Where each college works, and which fields in each place.
COLLEGE_UNITS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "tredu",
        "837",
        "Sammonkatu 2, 33540 Tampere",
        ("care", "sales", "ict", "restaurant", "office"),
    ),
    (
        "tredu",
        "837",
        "Hervannan valtaväylä 5, 33710 Tampere",
        ("construction", "electrical", "manufacturing", "logistics"),
    ),
    ("tredu", "536", "Välikatu 17, 37100 Nokia", ("care", "cleaning")),
    ("tredu", "908", "Koulukatu 3, 37600 Valkeakoski", ("manufacturing", "care", "logistics")),
    ("tredu", "562", "Koulukatu 6, 35300 Orivesi", ("restaurant", "cleaning")),
    ("tredu", "936", "Virtaintie 28, 34800 Virrat", ("care", "construction")),
    ("tredu", "211", "Ammattikoulunkatu 1, 36200 Kangasala", ("logistics", "sales")),
    ("sasky", "790", "Ratakatu 12, 38200 Sastamala", ("care", "manufacturing", "restaurant")),
    (
        "sasky",
        "108",
        "Sasky Hämeenkyrö, Härkikuja 2, 39100 Hämeenkyrö",
        ("construction", "cleaning"),
    ),
    ("sasky", "143", "Kauppatie 1, 39500 Ikaalinen", ("care", "sales")),
    ("sasky", "581", "Parkanontie 50, 39700 Parkano", ("manufacturing", "logistics")),
    (
        "takk",
        "837",
        "Hepolamminkatu 10, 33720 Tampere",
        ("ict", "office", "construction", "electrical", "logistics"),
    ),
    ("takk", "536", "Pirkkalaistie 1, 37100 Nokia", ("manufacturing", "cleaning")),
)

FIELD_LABELS_EN: dict[str, str] = {
    "care": "social and health care",
    "sales": "retail and customer service",
    "construction": "construction",
    "electrical": "electrical and automation",
    "ict": "ICT",
    "logistics": "logistics",
    "cleaning": "cleaning and property services",
    "restaurant": "restaurant and catering",
    "manufacturing": "mechanical engineering and production",
    "office": "business and office work",
}

LANGUAGE_PLACES = ("837", "536", "980", "908", "211", "790", "604", "418", "020", "508")


async def _field_skills(session: AsyncSession) -> dict[str, tuple[list[str], list[str]]]:
    """Per field: (occupation uris, essential skill uris) of its ISCO groups."""
    codes = {code for _, groups in FIELDS.values() for code in groups}
    occupations = (
        await session.execute(
            select(
                EscoOccupation.id,
                EscoOccupation.uri,
                EscoOccupation.isco_code,
                EscoOccupation.label,
            )
            .where(EscoOccupation.isco_code.in_(codes))
            .order_by(EscoOccupation.uri)
        )
    ).all()
    by_group: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for id_, uri, isco, label in occupations:
        by_group[isco].append((id_, uri, label))
    skills: dict[int, list[str]] = defaultdict(list)
    ids = [o[0] for o in occupations]
    if ids:
        rows = await session.execute(
            select(OccupationSkill.occupation_id, EscoSkill.uri)
            .join(EscoSkill, EscoSkill.id == OccupationSkill.skill_id)
            .where(OccupationSkill.occupation_id.in_(ids), OccupationSkill.essential.is_(True))
        )
        for occupation_id, uri in rows.tuples():
            skills[occupation_id].append(uri)
    result: dict[str, tuple[list[str], list[str]]] = {}
    for field, (_, groups) in FIELDS.items():
        occ_uris: list[str] = []
        skill_uris: list[str] = []
        for code in groups:
            # The common occupations of the group (short generic titles), as the demo's
            # jobseekers and vacancies use them.
            members = sorted(by_group.get(code, []), key=lambda o: (len(o[2].split()), o[2]))[:8]
            for id_, uri, _ in members:
                occ_uris.append(uri)
                skill_uris.extend(skills.get(id_, []))
        result[field] = (occ_uris, sorted(set(skill_uris)))
    return result


def _row(org: str, source_id: str, **fields: Any) -> dict[str, Any]:
    return {"organisation_source_id": org, "source_id": source_id, **fields}


async def catalogue_rows(session: AsyncSession) -> list[dict[str, Any]]:
    """The catalogue as import rows (the format of ``kohtaanto import-partners``)."""
    places = {m.code: m for m in await session.scalars(select(Municipality))}
    skills = await _field_skills(session)
    org_fields = {
        key: {
            "organisation_name": name,
            "organisation_kind": kind,
            "organisation_municipality_code": code,
            "organisation_website": website or None,
        }
        for key, name, kind, code, website in ORGANISATIONS
    }
    rows: list[dict[str, Any]] = []

    def add(org: str, source_id: str, **fields: Any) -> None:
        rows.append({**org_fields[org], **_row(org, source_id, **fields)})

    for org, code, address, fields in COLLEGE_UNITS:
        town = places[code].name
        email = f"ohjaus.{code}@{org}.example.fi"
        for field in fields:
            fi, _ = FIELDS[field]
            occ_uris, skill_uris = skills[field]
            add(
                org,
                f"{org}-{code}-{field}-mapping",
                name=f"Osaamiskartoitus: {fi} ({town})",
                description=(
                    f"1-5 päivän osaamiskartoitus alalle {fi}: mitä osaat jo, mitä tutkinnon "
                    f"osia voit tunnustaa ja mitä kannattaa opiskella. Competence mapping "
                    f"(1-5 days) in {FIELD_LABELS_EN[field]}: what you already know, what can "
                    "be recognised, what to study next."
                ),
                types=["assessment"],
                themes=[
                    "choose-a-job--competence-mapping",
                    "choose-a-job--recognition-of-prior-learning",
                ],
                audiences=["jobseekers", "no_qualification"],
                access_conditions=["referral_needed", "registered_jobseeker"],
                reception_modes=["in_person"],
                referral_methods=["kohtaanto"],
                municipality_code=code,
                address=address,
                area_codes=[],
                contact_email=email,
                contact_phone="+358 40 1234 567",
                opening_hours="ma-pe 8-16",
                hours_per_week=25,
                weeks=1,
                fee="free",
                skill_uris=skill_uris,
                occupation_uris=occ_uris,
            )
            add(
                org,
                f"{org}-{code}-{field}-training",
                name=f"Ammatillinen tutkinto, {fi} - työvoimakoulutus ({town})",
                description=(
                    f"Tutkintoon johtava koulutus alalla {fi}, yksilöllinen opintopolku ja "
                    f"työpaikalla oppiminen. Vocational qualification in {FIELD_LABELS_EN[field]}: "
                    "an individual study path with learning at work."
                ),
                types=["training"],
                themes=["training--vocational-qualification"],
                audiences=["jobseekers", "no_qualification", "long_term_unemployed"],
                access_conditions=["referral_needed"],
                reception_modes=["in_person"],
                referral_methods=["kohtaanto"],
                municipality_code=code,
                address=address,
                area_codes=[],
                contact_email=email,
                hours_per_week=30,
                weeks=40,
                fee="free",
                skill_uris=skill_uris,
                occupation_uris=occ_uris,
            )
    for code in LANGUAGE_PLACES:
        town = places[code].name
        org = (
            "sampola"
            if code in ("837", "604", "418")
            else "valkeakoski-opisto"
            if code == "908"
            else "takk"
        )
        add(
            org,
            f"lang-{code}-finnish",
            name=f"Suomea työelämään, A1-B1 ({town})",
            description=(
                "Suomen kielen kurssi aikuisille maahanmuuttajille: työelämän sanasto, "
                "asiointi, työnhaku. Finnish for working life, levels A1-B1."
            ),
            types=["training"],
            themes=["training--language"],
            audiences=["immigrants"],
            access_conditions=["registered_jobseeker"],
            reception_modes=["in_person", "remote"],
            referral_methods=["kohtaanto", "self"],
            municipality_code=code,
            area_codes=[],
            contact_email=f"kurssit.{code}@{org}.example.fi",
            hours_per_week=20,
            weeks=16,
            fee="free",
        )
    for code in ("837", "908", "790", "508"):
        town = places[code].name
        add(
            "takk"
            if code == "837"
            else "sasky"
            if code == "790"
            else "valkeakoski-opisto"
            if code == "908"
            else "ylapirkanmaa-paja",
            f"digi-{code}",
            name=f"Digitaidot työnhakuun ({town})",
            description=(
                "Sähköinen asiointi, työnhakuprofiili, CV ja videohaastattelu. "
                "Digital skills for job search: online services, CV, video interviews."
            ),
            types=["workshop"],
            themes=["training--digital-skills", "find-a-job--job-search"],
            audiences=["jobseekers", "over_55"],
            access_conditions=["none"],
            reception_modes=["in_person"],
            referral_methods=["kohtaanto", "self"],
            municipality_code=code,
            contact_email=f"digi.{code}@example.fi",
            hours_per_week=6,
            weeks=4,
            fee="free",
        )
    # Rehabilitative work activity: the wellbeing services county, in every municipality.
    for code, place in sorted(places.items()):
        add(
            "pirha",
            f"pirha-rehab-{code}",
            name=f"Kuntouttava työtoiminta, {place.name}",
            description=(
                "Työtoimintaa 1-4 päivänä viikossa omassa kunnassa, tukena ohjaaja ja "
                "sosiaalityö. Rehabilitative work activity 1-4 days a week, with a supervisor."
            ),
            types=["work_activity"],
            themes=["social--rehabilitative-work", "health--work-ability"],
            audiences=["long_term_unemployed"],
            access_conditions=["referral_needed", "unemployment_over_12_months"],
            reception_modes=["in_person"],
            referral_methods=["kohtaanto"],
            municipality_code=code,
            area_codes=[code],
            contact_email=f"kuntouttava.{code}@pirha.example.fi",
            hours_per_week=12,
            weeks=26,
            fee="free",
        )
    for code in ("837", "908", "790", "508", "936"):
        town = places[code].name
        add(
            "pirha",
            f"pirha-workability-{code}",
            name=f"Työkykykoordinaattori ja työkyvyn arviointi ({town})",
            description=(
                "Työkyvyn selvittäminen, hoitoon ja kuntoutukseen ohjaus, tuki etuusasioissa. "
                "Work-ability coordinator: assessment, care and rehabilitation, benefits."
            ),
            types=["assessment", "guidance"],
            themes=["health--work-ability"],
            audiences=["reduced_work_ability", "long_term_unemployed"],
            access_conditions=["referral_needed"],
            reception_modes=["in_person", "phone"],
            referral_methods=["kohtaanto"],
            municipality_code=code,
            contact_email=f"tyokyky.{code}@pirha.example.fi",
            fee="free",
        )
    for code in ("837", "536", "908", "790", "508", "581"):
        town = places[code].name
        add(
            "kela",
            f"kela-rehab-{code}",
            name=f"Kelan ammatillinen kuntoutus ja työhönvalmennus ({town})",
            description=(
                "Ammatillinen kuntoutusselvitys ja työhönvalmennus, kun sairaus tai vamma "
                "uhkaa työkykyä. Kela's vocational rehabilitation and job coaching."
            ),
            types=["coaching", "financial_aid"],
            themes=["health--work-ability", "money--benefits"],
            audiences=["reduced_work_ability"],
            access_conditions=["none"],
            reception_modes=["in_person", "phone", "remote"],
            referral_methods=["self", "phone"],
            municipality_code=code,
            contact_phone="020 692 205",
            fee="free",
        )
    add(
        "ohjaamo",
        "ohjaamo-guidance",
        name="Ohjaamo: ohjaus ja uravalmennus alle 30-vuotiaille",
        description=(
            "Matalan kynnyksen ohjaus: opiskelu, työ, asuminen, raha-asiat. "
            "Low-threshold guidance for under-30s: study, work, housing, money."
        ),
        types=["guidance", "coaching"],
        themes=["choose-a-job--career-guidance", "find-a-job--job-search"],
        audiences=["young"],
        access_conditions=["none"],
        reception_modes=["in_person", "remote", "phone"],
        referral_methods=["kohtaanto", "self"],
        municipality_code="837",
        address="Puutarhakatu 10, 33210 Tampere",
        contact_email="ohjaamo@tampere.example.fi",
        fee="free",
    )
    for code in ("837", "908", "790"):
        add(
            "uraohjaus",
            f"uraohjaus-{code}",
            name=f"Ammatinvalinta- ja uraohjaus ({places[code].name})",
            description=(
                "Psykologin ohjauskeskustelut ammatin ja koulutuksen valintaan. "
                "Career guidance by a psychologist: choosing an occupation or training."
            ),
            types=["guidance"],
            themes=["choose-a-job--career-guidance"],
            audiences=["jobseekers"],
            access_conditions=["registered_jobseeker"],
            reception_modes=["in_person", "remote"],
            referral_methods=["kohtaanto"],
            municipality_code=code,
            contact_email=f"uraohjaus.{code}@tyollisyys.example.fi",
            hours_per_week=1,
            weeks=6,
            fee="free",
        )
    ngo = (
        (
            "setlementti",
            "837",
            "Työvalmennus ja työkokeilu, Setlementti",
            ["coaching", "placement"],
            ["find-a-job--work-trial"],
        ),
        (
            "mielenterveysseura",
            "837",
            "Vertaistukiryhmä työttömille",
            ["peer_support"],
            ["health--mental-health"],
        ),
        (
            "ylojarvi-paja",
            "980",
            "Nuorten työpaja, Ylöjärvi",
            ["workshop", "coaching"],
            ["find-a-job--work-trial"],
        ),
        (
            "ylapirkanmaa-paja",
            "508",
            "Työpaja Mänttä-Vilppula",
            ["workshop", "coaching"],
            ["find-a-job--work-trial"],
        ),
        ("ylapirkanmaa-paja", "702", "Työpaja Ruovesi", ["workshop"], ["find-a-job--work-trial"]),
        (
            "kumppanuustalo",
            "837",
            "Vapaaehtoistyö ja osallisuus, Artteli",
            ["peer_support"],
            ["social"],
        ),
    )
    for org, code, name, types, themes in ngo:
        add(
            org,
            f"{org}-{code}-{types[0]}",
            name=name,
            description=(
                "Järjestön palvelu työnhakijoille. A service of an association for jobseekers."
            ),
            types=types,
            themes=themes,
            audiences=["young"] if "Nuorten" in name else ["jobseekers", "long_term_unemployed"],
            access_conditions=["none"],
            reception_modes=["in_person"],
            referral_methods=["kohtaanto", "self"],
            municipality_code=code,
            contact_email=f"{org}@example.fi",
            fee="free",
        )
    for org, code in (
        ("pirkan-henkilosto", "837"),
        ("staffia", "908"),
        ("pirkan-henkilosto", "536"),
    ):
        add(
            org,
            f"{org}-{code}",
            name=f"Henkilöstövuokraus ja rekrytointi ({places[code].name})",
            description=(
                "Keikka- ja vakituisia töitä logistiikassa, teollisuudessa ja siivouksessa. "
                "Staffing: temporary and permanent jobs in logistics, industry and cleaning."
            ),
            types=["placement"],
            themes=["find-a-job--staffing"],
            audiences=["jobseekers"],
            access_conditions=["none"],
            reception_modes=["in_person", "remote"],
            referral_methods=["kohtaanto", "self"],
            municipality_code=code,
            contact_email=f"rekry.{code}@{org}.example.fi",
            fee="free",
            occupation_uris=skills["logistics"][0][:5],
        )
    return rows


async def seed_partners(session: AsyncSession, *, password_hash: str, email: str) -> int:
    """Import the catalogue and make the named partner user (a Tredu worker); returns
    the number of services."""
    from kohtaanto.db.models import PartnerOrganisation, Role, User
    from kohtaanto.domain.partners.catalogue import import_rows

    report = await import_rows(session, await catalogue_rows(session))
    tredu = await session.scalar(
        select(PartnerOrganisation).where(PartnerOrganisation.source_id == "tredu")
    )
    assert tredu is not None
    import uuid

    session.add(
        User(
            # Deterministic, as every seeded row's id (the same seed gives the same rows).
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"kohtaanto-demo:{email}"),
            email=email,
            password_hash=password_hash,
            name="Demo Partner (Tredu)",
            role=Role.PARTNER,
            partner_organisation_id=tredu.id,
        )
    )
    await session.flush()
    return report.services_created + report.services_updated


# The demo's referrals: their share of clients, and how they end (weights).
REFERRAL_SHARE = 0.08
OUTCOMES: tuple[tuple[str, float], ...] = (
    ("awaiting_consent", 0.05),
    ("sent", 0.10),
    ("accepted", 0.12),
    ("refused", 0.10),
    ("started", 0.15),
    ("completed", 0.33),
    ("dropped_out", 0.07),
    ("expired", 0.05),
    ("cancelled", 0.03),
)
_PATH = {
    "awaiting_consent": [],
    "sent": ["sent"],
    "accepted": ["sent", "accepted"],
    "refused": ["sent", "refused"],
    "started": ["sent", "accepted", "started"],
    "completed": ["sent", "accepted", "started", "completed"],
    "dropped_out": ["sent", "accepted", "started", "dropped_out"],
    "expired": ["sent", "expired"],
    "cancelled": ["cancelled"],
}


async def seed_referrals(session: AsyncSession, *, seed: int, now: Any, coach_email: str) -> int:
    """Referrals of a share of the coaches' clients to services near them, in every state,
    sent over the last half year; the named demo coach's first clients have one in each
    state. Returns how many."""
    import random
    import uuid
    from datetime import timedelta

    from sqlalchemy import insert

    from kohtaanto.db.models import Jobseeker, Referral, ReferralEvent, ReferralStatus, User

    rng = random.Random(seed + 1)
    services = list(
        (
            await session.execute(
                select(
                    PartnerService.id,
                    PartnerService.municipality_id,
                    PartnerService.referral_methods,
                    PartnerService.area_codes,
                )
            )
        ).all()
    )
    referable = [
        (sid, mid, areas) for sid, mid, methods, areas in services if "kohtaanto" in methods
    ]
    if not referable:
        return 0
    codes = {m.id: m.code for m in await session.scalars(select(Municipality))}
    by_place: dict[int | None, list[Any]] = defaultdict(list)
    for sid, mid, areas in referable:
        by_place[mid].append((sid, areas))
    demo_coach = await session.scalar(select(User.id).where(User.email == coach_email))
    people = (
        await session.execute(
            select(Jobseeker.id, Jobseeker.coach_id, Jobseeker.municipality_id, User.name)
            .join(User, User.id == Jobseeker.user_id)
            .where(Jobseeker.coach_id.is_not(None))
            .order_by(Jobseeker.id)
        )
    ).all()
    mine = [p for p in people if p[1] == demo_coach][: len(OUTCOMES)]
    chosen = [(p, status) for p, (status, _) in zip(mine, OUTCOMES, strict=False)]
    others = [p for p in people if p[1] != demo_coach]
    for person in rng.sample(others, int(len(others) * REFERRAL_SHARE)):
        status = rng.choices([s for s, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        chosen.append((person, status))
    tampere_services = [s for s in referable if codes.get(s[1]) == "837"]
    referral_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    for (person_id, coach_id, place_id, name), status in chosen:
        local = [
            sid
            for sid, areas in by_place.get(place_id, [])
            if not areas or codes.get(place_id) in areas
        ]
        pool = local or [sid for sid, _, areas in tampere_services if not areas]
        if not pool:
            continue
        service_id = rng.choice(pool)
        path = _PATH[status]
        # Far enough back that every later step (at most 9 days each, 14 to expire)
        # is in the past: a referral is never answered tomorrow.
        room = sum(14 if step == "expired" else 9 for step in path)
        created = now - timedelta(days=rng.randint(2, 180) + room, hours=rng.randint(0, 23))
        at = created
        referral_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        events: list[tuple[str | None, str, str, Any]] = [
            (None, "awaiting_consent", "coach", created)
        ]
        previous = "awaiting_consent"
        times: dict[str, Any] = {}
        for step in path:
            at = at + timedelta(days=rng.randint(1, 9) if step != "expired" else 14)
            events.append(
                (
                    previous,
                    step,
                    "client"
                    if step in ("sent", "cancelled")
                    else "system"
                    if step == "expired"
                    else "link",
                    at,
                )
            )
            times[step] = at
            previous = step
        open_ = status in ("sent", "accepted", "started")
        sent_at = times.get("sent")
        referral_rows.append(
            {
                "id": referral_id,
                "jobseeker_id": person_id,
                "service_id": service_id,
                "coach_id": coach_id,
                "status": ReferralStatus(status),
                "message": "",
                "requested_items": ["name", "contact", "education", "skills"],
                "consented_items": ["name", "contact"] if sent_at else [],
                "shared": {"name": name} if open_ else {},
                "consented_at": sent_at,
                "sent_at": sent_at,
                "expires_at": sent_at + timedelta(days=14) if sent_at else None,
                "answered_at": at
                if status not in ("awaiting_consent", "sent", "expired", "cancelled")
                else None,
                "start_date": (times["accepted"] + timedelta(days=rng.randint(3, 20))).date()
                if "accepted" in times
                else None,
                "reason": rng.choice(["full", "not_eligible", "not_suitable"])
                if status == "refused"
                else rng.choice(["found_work", "health", "client_stopped"])
                if status == "dropped_out"
                else None,
                "created_at": created,
                "updated_at": at,
            }
        )
        for from_status, to_status, via, when in events:
            event_rows.append(
                {
                    "referral_id": referral_id,
                    "from_status": ReferralStatus(from_status) if from_status else None,
                    "to_status": ReferralStatus(to_status),
                    "via": via,
                    "actor_id": coach_id if via == "coach" else None,
                    "at": when,
                }
            )
    for start in range(0, len(referral_rows), 2000):
        await session.execute(insert(Referral), referral_rows[start : start + 2000])
    for start in range(0, len(event_rows), 5000):
        await session.execute(insert(ReferralEvent), event_rows[start : start + 5000])
    return len(referral_rows)
