"""The server-rendered interface: Jinja2 pages and htmx fragments on the same Litestar app.

``route_handlers`` are registered by ``create_app`` next to the API controllers;
``template_config`` and ``EXCEPTION_HANDLERS`` (login redirects, 403 and 404
pages) come with them. Pages call the same domain functions as the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.static_files import create_static_files_router

from kohtaanto.web.account import choose_language, home, login_form, login_submit, logout
from kohtaanto.web.admin import AdminPages
from kohtaanto.web.coach import CoachPages
from kohtaanto.web.coordinator import CoordinatorPages
from kohtaanto.web.employer import EmployerPages
from kohtaanto.web.esco import find_occupations, find_skills, suggest
from kohtaanto.web.events import EmployerEventPages, EventPages, JobseekerEventPages
from kohtaanto.web.inbox import InboxPages
from kohtaanto.web.jobseeker import JobseekerPages
from kohtaanto.web.manager import ManagerPages
from kohtaanto.web.model_card import ModelCardPages
from kohtaanto.web.partners import route_handlers as partner_pages
from kohtaanto.web.password import (
    forgot_form,
    forgot_submit,
    password_change,
    password_form,
    reset_form,
    reset_submit,
)
from kohtaanto.web.rendering import EXCEPTION_HANDLERS, NAV, ROLE_HOME, page, template_config
from kohtaanto.web.service_paths import CoachServicePathPages, MyPlanPages, SpecialistPages
from kohtaanto.web.verification import VerificationPages

static_files = create_static_files_router(
    path="/static",
    directories=[Path(__file__).parent / "static"],
    opt={"exclude_from_auth": True},
    include_in_schema=False,
    name="static",
)

route_handlers: list[Any] = [
    static_files,
    home,
    login_form,
    login_submit,
    logout,
    choose_language,
    password_form,
    password_change,
    forgot_form,
    forgot_submit,
    reset_form,
    reset_submit,
    find_skills,
    find_occupations,
    suggest,
    EmployerPages,
    JobseekerPages,
    InboxPages,
    CoordinatorPages,
    VerificationPages,
    CoachPages,
    CoachServicePathPages,
    MyPlanPages,
    SpecialistPages,
    ManagerPages,
    AdminPages,
    ModelCardPages,
    *partner_pages,
    EventPages,
    EmployerEventPages,
    JobseekerEventPages,
]

__all__ = ["EXCEPTION_HANDLERS", "NAV", "ROLE_HOME", "page", "route_handlers", "template_config"]
