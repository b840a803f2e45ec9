"""Every model, imported in one place so the metadata is complete (for Alembic too)."""

from champion.audit.models import AuditEvent
from champion.auth.models import Role, User
from champion.badges.models import Badge, BadgeAward, ProgrammeEvaluation
from champion.catalog.models import ContentPage, Module, ModuleDraft, ModuleVersion, Series
from champion.credit.models import CreditClaim, CreditProfile, DisclosureAcknowledgement
from champion.departments.models import (
    Department,
    DepartmentInvite,
    department_leads,
    department_members,
)
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt, AttemptAnswer

__all__ = [
    "Attempt",
    "AttemptAnswer",
    "AuditEvent",
    "Badge",
    "BadgeAward",
    "ContentPage",
    "CreditClaim",
    "CreditProfile",
    "Department",
    "DepartmentInvite",
    "DisclosureAcknowledgement",
    "Module",
    "ModuleDraft",
    "ModuleProgress",
    "ModuleVersion",
    "ProgrammeEvaluation",
    "Role",
    "Series",
    "User",
    "department_leads",
    "department_members",
]
