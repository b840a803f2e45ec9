"""The ``champion`` console script: Flask's command group bound to the app.

Kept apart from ``cli.py`` (the commands), which the app imports to register them.
"""

from __future__ import annotations

import os

from flask.cli import FlaskGroup

from champion.app import create_app


def _create_app():
    # Typed commands run on a developer's machine unless the environment says otherwise.
    return create_app(os.environ.get("CHAMPION_ENV", "development"))


def main() -> None:
    FlaskGroup(
        create_app=_create_app,
        help="Champion: palliative care education for gynecologic oncology.",
    ).main(prog_name="champion")
