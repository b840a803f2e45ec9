"""Start the test LTI platform (server.py, in .venv-lti-platform) on a free port, and talk
to it as a browser and as the platform's own test hooks."""

from __future__ import annotations

import contextlib
import html
import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PYTHON = HERE.parent.parent / ".venv-lti-platform" / "bin" / "python"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self):
        return json.loads(self.text)


def http(method: str, url: str, data: dict | None = None, json_body: object = None) -> Answer:
    """One request, redirects not followed (the test plays the browser)."""
    body, headers = None, {}
    if json_body is not None:
        body, headers = json.dumps(json_body).encode(), {"Content-Type": "application/json"}
    elif data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with _opener.open(request, timeout=30) as response:
            return Answer(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers), exc.read().decode())


def form_fields(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the (auto-submitting) form on ``page``."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page)[1])
    fields = {html.unescape(m[1]): html.unescape(m[2]) for m in re.finditer(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}
    return action, fields


@contextlib.contextmanager
def running_platform() -> Iterator[str]:
    if not PYTHON.exists():
        pytest.skip("the LTI platform's venv is missing: make .venv-lti-platform/.installed")
    port = free_port()
    process = subprocess.Popen([str(PYTHON), str(HERE / "server.py"), str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if http("GET", base + "/health").status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the LTI platform did not start: "
                                   + process.stderr.read().decode()[-2000:])
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()
