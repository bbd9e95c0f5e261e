"""The demo coach's service-path work (issue 10): a believable caseload for
``coach@demo.kohtaanto.fi`` — most clients assessed (some due for review), plans
with activities in every status, job-search obligations and reported applications
(some behind), meetings this week (some today), specialists in a few teams with the
client's consent — and the Tampere region's service rhythm as area data.

Called from :func:`kohtaanto.demo.seed.seed_demo` after the people are written;
deterministic for a seed, dates counted from ``now``.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kohtaanto.db.models import (
    EducationLevel,
    EmploymentArea,
    JobApplication,
    Jobseeker,
    Meeting,
    PlanActivity,
    PlanEvent,
    Role,
    ServiceAssessment,
    ServicePlan,
    ServiceRules,
    TeamMember,
    User,
)
from kohtaanto.domain.service_paths.rules import HELSINKI

SPECIALIST_EMAIL = "specialist@demo.kohtaanto.fi"
_AREAS = {
    "competence": ("Ammattitutkinto ja kokemusta", "Osaaminen vastaa hakemaansa alaa"),
    "work_history": ("Useita lyhyitä työsuhteita", "Työhistoria katkonainen, viimeksi kaupassa"),
    "life_situation": ("Pienet lapset", "Tarvitsee päivävuoroja"),
    "language": ("Suomi sujuu", "Suomen kieli B1, vahvistettava"),
    "digital_skills": ("Osaan käyttää verkkopalveluja", "Tarvitsee tukea CV:n laatimisessa"),
    "mobility": ("Ei autoa", "Julkisilla Tampereen keskustaan"),
    "goals": ("Haluan vakituisen työn", "Työllistyminen omalle alalle puolen vuoden sisällä"),
}
_WORK_ABILITY = ("Selkä kipeytyy raskaassa työssä", "Työkykyarvio tarpeen, kevyempi työ")
_ACTIVITIES = [
    ("job_search", "Hae neljää työpaikkaa kuukaudessa"),
    ("competence_mapping", "Osaamiskartoitus Tredussa"),
    ("training", "Hygieniapassi"),
    ("training", "Työturvallisuuskortti"),
    ("work_trial", "Työkokeilu kaupan alalla"),
    ("wage_subsidy", "Palkkatuettu työ yhdistyksessä"),
    ("apprenticeship", "Oppisopimus lähihoitajaksi"),
    ("rehabilitative_work", "Kuntouttava työtoiminta"),
    ("own_activity", "Suomen kielen verkkokurssi"),
    ("own_activity", "CV:n päivitys"),
]
_APPLIED = [
    ("Myyjä", "Kauppa Oy"),
    ("Varastotyöntekijä", "Logistiikka Pirkanmaa Oy"),
    ("Siivooja", "Puhtaus Oy"),
    ("Kokki", "Ravintola Näsinneula"),
    ("Lähihoitaja", "Hoivakoti Koivu"),
    ("Asiakaspalvelija", "Palvelukeskus Oy"),
]


def _id(rng: random.Random) -> uuid.UUID:
    """Deterministic keys: the same seed gives the same rows."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


async def seed_service_paths(
    session: AsyncSession,
    coach_id: uuid.UUID,
    *,
    seed: int = 42,
    now: datetime | None = None,
) -> dict[str, int]:
    """Write the demo coach's assessments, plans, applications, meetings and teams;
    returns how many of each. The caller commits."""
    rng = random.Random(seed + 10)
    now = now or datetime.now(UTC)
    today = now.astimezone(HELSINKI).date()
    counts = {"assessments": 0, "plans": 0, "activities": 0, "applications": 0, "meetings": 0}
    counts["team_members"] = 0

    area = await session.scalar(select(EmploymentArea).where(EmploymentArea.name.like("Tampere%")))
    ruled = area is not None and await session.scalar(
        select(ServiceRules.id).where(ServiceRules.area_id == area.id)
    )
    if area is not None and not ruled:
        session.add(
            ServiceRules(
                area_id=area.id,
                initial_assessment_working_days=5,
                assessment_review_weeks=12,
                applications_per_month=4,
                study_place_age_limit=25,
                study_places_per_month=2,
                source="Tampereen seudun työllisyysalue, palvelumalli 2025 (demo)",
            )
        )
    specialists = []
    for email, name in (
        (SPECIALIST_EMAIL, "Tiina Työkyky"),
        ("psykologi@demo.kohtaanto.fi", "Pekka Psykologi"),
        ("opinto-ohjaaja@demo.kohtaanto.fi", "Olga Opinto"),
    ):
        # A deterministic id, as every seeded row (the same seed gives the same rows).
        user = User(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"kohtaanto-demo:{email}"),
            email=email,
            name=name,
            role=Role.SPECIALIST,
            password_hash="",
        )
        specialists.append(user)
    coach = await session.get(User, coach_id)
    assert coach is not None
    for user in specialists:
        user.password_hash = coach.password_hash  # the demo password
    session.add_all(specialists)
    await session.flush()

    clients = list(
        await session.scalars(
            select(Jobseeker).where(Jobseeker.coach_id == coach_id).order_by(Jobseeker.id)
        )
    )
    users = {
        u.id: u
        for u in await session.scalars(
            select(User).where(User.id.in_([c.user_id for c in clients if c.user_id]))
        )
    }
    # The named demo jobseeker first: they always get a meeting today and a team.
    clients.sort(
        key=lambda p: not (p.user_id in users and users[p.user_id].email.startswith("jobseeker@"))
    )
    week_start = today - timedelta(days=today.weekday())
    meetings_left = 12
    for index, person in enumerate(clients):
        demo_client = index == 0 or (
            person.user_id in users and users[person.user_id].email.startswith("jobseeker@")
        )
        # Registered between a week and two years ago; a few brand new without assessment.
        registered = now - timedelta(days=rng.randint(7, 700))
        new = not demo_client and rng.random() < 0.12
        if new:
            registered = now - timedelta(days=rng.randint(0, 9))
        person.created_at = registered
        if new:
            continue
        # The assessment: the client's own view beside the coach's, in two versions.
        assessed = registered + timedelta(days=rng.randint(1, 6))
        if not demo_client and rng.random() < 0.15:
            assessed = now - timedelta(weeks=rng.randint(13, 30))  # due for review
        elif (now - assessed).days > 70:
            assessed = now - timedelta(days=rng.randint(5, 70))
        areas: dict[str, Any] = {}
        for area_name, (own, coach_view) in _AREAS.items():
            if rng.random() < 0.7:
                areas[area_name] = {"client": own, "coach": coach_view}
        if person.reduced_work_ability:
            areas["work_ability"] = {"client": _WORK_ABILITY[0], "coach": _WORK_ABILITY[1]}
        effort = rng.choices(
            ("standard", "situation_dependent", "specially_adapted"), weights=(55, 35, 10)
        )[0]
        for version, at, author, role in (
            (1, assessed - timedelta(days=1), person.user_id, Role.JOBSEEKER),
            (2, assessed, coach_id, Role.COACH),
        ):
            session.add(
                ServiceAssessment(
                    jobseeker_id=person.id,
                    version=version,
                    areas=areas
                    if version == 2
                    else {a: {"client": v["client"], "coach": ""} for a, v in areas.items()},
                    effort_level=effort if version == 2 else None,
                    main_goal="get_work" if version == 2 else None,
                    rationale="Alkuhaastattelussa käyty läpi tilanne ja tavoitteet"
                    if version == 2
                    else "",
                    sources=["interview", "self_assessment"]
                    if version == 2
                    else ["self_assessment"],
                    author_id=author,
                    author_role=role,
                    at=at,
                )
            )
            counts["assessments"] += 1
        # The plan with its activities.
        lower = rng.random() < 0.15
        plan = ServicePlan(
            id=_id(rng),
            jobseeker_id=person.id,
            plan_type="integration" if person.integration_plan else "employment",
            applications_per_month=2 if lower else None,
            obligation_reason="Osa-aikainen kuntoutus" if lower else None,
            coach_seen_at=now - timedelta(days=rng.randint(0, 10)),
        )
        session.add(plan)
        await session.flush()  # no ORM relationships: parents go first by hand
        counts["plans"] += 1
        chosen = rng.sample(_ACTIVITIES, rng.randint(2, 5))
        for kind, title in chosen:
            starts = today + timedelta(days=rng.randint(-60, 30))
            ends = starts + timedelta(days=rng.randint(7, 90))
            status = (
                "done"
                if ends < today and rng.random() < 0.6
                else rng.choices(("planned", "in_progress", "cancelled"), weights=(45, 45, 5))[0]
            )
            mine = kind == "own_activity"
            activity = PlanActivity(
                id=_id(rng),
                plan_id=plan.id,
                kind=kind,
                title=title,
                starts_on=starts,
                ends_on=ends,
                status=status,
                agreed=not mine and rng.random() < 0.75,
                version=1,
                created_by_id=person.user_id if mine else coach_id,
                changed_by_role=Role.JOBSEEKER if mine else Role.COACH,
            )
            session.add(activity)
            await session.flush()
            counts["activities"] += 1
            changed = now - timedelta(days=rng.randint(0, 20))
            session.add(
                PlanEvent(
                    plan_id=plan.id,
                    activity_id=activity.id,
                    actor_id=activity.created_by_id,
                    actor_role=activity.changed_by_role,
                    action="added",
                    changes={"title": [None, title]},
                    at=changed,
                )
            )
        # Applications this month: most on pace, some behind.
        month_start = today.replace(day=1)
        for _ in range(rng.choices((0, 1, 2, 3, 4, 5), weights=(4, 6, 8, 12, 45, 25))[0]):
            title, organisation = rng.choice(_APPLIED)
            session.add(
                JobApplication(
                    jobseeker_id=person.id,
                    kind="job",
                    applied_on=month_start
                    + timedelta(days=rng.randint(0, (today - month_start).days)),
                    title=title,
                    organisation=organisation,
                    source=rng.choice(("manual", "match")),
                    at=now,
                )
            )
            counts["applications"] += 1
        young = today.year - person.birth_year < 25 and person.education is EducationLevel.BASIC
        if young and rng.random() < 0.5:
            session.add(
                JobApplication(
                    jobseeker_id=person.id,
                    kind="study_place",
                    applied_on=month_start,
                    title="Logistiikan perustutkinto",
                    organisation="Tredu",
                    at=now,
                )
            )
            counts["applications"] += 1
        # Meetings this week: the demo client and a dozen others, some today.
        if meetings_left and (demo_client or rng.random() < 0.15):
            meetings_left -= 1
            on = (
                today
                if demo_client or rng.random() < 0.3
                else week_start + timedelta(days=rng.randint(0, 4))
            )
            starts_at = datetime.combine(on, time(rng.choice((9, 10, 11, 13, 14)), 0), HELSINKI)
            channel = rng.choice(("in_person", "phone", "video"))
            meeting_activity = PlanActivity(
                id=_id(rng),
                plan_id=plan.id,
                kind="meeting",
                title="Tapaaminen / meeting",
                starts_on=on,
                ends_on=on,
                status="done" if starts_at < now else "planned",
                agreed=True,
                created_by_id=coach_id,
                changed_by_role=Role.COACH,
            )
            session.add(meeting_activity)
            await session.flush()
            session.add(
                Meeting(
                    id=_id(rng),
                    jobseeker_id=person.id,
                    coach_id=coach_id,
                    activity_id=meeting_activity.id,
                    starts_at=starts_at,
                    duration_minutes=45,
                    channel=channel,
                    address="Tampereen työllisyyspalvelut, Rautatienkatu 21"
                    if channel == "in_person"
                    else None,
                    video_url="https://video.example.fi/tapaaminen" if channel == "video" else None,
                    preparation="Ota mukaan päivitetty CV",
                    minutes="Käytiin läpi työnhaun tilanne." if starts_at < now else "",
                    minutes_published_at=now if starts_at < now else None,
                    invited_at=now - timedelta(days=3),
                )
            )
            counts["meetings"] += 1
        # A specialist in a few teams, with the client's consent to some parts.
        if demo_client or rng.random() < 0.06:
            specialist = specialists[0 if demo_client else rng.randrange(len(specialists))]
            consented = demo_client or rng.random() < 0.7
            session.add(
                TeamMember(
                    id=_id(rng),
                    jobseeker_id=person.id,
                    specialist_id=specialist.id,
                    profession=(
                        "work_ability_coordinator",
                        "psychologist",
                        "study_counsellor",
                    )[specialists.index(specialist)],
                    parts=["plan", "work_ability"] if consented else ["plan"],
                    added_by_id=coach_id,
                    consented_at=now - timedelta(days=5) if consented else None,
                )
            )
            counts["team_members"] += 1
    await session.flush()
    return counts
