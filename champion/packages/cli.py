"""``champion export scorm|cmi5 TARGET OUT.zip``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from champion.packages.build import build_package
from champion.packages.queries import PackageError, package_course, site_stylesheet

export_cli = click.Group("export", help="Packages of live modules for a learning management "
                                        "system (SCORM 1.2, cmi5).")


def _export(kind: str, target: str, out: str) -> None:
    try:
        course = package_course(target)
    except PackageError as exc:
        raise click.ClickException(str(exc)) from exc
    Path(out).write_bytes(build_package(kind, course, site_stylesheet()))
    questions = sum(len(m.quiz["questions"]) for m in course.modules if m.has_quiz)
    click.echo(f"wrote {out}: {len(course.modules)} module(s), {len(course.media)} media "
               f"file(s), {questions} quiz question(s) with their key (readable by anyone "
               "who has the package)")


def _export_command(kind: str, summary: str) -> None:
    @export_cli.command(kind, help=summary)
    @click.argument("target", metavar="SERIES|SERIES/MODULE")
    @click.argument("out", metavar="OUT.zip", type=click.Path(dir_okay=False))
    @with_appcontext
    def export(target: str, out: str) -> None:
        _export(kind, target, out)


_export_command("scorm", "A SCORM 1.2 package of TARGET: one SCO per module, reporting "
                         "status and score through the LMS's API.")
_export_command("cmi5", "A cmi5 package of TARGET (cmi5.xml): one assignable unit per module, "
                        "reporting by xAPI statements.")
