"""A real SAML 2.0 identity provider for the tests: pysaml2's own IdP side (saml2.server).

    python tests/saml/idp.py PORT KEY CERT SP_METADATA [ENTITY_ID]

Serves its metadata at /metadata and single sign-on (HTTP-Redirect) at /sso/redirect: a page
asks which test account signs in, then a page whose form posts the signed response to the
service's ACS, as an IdP's does. A test can change what the IdP asserts, as a misconfigured
or hostile IdP would, with query parameters of /sso/login: ``audience`` (the service the
assertion is for), ``destination`` (the address it is for) and ``nameid=transient`` (a NameID
that changes at every sign-in). Assertions are valid for five minutes.
"""

from __future__ import annotations

import html
import secrets
import sys
import warnings
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

warnings.simplefilter("ignore")  # pysaml2's imports warn on newer cryptography releases

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT  # noqa: E402
from saml2.config import IdPConfig  # noqa: E402
from saml2.metadata import create_metadata_string  # noqa: E402
from saml2.saml import (  # noqa: E402
    AUTHN_PASSWORD_PROTECTED,
    NAMEID_FORMAT_PERSISTENT,
    NAMEID_FORMAT_TRANSIENT,
    NameID,
)
from saml2.server import Server  # noqa: E402

ACCOUNTS = {
    "dana": {"subject": "mercy-0001", "mail": "dana@mercy.example.org",
             "displayName": "Dana Reyes", "department": "Gynecologic Oncology"},
    "lee": {"subject": "mercy-0003", "mail": "lee@mercy.example.org",
            "displayName": "Lee Okafor", "department": "Radiation Oncology"},
}


def build(port: int, key: str, cert: str, sp_metadata: str, entity_id: str | None) -> Server:
    base = f"http://127.0.0.1:{port}"
    config = IdPConfig()
    config.load({
        "entityid": entity_id or f"{base}/metadata",
        "service": {"idp": {
            "endpoints": {"single_sign_on_service": [(f"{base}/sso/redirect",
                                                      BINDING_HTTP_REDIRECT)]},
            "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            "policy": {"default": {"lifetime": {"minutes": 5}}},
            "want_authn_requests_signed": True,
        }},
        "key_file": key, "cert_file": cert, "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"local": [sp_metadata]},
    })
    return Server(config=config)


def parse(server: Server, query: dict):
    return server.parse_authn_request(
        query["SAMLRequest"], BINDING_HTTP_REDIRECT, relay_state=query.get("RelayState"),
        sigalg=query.get("SigAlg"), signature=query.get("Signature"))


def page(body: str) -> list[bytes]:
    return [f"<!doctype html><html lang=en><title>Test IdP</title><main>{body}</main>"
            "</html>".encode()]


def app_for(server: Server):
    def app(environ, start_response):
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [create_metadata_string(None, server.config, valid=1, sign=False)]
        if path == "/sso/redirect":
            # The IdP checks the service's signature over the request before anything else.
            parse(server, query)
            hidden = "".join(f'<input type=hidden name="{k}" value="{html.escape(v)}">'
                             for k, v in query.items())
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return page(f'<h1>Test IdP</h1><form action="/sso/login">{hidden}'
                        '<label>Account <input name=user></label>'
                        '<button type=submit>Sign in to the IdP</button></form>')
        if path == "/sso/login":
            request = parse(server, query)
            account = ACCOUNTS[query["user"]]
            sp = request.message.issuer.text
            acs = request.message.assertion_consumer_service_url or \
                server.config.metadata.assertion_consumer_service(sp, BINDING_HTTP_POST)[0][
                    "location"]
            identity = {k: [v] for k, v in account.items() if k != "subject"}
            response = server.create_authn_response(
                identity, in_response_to=request.message.id,
                destination=query.get("destination") or acs,
                sp_entity_id=query.get("audience") or sp,
                name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text=secrets.token_hex(8))
                if query.get("nameid") == "transient"
                else NameID(format=NAMEID_FORMAT_PERSISTENT, text=account["subject"]),
                authn={"class_ref": AUTHN_PASSWORD_PROTECTED},
                sign_assertion=True, sign_response=False)
            http = server.apply_binding(BINDING_HTTP_POST, str(response), query.get(
                "destination") or acs,
                                        query.get("RelayState", ""), response=True)
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [http["data"].encode() if isinstance(http["data"], str) else http["data"]]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


if __name__ == "__main__":
    port, key, cert, sp_metadata = int(sys.argv[1]), *sys.argv[2:5]
    entity = sys.argv[5] if len(sys.argv) > 5 else None
    httpd = make_server("127.0.0.1", port, app_for(build(port, key, cert, sp_metadata, entity)),
                        handler_class=QuietHandler)
    print(f"saml idp ready on {port}", flush=True)
    httpd.serve_forever()
