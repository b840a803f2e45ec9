"""LTI 1.3 tool endpoints: login initiation, launch, the tool's keys, the deep-linking picker.

The platform posts to ``/lti/login`` and ``/lti/launch`` from its own site, so they carry no
CSRF token: the state (bound to this browser by a cookie) and the signed, single-use nonce
are what protect them.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user

from champion.auth.operations import ExternalLinkRefused
from champion.errors import OperationError
from champion.extensions import csrf, db, limiter
from champion.filters import sentence
from champion.lti.forms import DeepLinkForm
from champion.lti.keys import tool_jwks
from champion.lti.messages import DEEP_LINKING, LaunchError
from champion.lti.operations import (
    LaunchResult,
    answer_deep_link,
    begin_login,
    complete_launch,
    spend_login,
)
from champion.lti.queries import deep_link_choices
from champion.security import CONTENT_SECURITY_POLICY

blueprint = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")
STATE_COOKIE = "champion_lti_state"
DEEP_LINK = "lti_deep_link"  # the session key of a deep-linking request in progress


def refused(message: str, sign_in: bool = False):
    return render_template("lti/refused.html", message=sentence(message), sign_in=sign_in), 400


@blueprint.route("/login", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit("60 per minute")
def login():
    params = {key: value for key, value in request.values.items() if isinstance(value, str)}
    try:
        target = begin_login(params)
    except LaunchError as exc:
        db.session.rollback()
        return refused(str(exc))
    db.session.commit()
    response = redirect(target.url)
    # Binds the launch to the browser that started the login: a launch someone else
    # started can't sign this browser in as them. Cross-site POSTs carry it only as
    # SameSite=None, which browsers accept only on HTTPS.
    secure = request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE", False)
    response.set_cookie(STATE_COOKIE, target.state, max_age=600, httponly=True, secure=secure,
                        samesite="None" if secure else "Lax", path=url_for("lti.launch"))
    return response


@blueprint.post("/launch")
@csrf.exempt
@limiter.limit("60 per minute")
def launch():
    state = request.form.get("state", "")
    cookie = request.cookies.get(STATE_COOKIE, "")
    if not state or not hmac.compare_digest(state, cookie):
        return refused("this launch did not start in this browser (its state does not match): "
                       "start it again from your course, and allow Champion's cookies")
    try:
        login_row = spend_login(state)
    except LaunchError as exc:
        db.session.commit()  # a late login is spent all the same
        return refused(str(exc))
    db.session.commit()  # spent before it is checked: a refused launch can't be tried again
    try:
        result = complete_launch(login_row, request.form.get("id_token", ""),
                                 request.remote_addr)
    except OperationError as exc:  # the launch's checks, or the account's (sign_in_external)
        db.session.rollback()
        return refused(str(exc), sign_in=isinstance(exc, ExternalLinkRefused))
    db.session.commit()
    return _signed_in(result)


def _signed_in(result: LaunchResult):
    session.clear()  # a fresh session at sign-in, as auth.views does
    login_user(result.user)
    launched = result.launch
    if launched.message_type == DEEP_LINKING:
        session[DEEP_LINK] = {"platform_id": result.platform_id,
                              "deployment_id": launched.deployment_id,
                              "return_url": launched.deep_link_return_url,
                              "data": launched.deep_link_data}
        target = url_for("lti.deep_link")
    elif result.module is not None:
        target = url_for("catalog.module", series_slug=result.module.series.slug,
                         module_slug=result.module.slug)
    elif result.series is not None:
        target = url_for("catalog.series", series_slug=result.series.slug)
    else:
        target = url_for("catalog.index")
    response = redirect(target, 303)
    response.delete_cookie(STATE_COOKIE, path=url_for("lti.launch"))
    return response


@blueprint.get("/jwks.json")
def jwks():
    response = jsonify(tool_jwks())
    response.cache_control.max_age = 300
    return response


@blueprint.route("/deep-link", methods=["GET", "POST"])
@login_required
def deep_link():
    context = session.get(DEEP_LINK)
    if not context:
        abort(404)  # only reached from a platform's deep-linking request
    form = DeepLinkForm()
    choices = deep_link_choices()
    form.picked.choices = [choice for _, series in choices for choice in series]
    if form.validate_on_submit():
        try:
            return_url, token = answer_deep_link(context, form.picked.data, current_user)
        except LaunchError as exc:
            db.session.rollback()
            form.picked.errors = [sentence(exc)]
        else:
            db.session.commit()
            session.pop(DEEP_LINK, None)
            response = make_response(render_template(
                "lti/deep_link_return.html", return_url=return_url, token=token))
            # The one form that leaves the site: to the platform that asked for content.
            parts = urlsplit(return_url)
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
                "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")
            return response
    return render_template("lti/deep_link.html", form=form, choices=choices)
