"""Fixtures: one app per session, a clean database per test, one user per role.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
The schema is always built by the migrations, so every run also proves them.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import MetaData, event, inspect, text

from champion import create_app
from champion.auth.models import Role, User
from champion.departments.models import Department
from champion.extensions import db
from tests.helpers import FIXTURE_CONTENT, client_for, login, make_user, sync
from tests.sso_counterparts import (  # noqa: F401  (fixtures)
    sso_config,
    start_oidc_provider,
    start_saml_idp,
)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")



def database_kind(url: str | None) -> str:
    """The database a run uses, as a person reads it: ``postgresql`` or ``sqlite``."""
    return url.split(":", 1)[0].split("+", 1)[0] if url else "sqlite"


def pytest_report_header(config: pytest.Config) -> str:
    where = TEST_DATABASE_URL.rsplit("@", 1)[-1] if TEST_DATABASE_URL else "a temporary file"
    return f"database: {database_kind(TEST_DATABASE_URL)} ({where})"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    # The header is hidden under -q; the summary line is not.
    terminalreporter.write_line(pytest_report_header(config))


postgres_only = pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"),
    reason="needs PostgreSQL: set TEST_DATABASE_URL",
)


def drop_everything() -> None:
    """Drop every table (ours and Alembic's), whatever state the database is in."""
    meta = MetaData()
    meta.reflect(bind=db.engine)
    with db.engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if not postgres:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
        for name in meta.tables:  # unsorted: modules and module_versions refer to each other
            cascade = " CASCADE" if postgres else ""
            connection.execute(text(f'DROP TABLE IF EXISTS "{name}"{cascade}'))


def empty_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            connection.execute(text("UPDATE modules SET current_version_id = NULL"))
            for name in reversed(tables):
                connection.execute(text(f'DELETE FROM "{name}"'))


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as on a real server.

    Tests hold an app context open to use the database; without this, requests would
    share it, and with it ``g`` and the database session, hiding real bugs.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'champion-test.db'}"


@pytest.fixture(scope="session")
def _app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CHAMPION_MODULES_DIR": str(FIXTURE_CONTENT),
            "CHAMPION_BASE_URL": "https://champion.test",
            "CHAMPION_ISSUER_KEY_FILE": str(tmp_path_factory.mktemp("keys") / "issuer.pem"),
            "CHAMPION_LTI_KEY_FILE": str(tmp_path_factory.mktemp("lti") / "tool.pem"),
            "CHAMPION_DRAFTS_DIR": str(tmp_path_factory.mktemp("drafts")),
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        drop_everything()
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app: Flask) -> Iterator[Flask]:
    from champion.extensions import limiter

    with _app.app_context():
        yield _app
        db.session.remove()
        empty_tables()
        limiter.reset()  # rate-limit counts belong to one test
        for staged in Path(_app.config["CHAMPION_DRAFTS_DIR"]).iterdir():
            shutil.rmtree(staged)  # drafts' uploads go with their drafts


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture content, for tests that edit files."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


@pytest.fixture
def synced(app: Flask):
    """The fixture content, loaded into the database."""
    return sync()


@pytest.fixture
def department(app: Flask) -> Department:
    dept = Department(slug="gyn-onc", name="Gynecologic Oncology")
    db.session.add(dept)
    db.session.commit()
    return dept


@pytest.fixture
def learner(app: Flask, department: Department) -> User:
    return make_user(Role.LEARNER, department=department)


@pytest.fixture
def educator(app: Flask) -> User:
    return make_user(Role.EDUCATOR)


@pytest.fixture
def lead(app: Flask, department: Department) -> User:
    return make_user(Role.LEAD, department=department)


@pytest.fixture
def admin(app: Flask) -> User:
    return make_user(Role.ADMIN)


# A signed-in client for each role.


@pytest.fixture
def learner_client(client: FlaskClient, learner: User) -> FlaskClient:
    login(client, learner)
    return client


@pytest.fixture
def educator_client(app: Flask, educator: User) -> FlaskClient:
    return client_for(app, educator)


@pytest.fixture
def lead_client(app: Flask, lead: User) -> FlaskClient:
    return client_for(app, lead)


@pytest.fixture
def admin_client(app: Flask, admin: User) -> FlaskClient:
    return client_for(app, admin)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):
    """Count SQL statements sent while the ``with`` block runs."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


class Inbox:
    def __init__(self):
        self.messages: list[str] = []
        # Set to a number to have the server refuse (451, try later) every message after
        # that many: an outage in the middle of a batch.
        self.refuse_after: int | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_after is not None and len(self.messages) >= self.refuse_after:
            return "451 4.3.0 Mail server temporarily unavailable"
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 Message accepted"


@pytest.fixture
def smtp(app):
    """A real SMTP server on a free port; the app sends to it; ``.messages`` are received."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(CHAMPION_SMTP_HOST="127.0.0.1", CHAMPION_SMTP_PORT=port)
    yield inbox
    app.config.update(CHAMPION_SMTP_HOST=None, CHAMPION_SMTP_PORT=25)
    controller.stop()
