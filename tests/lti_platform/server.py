"""An LTI 1.3 platform (an LMS's side) for the tests, on 127.0.0.1: lti1p3platform from PyPI
does the protocol (login initiation, signed launches with deep-linking and AGS claims, the
client-credentials token endpoint, checking deep-linking responses and bearer tokens);
these lines only serve it over HTTP and keep what an LMS would store (links, scores).

Run in its own venv (.venv-lti-platform, tests/lti_platform/requirements.txt):
    python server.py PORT
The test sets it up with POST /setup (the tool's URLs and public keys), then drives it
like a browser: GET /start?user=...&link=... begins a launch.
"""

from __future__ import annotations

import html
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.exceptions import LtiException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

PORT = int(sys.argv[1])
BASE = f"http://127.0.0.1:{PORT}"
CLIENT_ID = "champion-tool"
DEPLOYMENT = "deployment-1"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def _pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


PRIVATE, PUBLIC = _pem_pair()
ROGUE_PRIVATE, ROGUE_PUBLIC = _pem_pair()  # a key the platform never publishes

USERS = {
    "dana": {"name": "Dana Reyes", "email": "dana@mercy.example.org", "roles": [LIS + "Learner"]},
    "ines": {"name": "Ines Okafor", "email": "ines@mercy.example.org",
             "roles": [LIS + "Instructor"]},
}

lock = threading.Lock()
tool: dict = {}  # set by POST /setup
launches: dict[str, dict] = {}  # lti_message_hint -> what the launch should carry
links: list[dict] = []  # resource links made by deep linking, each with its line item
scores: list[dict] = []
failures = {"scores": 0}


class Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, issuer: str = BASE, deployment: str = DEPLOYMENT,
                             private: str = PRIVATE, public: str = PUBLIC) -> None:
        registration = (
            Registration().set_iss(issuer).set_client_id(CLIENT_ID)
            .set_deployment_id(deployment).set_launch_url(tool["launch_url"])
            .set_deeplink_launch_url(tool["launch_url"]).set_oidc_login_url(tool["login_url"])
            .set_platform_public_key(public).set_platform_private_key(private))
        registration.set_tool_key_set(tool["jwks"])
        self._registration = registration

    def get_registration_by_params(self, **kwargs):
        return self._registration


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class PlainRequest(Request):
    def build_metadata(self, request: dict) -> dict:
        return request


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict, **kwargs) -> str:
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(launch_data[name])}">'
            for name in ("id_token", "state"))
        return (f'<!doctype html><html lang="en"><title>Launching</title><body>'
                f'<form method="post" action="{html.escape(launch_data["launch_url"])}">'
                f'{fields}<button type="submit">Continue</button></form>'
                '<script>document.forms[0].submit()</script></body></html>')


def platform_for(settings: dict) -> Platform:
    signing = (ROGUE_PRIVATE, ROGUE_PUBLIC) if settings.get("rogue_key") else (PRIVATE, PUBLIC)
    return Platform(issuer=settings.get("iss") or BASE,
                    deployment=settings.get("deployment") or DEPLOYMENT,
                    private=signing[0], public=signing[1])


def start(query: dict) -> str:
    """A person clicks a link in a course (or the 'add content' button): the platform
    begins a third-party login at the tool."""
    hint = uuid.uuid4().hex
    with lock:
        launches[hint] = query
    login = Login(None, Platform())
    login.set_lti_message_hint(hint=hint)
    return login.initiate_login(query.get("user", "dana"))


def authorize(params: dict) -> str:
    """The tool's authentication request comes back: sign and post the launch."""
    with lock:
        settings = launches[params["lti_message_hint"]]
    user = USERS[params["login_hint"]]
    launch = Launch(PlainRequest({"get_data": params, "form_data": {}}), platform_for(settings))
    launch.set_user_data(f"sub-{params['login_hint']}", user["roles"], user["name"],
                         user["email"])
    launch.set_launch_context_claim("course-101", context_title="Palliative care, PGY-2")
    if settings.get("expires"):
        launch.set_id_token_expiration(int(settings["expires"]))
    if settings.get("kind") == "deeplink":
        launch.set_dl(f"{BASE}/deep-link-return", title="Add Champion content")
    else:
        link = links[int(settings["link"])]
        if settings.get("lineitem"):  # a platform naming a line item of its choosing
            link = {**link, "lineitem": settings["lineitem"]}
        launch.set_resource_link_claim(link["id"], title=link["title"])
        launch.set_custom_parameters_claim(link["custom"])
        if link.get("lineitem"):
            launch.set_ags(lineitems_url=f"{BASE}/lineitems", lineitem_url=link["lineitem"],
                           allow_creating_lineitems=False)
    return launch.lti_launch()


def deep_link_return(form: dict) -> dict:
    items = Platform().validate_deeplinking_resp({"JWT": form["JWT"]})
    made = []
    with lock:
        for item in items:
            index = len(links)
            link = {"id": f"link-{index}", "title": item["title"], "url": item["url"],
                    "custom": item.get("custom") or {}, "index": index}
            if item.get("lineItem"):
                link["lineitem"] = f"{BASE}/lineitems/{index}"
                link["scoreMaximum"] = item["lineItem"]["scoreMaximum"]
            links.append(link)
            made.append(link)
    return {"links": made}


def post_score(path: str, headers, body: bytes) -> tuple[int, dict]:
    token = (headers.get("Authorization") or "").removeprefix("Bearer ")
    try:
        allowed = Platform().validate_token(token, allowed_scopes=[SCORE_SCOPE])
    except Exception as exc:
        return 401, {"error": str(exc)}
    if not allowed:
        return 403, {"error": "token lacks the score scope"}
    if headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
        return 415, {"error": "wrong content type"}
    with lock:
        if failures["scores"] > 0:
            failures["scores"] -= 1
            return 503, {"error": "gradebook unavailable, try later"}
        scores.append({"lineitem": BASE + path.removesuffix("/scores"), **json.loads(body)})
    return 200, {}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet: the test output says what matters
        pass

    def _send(self, status: int, body: str | dict, location: str | None = None) -> None:
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if isinstance(body, dict)
                         else "text/html; charset=utf-8")
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        if url.path == "/health":
            self._send(200, {"status": "ok"})
        elif url.path == "/jwks.json":
            self._send(200, Platform().get_jwks())
        elif url.path == "/start":
            self._send(302, "", location=start(query))
        elif url.path == "/authorize":
            self._send(200, authorize(query))
        elif url.path == "/state":
            with lock:
                self._send(200, {"links": links, "scores": scores})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = self._body()
        form = dict(parse_qsl(body.decode()))
        try:
            if url.path == "/setup":
                tool.update(json.loads(body))
                failures["scores"] = tool.pop("fail_scores", failures["scores"])
                self._send(200, {"issuer": BASE, "client_id": CLIENT_ID,
                                 "deployment_id": DEPLOYMENT})
            elif url.path == "/authorize":
                self._send(200, authorize(form))
            elif url.path == "/token":
                self._send(200, dict(Platform().get_access_token(form)))
            elif url.path == "/deep-link-return":
                self._send(200, deep_link_return(form))
            elif url.path.startswith("/lineitems/") and url.path.endswith("/scores"):
                self._send(*post_score(url.path, self.headers, body))
            else:
                self._send(404, {"error": "not found"})
        except (LtiException, KeyError, ValueError) as exc:
            self._send(400, {"error": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
