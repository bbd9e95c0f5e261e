"""Recruitment support instruments as versioned rules, and the employer's net cost.

Each rule is data (`InstrumentRule`): amounts, caps, durations, who qualifies
and from when (`valid_from`), for the whole country or one employment area.
A reform adds rules with a later `valid_from`; nothing here branches on years.
`estimate_instruments` picks, per instrument code, the newest rule in force on
the given day and tells the employer what they would likely receive.

Everything is an **estimate**: the employment authority (työllisyysalue) decides.
Facts: `shared/domain/instruments.md` (Act 916/2012 as amended by 371/2023,
tampere.fi, tyomarkkinatori.fi, vantaa.fi).

Known approximations, on purpose:

- Age is `on.year - birth_year`: only the birth year is stored, so the age may
  be one year too high before the birthday. Boundary cases (24/25, 29/30,
  49/50, 54/55) can be off by one.
- "Unemployed 24 of the last 28 months" is read as 24 continuous months since
  `unemployed_since`; "≥ 200 days on labour market subsidy" as ≥ 300 calendar
  days unemployed (about 200 paid days at five days a week). Months are
  calendar months.
- Work trial eligibility ("choosing a field, testing return to work") is a
  coarse proxy: basic education only, unemployed ≥ 12 months, an integration
  plan, or reduced work ability.
- Apprenticeship is estimated as wage subsidy at the skills-based rate for a
  typical 12-month training period (the 2023 law allows it for the whole
  training period for any unemployed jobseeker); the provider's training
  compensation is left out (it depends on the qualification).
- The Tampere local supports are gated on the vacancy being open to
  subsidised hiring (`open_to_wage_subsidy`), the only consent flag we have.
- Pay costs are monthly pay * `EMPLOYER_SIDE_COST_FACTOR` (pension, insurance,
  holiday pay, roughly). Missing pay → `DEFAULT_MONTHLY_PAY_EUR`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from kohtaanto.i18n import N_

EMPLOYER_SIDE_COST_FACTOR = 1.2
"""Employer's pay costs per euro of gross pay (pension, insurance, holiday pay; rough)."""

DEFAULT_MONTHLY_PAY_EUR = 2500
"""Assumed gross monthly pay when the vacancy does not state it."""

ESTIMATE_NOTE = N_("Estimate only — the employment authority decides.")

TAMPERE_AREA = "Tampereen seudun työllisyysalue"

Education = Literal["basic", "upper_secondary", "bachelor", "master", "doctorate"]
EmployerKind = Literal["business", "association", "household"]


class InstrumentKind(StrEnum):
    WAGE_SUBSIDY = "wage_subsidy"  # palkkatuki
    EMPLOYMENT_SUBSIDY_55 = "employment_subsidy_55"  # 55 vuotta täyttäneiden työllistämistuki
    WORK_TRIAL = "work_trial"  # työkokeilu
    APPRENTICESHIP = "apprenticeship"  # oppisopimus (+ palkkatuki)
    LOCAL_SUPPORT = "local_support"  # työllisyysalueen omat tuet


# --- Inputs ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the rules need to know about a jobseeker."""

    birth_year: int
    unemployed_since: date | None
    education: Education = "upper_secondary"
    reduced_work_ability: bool = False
    integration_plan: bool = False
    area: str | None = None  # employment area name, e.g. TAMPERE_AREA


@dataclass(frozen=True, slots=True)
class JobFacts:
    """What the rules need to know about a vacancy and its employer."""

    open_to_wage_subsidy: bool = False
    open_to_work_trial: bool = False
    open_to_apprenticeship: bool = False
    monthly_pay_eur: float | None = None  # None → DEFAULT_MONTHLY_PAY_EUR
    hours_per_week: float = 37.5
    employer_kind: EmployerKind = "business"
    zero_hour: bool = False


# --- Rules as data -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criterion:
    """Conditions that must all hold. A rule qualifies a person if any criterion holds."""

    min_age: int | None = None
    max_age: int | None = None
    basic_education_only: bool = False
    integration_plan: bool = False
    reduced_work_ability: bool = False
    min_unemployed_months: int | None = None
    min_unemployed_days: int | None = None


@dataclass(frozen=True, slots=True)
class InstrumentRule:
    """One version of one instrument, valid from a date, nationally or in one area.

    `rate` is the share of the employer's pay costs paid; `None` means a flat
    `monthly_cap_eur` per month (a supplement, not a wage share).
    """

    id: str
    code: str
    kind: InstrumentKind
    label: str
    valid_from: date
    area: str | None
    rate: float | None
    monthly_cap_eur: float
    months: int
    source: str
    qualifies: tuple[Criterion, ...]
    vacancy_flag: Literal["wage_subsidy", "work_trial", "apprenticeship"]
    # Longer duration after long unemployment (skills-based wage subsidy: 5 → 10).
    months_long: int | None = None
    long_after_unemployed_months: int | None = None
    min_hours_per_week: float | None = None
    max_hours_per_week: float | None = None
    employer_kinds: frozenset[str] = frozenset({"business", "association"})
    excluded_after_previous_subsidy: bool = True
    pays_wage: bool = True  # False for work trial: not employment, no wage
    valid_until: date | None = None


_REFORM_2023 = date(2023, 7, 1)
_TAMPERE_FROM = date(2025, 1, 1)

RULES: tuple[InstrumentRule, ...] = (
    InstrumentRule(
        id="fi-wage-subsidy-skills-2023-07",
        code="wage_subsidy_skills",
        kind=InstrumentKind.WAGE_SUBSIDY,
        label=N_("Wage subsidy (skills-based)"),
        valid_from=_REFORM_2023,
        area=None,
        rate=0.50,
        monthly_cap_eur=1260,
        months=5,
        months_long=10,
        long_after_unemployed_months=12,  # threshold unconfirmed
        source="Act 916/2012 as amended by 371/2023 §7:2, §7:7; tem.fi pay subsidy reform 2023",
        qualifies=(
            Criterion(min_age=15, max_age=24),
            Criterion(min_age=50),
            Criterion(basic_education_only=True),
            Criterion(integration_plan=True),
            Criterion(min_unemployed_months=6),
        ),
        vacancy_flag="wage_subsidy",
    ),
    InstrumentRule(
        id="fi-wage-subsidy-work-ability-2023-07",
        code="wage_subsidy_reduced_work_ability",
        kind=InstrumentKind.WAGE_SUBSIDY,
        label=N_("Wage subsidy (reduced work ability)"),
        valid_from=_REFORM_2023,
        area=None,
        rate=0.70,
        monthly_cap_eur=1770,
        months=10,  # extendable up to 24 months at a time
        source="Act 916/2012 as amended by 371/2023 §7:3; tyomarkkinatori.fi pay subsidy",
        qualifies=(Criterion(reduced_work_ability=True),),
        vacancy_flag="wage_subsidy",
        excluded_after_previous_subsidy=False,
    ),
    InstrumentRule(
        id="fi-wage-subsidy-association-2023-07",
        code="wage_subsidy_association",
        kind=InstrumentKind.WAGE_SUBSIDY,
        label=N_("Wage subsidy (associations and foundations, 100 %)"),
        valid_from=_REFORM_2023,
        area=None,
        rate=1.00,
        monthly_cap_eur=2020,
        months=10,
        max_hours_per_week=24.4,  # 65 % of a 37.5-hour week
        source="Act 916/2012 as amended by 371/2023 §7:4; tyollisyys.palvelumanuaali.fi",
        qualifies=(Criterion(min_unemployed_months=24),),  # proxy for 24 of the last 28
        vacancy_flag="wage_subsidy",
        employer_kinds=frozenset({"association"}),
    ),
    InstrumentRule(
        id="fi-employment-subsidy-55-2023-07",
        code="employment_subsidy_55",
        kind=InstrumentKind.EMPLOYMENT_SUBSIDY_55,
        label=N_("Employment subsidy for age 55+"),
        valid_from=_REFORM_2023,
        area=None,
        rate=0.70,
        monthly_cap_eur=1770,
        months=10,  # never longer than the job
        min_hours_per_week=25,
        source="Act 916/2012 as amended by 371/2023 §7a; vantaa.fi employment subsidy 55+",
        qualifies=(Criterion(min_age=55, min_unemployed_months=24),),
        vacancy_flag="wage_subsidy",
    ),
    InstrumentRule(
        id="fi-work-trial-2023-07",
        code="work_trial",
        kind=InstrumentKind.WORK_TRIAL,
        label=N_("Work trial (no wage, free for the employer)"),
        valid_from=_REFORM_2023,
        area=None,
        rate=None,
        monthly_cap_eur=0,
        months=6,  # at most 6 months with one employer
        source="Act 916/2012 ch. 3; kela.fi work trial expense allowance",
        qualifies=(
            Criterion(basic_education_only=True),
            Criterion(min_unemployed_months=12),
            Criterion(integration_plan=True),
            Criterion(reduced_work_ability=True),
        ),
        vacancy_flag="work_trial",
        excluded_after_previous_subsidy=False,
        pays_wage=False,
    ),
    InstrumentRule(
        id="fi-apprenticeship-wage-subsidy-2023-07",
        code="apprenticeship_wage_subsidy",
        kind=InstrumentKind.APPRENTICESHIP,
        label=N_("Apprenticeship with wage subsidy"),
        valid_from=_REFORM_2023,
        area=None,
        rate=0.50,
        monthly_cap_eur=1260,
        months=12,  # assumed typical training period; the law allows the whole period
        min_hours_per_week=25,
        source="Act 916/2012 as amended by 371/2023 §7:6; Act 531/2017 (vocational education)",
        qualifies=(Criterion(min_age=15, min_unemployed_days=1),),
        vacancy_flag="apprenticeship",
    ),
    InstrumentRule(
        id="tre-recruitment-supplement-2025-01",
        code="tampere_recruitment_supplement",
        kind=InstrumentKind.LOCAL_SUPPORT,
        label=N_("Tampere region recruitment supplement"),
        valid_from=_TAMPERE_FROM,
        area=TAMPERE_AREA,
        rate=None,
        monthly_cap_eur=600,
        months=6,
        source="tampere.fi financial recruitment support (rekrytointilisä)",
        qualifies=(
            Criterion(min_unemployed_days=300),  # proxy for ≥ 200 days on labour market subsidy
            Criterion(max_age=29),
            Criterion(integration_plan=True),
        ),
        vacancy_flag="wage_subsidy",
    ),
    InstrumentRule(
        id="tre-youth-recruitment-subsidy-2025-01",
        code="tampere_youth_recruitment_subsidy",
        kind=InstrumentKind.LOCAL_SUPPORT,
        label=N_("Tampere region youth recruitment subsidy"),
        valid_from=_TAMPERE_FROM,
        area=TAMPERE_AREA,
        rate=0.50,
        monthly_cap_eur=1500,
        months=6,
        source="tampere.fi youth recruitment subsidy (nuorten rekrytointituki)",
        qualifies=(
            Criterion(max_age=29, min_unemployed_months=6),
            Criterion(max_age=29, basic_education_only=True, min_unemployed_months=3),
        ),
        vacancy_flag="wage_subsidy",
    ),
)


# --- Output ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstrumentEstimate:
    """What one instrument would likely mean for the employer, per month and in total."""

    code: str
    kind: str
    label: str
    rate: float | None
    monthly_cap_eur: float
    months: int
    monthly_pay_costs_eur: float
    monthly_subsidy_eur: float
    net_monthly_cost_eur: float
    total_saving_eur: float
    rule_id: str
    valid_from: date
    area: str | None
    source: str
    estimate: bool = True
    note: str = ESTIMATE_NOTE

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (dates as ISO strings)."""
        return {
            "code": self.code,
            "kind": self.kind,
            "label": self.label,
            "rate": self.rate,
            "monthly_cap_eur": self.monthly_cap_eur,
            "months": self.months,
            "monthly_pay_costs_eur": self.monthly_pay_costs_eur,
            "monthly_subsidy_eur": self.monthly_subsidy_eur,
            "net_monthly_cost_eur": self.net_monthly_cost_eur,
            "total_saving_eur": self.total_saving_eur,
            "rule_id": self.rule_id,
            "valid_from": self.valid_from.isoformat(),
            "area": self.area,
            "estimate": self.estimate,
            "note": self.note,
        }


# --- Evaluation ----------------------------------------------------------------------


def age_on(birth_year: int, on: date) -> int:
    """Age in the year of `on` — may be one too high before the birthday."""
    return on.year - birth_year


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (0 if `end` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)


@dataclass(frozen=True, slots=True)
class _Person:
    age: int
    unemployed_months: int
    unemployed_days: int
    basic_only: bool
    integration_plan: bool
    reduced_work_ability: bool
    area: str | None = None


def _derive(person: PersonFacts, on: date) -> _Person:
    since = person.unemployed_since
    days = max(0, (on - since).days) if since is not None else 0
    months = months_between(since, on) if since is not None else 0
    return _Person(
        age=age_on(person.birth_year, on),
        unemployed_months=months,
        unemployed_days=days,
        basic_only=person.education == "basic",
        integration_plan=person.integration_plan,
        reduced_work_ability=person.reduced_work_ability,
        area=person.area,
    )


def _holds(c: Criterion, p: _Person) -> bool:
    return (
        (c.min_age is None or p.age >= c.min_age)
        and (c.max_age is None or p.age <= c.max_age)
        and (not c.basic_education_only or p.basic_only)
        and (not c.integration_plan or p.integration_plan)
        and (not c.reduced_work_ability or p.reduced_work_ability)
        and (c.min_unemployed_months is None or p.unemployed_months >= c.min_unemployed_months)
        and (c.min_unemployed_days is None or p.unemployed_days >= c.min_unemployed_days)
    )


def _thresholds(
    rules: Iterable[InstrumentRule],
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The ages, months and days of unemployment at which some rule's answer may change."""
    ages: set[int] = set()
    months: set[int] = set()
    days: set[int] = set()
    for rule in rules:
        if rule.long_after_unemployed_months is not None:
            months.add(rule.long_after_unemployed_months)
        for c in rule.qualifies:
            if c.min_age is not None:
                ages.add(c.min_age)
            if c.max_age is not None:
                ages.add(c.max_age + 1)
            if c.min_unemployed_months is not None:
                months.add(c.min_unemployed_months)
            if c.min_unemployed_days is not None:
                days.add(c.min_unemployed_days)
    return tuple(sorted(ages)), tuple(sorted(months)), tuple(sorted(days))


_DEFAULT_THRESHOLDS = _thresholds(RULES)


def milestones(
    person: PersonFacts, on: date, rules: Sequence[InstrumentRule] | None = None
) -> tuple[int, int, int]:
    """How many of the rules' age, unemployment-month and unemployment-day thresholds
    ``person`` has reached on ``on``.

    A person's estimates change with the date only when one of these counts does (or
    another rule comes into force, see ``rules_in_force``): a ranking made on an earlier
    day is still true if they are the same.
    """
    ages, months, days = _DEFAULT_THRESHOLDS if rules is None else _thresholds(rules)
    p = _derive(person, on)
    return (
        bisect_right(ages, p.age),
        bisect_right(months, p.unemployed_months),
        bisect_right(days, p.unemployed_days),
    )


def rules_in_force(on: date, rules: Iterable[InstrumentRule] = RULES) -> list[InstrumentRule]:
    """Per (instrument code, area), the newest rule valid on `on`."""
    newest: dict[tuple[str, str | None], InstrumentRule] = {}
    for rule in rules:
        if rule.valid_from > on or (rule.valid_until is not None and rule.valid_until < on):
            continue
        key = (rule.code, rule.area)
        if key not in newest or newest[key].valid_from < rule.valid_from:
            newest[key] = rule
    return list(newest.values())


def _vacancy_open(rule: InstrumentRule, job: JobFacts) -> bool:
    if rule.vacancy_flag == "wage_subsidy":
        return job.open_to_wage_subsidy
    if rule.vacancy_flag == "work_trial":
        return job.open_to_work_trial
    return job.open_to_apprenticeship


def monthly_pay_costs(job: JobFacts) -> float:
    """The employer's monthly pay costs: gross pay * side-cost factor."""
    pay = job.monthly_pay_eur if job.monthly_pay_eur is not None else DEFAULT_MONTHLY_PAY_EUR
    return round(float(pay) * EMPLOYER_SIDE_COST_FACTOR, 2)


class InstrumentEstimator:
    """Estimates for one job on one day, for many people (what ranking needs).

    The rules in force and the job-side checks (vacancy flags, employer kind,
    hours, exclusions) are settled once; each person then only meets the
    eligibility criteria. Results are the same as `estimate_instruments`.
    """

    def __init__(self, job: JobFacts, *, on: date, rules: Sequence[InstrumentRule] = RULES) -> None:
        self.on = on
        self.costs = monthly_pay_costs(job)
        self._memo: dict[tuple[str, int], InstrumentEstimate] = {}
        self._rules: list[InstrumentRule] = []
        if job.employer_kind == "household" or job.zero_hour:
            return
        for rule in rules_in_force(on, rules):
            if not _vacancy_open(rule, job) or job.employer_kind not in rule.employer_kinds:
                continue
            if rule.min_hours_per_week is not None and job.hours_per_week < rule.min_hours_per_week:
                continue
            if rule.max_hours_per_week is not None and job.hours_per_week > rule.max_hours_per_week:
                continue
            self._rules.append(rule)

    @property
    def offered(self) -> tuple[InstrumentRule, ...]:
        """The rules this job offers on the day, before anyone's eligibility (a local
        supplement still needs the person's area)."""
        return tuple(self._rules)

    def estimate(
        self, person: PersonFacts, *, previous_subsidy_same_employer_within_3y: bool = False
    ) -> list[InstrumentEstimate]:
        """The instruments this person would likely bring to the job, best saving first."""
        if not self._rules:
            return []
        p = _derive(person, self.on)
        out: list[InstrumentEstimate] = []
        for rule in self._rules:
            if rule.area is not None and rule.area != p.area:
                continue
            if rule.excluded_after_previous_subsidy and previous_subsidy_same_employer_within_3y:
                continue
            if not any(_holds(c, p) for c in rule.qualifies):
                continue
            months = rule.months
            if (
                rule.months_long is not None
                and rule.long_after_unemployed_months is not None
                and p.unemployed_months >= rule.long_after_unemployed_months
            ):
                months = rule.months_long
            out.append(self._estimate(rule, months))
        out.sort(key=lambda e: (-e.total_saving_eur, e.code))
        return out

    def _estimate(self, rule: InstrumentRule, months: int) -> InstrumentEstimate:
        # Estimates are immutable and depend only on (rule, months) for a fixed job.
        key = (rule.id, months)
        if key in self._memo:
            return self._memo[key]
        costs = self.costs
        if rule.pays_wage:
            share = rule.monthly_cap_eur if rule.rate is None else rule.rate * costs
            subsidy = round(min(share, rule.monthly_cap_eur, costs), 2)
            net = round(costs - subsidy, 2)
        else:
            # Not employment: no wage to pay, so no cost and nothing "saved" against a wage.
            subsidy, net = 0.0, 0.0
        est = InstrumentEstimate(
            code=rule.code,
            kind=rule.kind.value,
            label=rule.label,
            rate=rule.rate,
            monthly_cap_eur=rule.monthly_cap_eur,
            months=months,
            monthly_pay_costs_eur=costs,
            monthly_subsidy_eur=subsidy,
            net_monthly_cost_eur=net,
            total_saving_eur=round(subsidy * months, 2),
            rule_id=rule.id,
            valid_from=rule.valid_from,
            area=rule.area,
            source=rule.source,
        )
        self._memo[key] = est
        return est


def estimate_instruments(
    person: PersonFacts,
    job: JobFacts,
    *,
    on: date,
    previous_subsidy_same_employer_within_3y: bool = False,
    rules: Sequence[InstrumentRule] = RULES,
) -> list[InstrumentEstimate]:
    """The instruments this person would likely bring to this job on `on`.

    Pure: same inputs, same answer. Returns an empty list when nothing applies
    (vacancy not open to it, household employer, zero-hour contract, …).
    The subsidy never exceeds the employer's pay costs.
    """
    return InstrumentEstimator(job, on=on, rules=rules).estimate(
        person,
        previous_subsidy_same_employer_within_3y=previous_subsidy_same_employer_within_3y,
    )


def best_saving(estimates: Iterable[InstrumentEstimate]) -> float:
    """The largest total saving among alternative instruments (0 if none).

    Instruments are treated as alternatives: which ones combine is for the
    authority to decide, and all aid together may not exceed the pay costs.
    """
    return max((e.total_saving_eur for e in estimates), default=0.0)
