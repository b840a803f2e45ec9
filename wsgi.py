"""The WSGI entry point: ``gunicorn wsgi:app``. Production unless CHAMPION_ENV says otherwise."""

import os

from champion import create_app

app = create_app(os.environ.get("CHAMPION_ENV", "production"))
