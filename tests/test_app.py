"""Configuration, health check and error pages."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.exc import OperationalError

import config
from champion import create_app
from champion.extensions import db


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigurationError, match="SECRET_KEY is not set"):
        create_app("production")


def test_production_refuses_to_start_without_a_base_url(monkeypatch):
    # Else a Host or X-Forwarded-Host header would choose the host of reset links.
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("CHAMPION_BASE_URL", raising=False)
    with pytest.raises(config.ConfigurationError, match="CHAMPION_BASE_URL is not set"):
        create_app("production")


def test_production_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("CHAMPION_BASE_URL", "https://champion.test")
    monkeypatch.setenv("CHAMPION_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    app = create_app("production")
    assert not app.debug
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.app_context():
        db.engine.dispose()


def test_development_generates_a_secret_per_process(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CHAMPION_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    first, second = create_app("development"), create_app("development")
    assert first.config["SECRET_KEY"] and first.config["SECRET_KEY"] != second.config["SECRET_KEY"]


def test_unknown_environment_is_refused():
    with pytest.raises(config.ConfigurationError, match="CHAMPION_ENV must be one of"):
        create_app("staging")


def test_the_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("CHAMPION_DATABASE_URL", raising=False)
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/champion.db"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_reports_a_database_that_does_not_answer(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken, raising=False)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"


def test_error_pages_match_the_site(client):
    response = client.get("/no/such/page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in page and 'class="site-header"' in page
    assert client.delete("/healthz").status_code == 405


def test_500_page_rolls_back_and_shows_no_trace(tmp_path):
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e.db'}"})

    @app.get("/_boom")
    def boom():
        raise RuntimeError("internal detail")

    response = app.test_client().get("/_boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page and "internal detail" not in page
    assert "Traceback" not in page


def test_remembered_urls_are_the_urls_flask_builds(app):
    from flask import Flask, url_for

    cases = [("catalog.index", {}), ("static", {"filename": "css/champion.css"}),
             ("catalog.module", {"series_slug": "basics", "module_slug": "first-steps"}),
             ("catalog.module", {"series_slug": "basics", "module_slug": "reading"}),
             ("catalog.index", {"page": 2})]  # unknown keys become the query string
    for script_root in ("", "/champion"):
        with app.test_request_context("/", base_url=f"https://champion.test{script_root}"):
            for endpoint, values in cases:
                expected = Flask.url_for(app, endpoint, **values)
                assert url_for(endpoint, **values) == url_for(endpoint, **values) == expected
            assert url_for("catalog.index", _external=True) == (
                f"https://champion.test{script_root}/")
    # A relative endpoint belongs to the blueprint of the page that builds it.
    with app.test_request_context("/"):
        catalog = url_for(".index")
    with app.test_request_context("/admin/"):
        admin = url_for(".index")
    assert (catalog, admin) == ("/", "/admin/")


def test_debug_mode_remembers_page_urls_too_but_not_static_ones(app, monkeypatch):
    """``make run`` (debug) runs the same URL code as production; only static URLs, whose
    fingerprints follow edits in debug, are built afresh."""
    from flask import url_for

    monkeypatch.setattr(app, "debug", True)
    app._urls.clear()
    with app.test_request_context("/"):
        url_for("catalog.index")
        url_for("static", filename="css/champion.css")
    assert [key[2] for key in app._urls] == ["catalog.index"]


def test_suite_runs_on_the_database_ci_asked_for(app):
    """CI names the database each pass must use; a pass that ran another one fails here.

    (For a whole round the "PostgreSQL" pass ran SQLite because TEST_DATABASE_URL never
    reached ``make test``.)
    """
    from tests.conftest import TEST_DATABASE_URL, database_kind

    assert db.engine.dialect.name == database_kind(TEST_DATABASE_URL)
    expected = os.environ.get("CHAMPION_TEST_EXPECT_DATABASE")
    if expected:
        assert db.engine.dialect.name == expected
