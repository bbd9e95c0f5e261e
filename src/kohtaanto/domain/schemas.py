"""The shapes both doors read and answer: input structs' field types and the small output
structs (a concept, a place, a cost estimate) that the use cases return.

msgspec structs, so the API documents them (OpenAPI) and the pages read forms into the
same types (``kohtaanto.web.forms``): one validation for both doors.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from kohtaanto.db.models import Municipality

# ISO 639-1 language codes, lower case.
Language = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z]{2}$", max_length=2, description="ISO 639-1 code, e.g. fi")
]
MunicipalityCode = Annotated[
    str, msgspec.Meta(pattern=r"^\d{3}$", max_length=3, description="Official 3-digit code")
]
EscoUri = Annotated[str, msgspec.Meta(min_length=10, max_length=255)]
# Every list a client sends is capped (tests/test_security_auth.py checks each schema):
# more skills than ESCO gives any occupation, more languages than anyone lists.
EscoUris = Annotated[list[EscoUri], msgspec.Meta(max_length=100)]
Languages = Annotated[list[Language], msgspec.Meta(max_length=20)]


class Concept(msgspec.Struct):
    """An ESCO concept as clients see it."""

    uri: str
    label: str


class InstrumentEstimate(msgspec.Struct):
    """A support instrument the person is likely eligible for; the authority decides."""

    code: str
    label: str
    rate: float | None  # None for a fixed monthly amount
    monthly_cap_eur: float
    months: int
    monthly_pay_costs_eur: float
    monthly_subsidy_eur: float
    net_monthly_cost_eur: float
    total_saving_eur: float
    rule_id: str
    valid_from: str
    note: str


class CostEstimate(msgspec.Struct):
    """What hiring this person would cost the employer a month, before and after support."""

    monthly_pay_costs_eur: float | None
    lowest_net_monthly_cost_eur: float | None
    best_saving_eur: float
    instruments: list[InstrumentEstimate]
    note: str


def cost_estimate(explanation: dict[str, Any]) -> CostEstimate:
    """The instrument part of a match explanation, typed for the API."""
    instruments = [
        InstrumentEstimate(**{f: e[f] for f in InstrumentEstimate.__struct_fields__})
        for e in explanation.get("instruments", [])
    ]
    # A work trial is not employment (no wage), so it says nothing of the cost of a hire.
    paid = [i for i in instruments if i.monthly_pay_costs_eur > 0 and i.code != "work_trial"]
    return CostEstimate(
        monthly_pay_costs_eur=paid[0].monthly_pay_costs_eur if paid else None,
        lowest_net_monthly_cost_eur=min((i.net_monthly_cost_eur for i in paid), default=None),
        best_saving_eur=float(explanation.get("best_saving_eur", 0.0)),
        instruments=instruments,
        note=str(
            explanation.get("estimate_note", "Estimate only — the employment authority decides.")
        ),
    )


class Place(msgspec.Struct):
    code: str
    name: str
    sub_region: str


def place_of(m: Municipality) -> Place:
    return Place(code=m.code, name=m.name, sub_region=m.sub_region)
