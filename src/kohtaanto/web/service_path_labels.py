"""Translatable names of the service paths' codes (merged into ``labels.LABELS``)."""

from __future__ import annotations

from kohtaanto.i18n import N_

SERVICE_PATH_LABELS: dict[str, dict[str, str]] = {
    "activity_kind": {
        "job_search": N_("Job search"),
        "application": N_("Application to a vacancy"),
        "competence_mapping": N_("Competence mapping"),
        "training": N_("Training"),
        "work_trial": N_("Work trial"),
        "wage_subsidy": N_("Wage-subsidised job"),
        "apprenticeship": N_("Apprenticeship"),
        "rehabilitative_work": N_("Rehabilitative work activity"),
        "referral": N_("Referral to a partner service"),
        "meeting": N_("Meeting"),
        "own_activity": N_("My own activity"),
    },
    "activity_status": {
        "planned": N_("Planned"),
        "in_progress": N_("In progress"),
        "done": N_("Done"),
        "cancelled": N_("Cancelled"),
    },
    "assessment_area": {
        "competence": N_("Competence and education"),
        "work_history": N_("Work history"),
        "work_ability": N_("Work ability and health"),
        "life_situation": N_("Life situation"),
        "language": N_("Language skills"),
        "digital_skills": N_("Digital skills"),
        "mobility": N_("Mobility"),
        "goals": N_("Own goals"),
    },
    "effort_level": {
        "standard": N_("Standard"),
        "situation_dependent": N_("Situation-dependent"),
        "specially_adapted": N_("Specially adapted"),
        "partly_permanent": N_("Partly permanent"),
        "permanent": N_("Permanent"),
    },
    "main_goal": {
        "get_work": N_("Get work"),
        "keep_work": N_("Keep work"),
        "education": N_("Education"),
    },
    "assessment_source": {
        "interview": N_("Interview"),
        "self_assessment": N_("Client's self-assessment"),
        "cv": N_("CV"),
        "registers": N_("Registers"),
        "specialist_statement": N_("Specialist's statement"),
        "earlier_plan": N_("Earlier plan"),
    },
    "meeting_channel": {
        "in_person": N_("In person"),
        "phone": N_("Phone"),
        "video": N_("Video"),
    },
    "profession": {
        "work_ability_coordinator": N_("Work-ability coordinator"),
        "psychologist": N_("Psychologist"),
        "study_counsellor": N_("Study counsellor"),
        "social_worker": N_("Social worker"),
        "nurse": N_("Nurse"),
        "doctor": N_("Doctor"),
        "other": N_("Other specialist"),
    },
    "plan_part": {
        "assessment": N_("Service-needs assessment (without health)"),
        "work_ability": N_("Work ability and health"),
        "plan": N_("Plan and job search"),
        "meetings": N_("Meetings"),
    },
    "plan_type": {
        "employment": N_("Employment plan"),
        "activation": N_("Activation plan"),
        "integration": N_("Integration plan"),
        "multisectoral": N_("Multisectoral joint plan"),
    },
    "application_kind": {"job": N_("Job"), "study_place": N_("Study place")},
}
