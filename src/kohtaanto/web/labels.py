"""Translatable names of the values the pages show (statuses, roles, instruments...)."""

from __future__ import annotations

from kohtaanto.db.models import (
    EducationLevel,
    EntryStatus,
    NotifyFrequency,
    Role,
    VacancyStatus,
)
from kohtaanto.web.i18n import N_
from kohtaanto.web.service_path_labels import SERVICE_PATH_LABELS

LABELS: dict[str, dict[str, str]] = {
    "role": {
        Role.EMPLOYER: N_("Employer"),
        Role.COORDINATOR: N_("Company coordinator"),
        Role.COACH: N_("Personal coach"),
        Role.JOBSEEKER: N_("Jobseeker"),
        Role.MANAGER: N_("Manager"),
        Role.ADMIN: N_("Administrator"),
        Role.SPECIALIST: N_("Specialist"),
    },
    # An organisation's verification by the area's coordinator (read-only for the admin).
    "employer_status": {
        "pending": N_("Awaiting approval"),
        "approved": N_("Approved"),
        "rejected": N_("Rejected"),
    },
    "vacancy_status": {
        VacancyStatus.DRAFT: N_("Draft"),
        VacancyStatus.OPEN: N_("Open"),
        VacancyStatus.CLOSED: N_("Closed"),
        VacancyStatus.FILLED: N_("Filled"),
    },
    "entry_status": {
        EntryStatus.SUGGESTED: N_("Suggested"),
        EntryStatus.CONTACTED: N_("Contacted"),
        EntryStatus.CONSENT_REQUESTED: N_("Consent requested"),
        EntryStatus.CONSENTED: N_("Consented"),
        EntryStatus.DECLINED: N_("Declined"),
        EntryStatus.EXPIRED: N_("Expired"),
        EntryStatus.SHARED: N_("Shared with the employer"),
        EntryStatus.INTERVIEW: N_("Interview"),
        EntryStatus.HIRED: N_("Hired"),
        EntryStatus.NOT_HIRED: N_("Not hired"),
        EntryStatus.REMOVED: N_("Removed"),
    },
    "education": {
        EducationLevel.BASIC: N_("Basic education"),
        EducationLevel.UPPER_SECONDARY: N_("Upper secondary or vocational qualification"),
        EducationLevel.BACHELOR: N_("Bachelor's degree"),
        EducationLevel.MASTER: N_("Master's degree"),
        EducationLevel.DOCTORATE: N_("Doctorate"),
    },
    "frequency": {
        NotifyFrequency.IMMEDIATE: N_("Immediately"),
        NotifyFrequency.DAILY: N_("Once a day"),
        NotifyFrequency.WEEKLY: N_("Once a week"),
        NotifyFrequency.OFF: N_("No e-mail"),
    },
    "language": {
        "fi": N_("Finnish"),
        "sv": N_("Swedish"),
        "en": N_("English"),
        "et": N_("Estonian"),
        "ru": N_("Russian"),
        "ar": N_("Arabic"),
        "so": N_("Somali"),
        "uk": N_("Ukrainian"),
        "fa": N_("Persian"),
        "de": N_("German"),
    },
    "instrument": {
        "wage_subsidy": N_("Wage subsidy"),
        "work_trial": N_("Work trial"),
        "apprenticeship": N_("Apprenticeship"),
        "employment_subsidy_55": N_("Employment subsidy for people aged 55 or over"),
        "local_support": N_("Local recruitment supplement"),
    },
    # The structured reasons of domain.shortlists, by code.
    "not_hired_reason": {
        "skills": N_("Skills did not match the job"),
        "experience": N_("Not enough work experience"),
        "language": N_("Language skills did not match"),
        "availability": N_("Start date or hours did not fit"),
        "pay": N_("Pay expectations did not meet"),
        "location": N_("Commute too long"),
        "other_candidate": N_("Another candidate was chosen"),
        "candidate_declined_offer": N_("The jobseeker declined the offer"),
        "no_show": N_("Did not come to the interview"),
        "not_reachable": N_("Could not be reached"),
        "position_cancelled": N_("The position was cancelled"),
        "other": N_("Other reason"),
    },
    "decline_reason": {
        "not_interested": N_("Not interested in this job"),
        "revoked": N_("Consent taken back"),
        "other": N_("Other reason"),
    },
    "profile_action": {
        "viewed": N_("viewed your profile"),
        "shortlisted": N_("added you to a shortlist"),
        "shared": N_("received your profile"),
        # Reads of the service path by the coach or a team specialist (issue 10).
        "read_assessment": N_("read your service-needs assessment"),
        "read_work_ability": N_("read what you told about your work ability and health"),
        "read_plan": N_("read your plan"),
        "read_meetings": N_("read your meetings"),
    },
    # What a consent shares (domain.disclosure.SHARED_FIELDS), as the consent page lists it.
    "shared_field": {
        "skills": N_("Your skills"),
        "occupations": N_("The occupations you are looking for"),
        "languages": N_("Your languages"),
        "education": N_("Your level of education"),
        "municipality": N_("Your home municipality"),
        "explanation": N_(
            "How you match the job (skills, distance, languages) and whether a wage "
            "subsidy is possible, as a rough monthly amount — never why"
        ),
        "name": N_("Your name"),
        "email": N_("Your e-mail address"),
        "phone": N_("Your phone number"),
    },
    # Recruitment events (domain.events).
    "event_kind": {
        "fair": N_("Recruitment fair"),
        "speed_interviews": N_("Speed interviews"),
        "info_session": N_("Info session"),
        "company_visit": N_("Company visit"),
    },
    "event_status": {
        "draft": N_("Draft"),
        "published": N_("Published"),
        "completed": N_("Completed"),
        "cancelled": N_("Cancelled"),
    },
    "participation_status": {
        "invited": N_("Invited"),
        "requested": N_("Asked to take part"),
        "confirmed": N_("Taking part"),
        "declined": N_("Declined"),
    },
    "invitation_status": {
        "invited": N_("Invited"),
        "booked": N_("Booked"),
        "waiting": N_("On the waiting list"),
        "declined": N_("Declined"),
    },
    "attendance": {"attended": N_("Came"), "no_show": N_("Did not come")},
    "slot_outcome": {"interested": N_("Interested"), "not_this_time": N_("Not this time")},
}

LABELS.update(SERVICE_PATH_LABELS)

# Languages offered in the forms, in this order.
FORM_LANGUAGES = ("fi", "sv", "en", "et", "ru", "uk", "ar", "so", "fa", "de")

# Partner services and referrals (domain.partners.vocabulary).
from kohtaanto.domain.partners.vocabulary import LABELS as _PARTNER_LABELS  # noqa: E402

LABELS.update(_PARTNER_LABELS)
LABELS["role"][Role.PARTNER] = N_("Partner")
