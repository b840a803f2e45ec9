"""Every model, imported in one place so the metadata is complete (for Alembic too)."""

from champion.assignments.models import AssignedLearner, Assignment, assignment_modules
from champion.audit.models import AuditEvent
from champion.auth.models import Role, User
from champion.badges.models import Badge, BadgeAward, ProgrammeEvaluation
from champion.catalog.models import ContentPage, Module, ModuleDraft, ModuleVersion, Series
from champion.departments.models import (
    Department,
    DepartmentInvite,
    department_leads,
    department_members,
)
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt, AttemptAnswer
from champion.reminders.models import EmailPreference, EmailSend

__all__ = [
    "AssignedLearner",
    "Assignment",
    "Attempt",
    "AttemptAnswer",
    "AuditEvent",
    "Badge",
    "BadgeAward",
    "ContentPage",
    "Department",
    "DepartmentInvite",
    "EmailPreference",
    "EmailSend",
    "Module",
    "ModuleDraft",
    "ModuleProgress",
    "ModuleVersion",
    "ProgrammeEvaluation",
    "Role",
    "Series",
    "User",
    "assignment_modules",
    "department_leads",
    "department_members",
]
