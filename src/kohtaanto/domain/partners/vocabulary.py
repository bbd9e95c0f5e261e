"""The catalogue's vocabularies, modelled on the data·inclusion service schema.

Codes are stored; the pages show the translated labels (``LABELS``). The theme
vocabulary has two levels, ``area--theme`` as in data·inclusion (``choose-a-job``,
``training--competence-mapping``...), adapted to the Finnish service model.
"""

from __future__ import annotations

from kohtaanto.i18n import N_

ORG_KINDS: dict[str, str] = {
    "education": N_("Vocational college or adult education"),
    "guidance": N_("Career guidance"),
    "health": N_("Social and health services"),
    "kela": N_("Kela"),
    "municipality": N_("Municipal service"),
    "ngo": N_("Association or NGO"),
    "staffing": N_("Staffing firm"),
    "project": N_("Project"),
}

SERVICE_TYPES: dict[str, str] = {
    "guidance": N_("Guidance"),
    "assessment": N_("Competence mapping"),
    "training": N_("Training"),
    "workshop": N_("Workshop"),
    "coaching": N_("Coaching"),
    "work_activity": N_("Rehabilitative work activity"),
    "financial_aid": N_("Financial aid"),
    "placement": N_("Job placement"),
    "peer_support": N_("Peer support"),
    "information": N_("Information"),
}

THEMES: dict[str, str] = {
    "choose-a-job": N_("Choose a job"),
    "choose-a-job--career-guidance": N_("Career guidance"),
    "choose-a-job--competence-mapping": N_("Competence mapping"),
    "choose-a-job--recognition-of-prior-learning": N_("Recognition of prior learning"),
    "training": N_("Training"),
    "training--vocational-qualification": N_("Vocational qualification"),
    "training--short-course": N_("Short course"),
    "training--digital-skills": N_("Digital skills"),
    "training--language": N_("Language"),
    "find-a-job": N_("Find a job"),
    "find-a-job--job-search": N_("Job search"),
    "find-a-job--work-trial": N_("Work trial"),
    "find-a-job--staffing": N_("Staffing"),
    "health": N_("Health"),
    "health--work-ability": N_("Work ability"),
    "health--mental-health": N_("Mental health"),
    "health--substance-use": N_("Substance use"),
    "disability": N_("Disability"),
    "social": N_("Social inclusion"),
    "social--rehabilitative-work": N_("Rehabilitative work activity"),
    "money": N_("Money and benefits"),
    "money--benefits": N_("Benefits"),
    "mobility": N_("Mobility"),
    "mobility--driving-licence": N_("Driving licence"),
}

AUDIENCES: dict[str, str] = {
    "all": N_("Everyone"),
    "jobseekers": N_("Jobseekers"),
    "young": N_("Young people (under 30)"),
    "long_term_unemployed": N_("Long-term unemployed"),
    "immigrants": N_("Immigrants"),
    "reduced_work_ability": N_("People with reduced work ability"),
    "over_55": N_("Over 55"),
    "no_qualification": N_("Without a vocational qualification"),
}

ACCESS_CONDITIONS: dict[str, str] = {
    "referral_needed": N_("Referral by the employment services"),
    "registered_jobseeker": N_("Registered jobseeker"),
    "unemployment_over_12_months": N_("Unemployed over 12 months"),
    "labour_market_subsidy": N_("Receives labour market subsidy"),
    "finnish_a2": N_("Finnish at least A2"),
    "resident_in_area": N_("Lives in the area served"),
    "none": N_("No conditions"),
}

RECEPTION_MODES: dict[str, str] = {
    "in_person": N_("In person"),
    "remote": N_("Remote"),
    "phone": N_("By phone"),
}

# How the service is mobilised: through a Kohtaanto referral (a link by e-mail or the
# partner's own account), or by the client themselves.
REFERRAL_METHODS: dict[str, str] = {
    "kohtaanto": N_("Referral in Kohtaanto"),
    "phone": N_("The coach calls"),
    "self": N_("The client contacts the service"),
}

FEES: dict[str, str] = {
    "free": N_("Free"),
    "partly": N_("Partly paid"),
    "paid": N_("Paid"),
}

# Why a partner refused a referral, and why a client dropped out.
REFUSAL_REASONS: dict[str, str] = {
    "full": N_("No places left"),
    "not_eligible": N_("Does not meet the access conditions"),
    "not_suitable": N_("The service does not suit the client's needs"),
    "not_reachable": N_("The client could not be reached"),
    "client_declined": N_("The client declined"),
    "other": N_("Other reason"),
}
DROPOUT_REASONS: dict[str, str] = {
    "found_work": N_("Found work"),
    "health": N_("Health reasons"),
    "client_stopped": N_("The client stopped coming"),
    "moved": N_("Moved away"),
    "other": N_("Other reason"),
}

# What a referral can send to the partner, each item by the client's consent.
SHARE_ITEMS: dict[str, str] = {
    "name": N_("Name"),
    "contact": N_("E-mail and phone"),
    "municipality": N_("Municipality"),
    "education": N_("Education"),
    "languages": N_("Languages"),
    "occupations": N_("Occupations"),
    "skills": N_("Skills"),
    "goal": N_("Goal of the referral"),
    "work_ability": N_("Reduced work ability"),
}

REFERRAL_STATUSES: dict[str, str] = {
    "awaiting_consent": N_("Waiting for the client's consent"),
    "sent": N_("Waiting for the partner"),
    "accepted": N_("Accepted"),
    "refused": N_("Refused"),
    "started": N_("Started"),
    "completed": N_("Completed"),
    "dropped_out": N_("Dropped out"),
    "expired": N_("Expired without an answer"),
    "cancelled": N_("Cancelled"),
}

# For the pages' ``label(kind, code)``.
LABELS: dict[str, dict[str, str]] = {
    "partner_kind": ORG_KINDS,
    "service_type": SERVICE_TYPES,
    "service_theme": THEMES,
    "service_audience": AUDIENCES,
    "access_condition": ACCESS_CONDITIONS,
    "reception_mode": RECEPTION_MODES,
    "referral_method": REFERRAL_METHODS,
    "service_fee": FEES,
    "refusal_reason": REFUSAL_REASONS,
    "dropout_reason": DROPOUT_REASONS,
    "share_item": SHARE_ITEMS,
    "referral_status": REFERRAL_STATUSES,
}
