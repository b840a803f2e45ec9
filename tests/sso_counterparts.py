"""The identity providers the single sign-on tests start on 127.0.0.1, and how a person
signs in at each: panva's oidc-provider (Node, from tests/npm) and a SAML IdP built on
pysaml2's own IdP side (tests/saml/idp.py). Each runs as its own process on a free port and
is stopped after the test. Without Node or xmlsec1 the tests that need them skip, saying why.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

TESTS = Path(__file__).resolve().parent
NPM = TESTS / "npm"
SECRET = "champion-test-client-secret-0123456789"


SSO_SETTINGS = ("CHAMPION_OIDC_ISSUER", "CHAMPION_OIDC_CLIENT_ID",
                "CHAMPION_OIDC_CLIENT_SECRET", "CHAMPION_OIDC_LABEL", "CHAMPION_SAML_IDP_METADATA",
                "CHAMPION_SAML_SP_KEY_FILE", "CHAMPION_SAML_SP_CERT_FILE", "CHAMPION_SAML_LABEL",
                "CHAMPION_SAML_EMAIL_ATTRIBUTE", "CHAMPION_SSO_DEPARTMENT_CLAIM")


@pytest.fixture
def sso_config(app):
    """``sso_config(NAME=value, ...)`` sets single sign-on settings for one test; the app
    gets its own back afterwards."""
    saved = {key: app.config[key] for key in SSO_SETTINGS}
    yield app.config.update
    app.config.update(saved)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {process.stderr.read()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not start listening on {port}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str


@pytest.fixture
def start_oidc_provider() -> Iterator[Callable[..., Provider]]:
    """``start(redirect_uri, auth_method=...)``: a running oidc-provider with a client
    ``champion`` (and ``other-app``, another application at the same provider)."""
    node = shutil.which("node")
    if node is None or not (NPM / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("needs Node and tests/npm/node_modules (make tests/npm/node_modules/"
                    ".installed runs npm ci)")
    processes: list[subprocess.Popen] = []

    def start(redirect_uri: str, auth_method: str = "client_secret_basic") -> Provider:
        port = free_port()
        clients = [{"client_id": cid, "client_secret": SECRET, "redirect_uris": [redirect_uri]}
                   for cid in ("champion", "other-app")]
        process = subprocess.Popen(
            [node, str(NPM / "oidc-provider.mjs"), str(port), json.dumps(clients), auth_method],
            cwd=NPM, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        wait_until_listening(port, process, "oidc-provider")
        return Provider(f"http://127.0.0.1:{port}", "champion", SECRET)

    yield start
    for process in processes:
        stop(process)


def sign_in_at_oidc_provider(location: str, account: str) -> str:
    """Go through the provider's pages as a person would, signing in as ``account``; the URL
    the provider then sends the browser back to."""
    provider = "{0.scheme}://{0.netloc}".format(urlsplit(location))
    browser = requests.Session()
    url = location
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        while response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(provider):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert form, f"no sign-in form at {url}: {response.status_code} {response.text[-2000:]}"
        action = html.unescape(form[1])
        response = browser.post(urljoin(url, action), allow_redirects=False, timeout=10,
                                data={"prompt": "login", "login": account, "password": "x"})
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(provider):
            return url
    raise AssertionError("the provider never sent the browser back")


def make_keypair(folder: Path, name: str) -> tuple[str, str]:
    """A new RSA key and self-signed certificate, as files: (key, cert)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256()))
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


@dataclass
class SamlIdP:
    base: str

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/metadata"


@pytest.fixture
def start_saml_idp(tmp_path: Path) -> Iterator[Callable[..., SamlIdP]]:
    """``start(sp_metadata_xml, entity_id=None)``: a running pysaml2 IdP that trusts the
    service provider described by ``sp_metadata_xml``."""
    if shutil.which("xmlsec1") is None:
        pytest.skip("needs xmlsec1 (apt-get install -y xmlsec1); .ci/run installs it")
    processes: list[subprocess.Popen] = []

    def start(sp_metadata: bytes, entity_id: str | None = None) -> SamlIdP:
        port = free_port()
        folder = tmp_path / f"idp-{port}"
        folder.mkdir()
        key, cert = make_keypair(folder, "idp")
        (folder / "sp.xml").write_bytes(sp_metadata)
        process = subprocess.Popen(
            [sys.executable, str(TESTS / "saml" / "idp.py"), str(port), key, cert,
             str(folder / "sp.xml"), *([entity_id] if entity_id else [])],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        wait_until_listening(port, process, "the SAML IdP")
        return SamlIdP(f"http://127.0.0.1:{port}")

    yield start
    for process in processes:
        stop(process)


def saml_post_from_idp(location: str, account: str, **knobs: str) -> tuple[str, dict]:
    """Sign in at the IdP as ``account``: the ACS URL its page posts to and the form fields."""
    split = urlsplit(location)
    login = f"{split.scheme}://{split.netloc}/sso/login?{split.query}"
    response = requests.get(login, params={"user": account, **knobs}, timeout=10)
    response.raise_for_status()
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', response.text)[1])
    fields = {html.unescape(name): html.unescape(value) for name, value in re.findall(
        r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', response.text)}
    return action, fields
