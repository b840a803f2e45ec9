"""Every model, imported in one place so the metadata is complete (for Alembic too)."""

from champion.auth.models import Role, User
from champion.badges.models import Badge, BadgeAward
from champion.catalog.models import ContentPage, Module, ModuleVersion, Series
from champion.departments.models import Department, department_leads, department_members
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt, AttemptAnswer

__all__ = [
    "Attempt",
    "AttemptAnswer",
    "Badge",
    "BadgeAward",
    "ContentPage",
    "Department",
    "Module",
    "ModuleProgress",
    "ModuleVersion",
    "Role",
    "Series",
    "User",
    "department_leads",
    "department_members",
]
