"""The ceiling for page benchmarks: a bare Flask app returning saved bytes.

Served by gunicorn with the same settings as the real app; bench/server.py saves each
page's bytes to CEILING_DIR and compares throughput.
"""

import os
from pathlib import Path

from flask import Flask, Response, abort

app = Flask(__name__)
PAGES = {p.name: p.read_bytes() for p in Path(os.environ["CEILING_DIR"]).glob("*.html")}


@app.get("/<name>")
def page(name: str):
    body = PAGES.get(f"{name}.html")
    if body is None:
        abort(404)
    return Response(body, mimetype="text/html")
