"""What crosses from the service to an employer about a shared candidate.

An employer is outside the service, so it learns the least that lets it decide
whether to interview: the profile fields the jobseeker agreed to share, how the
person matches the job, and whether a wage subsidy is possible with a rough
monthly amount. Never which instrument, rule, rate or reason: a wage subsidy
for reduced work ability is health data (GDPR art. 9), an integration plan
hints at origin, the 55+ subsidy tells age and long unemployment.

The support amount is capped at what the general (skills-based) wage subsidy
would pay for this job and rounded down, so a higher rate granted on special
grounds cannot be read back from the number.
"""

from __future__ import annotations

from typing import Any

from kohtaanto.domain.instruments import RULES

# The general wage subsidy: granted on grounds that tell nothing special (age band,
# education, months unemployed); its rate and cap bound what an employer is told.
_GENERAL = next(r for r in RULES if r.code == "wage_subsidy_skills")
GENERAL_RATE = _GENERAL.rate or 0.0
GENERAL_MONTHLY_CAP_EUR = _GENERAL.monthly_cap_eur
ROUND_TO_EUR = 50

# Profile fields a jobseeker's consent shares with one employer, in the order the
# consent page lists them. "explanation" is the stored name of the match summary
# and the support hint (``match`` and ``support`` of the employer's view).
PROFILE_FIELDS = ("skills", "occupations", "languages", "education", "municipality")
MATCH_FIELD = "explanation"
CONTACT_FIELDS = ("name", "email", "phone")
SHARED_FIELDS = (*PROFILE_FIELDS, MATCH_FIELD, *CONTACT_FIELDS)

# The keys of a match explanation an employer may read; everything else (the
# model's factors, instruments, notes of hand-added entries) stays internal.
MATCH_KEYS = (
    "matched_essential",
    "missing_essential",
    "essential_coverage",
    "distance_km",
    "within_travel_limit",
    "languages_missing",
)


def wage_subsidy_hint(explanation: dict[str, Any]) -> int | None:
    """About how many euros a month a wage subsidy could bring, or None if none is likely.

    Only instruments that pay towards a wage count (not a work trial, which has no
    wage). The amount is the largest monthly subsidy, at most what the general
    wage subsidy would pay for this job, rounded down to ``ROUND_TO_EUR``.
    """
    best = 0.0
    for instrument in explanation.get("instruments", ()):
        subsidy = float(instrument.get("monthly_subsidy_eur") or 0.0)
        costs = float(instrument.get("monthly_pay_costs_eur") or 0.0)
        if subsidy <= 0 or costs <= 0:
            continue
        ceiling = min(GENERAL_RATE * costs, GENERAL_MONTHLY_CAP_EUR)
        best = max(best, min(subsidy, ceiling))
    if best <= 0:
        return None
    return int(best // ROUND_TO_EUR * ROUND_TO_EUR) or ROUND_TO_EUR


def support_text(about_eur: int) -> str:
    """The one sentence an employer reads about support (English msgid; pages translate)."""
    return f"Wage subsidy possible, about {about_eur} €/month"
