"""The `champion` command line."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from champion.auth.models import User
from champion.catalog.models import Module, ModuleVersion
from champion.departments.models import Department
from champion.extensions import db
from tests.helpers import FIXTURE_CONTENT


def test_check_reports_content_without_errors_and_exits_0_despite_warnings(runner):
    result = runner.invoke(args=["modules", "check", str(FIXTURE_CONTENT)])
    assert result.exit_code == 0, result.output
    assert "basics/02-second-steps.md:9: warning: question 1: only 2 choices" in result.output
    assert "5 modules in 2 series; 0 error(s), 2 warning(s)" in result.output


def test_check_strict_exits_1_on_any_warning_and_sync_still_accepts_them(runner, app):
    strict = runner.invoke(args=["modules", "check", "--strict", str(FIXTURE_CONTENT)])
    assert strict.exit_code == 1
    assert "[few-choices]" in strict.output and "[select-all]" in strict.output
    assert "--strict: 2 warning(s) fail the check" in strict.output
    synced = runner.invoke(args=["modules", "sync", str(FIXTURE_CONTENT)])
    assert synced.exit_code == 0, synced.output
    assert "[few-choices]" in synced.output and "modules: 5 created" in synced.output


def test_check_strict_passes_content_with_no_warnings(runner, content_dir):
    second = content_dir / "basics" / "02-second-steps.md"
    second.write_text(second.read_text().replace("   - [ ] No\n", "   - [ ] No\n   - [ ] Maybe\n"))
    first = content_dir / "basics" / "01-first-steps.md"
    first.write_text(first.read_text().replace("   - [x] Ask\n", "   - [ ] Ask\n"))
    result = runner.invoke(args=["modules", "check", "--strict", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_check_uses_the_configured_folder_by_default(runner):
    result = runner.invoke(args=["modules", "check"])
    assert result.exit_code == 0 and "5 modules in 2 series" in result.output


def test_check_lists_every_problem_and_exits_1(runner, content_dir):
    (content_dir / "basics" / "02-second-steps.md").write_text("---\ntitle: X\n---\nBody\n")
    (content_dir / "basics" / "03-reading.md").write_text("---\nduration: 5\n---\nBody\n")
    result = runner.invoke(args=["modules", "check", str(content_dir)])
    assert result.exit_code == 1
    assert "basics/02-second-steps.md:1: error: missing required key 'duration'" in result.output
    assert "basics/03-reading.md:1: error: missing required key 'title'" in result.output


def test_check_warns_at_an_image_without_alt_text_and_exits_0(runner, content_dir):
    reading = content_dir / "basics" / "03-reading.md"
    lines = reading.read_text().splitlines()
    line = len(lines) + 1
    reading.write_text("\n".join([*lines, '<img src="https://example.org/a.png">', ""]))
    result = runner.invoke(args=["modules", "check", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert (f'basics/03-reading.md:{line}: warning: image without alt text: describe it, or use '
            'alt="" if it is decorative') in result.output
    assert "; 0 error(s), " in result.output


def test_sync_prints_counts_and_is_idempotent(runner, app):
    first = runner.invoke(args=["modules", "sync", str(FIXTURE_CONTENT)])
    assert first.exit_code == 0, first.output
    assert "modules: 5 created, 0 updated, 0 unchanged, 0 retired" in first.output
    again = runner.invoke(args=["modules", "sync", str(FIXTURE_CONTENT)])
    assert "modules: 0 created, 0 updated, 5 unchanged, 0 retired" in again.output


def test_sync_dry_run_changes_nothing(runner, app):
    result = runner.invoke(args=["modules", "sync", "--dry-run", str(FIXTURE_CONTENT)])
    assert result.exit_code == 0
    assert "dry run, nothing changed: modules: 5 created" in result.output
    assert db.session.scalar(select(func.count()).select_from(Module)) == 0


def test_sync_with_any_error_changes_nothing(runner, app, content_dir):
    assert runner.invoke(args=["modules", "sync", str(content_dir)]).exit_code == 0
    first = content_dir / "basics" / "01-first-steps.md"
    first.write_text(first.read_text().replace("title: First", "title: New"))
    shutil.rmtree(content_dir / "extras")
    (content_dir / "basics" / "02-second-steps.md").write_text("---\ntitle: Broken\n---\nx\n")
    result = runner.invoke(args=["modules", "sync", str(content_dir)])
    assert result.exit_code == 1
    assert "basics/02-second-steps.md:1: error: missing required key 'duration'" in result.output
    assert "nothing was changed" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ModuleVersion)) == 5
    assert db.session.scalar(select(func.count()).where(Module.retired_at.is_not(None))) == 0


def test_users_create_reads_the_password_from_stdin(runner, app, department):
    result = runner.invoke(
        args=["users", "create", "Nurse@Example.org", "--name", "Nia Nurse", "--role", "lead",
              "--department", "gyn-onc"],
        input="a-long-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "nurse@example.org"))
    assert user.role == "lead" and user.check_password("a-long-enough-password")
    assert user in db.session.get(Department, department.id).leads


def test_users_create_refuses_bad_input(runner, app, learner):
    short = runner.invoke(args=["users", "create", "x@example.org", "--name", "X"], input="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    dup = runner.invoke(
        args=["users", "create", learner.email, "--name", "X"], input="a-long-enough-password\n"
    )
    assert dup.exit_code == 1 and "already exists" in dup.output
    missing = runner.invoke(
        args=["users", "create", "y@example.org", "--name", "Y", "--department", "nope"],
        input="a-long-enough-password\n",
    )
    assert missing.exit_code == 1 and "no department 'nope'" in missing.output
    role = runner.invoke(args=["users", "create", "z@example.org", "--name", "Z", "--role", "god"])
    assert role.exit_code == 2


def test_departments_create(runner, app):
    result = runner.invoke(args=["departments", "create", "gyn-onc", "--name", "Gyn Onc"])
    assert result.exit_code == 0
    again = runner.invoke(args=["departments", "create", "gyn-onc", "--name", "Gyn Onc"])
    assert again.exit_code == 1 and "already exists" in again.output
    bad = runner.invoke(args=["departments", "create", "Gyn Onc", "--name", "x"])
    assert bad.exit_code == 1 and "not a valid slug" in bad.output


def test_demo_refuses_outside_development(runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1 and "only with CHAMPION_ENV=development" in result.output


def test_demo_creates_one_account_per_role(runner, app):
    app.config["CHAMPION_ENV"] = "development"
    try:
        result = runner.invoke(args=["demo"])
        again = runner.invoke(args=["demo"])
    finally:
        app.config["CHAMPION_ENV"] = "testing"
    assert result.exit_code == 0 and again.exit_code == 0
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"learner", "educator", "lead", "admin"}
    line = next(line for line in again.output.splitlines() if "learner@example.org" in line)
    password = line.split()[-1]
    learner = db.session.scalar(select(User).where(User.email == "learner@example.org"))
    db.session.refresh(learner)
    assert learner.check_password(password)
