"""The model card for managers: what the ranking model in use looks at, what it learnt from,
how it was checked (simulated months, the ESCO benchmark, other simulator assumptions), how
fair its order is, and its limits. The same facts as ``MODEL_CARD.md`` (``ml.card``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.response import Template

from kohtaanto.auth import AuthRequest, requires
from kohtaanto.db.models import Role
from kohtaanto.settings import get_settings
from kohtaanto.web.i18n import N_
from kohtaanto.web.rendering import page

FEATURE_LABELS: dict[str, str] = {
    "essential_coverage": N_("Share of the essential skills the person has"),
    "optional_coverage": N_("Share of the optional skills the person has"),
    "occupation_match": N_("The vacancy's occupation is in the profile"),
    "isco4_match": N_("Same occupation unit group (ISCO, 4 digits)"),
    "isco3_match": N_("Same occupation minor group (ISCO, 3 digits)"),
    "isco2_match": N_("Same occupation sub-major group (ISCO, 2 digits)"),
    "isco1_match": N_("Same occupation major group (ISCO, 1 digit)"),
    "distance_ratio": N_("Distance compared with the person's travel limit"),
    "within_travel_limit": N_("Lives within their travel limit"),
    "language_fit": N_("Speaks the required languages"),
    "education_rank": N_("Level of education"),
    "hours_fit": N_("Working hours suit the person"),
    "search_score": N_("Text match found by search"),
    "wage_subsidy_match": N_("Wage subsidy possible (estimate)"),
    "work_trial_match": N_("Work trial possible (estimate)"),
    "apprenticeship_match": N_("Apprenticeship possible (estimate)"),
    "saving_share": N_("Employer's estimated saving"),
    "specific_coverage": N_("Essential skills held, weighted by how specific they are"),
    "skill_jaccard": N_("Skill overlap (shared skills of all skills of the two)"),
    "bm25_overlap": N_("Specific shared skills, long profiles counted less"),
    "profile_explained": N_("How much of the person's profile is about this work"),
    "similarity_coverage": N_("How close the person's skills are to the essential ones"),
    "similarity_profile": N_("How close the person's skills are to this work"),
}

ORDER_LABELS: dict[str, str] = {
    "meilisearch": N_("Search order"),
    "skill_overlap": N_("Skill overlap (Jaccard)"),
    "model": N_("Model"),
    "text": N_("Text order (BM25 over labels)"),
    "jaccard": N_("Skill overlap (Jaccard)"),
    "search": N_("Search order (stand-in)"),
}

SCENARIO_LABELS: dict[str, str] = {
    "as assumed (default)": N_("As assumed (the training history)"),
    "skills weigh double": N_("Skills weigh double"),
    "specific skills decide (not plain coverage)": N_("Specific skills decide"),
    "distance weighs triple": N_("Distance weighs triple"),
    "instruments do not matter": N_("Support instruments do not matter"),
    "noisier employers": N_("Employers less predictable"),
}

NOISE_LABELS: dict[str, str] = {
    "more kept (70 %), 2 unrelated": N_("70 per cent of the skills, 2 unrelated"),
    "half kept, 4 unrelated": N_("Half of the skills, 4 unrelated"),
    "fewer kept (30 %), 8 unrelated": N_("30 per cent of the skills, 8 unrelated"),
}

CONDITION_LABELS: dict[str, str] = {
    "skills_only": N_("Skills only"),
    "occupation_stated": N_("Occupation stated"),
}

SIDE_LABELS: dict[str, str] = {
    "vacancy": N_("The right person for a vacancy"),
    "jobseeker": N_("The right vacancy for a person"),
}

KIND_LABELS: dict[str, str] = {
    "linear": N_("Logistic regression on the simulated history"),
    "gbm": N_("Gradient-boosted trees on the simulated history"),
    "linear_base": N_(
        "Logistic regression on the simulated history, without the finer skill evidence"
    ),
    "ltr": N_(
        "Logistic regression learning from the simulated history and from ranking pairs "
        "built from ESCO"
    ),
}

GROUP_LABELS: dict[str, str] = {
    "gender": N_("Gender"),
    "mother_tongue": N_("Mother tongue"),
    "age_band": N_("Age"),
    "female": N_("Female"),
    "male": N_("Male"),
    "finnish_or_swedish": N_("Finnish or Swedish"),
    "other": N_("Other"),
    "ratio lowest/highest": N_("Ratio, lowest to highest"),
}


def card_context() -> dict[str, Any]:
    """The card of the model in use (None when there is none), with label tables."""
    from ml.card import card_data
    from ml.registry import current_version as current
    from ml.registry import has_current

    model_dir = get_settings().matching.model_dir
    version = current(model_dir) if has_current(model_dir) else None
    return {
        "card": card_data(model_dir, version) if version else None,
        "features": FEATURE_LABELS,
        "orders": ORDER_LABELS,
        "scenarios": SCENARIO_LABELS,
        "noise": NOISE_LABELS,
        "conditions": CONDITION_LABELS,
        "sides": SIDE_LABELS,
        "kinds": KIND_LABELS,
        "groups": GROUP_LABELS,
    }


class ModelCardPages(Controller):
    path = "/manager/model"
    guards = [requires(Role.MANAGER, Role.ADMIN)]
    include_in_schema = False

    @get("/", operation_id="pageManagerModelCard")
    async def model_card(self, request: AuthRequest) -> Template:
        """The model card of the ranking model in use."""
        return page(request, "manager/model.html", **card_context())
