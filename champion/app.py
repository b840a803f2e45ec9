"""The application factory, in named steps."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

import config as champion_config
from champion import filters, limits
from champion.extensions import csrf, db, login_manager, migrate
from champion.security import register_security

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class Champion(Flask):
    """Flask, remembering the page URLs it builds.

    The URL map is fixed once the app serves, so the path built for an endpoint and its
    values never changes in a worker, and every page builds the same dozen or so on each
    request (navigation, static files, a module's own links). Only paths inside a request
    are remembered; external, anchored or scheme-specific URLs are built afresh, and so are
    static files' URLs in debug mode (their fingerprints follow edits there). Debug mode
    otherwise runs the same code as production, so ``make run`` exercises it. A
    ``url_defaults`` function must depend only on the endpoint and values it is given, as
    ``static_fingerprint`` does.
    """

    MAX_URLS = 4096

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple, str] = {}

    def url_for(self, endpoint: str, /, *, _anchor: str | None = None,
                _method: str | None = None, _scheme: str | None = None,
                _external: bool | None = None, **values: Any) -> str:
        if (_anchor or _method or _scheme or _external or not has_request_context()
                or (self.debug and endpoint == "static")):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        blueprint = request.blueprint if endpoint[:1] == "." else None
        try:
            key = (request.script_root, blueprint, endpoint, *sorted(values.items()))
            url = self._urls.get(key)
        except TypeError:  # unhashable values (a list of query arguments): build it
            return super().url_for(endpoint, **values)
        if url is None:
            url = super().url_for(endpoint, **values)
            if len(self._urls) >= self.MAX_URLS:  # attempt pages and the like: start over
                self._urls.clear()
            self._urls[key] = url
        return url


def create_app(config: str | Mapping[str, Any] | None = None) -> Flask:
    """Create the app for an environment name, or from a mapping of settings.

    A mapping is layered over the ``testing`` settings when it says ``TESTING``,
    else over ``development``.
    """
    app = Champion(__name__, instance_relative_config=True)
    configure(app, config)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def configure(app: Flask, config: str | Mapping[str, Any] | None) -> None:
    if config is None:
        config = os.environ.get("CHAMPION_ENV", "production")
    if isinstance(config, str):
        settings = champion_config.load(config)
    else:
        base = "testing" if config.get("TESTING") else "development"
        settings = {**champion_config.load(base), **config}
    app.config.update(settings)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'champion.db'}"
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Waiting writers queue instead of failing at once.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "connect_args": {"timeout": 30},
        }
    app.debug = app.debug and app.config["CHAMPION_ENV"] != "production"


def register_extensions(app: Flask) -> None:
    # Import models so every table is on the metadata before anything uses it.
    from champion import models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    limits.init_app(app)  # before the CSRF check reads any body
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    from champion.catalog import live, rendered

    rendered.init_app(app)
    live.init_app(app)


def register_blueprints(app: Flask) -> None:
    from champion.admin import account_views, audit_views  # noqa: F401  (routes)
    from champion.admin.views import blueprint as admin
    from champion.assignments.views import blueprint as assignments
    from champion.auth.account_views import blueprint as account
    from champion.auth.verification_views import blueprint as verification
    from champion.auth.views import blueprint as auth
    from champion.author import analysis_views, quiz_views, views  # noqa: F401  (routes)
    from champion.author.blueprint import blueprint as author
    from champion.badges import evaluation_views  # noqa: F401  (its route)
    from champion.badges.views import blueprint as badges
    from champion.catalog.views import blueprint as catalog
    from champion.credit import admin_views  # noqa: F401  (its routes)
    from champion.credit.views import blueprint as credit
    from champion.departments.views import blueprint as departments
    from champion.lti.admin_views import blueprint as lti_admin
    from champion.lti.views import blueprint as lti
    from champion.main.views import blueprint as main
    from champion.progress.views import blueprint as progress
    from champion.quizzes.views import blueprint as quizzes
    from champion.reminders.views import blueprint as reminders
    from champion.scim.views import blueprint as scim
    from champion.sso import admin_views as sso_admin_views  # noqa: F401  (its routes)
    from champion.sso.views import blueprint as sso
    from champion.team import person_views  # noqa: F401  (its route)
    from champion.team.views import blueprint as team
    from champion.twofactor.views import blueprint as twofactor

    for blueprint in (main, auth, verification, catalog, quizzes, progress, badges, departments,
                      team, admin, author, scim, twofactor, lti, lti_admin, sso, account,
                      credit, assignments, reminders):
        app.register_blueprint(blueprint)


ERROR_MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "We couldn't find that page. It may have moved or been retired."),
    405: ("Not allowed", "That action isn't available here."),
    413: ("Too large", "What you sent is larger than this site accepts."),
    500: ("Something went wrong", "An unexpected error occurred. Your work was not saved; "
          "please try again. If it keeps happening, tell the site administrator."),
}


def register_errorhandlers(app: Flask) -> None:
    def render_error(code: int, message: str | None = None):
        title, default = ERROR_MESSAGES.get(code, (f"Error {code}", ""))
        if request.accept_mimetypes.best == "application/json":
            return {"error": title, "status": code}, code
        # A 500 may come from the database itself: its page asks nothing more of it.
        return render_template(
            "errors/error.html", code=code, title=title, message=message or default,
            plain_nav=code == 500,
        ), code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400, "This form has expired or was sent from another site. Go back, reload the "
            "page and submit again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(500)
    def internal_error(error: Exception):
        try:
            db.session.rollback()
            return render_error(500)
        except Exception:  # the page itself needs the database; answer without it
            return app.jinja_env.get_template("errors/unavailable.html").render(), 500


def register_template_helpers(app: Flask) -> None:
    filters.register(app)
    from champion.assignments import helpers as assignment_helpers

    assignment_helpers.init_app(app)
    static_root = Path(app.static_folder)

    # A file's hash is read once per worker; in development (files edited while the
    # server runs) it is keyed by modification time too.
    watch = app.debug

    @lru_cache(maxsize=256)
    def fingerprint(filename: str, mtime: float | None) -> str | None:
        path = static_root / filename
        if not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    @app.url_defaults
    def static_fingerprint(endpoint: str, values: dict) -> None:
        """Every static URL carries its file's hash: cached for a year, never stale."""
        if endpoint == "static" and "filename" in values and "v" not in values:
            filename = values["filename"]
            mtime = None
            if watch:
                path = static_root / filename
                mtime = path.stat().st_mtime if path.is_file() else None
            digest = fingerprint(filename, mtime)
            if digest:
                values["v"] = digest


def register_commands(app: Flask) -> None:
    from champion.cli import (
        backup_command,
        badges_cli,
        demo_command,
        departments_cli,
        modules_cli,
        report_cli,
        restore_command,
        users_cli,
    )
    from champion.credit.commands import credit_cli
    from champion.lti.cli import lti_cli
    from champion.packages.cli import export_cli
    from champion.reminders.cli import reminders_cli
    from champion.xapi.cli import xapi_cli

    for command in (modules_cli, users_cli, departments_cli, report_cli, badges_cli,
                    backup_command, restore_command, demo_command, export_cli, xapi_cli,
                    lti_cli, credit_cli, reminders_cli):
        app.cli.add_command(command)
