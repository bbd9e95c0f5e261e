"""The coach's work with a client: service-needs assessment, the service path (plan),
the job-search obligation, meetings, the caseload work list and the team.

Modules: ``access`` (who reads which part, the read log), ``rules`` (each area's
rhythm as data), ``assessment``, ``plan``, ``obligation``, ``meetings``,
``caseload``, ``team``. None of it is ever shown to employers or coordinators.

For other use cases (the partners' referrals are plan activities of kind
``"referral"``)::

    from kohtaanto.domain.service_paths import plan

    activity = await plan.add_activity(
        session, jobseeker_id, actor=coach_user, kind="referral", title="Osaamiskartoitus",
        starts_on=None, ends_on=None, agreed=False, details={"referral_id": "...", "state": "sent"},
    )  # -> PlanActivity (status "planned", version 1); 404 unless actor is the client's coach

    await plan.set_status(
        session, activity.id, "in_progress", actor=None,            # None: the service itself
        expected_version=None, details={"state": "started"},     # details merged, change logged
    )  # statuses: planned → in_progress → done | cancelled (done/cancelled are final);
       # the same status with new ``details`` records only the details; Conflict (409) when
       # ``expected_version`` is given and stale.

The caseload counts a referral as awaiting the partner while it is ``planned`` and its
``details["state"]`` is missing or in ``caseload.REFERRAL_AWAITING_STATES``.
"""
