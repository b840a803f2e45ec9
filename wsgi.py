"""The WSGI entry point: ``gunicorn wsgi:app``. Production unless CHAMPION_ENV says otherwise."""

import gc
import os

from champion import create_app

app = create_app(os.environ.get("CHAMPION_ENV", "production"))

# Everything built at start-up lives as long as the worker: move it out of the cyclic
# collector's sight, so each full collection during a large request has less to walk.
gc.collect()
gc.freeze()
