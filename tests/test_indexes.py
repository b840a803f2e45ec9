"""Every statement a page or a submission runs finds its rows by an index (SQLite's plan).

PostgreSQL's planner rightly scans tiny test tables, so the plans are read on SQLite, whose
choice doesn't depend on table size.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Executable, event

from champion.auth.views import _USER_BY_ID
from champion.badges.operations import _earner_statements
from champion.catalog.live import _STAMP
from champion.catalog.queries import _LEARNER_PROGRESS, _MODULE_PROGRESS
from champion.extensions import db
from champion.progress.operations import _LOCK_LEARNER, _PROGRESS_FOR
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="reads SQLite's query plans")

PARAMS = {"user_id": 1, "module_id": 1, "now": None, "badge_id": 1, "module_ids": [1, 2],
          "user_ids": [1], "needed": 2}
HOT = {
    "who is signed in": _USER_BY_ID,
    "whether content changed": _STAMP,
    "a learner's progress": _LEARNER_PROGRESS,
    "a learner's progress on a module": _MODULE_PROGRESS,
    "the progress a submission writes": _PROGRESS_FOR,
    "the learner lock": _LOCK_LEARNER,
    "a first badge": _earner_statements(True, False)[0],
    "a renewed badge": _earner_statements(True, True)[1],
}


def plan(statement: Executable) -> list[str]:
    """SQLite's plan for ``statement`` as it is sent, run in a transaction rolled back."""
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, sql, parameters, context, executemany) -> None:
        sent.append((sql, parameters))

    connection = db.session.connection()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.execute(statement, {n: v for n, v in PARAMS.items()
                                       if n in statement.compile().params})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    sql, parameters = sent[-1]
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters).all()
    db.session.rollback()
    return [row[-1] for row in rows]


@pytest.mark.parametrize("name", list(HOT))
def test_hot_statements_find_rows_by_index(app, name):
    steps = plan(HOT[name])
    tables = set(db.metadata.tables)
    # "SCAN t USING (COVERING) INDEX" walks an index; a scan of a subquery's result is fine
    scans = [step for step in steps if step.startswith("SCAN ") and "USING" not in step
             and step.split()[1] in tables]
    assert not scans, (name, steps)
