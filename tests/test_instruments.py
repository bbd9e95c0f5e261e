"""The support-instrument rules: each rule, its boundaries and exclusions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kohtaanto.domain.geo import haversine_km
from kohtaanto.domain.instruments import (
    DEFAULT_MONTHLY_PAY_EUR,
    EMPLOYER_SIDE_COST_FACTOR,
    ESTIMATE_NOTE,
    RULES,
    TAMPERE_AREA,
    InstrumentEstimate,
    InstrumentRule,
    JobFacts,
    PersonFacts,
    best_saving,
    estimate_instruments,
    milestones,
    months_between,
    rules_in_force,
)

ON = date(2026, 3, 15)
OPEN = JobFacts(
    open_to_wage_subsidy=True,
    open_to_work_trial=True,
    open_to_apprenticeship=True,
    monthly_pay_eur=2500,
    hours_per_week=37.5,
)


def months_ago(n: int, on: date = ON) -> date:
    y, m = divmod(on.year * 12 + on.month - 1 - n, 12)
    return date(y, m + 1, on.day)


def person(age: int = 35, unemployed_months: int | None = 1, **kw: object) -> PersonFacts:
    since = None if unemployed_months is None else months_ago(unemployed_months)
    return PersonFacts(
        birth_year=ON.year - age,
        unemployed_since=since,
        education=kw.pop("education", "upper_secondary"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def codes(p: PersonFacts, job: JobFacts = OPEN, **kw: object) -> dict[str, InstrumentEstimate]:
    return {e.code: e for e in estimate_instruments(p, job, on=ON, **kw)}  # type: ignore[arg-type]


# --- helpers ---------------------------------------------------------------------------


def test_haversine_tampere_helsinki() -> None:
    assert haversine_km(61.498, 23.761, 60.170, 24.938) == pytest.approx(160, abs=5)
    assert haversine_km(61.5, 23.7, 61.5, 23.7) == 0


def test_months_between_calendar_months() -> None:
    assert months_between(date(2025, 9, 15), date(2026, 3, 15)) == 6
    assert months_between(date(2025, 9, 16), date(2026, 3, 15)) == 5
    assert months_between(date(2026, 4, 1), date(2026, 3, 15)) == 0


def test_rules_are_versioned_data() -> None:
    assert RULES
    assert all(isinstance(r, InstrumentRule) for r in RULES)
    assert len({r.id for r in RULES}) == len(RULES)
    # Before the 2023 reform none of these rules were in force.
    assert rules_in_force(date(2023, 6, 30)) == []
    # A later version replaces an earlier one from its valid_from on.
    old = next(r for r in RULES if r.code == "wage_subsidy_skills")
    new = replace(old, id="fi-wage-subsidy-skills-2027-01", valid_from=date(2027, 1, 1), rate=0.4)
    rules = (*RULES, new)
    assert next(r for r in rules_in_force(ON, rules) if r.code == old.code) is old
    later = rules_in_force(date(2027, 2, 1), rules)
    assert next(r for r in later if r.code == old.code) is new


# --- skills-based wage subsidy -------------------------------------------------------------


@pytest.mark.parametrize(("age", "eligible"), [(24, True), (25, False), (49, False), (50, True)])
def test_skills_based_age_boundaries(age: int, eligible: bool) -> None:
    assert ("wage_subsidy_skills" in codes(person(age=age))) is eligible


@pytest.mark.parametrize(("months", "eligible"), [(5, False), (6, True)])
def test_skills_based_six_months_unemployed(months: int, eligible: bool) -> None:
    assert ("wage_subsidy_skills" in codes(person(unemployed_months=months))) is eligible


def test_skills_based_basic_education_or_integration_plan() -> None:
    assert "wage_subsidy_skills" in codes(person(education="basic"))
    assert "wage_subsidy_skills" in codes(person(integration_plan=True))
    assert "wage_subsidy_skills" not in codes(person(education="master"))


@pytest.mark.parametrize(("months", "duration"), [(6, 5), (11, 5), (12, 10)])
def test_skills_based_duration_by_unemployment(months: int, duration: int) -> None:
    assert codes(person(unemployed_months=months))["wage_subsidy_skills"].months == duration


def test_skills_based_amounts_and_cap() -> None:
    e = codes(person(unemployed_months=12))["wage_subsidy_skills"]
    costs = 2500 * EMPLOYER_SIDE_COST_FACTOR
    assert e.monthly_pay_costs_eur == costs
    assert e.monthly_subsidy_eur == 1260  # 50 % of 3 000 = 1 500, capped
    assert e.net_monthly_cost_eur == costs - 1260
    assert e.total_saving_eur == 12600
    low = codes(person(unemployed_months=12), replace(OPEN, monthly_pay_eur=1500))
    assert low["wage_subsidy_skills"].monthly_subsidy_eur == pytest.approx(0.5 * 1500 * 1.2)


def test_estimate_fields() -> None:
    e = codes(person(unemployed_months=6))["wage_subsidy_skills"]
    assert e.estimate is True and e.note == ESTIMATE_NOTE
    assert e.rule_id == "fi-wage-subsidy-skills-2023-07"
    d = e.to_dict()
    assert d["valid_from"] == "2023-07-01" and d["estimate"] is True
    assert d["note"] == "Estimate only — the employment authority decides."


def test_default_pay_when_missing() -> None:
    e = codes(person(unemployed_months=6), replace(OPEN, monthly_pay_eur=None))
    assert e["wage_subsidy_skills"].monthly_pay_costs_eur == (
        DEFAULT_MONTHLY_PAY_EUR * EMPLOYER_SIDE_COST_FACTOR
    )


# --- reduced work ability ---------------------------------------------------------------------


def test_reduced_work_ability() -> None:
    e = codes(person(reduced_work_ability=True, education="master"))
    r = e["wage_subsidy_reduced_work_ability"]
    assert (r.rate, r.monthly_cap_eur, r.months) == (0.7, 1770, 10)
    assert r.monthly_subsidy_eur == 1770  # 70 % of 3 000 = 2 100, capped
    assert "wage_subsidy_reduced_work_ability" not in codes(person())


def test_three_year_exclusion_and_its_exception() -> None:
    p = person(unemployed_months=13, reduced_work_ability=True)
    before = codes(p)
    assert {"wage_subsidy_skills", "wage_subsidy_reduced_work_ability"} <= before.keys()
    after = codes(p, previous_subsidy_same_employer_within_3y=True)
    assert "wage_subsidy_skills" not in after
    assert "apprenticeship_wage_subsidy" not in after
    assert "wage_subsidy_reduced_work_ability" in after  # the exception


# --- 55+ employment subsidy -------------------------------------------------------------------


@pytest.mark.parametrize(("age", "eligible"), [(54, False), (55, True)])
def test_55_plus_age_boundary(age: int, eligible: bool) -> None:
    assert ("employment_subsidy_55" in codes(person(age=age, unemployed_months=24))) is eligible


@pytest.mark.parametrize(("months", "eligible"), [(23, False), (24, True)])
def test_55_plus_unemployment_boundary(months: int, eligible: bool) -> None:
    assert ("employment_subsidy_55" in codes(person(age=60, unemployed_months=months))) is eligible


def test_55_plus_needs_25_hours() -> None:
    p = person(age=60, unemployed_months=30)
    assert "employment_subsidy_55" not in codes(p, replace(OPEN, hours_per_week=24))
    e = codes(p, replace(OPEN, hours_per_week=25))["employment_subsidy_55"]
    assert (e.rate, e.monthly_subsidy_eur, e.months) == (0.7, 1770, 10)


# --- associations -----------------------------------------------------------------------------


def test_association_100_percent_only_for_associations() -> None:
    p = person(unemployed_months=24)
    part_time = replace(OPEN, hours_per_week=24, monthly_pay_eur=1500)
    assert "wage_subsidy_association" not in codes(p, part_time)
    e = codes(p, replace(part_time, employer_kind="association"))["wage_subsidy_association"]
    assert e.rate == 1.0 and e.monthly_subsidy_eur == 1800 and e.net_monthly_cost_eur == 0
    assert e.monthly_subsidy_eur <= e.monthly_pay_costs_eur  # never above pay costs
    assert "wage_subsidy_association" not in codes(
        person(unemployed_months=23), replace(part_time, employer_kind="association")
    )


# --- work trial ------------------------------------------------------------------------------


def test_work_trial_proxy() -> None:
    assert "work_trial" not in codes(person(unemployed_months=11))
    assert "work_trial" in codes(person(unemployed_months=12))
    assert "work_trial" in codes(person(education="basic"))
    assert "work_trial" in codes(person(integration_plan=True))
    e = codes(person(reduced_work_ability=True))["work_trial"]
    assert e.net_monthly_cost_eur == 0 and e.total_saving_eur == 0 and e.months == 6


# --- apprenticeship -------------------------------------------------------------------------


def test_apprenticeship() -> None:
    e = codes(person(age=40))["apprenticeship_wage_subsidy"]
    assert e.kind == "apprenticeship" and e.rate == 0.5 and e.monthly_subsidy_eur == 1260
    assert "apprenticeship_wage_subsidy" not in codes(
        person(age=40), replace(OPEN, hours_per_week=20)
    )
    assert "apprenticeship_wage_subsidy" not in codes(person(age=14))
    assert "apprenticeship_wage_subsidy" not in codes(person(unemployed_months=None))


# --- vacancy flags and general exclusions -------------------------------------------------


def test_vacancy_not_open_gives_nothing() -> None:
    p = person(age=60, unemployed_months=30, education="basic", reduced_work_ability=True)
    assert estimate_instruments(p, JobFacts(), on=ON) == []
    only_trial = codes(p, JobFacts(open_to_work_trial=True))
    assert set(only_trial) == {"work_trial"}


def test_household_and_zero_hour_excluded() -> None:
    p = person(unemployed_months=30, reduced_work_ability=True)
    assert estimate_instruments(p, replace(OPEN, employer_kind="household"), on=ON) == []
    assert estimate_instruments(p, replace(OPEN, zero_hour=True), on=ON) == []


# --- Tampere region local supports ------------------------------------------------------------


@pytest.mark.parametrize(("age", "eligible"), [(29, True), (30, False)])
def test_tampere_youth_subsidy_age(age: int, eligible: bool) -> None:
    p = person(age=age, unemployed_months=6, area=TAMPERE_AREA)
    assert ("tampere_youth_recruitment_subsidy" in codes(p)) is eligible


def test_tampere_youth_subsidy_unemployment() -> None:
    young = {"age": 22, "area": TAMPERE_AREA}
    assert "tampere_youth_recruitment_subsidy" not in codes(person(unemployed_months=5, **young))
    e = codes(person(unemployed_months=6, **young))["tampere_youth_recruitment_subsidy"]
    assert e.monthly_subsidy_eur == 1500 and e.months == 6  # 50 % of 3 000, at the cap
    basic = {"education": "basic", **young}
    assert "tampere_youth_recruitment_subsidy" not in codes(person(unemployed_months=2, **basic))
    assert "tampere_youth_recruitment_subsidy" in codes(person(unemployed_months=3, **basic))


def test_tampere_recruitment_supplement() -> None:
    s = "tampere_recruitment_supplement"
    e = codes(person(age=25, area=TAMPERE_AREA))[s]
    assert e.monthly_subsidy_eur == 600 and e.total_saving_eur == 3600
    assert s not in codes(person(age=30, area=TAMPERE_AREA))
    assert s in codes(person(age=40, area=TAMPERE_AREA, integration_plan=True))
    since_299 = PersonFacts(birth_year=1980, unemployed_since=date(2025, 5, 20), area=TAMPERE_AREA)
    since_300 = replace(since_299, unemployed_since=date(2025, 5, 19))
    assert (ON - date(2025, 5, 19)).days == 300
    assert s not in codes(since_299)
    assert s in codes(since_300)


def test_no_local_supports_outside_tampere() -> None:
    for area in (None, "Helsingin työllisyysalue"):
        got = codes(person(age=22, unemployed_months=12, area=area))
        assert not any(e.kind == "local_support" for e in got.values())
        assert "wage_subsidy_skills" in got


def test_best_saving() -> None:
    p = person(age=22, unemployed_months=12, area=TAMPERE_AREA)
    est = estimate_instruments(p, OPEN, on=ON)
    assert best_saving(est) == max(e.total_saving_eur for e in est) == 1260 * 12
    assert best_saving([]) == 0


def test_estimates_change_with_the_date_only_when_the_milestones_do() -> None:
    # What lets the nightly refresh keep a shortlist made on an earlier day.
    association = replace(OPEN, employer_kind="association")
    first, last = date(2025, 12, 1), date(2027, 9, 1)
    changed = 0
    for born in (1971, 1997, 2002):
        for since in (None, date(2025, 2, 28), date(2025, 9, 1), date(2026, 1, 31)):
            for education in ("basic", "bachelor"):
                person = PersonFacts(
                    birth_year=born, unemployed_since=since, education=education, area=TAMPERE_AREA
                )
                before: tuple[object, ...] = ()
                for n in range(last.toordinal() - first.toordinal()):
                    day = date.fromordinal(first.toordinal() + n)
                    now = (
                        milestones(person, day),
                        estimate_instruments(person, OPEN, on=day),
                        estimate_instruments(person, association, on=day),
                    )
                    if before and now[0] == before[0]:
                        assert now[1:] == before[1:], (person, day)
                    changed += bool(before) and now[0] != before[0]
                    before = now
    assert changed > 0
    # Six months unemployed is one of them (the skills-based wage subsidy).
    person = PersonFacts(birth_year=1990, unemployed_since=months_ago(6))
    assert milestones(person, ON) != milestones(person, date(2026, 3, 14))
