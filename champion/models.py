"""Every model, imported in one place so the metadata is complete (for Alembic too)."""

from champion.assignments.models import AssignedLearner, Assignment, assignment_modules
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
from champion.lti.models import LtiGradeTarget, LtiLogin, LtiPlatform, LtiScoreOutbox
from champion.progress.models import ModuleProgress
from champion.quizzes.models import Attempt, AttemptAnswer
from champion.reminders.models import EmailPreference, EmailSend
from champion.scim.models import ScimGroup, ScimUser
from champion.sso.models import DepartmentMapping, UsedAssertion
from champion.twofactor.models import RecoveryCode, TwoFactor
from champion.xapi.models import XapiActor, XapiStatement

__all__ = [
    "AssignedLearner",
    "Assignment",
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
    "DepartmentMapping",
    "DisclosureAcknowledgement",
    "EmailPreference",
    "EmailSend",
    "LtiGradeTarget",
    "LtiLogin",
    "LtiPlatform",
    "LtiScoreOutbox",
    "Module",
    "ModuleDraft",
    "ModuleProgress",
    "ModuleVersion",
    "ProgrammeEvaluation",
    "RecoveryCode",
    "Role",
    "ScimGroup",
    "ScimUser",
    "Series",
    "TwoFactor",
    "UsedAssertion",
    "User",
    "XapiActor",
    "XapiStatement",
    "assignment_modules",
    "department_leads",
    "department_members",
]
