"""Every LTI write: registering platforms, spending logins, launches (sign-in, roles, where
grades go), deep-linking responses. Audited; the view or command commits."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import delete, func, select

from champion.audit.operations import record
from champion.auth.models import Role, User
from champion.auth.operations import sign_in_external
from champion.catalog.live import LiveModule, LiveSeries, live_catalog
from champion.database import utcnow
from champion.errors import OperationError
from champion.extensions import db
from champion.lti import messages
from champion.lti.keys import platform_keys, tool_key
from champion.lti.messages import Launch, LaunchError, LinkItem
from champion.lti.models import LtiGradeTarget, LtiLogin, LtiPlatform, LtiScoreOutbox
from champion.urls import external_url

LOGIN_LIFETIME = timedelta(minutes=10)  # from the platform's login to its launch


class RegistrationError(OperationError):
    """A platform registration is refused; the message names the field, ``field`` too."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PlatformFields:
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    token_url: str
    jwks_url: str
    deployment_ids: str
    instructors_are_educators: bool
    trust_emails: bool = False


def _web_address_problem(value: str) -> str | None:
    """Why ``value`` is not an address Champion may send to (https, plain http only on
    this machine), or None."""
    parts = urlsplit(value)
    loopback = False
    try:
        loopback = ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        loopback = parts.hostname == "localhost"
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        return "enter an https:// address (plain http only on this machine, for testing)"
    if not parts.hostname:
        return "enter a full address with its host"
    return None


def _url(field: str, label: str, value: str) -> str:
    value = value.strip()
    problem = _web_address_problem(value)
    if problem:
        raise RegistrationError(f"{label}: {problem}", field)
    return value


def _check_launch_addresses(launch: Launch) -> None:
    """The addresses a launch gives Champion to post to (its line item, with the platform's
    access token; its deep-linking return) are web addresses that fit their columns: a
    signed launch must not point Champion at file://, an internal http:// service, or
    something too long to store."""
    for label, value in (("line item", launch.lineitem_url),
                         ("deep-linking return URL", launch.deep_link_return_url)):
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > 500 or _web_address_problem(value):
            raise LaunchError(f"the launch's {label} is not an https:// address Champion "
                              "can send to: tell the administrator of your learning "
                              "management system")


def _clean(fields: PlatformFields) -> dict[str, Any]:
    name = fields.name.strip()
    if not name:
        raise RegistrationError("Name: enter a name people will recognise, such as "
                                "“Mercy Canvas”", "name")
    client_id = fields.client_id.strip()
    if not client_id:
        raise RegistrationError("Client ID: enter the client id the platform gave Champion",
                                "client_id")
    deployments = [line.strip() for line in fields.deployment_ids.splitlines() if line.strip()]
    if not deployments:
        raise RegistrationError("Deployment IDs: enter at least one, one a line",
                                "deployment_ids")
    if any(len(d) > 255 for d in deployments):
        raise RegistrationError("Deployment IDs: each is at most 255 characters",
                                "deployment_ids")
    return {
        "name": name, "client_id": client_id,
        # The issuer is compared exactly with each launch's iss: keep it as typed.
        "issuer": _url("issuer", "Issuer", fields.issuer),
        "auth_login_url": _url("auth_login_url", "Authentication request URL",
                               fields.auth_login_url),
        "token_url": _url("token_url", "Access token URL", fields.token_url),
        "jwks_url": _url("jwks_url", "Public keyset URL", fields.jwks_url),
        "deployment_ids": "\n".join(dict.fromkeys(deployments)),
        "instructors_are_educators": bool(fields.instructors_are_educators),
        "trust_emails": bool(fields.trust_emails),
    }


def _taken(issuer: str, client_id: str, but: int | None) -> bool:
    found = db.session.scalar(select(LtiPlatform.id).where(
        LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id))
    return found is not None and found != but


def register_platform(fields: PlatformFields, actor: User) -> LtiPlatform:
    values = _clean(fields)
    if _taken(values["issuer"], values["client_id"], None):
        raise RegistrationError("Client ID: this issuer and client id are already "
                                "registered", "client_id")
    platform = LtiPlatform(**values)
    db.session.add(platform)
    record(actor, "lti.register", platform,
           f"LTI platform {platform.name} registered ({platform.issuer}, client "
           f"{platform.client_id})", **{k: v for k, v in values.items() if k != "name"})
    return platform


def update_platform(platform: LtiPlatform, fields: PlatformFields, actor: User) -> LtiPlatform:
    values = _clean(fields)
    if _taken(values["issuer"], values["client_id"], platform.id):
        raise RegistrationError("Client ID: this issuer and client id are already "
                                "registered", "client_id")
    changed = {k: [getattr(platform, k), v] for k, v in values.items()
               if getattr(platform, k) != v}
    if not changed:
        return platform
    for key, (_, value) in changed.items():
        setattr(platform, key, value)
    platform.updated_at = utcnow()
    record(actor, "lti.update", platform,
           f"LTI platform {platform.name} changed: {', '.join(sorted(changed))}", changes=changed)
    return platform


def delete_platform(platform: LtiPlatform, actor: User) -> None:
    """Launches from it stop and scores still owed to it are dropped; accounts it opened
    stay (their identities too)."""
    targets = select(LtiGradeTarget.id).where(LtiGradeTarget.platform_id == platform.id)
    dropped = db.session.scalar(select(func.count()).where(
        LtiScoreOutbox.target_id.in_(targets), LtiScoreOutbox.delivered_at.is_(None)))
    db.session.execute(delete(LtiScoreOutbox).where(LtiScoreOutbox.target_id.in_(targets)))
    db.session.execute(delete(LtiGradeTarget).where(LtiGradeTarget.platform_id == platform.id))
    db.session.execute(delete(LtiLogin).where(LtiLogin.platform_id == platform.id))
    record(actor, "lti.delete", platform, f"LTI platform {platform.name} removed"
           + (f" ({dropped} score(s) not yet delivered dropped)" if dropped else ""),
           issuer=platform.issuer, client_id=platform.client_id, undelivered=dropped)
    db.session.delete(platform)


def _platform_for(issuer: str | None, client_id: str | None) -> LtiPlatform:
    if not issuer:
        raise LaunchError("the platform did not say who it is (no iss)")
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    found = db.session.scalars(query.limit(2)).all()
    if not found:
        raise LaunchError(f"the platform {issuer} is not registered with Champion: ask a "
                          "Champion administrator to register it at /admin/lti")
    if len(found) > 1:
        raise LaunchError(f"{issuer} is registered more than once: the platform must send "
                          "its client_id with the login")
    return found[0]


@dataclass(frozen=True)
class LoginRedirect:
    url: str  # the platform's authentication endpoint, with the request in its query
    state: str


def begin_login(params: dict[str, str]) -> LoginRedirect:
    """OIDC third-party login initiation: remember a state and a nonce for one launch, and
    say where to send the browser (the platform's authentication request)."""
    platform = _platform_for(params.get("iss"), params.get("client_id"))
    if not params.get("login_hint"):
        raise LaunchError("the platform's login has no login_hint")
    deployment = params.get("lti_deployment_id")
    if deployment and deployment not in platform.deployments:
        raise LaunchError(f"the deployment {deployment!r} is not registered for this "
                          "platform: ask a Champion administrator to add it")
    db.session.execute(delete(LtiLogin).where(LtiLogin.created_at < utcnow() - timedelta(days=1)))
    login = LtiLogin(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                     platform=platform)
    db.session.add(login)
    query = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post",
        "prompt": "none", "client_id": platform.client_id,
        "redirect_uri": external_url("lti.launch"), "login_hint": params["login_hint"],
        "state": login.state, "nonce": login.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if urlsplit(platform.auth_login_url).query else "?"
    return LoginRedirect(platform.auth_login_url + separator + urlencode(query), login.state)


def spend_login(state: str | None) -> LtiLogin:
    """The login a launch answers, marked used: a state (and its nonce) works once.

    The caller commits this before checking the launch, so a refused launch spends it too.
    """
    login = db.session.get(LtiLogin, state, with_for_update=True) if state else None
    if login is None:
        raise LaunchError("this launch does not answer a login Champion started (unknown "
                          "state): start it again from your course")
    if login.used_at is not None:
        raise LaunchError("this launch was already used (a replayed launch): start it again "
                          "from your course")
    login.used_at = utcnow()
    if login.used_at - login.created_at > LOGIN_LIFETIME:
        raise LaunchError("this launch took too long: start it again from your course")
    return login


@dataclass(frozen=True)
class LaunchResult:
    user: User
    created: bool
    launch: Launch
    platform_id: int
    module: LiveModule | None = None
    series: LiveSeries | None = None


def _destination(launch: Launch) -> tuple[LiveModule | None, LiveSeries | None]:
    catalog = live_catalog()
    path = str(launch.custom.get("module") or "")
    if path:
        series_slug, _, module_slug = path.partition("/")
        module = catalog.module(series_slug, module_slug)
        if module is None:
            raise LaunchError(f"the link names the module {path!r}, which Champion does not "
                              "have (retired or renamed): ask your instructor to pick it again")
        return module, None
    slug = str(launch.custom.get("series") or "")
    for series in catalog.series:
        if series.slug == slug:
            return None, series
    if slug:
        raise LaunchError(f"the link names the series {slug!r}, which Champion does not have")
    return None, None  # no target: the catalog


def complete_launch(login: LtiLogin, id_token: str, ip: str | None) -> LaunchResult:
    """Check the id_token against the login it answers, then sign the person in (made just
    in time, found by platform and ``sub``), map their role and note where grades go."""
    platform = login.platform
    registration = messages.Registration(platform.issuer, platform.client_id,
                                         tuple(platform.deployments))
    launch = messages.check_launch(
        id_token, registration, login.nonce,
        lambda kid: platform_keys.key_set(platform.jwks_url, kid))
    _check_launch_addresses(launch)
    module = series = None
    if launch.message_type == messages.DEEP_LINKING:
        if not launch.is_instructor:
            raise LaunchError("only an instructor can add Champion content to a course")
    else:
        module, series = _destination(launch)
    # LTI has no email_verified: the platform's address is taken as confirmed (linking an
    # existing account, verifying a new one) only where an administrator trusts this
    # platform's addresses; sign_in_external still never links an administrator's account,
    # nor one linked to another sign-in.
    user, created = sign_in_external(
        kind="lti", issuer=platform.identity_issuer, subject=launch.subject,
        email=launch.email, name=launch.name, email_verified=platform.trust_emails, ip=ip,
        open_unconfirmed=True)
    if launch.is_instructor and platform.instructors_are_educators \
            and user.role == Role.LEARNER.value:
        user.role = Role.EDUCATOR.value
        user.invalidate_links()
        record(None, "user.role", user,
               f"{user.email}: role learner → educator (instructor in {platform.name})",
               previous=Role.LEARNER.value, role=Role.EDUCATOR.value, via="lti",
               platform_id=platform.id)
    if module is not None and launch.lineitem_url and launch.can_post_scores:
        _grade_target(platform, user, module, launch)
    return LaunchResult(user=user, created=created, launch=launch, platform_id=platform.id,
                        module=module, series=series)


def _grade_target(platform: LtiPlatform, user: User, module: LiveModule, launch: Launch) -> None:
    target = db.session.scalar(select(LtiGradeTarget).where(
        LtiGradeTarget.user_id == user.id, LtiGradeTarget.module_id == module.id,
        LtiGradeTarget.lineitem_url == launch.lineitem_url))
    if target is None:
        db.session.add(LtiGradeTarget(platform_id=platform.id, user_id=user.id,
                                      module_id=module.id, lineitem_url=launch.lineitem_url,
                                      subject=launch.subject))
    else:
        target.subject, target.updated_at = launch.subject, utcnow()


def deep_link_items(picked: list[str]) -> list[LinkItem]:
    """The live modules (``series/slug``) and series (``slug``) picked, as link items."""
    catalog = live_catalog()
    launch_url = external_url("lti.launch")
    items = []
    series_by_slug = {s.slug: s for s in catalog.series}
    for choice in picked:
        series_slug, _, module_slug = choice.partition("/")
        if module_slug:
            module = catalog.module(series_slug, module_slug)
            if module is None:
                raise LaunchError(f"{choice} is not a module in the catalog")
            items.append(LinkItem(title=module.version.title, url=launch_url,
                                  custom={"module": choice}, graded=module.version.has_quiz,
                                  text=module.version.summary))
        elif series_slug in series_by_slug:
            series = series_by_slug[series_slug]
            items.append(LinkItem(title=series.title, url=launch_url,
                                  custom={"series": series.slug}, graded=False,
                                  text=series.summary))
        else:
            raise LaunchError(f"{choice} is not a series in the catalog")
    if not items:
        raise LaunchError("pick at least one module or series")
    return items


def answer_deep_link(context: dict[str, Any], picked: list[str], actor: User) -> tuple[str, str]:
    """The platform's return URL and the signed LtiDeepLinkingResponse for the picks."""
    platform = db.session.get(LtiPlatform, context.get("platform_id"))
    if platform is None:
        raise LaunchError("the platform that asked for content is no longer registered")
    items = deep_link_items(picked)
    token = messages.deep_linking_response(
        items, issuer_client_id=platform.client_id, platform_issuer=platform.issuer,
        deployment_id=context["deployment_id"], data=context.get("data"), key=tool_key())
    record(actor, "lti.deep_link", platform,
           f"{actor.email} added {len(items)} Champion link(s) to a course in {platform.name}",
           picked=picked)
    return context["return_url"], token

