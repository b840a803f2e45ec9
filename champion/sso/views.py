"""Single sign-on pages: OpenID Connect at /auth/oidc/..., SAML 2.0 at /auth/saml/...

Each answers 404 while its protocol is not configured. Every refusal is one page saying
which check failed, after rolling back whatever the sign-in had begun (nothing is
created); the refusal itself is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
)
from flask_login import login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from champion.auth.views import safe_next
from champion.errors import OperationError
from champion.extensions import csrf, db
from champion.filters import sentence
from champion.sso import oidc, saml
from champion.sso.identity import Identity, SignInRefused
from champion.sso.operations import record_refusal, sign_in_with, use_assertion
from champion.urls import external_url
from config import ConfigurationError

blueprint = Blueprint("sso", __name__, url_prefix="/auth", template_folder="templates")


@blueprint.record_once
def _check_settings(state) -> None:
    """Refuse to start half-configured: a sign-in button that can only fail helps nobody."""
    config = state.app.config
    groups = {"CHAMPION_OIDC_ISSUER": ("CHAMPION_OIDC_CLIENT_ID", "CHAMPION_OIDC_CLIENT_SECRET"),
              "CHAMPION_SAML_IDP_METADATA": ("CHAMPION_SAML_SP_KEY_FILE",
                                             "CHAMPION_SAML_SP_CERT_FILE")}
    for switch, needed in groups.items():
        missing = [name for name in needed if config.get(switch) and not config.get(name)]
        if missing:
            raise ConfigurationError(f"{switch} is set but {' and '.join(missing)} "
                                     f"{'is' if len(missing) == 1 else 'are'} not: set "
                                     "them too, or unset it (see docs/deployment.md)")

TICKET_LIFETIME = 120  # seconds between the ACS and the continue page's post


def configured(settings_of: Callable) -> Callable:
    """The view exists only while its protocol is configured: 404 otherwise."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            settings = settings_of(current_app.config)
            if settings is None:
                abort(404)
            return view(settings, *args, **kwargs)

        return wrapped

    return decorator


def _base_url() -> str:
    return current_app.config.get("CHAMPION_BASE_URL") or request.host_url.rstrip("/")


def _refused(kind: str, error: OperationError, issuer: str | None = None):
    db.session.rollback()  # nothing the refused sign-in began is kept
    record_refusal(kind, str(error), request.remote_addr, issuer)
    db.session.commit()
    return render_template("sso/refused.html", reason=sentence(error), kind=kind), 403


def _start_session(identity: Identity, next_url: str):
    try:
        user, created = sign_in_with(identity, request.remote_addr)
    except OperationError as exc:
        return _refused(identity.kind, exc, identity.issuer)
    session.clear()  # a fresh session at sign-in: nothing carried over from before
    login_user(user)
    db.session.commit()
    if created:
        flash(f"Welcome, {user.name}. Your Champion account was created from your "
              "organization's sign-in.", "success")
    return redirect(next_url)


# --- OpenID Connect ----------------------------------------------------------------------


@blueprint.get("/oidc/login")
@configured(oidc.oidc_settings)
def oidc_login(settings: oidc.OidcSettings):
    try:
        url, pending = oidc.begin(settings, external_url("sso.oidc_callback"))
    except OperationError as exc:
        return _refused("oidc", exc, settings.issuer)
    session["oidc_pending"] = {**pending, "next": safe_next(request.args.get("next"))}
    return redirect(url)


@blueprint.get("/oidc/callback")
@configured(oidc.oidc_settings)
def oidc_callback(settings: oidc.OidcSettings):
    pending = session.pop("oidc_pending", None)
    try:
        if pending is None:
            raise SignInRefused("this sign-in was not started in this browser, or was already "
                                "finished (no state); sign in again from the start")
        identity = oidc.finish(settings, external_url("sso.oidc_callback"), pending,
                               request.args, current_app.config["CHAMPION_SSO_DEPARTMENT_CLAIM"])
    except OperationError as exc:
        return _refused("oidc", exc, settings.issuer)
    return _start_session(identity, pending["next"])


# --- SAML 2.0 ----------------------------------------------------------------------------


@blueprint.get("/saml/login")
@configured(saml.saml_settings)
def saml_login(settings: saml.SamlSettings):
    try:
        url, request_id = saml.begin(settings, _base_url(), current_app.secret_key)
    except OperationError as exc:
        return _refused("saml", exc)
    session["saml_pending"] = {"request": request_id,
                               "next": safe_next(request.args.get("next"))}
    return redirect(url)


@blueprint.get("/saml/metadata")
@configured(saml.saml_settings)
def saml_metadata(settings: saml.SamlSettings):
    try:
        xml = saml.metadata_xml(settings, _base_url())
    except OperationError as exc:
        return _refused("saml", exc)
    return xml, 200, {"Content-Type": "application/samlmetadata+xml"}


def _tickets() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="champion.sso.saml-ticket")


@blueprint.post("/saml/acs")
@csrf.exempt  # the IdP posts here; the signed response and its request ID are the proof
@configured(saml.saml_settings)
def saml_acs(settings: saml.SamlSettings):
    if request.form.get("ticket"):
        return _saml_continue()
    relay = request.form.get("RelayState") or ""
    try:
        if not saml.is_our_request_id(current_app.secret_key, relay):
            raise SignInRefused("this response answers no sign-in started here (an "
                                "IdP-initiated sign-in, or a tampered RelayState); start from "
                                "Champion's sign-in page")
        identity, assertion_id, expires_at = saml.finish(
            settings, _base_url(), request.form.get("SAMLResponse") or "", relay,
            current_app.config["CHAMPION_SSO_DEPARTMENT_CLAIM"])
        use_assertion(identity.issuer, assertion_id, expires_at)
    except OperationError as exc:
        return _refused("saml", exc)
    db.session.commit()  # the assertion is spent, whatever happens next
    pending = session.get("saml_pending") or {}
    if pending.get("request") == relay:
        session.pop("saml_pending")
        return _start_session(identity, pending["next"])
    # Posted from the IdP's site, this request carried no cookie of ours, so it can't say
    # whose browser started the sign-in. A page of ours posts the verified identity back
    # from this site, with the cookie: only the browser that started it is signed in.
    ticket = _tickets().dumps({"request": relay, "identity": identity.__dict__})
    return render_template("sso/saml_continue.html", ticket=ticket)


def _saml_continue():
    try:
        data = _tickets().loads(request.form["ticket"], max_age=TICKET_LIFETIME)
    except BadSignature:
        return _refused("saml", SignInRefused("the sign-in took too long or its ticket was "
                                              "changed; sign in again from the start"))
    pending = session.pop("saml_pending", None) or {}
    if pending.get("request") != data["request"]:
        return _refused("saml", SignInRefused(
            "this sign-in was started in another browser (or already finished); sign in "
            "again from the start"))
    fields = data["identity"]
    identity = Identity(**{**fields, "department_values": tuple(fields["department_values"])})
    return _start_session(identity, pending["next"])


def sso_buttons() -> list[dict[str, str]]:
    """The sign-in buttons the login page shows, one per configured protocol."""
    buttons = []
    if (settings := oidc.oidc_settings(current_app.config)) is not None:
        buttons.append({"label": settings.label, "endpoint": "sso.oidc_login"})
    if (settings := saml.saml_settings(current_app.config)) is not None:
        buttons.append({"label": settings.label, "endpoint": "sso.saml_login"})
    return buttons


@blueprint.app_context_processor
def sign_in_buttons() -> dict:
    return {"sso_buttons": sso_buttons}


