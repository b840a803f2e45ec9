"""The ``champion`` command line: a Flask CLI group bound to the app."""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from champion.audit.operations import record
from champion.auth.models import Role, User
from champion.auth.operations import AccountError, create_user, find_user, set_password
from champion.badges.checking import check_credential_file
from champion.catalog.export import export_content
from champion.catalog.sync import SyncConflict, sync_content
from champion.content import Content, load_content
from champion.credit.commands import report_credit
from champion.departments.models import Department
from champion.departments.operations import (
    MembershipError,
    add_member,
    create_department,
    import_roster,
)
from champion.departments.roster import parse_roster
from champion.extensions import db
from champion.spreadsheet import to_csv
from champion.team.report import completion_rows


def _content_dir(directory: str | None) -> Path:
    return Path(directory or current_app.config["CHAMPION_MODULES_DIR"])


def _report(content: Content) -> None:
    for problem in content.problems:
        click.echo(str(problem))
    errors, warnings = len(content.errors), len(content.warnings)
    click.echo(
        f"{len(content.modules)} modules in {len(content.series)} series; "
        f"{errors} error(s), {warnings} warning(s)",
        err=True,
    )


# --- modules -------------------------------------------------------------------------

modules_cli = click.Group("modules", help="Validate and import the content folder.")


@modules_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--strict", is_flag=True,
              help="Exit 1 on any warning too (item-writing warnings included), for CI.")
@with_appcontext
def modules_check(directory: str | None, strict: bool) -> None:
    """Report every problem in DIRECTORY, one a line; exit 1 if any is an error (with
    --strict, if there is any problem at all)."""
    content = load_content(_content_dir(directory))
    _report(content)
    if strict and content.warnings and not content.errors:
        click.echo(f"--strict: {len(content.warnings)} warning(s) fail the check", err=True)
    sys.exit(1 if content.errors or (strict and content.warnings) else 0)


@modules_cli.command("sync")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change, change nothing.")
@click.option("--force", is_flag=True,
              help="Where a module changed in the browser and in its file, keep the file.")
@with_appcontext
def modules_sync(directory: str | None, dry_run: bool, force: bool) -> None:
    """Validate DIRECTORY, then import it all or nothing."""
    content = load_content(_content_dir(directory))
    if content.errors:
        _report(content)
        click.echo("sync refused: fix the errors above; nothing was changed", err=True)
        sys.exit(1)
    for problem in content.warnings:
        click.echo(str(problem))
    try:
        report = sync_content(content, force=force)
    except SyncConflict as conflict:
        db.session.rollback()
        for line in conflict.conflicts:
            click.echo(f"conflict: {line}", err=True)
        click.echo("sync refused: nothing was changed", err=True)
        sys.exit(1)
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    prefix = "dry run, nothing changed: " if dry_run else ""
    click.echo(prefix + report.summary())
    if report.awards and not dry_run:
        click.echo(f"badges awarded: {report.awards}")


@modules_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
@with_appcontext
def modules_export(directory: str) -> None:
    """Write the published content to DIRECTORY as files in the SPEC format.

    Syncing DIRECTORY afterwards finds every module unchanged. Retired modules' files are
    removed from DIRECTORY.
    """
    report = export_content(Path(directory), media_from=_content_dir(None))
    record(None, "content.export", None,
           f"content exported to {directory}: {len(report.written)} files")
    db.session.commit()
    for line in report.skipped:
        click.echo(f"skipped: {line}", err=True)
    for line in report.removed:
        click.echo(f"removed: {line}")
    click.echo(f"exported {len(report.written)} files to {directory}")


# --- users and departments -------------------------------------------------------------

users_cli = click.Group("users", help="Manage accounts.")


def _departments(slugs: tuple[str, ...]) -> list[Department]:
    found = []
    for slug in slugs:
        department = db.session.scalar(select(Department).where(Department.slug == slug))
        if department is None:
            raise click.ClickException(
                f"no department '{slug}': create it with `champion departments create {slug} "
                "--name NAME`"
            )
        found.append(department)
    return found


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("no password on standard input")
    return password


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.LEARNER.value,
    show_default=True,
)
@click.option(
    "--department", "departments", multiple=True, metavar="SLUG",
    help="A department the learner belongs to, or that the lead leads (repeatable).",
)
@with_appcontext
def users_create(email: str, name: str, role: str, departments: tuple[str, ...]) -> None:
    """Create an account. The password is read from stdin, or prompted for."""
    chosen = _departments(departments)
    password = _read_password()
    leads = role == Role.LEAD.value
    try:
        user = create_user(email, name, password, role=role, departments=chosen if leads else ())
        db.session.flush()
        # Joining goes through add_member, the one way in, so the department's open
        # assignments reach the new member and the join is audited.
        for department in () if leads else chosen:
            add_member(department, user, None, how="command line")
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


@users_cli.command("import")
@click.argument("csv_file", metavar="CSV", type=click.Path(exists=True, dir_okay=False))
@click.option("--department", "slug", required=True, metavar="SLUG",
              help="The department the learners join.")
@with_appcontext
def users_import(csv_file: str, slug: str) -> None:
    """Bulk-create learners from a roster (columns email,name).

    A roster with any bad row is refused whole, each bad row named by its number.
    New accounts get a set-password link, printed here; no password is ever in the CSV.
    An existing account is never changed: it is asked to join, and joins if its owner
    accepts.
    """
    [department] = _departments((slug,))
    try:
        text = Path(csv_file).read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{csv_file} is not UTF-8 text") from exc
    roster = parse_roster(text)
    for warning in roster.warnings:
        click.echo(f"{csv_file}: warning: {warning}", err=True)
    if roster.errors:
        for error in roster.errors:
            click.echo(f"{csv_file}: error: {error}", err=True)
        raise click.ClickException("roster refused: fix the rows above; nothing was changed")
    result = import_roster(department, roster, actor=None)
    db.session.commit()
    click.echo(f"{len(result.created)} created, {len(result.requested)} asked to join, "
               f"{len(result.unchanged)} already members; {result.joined} joined "
               f"{department.slug}")
    for new in result.created:
        click.echo(f"{new.user.email}\t{new.link}")


departments_cli = click.Group("departments", help="Manage departments.")


@departments_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The department's display name.")
@with_appcontext
def departments_create(slug: str, name: str) -> None:
    """Create a department."""
    try:
        create_department(slug, name, actor=None)
    except MembershipError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created department {slug}")


# --- reports ---------------------------------------------------------------------------

report_cli = click.Group("report", help="Reports as CSV on standard output.")


@report_cli.command("completion")
@click.option("--department", "slug", metavar="SLUG", help="One department (default: all).")
@click.option("--series", metavar="SLUG", help="Only the modules of one series.")
@with_appcontext
def report_completion(slug: str | None, series: str | None) -> None:
    """Each member's status and best score on every module, as on the lead dashboard."""
    if slug:
        departments = _departments((slug,))
    else:
        departments = list(db.session.scalars(select(Department).order_by(Department.slug)))
    click.echo(to_csv(completion_rows(departments, series)), nl=False)


report_cli.add_command(report_credit)


# --- badges ----------------------------------------------------------------------------

badges_cli = click.Group("badges", help="Open Badges credentials.")


@badges_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--jwks", "jwks_path", type=click.Path(exists=True, dir_okay=False),
              help="The issuer's published keys (/issuer/jwks.json), to verify offline "
                   "without this instance's key.")
@with_appcontext
def badges_verify(path: str, jwks_path: str | None) -> None:
    """Check a credential: a signed Open Badges 3.0 .jwt, or a baked PNG or SVG badge."""
    outcome = check_credential_file(
        Path(path), json.loads(Path(jwks_path).read_text()) if jwks_path else None)
    for line in outcome.lines:
        click.echo(line)
    sys.exit(0 if outcome.valid else 1)


# --- backups ---------------------------------------------------------------------------

def _sqlite_path() -> Path | None:
    url = db.engine.url
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Copy the database to PATH while the site keeps running.

    SQLite: an online backup (consistent even mid-write). PostgreSQL: runs pg_dump in its
    custom format (restore with pg_restore).
    """
    source = _sqlite_path()
    if source is not None:
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(path)) as copy:
            live.backup(copy)
        click.echo(f"backed up {source} to {path}")
        return
    url = db.engine.url
    if url.get_backend_name() != "postgresql":
        raise click.ClickException(f"no backup method for {url.get_backend_name()}")
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        subprocess.run(["pg_dump", "--format=custom", f"--file={path}", libpq], check=True)
    except FileNotFoundError as exc:
        raise click.ClickException("pg_dump is not installed: install the PostgreSQL "
                                   "client tools") from exc
    except subprocess.CalledProcessError as exc:
        raise click.ClickException(f"pg_dump failed (exit {exc.returncode})") from exc
    click.echo(f"backed up {url.database} to {path} (restore with pg_restore)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Don't ask for confirmation.")
@with_appcontext
def restore_command(path: str, yes: bool) -> None:
    """SQLite: replace the database with the backup at PATH (stop the site first)."""
    target = _sqlite_path()
    if target is None:
        raise click.ClickException("for PostgreSQL, restore with pg_restore (see "
                                   "docs/deployment.md)")
    with closing(sqlite3.connect(path)) as backup:
        if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{path} is not a sound SQLite database")
    if not yes:
        click.confirm(f"Replace {target} with {path}?", abort=True)
    db.engine.dispose()
    with closing(sqlite3.connect(path)) as backup, closing(sqlite3.connect(target)) as live:
        backup.backup(live)
    click.echo(f"restored {target} from {path}")


# --- demo ------------------------------------------------------------------------------

DEMO_ACCOUNTS = [
    ("learner@example.org", "Dana Learner", Role.LEARNER),
    ("educator@example.org", "Eli Educator", Role.EDUCATOR),
    ("lead@example.org", "Lee Lead", Role.LEAD),
    ("admin@example.org", "Ada Admin", Role.ADMIN),
]


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Development only: a demo department and one account of each role."""
    if current_app.config["CHAMPION_ENV"] != "development":
        raise click.ClickException("`champion demo` runs only with CHAMPION_ENV=development")
    department = db.session.scalar(select(Department).where(Department.slug == "demo"))
    if department is None:
        department = Department(slug="demo", name="Demo Gynecologic Oncology")
        db.session.add(department)
    rows = []
    for email, name, role in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        user: User | None = find_user(email)
        if user is None:
            # Demo addresses can't receive mail; they count as verified so badges show.
            user = create_user(email, name, password, role=role, departments=[department],
                               email_verified=True)
        else:
            set_password(user, password)
        rows.append((role.value, email, password))
    db.session.commit()
    click.echo("Demo accounts (development only; passwords change each run):")
    for role, email, password in rows:
        click.echo(f"  {role:<9} {email:<22} {password}")
