"""Migrations build the whole schema from empty, match the models, and go back down."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from champion import create_app
from champion.extensions import db
from tests.conftest import TEST_DATABASE_URL

EXPECTED_TABLES = {
    "users", "departments", "department_members", "department_leads", "department_invites",
    "programme_evaluations", "module_drafts", "membership_requests",
    "audit_events", "series", "modules",
    "module_versions", "content_pages", "attempts", "attempt_answers", "module_progress",
    "badges", "badge_awards", "content_state", "quiz_draws", "external_identities",
    "xapi_outbox", "xapi_actors",
    "scim_users", "scim_groups", "two_factor", "recovery_codes",
    "lti_platforms", "lti_logins", "lti_grade_targets", "lti_score_outbox",
    "sso_department_mappings", "sso_used_assertions",
    "assignments", "assignment_modules", "assigned_learners", "email_preferences", "email_sends",
    "credit_claims", "credit_profiles", "disclosure_acknowledgements",
    "alembic_version",
}  # fmt: skip


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schema = f"migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{TEST_DATABASE_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_migrations_build_the_schema_from_empty_and_match_the_models(empty_database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade()
            assert set(inspect(db.engine).get_table_names()) == EXPECTED_TABLES
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, db.metadata) == []
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
            upgrade()
            assert set(inspect(db.engine).get_table_names()) == EXPECTED_TABLES
        finally:
            db.engine.dispose()
