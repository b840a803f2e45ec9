"""The completion report: one table for the dashboard's CSV and `champion report completion`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from champion.assignments.queries import STATES, counts_by_person
from champion.database import utcnow
from champion.departments.models import Department
from champion.progress.models import STATUS_LABELS
from champion.team.queries import Filters, ModuleColumn, learner_rows, module_columns


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def header(modules: list[ModuleColumn]) -> list[str]:
    columns = ["department", "name", "email", "status", "required_completed",
               "required_total", "badge_awarded_at", "last_activity"]
    for module in modules:
        columns += [module.key, f"{module.key} best score"]
    return columns + [f"assignments {label.lower()}" for label in STATES.values()]


def completion_rows(
    departments: Iterable[Department], series: str | None = None,
    filters: Filters | None = None,
) -> Iterator[list[str]]:
    """The header, then one row per active member of each department, in the dashboard's
    order: every learner ``filters`` match (all their pages), or everyone by name."""
    filters = filters or Filters(series=series)
    modules = module_columns(filters.series)
    yield header(modules)
    today = utcnow().date()
    for department in departments:
        learners, _count = learner_rows(department.id, modules, filters, None)
        assigned = counts_by_person(department.id, today)
        for learner in learners:
            row = [department.slug, learner.name, learner.email, STATUS_LABELS[learner.status],
                   str(learner.completed), str(learner.required_total),
                   _when(learner.badge_awarded_at), _when(learner.last_activity)]
            for module in modules:
                cell = learner.cell(module.id)
                row += [STATUS_LABELS[cell.status],
                        "" if cell.best_score is None else str(cell.best_score)]
            counts = assigned.get(learner.id, {})
            row += [str(counts.get(state, 0)) for state in STATES]
            yield row
