"""Defences that apply to every response and request: headers, rate limits, outages.

See docs/security.md for the threat model and where each defence is tested.
"""

from __future__ import annotations

import contextlib
import ipaddress

from flask import Flask, Response, render_template, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from werkzeug.middleware.proxy_fix import ProxyFix

from champion.extensions import db, limiter

# No inline script or style anywhere: every script and stylesheet is a static file.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

ONE_YEAR = 365 * 24 * 3600


def register_security(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          app.config.get("CHAMPION_RATELIMIT_STORAGE_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    production = app.config["CHAMPION_ENV"] == "production"
    proxies = app.config.get("CHAMPION_PROXIES") or 0
    if proxies:
        # Behind N reverse proxies, the client's address and scheme come from their
        # X-Forwarded-* headers (else every learner would share the proxy's address).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    else:
        warn_when_proxied_unawares(app)

    defaults = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if production:
        defaults.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        # One pass over the response's headers, not one per default: every response
        # comes through here.
        present = {name.lower() for name, _ in headers.items()}
        headers.extend([(name, value) for name, value in defaults
                        if name.lower() not in present])
        if request.endpoint == "static":
            if request.args.get("v"):  # a fingerprinted URL never changes content
                headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        elif "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store" if request.cookies else "no-cache"
        return response

    def database_down(error: Exception):
        """The database is unreachable: fail fast with a page that says so, and retry."""
        with contextlib.suppress(DBAPIError):
            db.session.rollback()
        app.logger.error("database unavailable: %s", error)
        # Rendered without the app's context processors: they ask the database who is
        # signed in, which is exactly what can't be answered now.
        page = app.jinja_env.get_template("errors/unavailable.html").render()
        response = Response(page, status=503)
        response.headers["Retry-After"] = "10"
        return response

    @app.errorhandler(OperationalError)
    def operational_error(error: OperationalError):
        return database_down(error)

    @app.errorhandler(InterfaceError)
    def interface_error(error: InterfaceError):
        return database_down(error)

    @app.errorhandler(PendingRollbackError)
    def pending_rollback(error: PendingRollbackError):
        # A statement failed earlier in this request (the connection dropped mid-way).
        return database_down(error)

    @app.errorhandler(DBAPIError)
    def dbapi_error(error: DBAPIError):
        if error.connection_invalidated:
            return database_down(error)
        raise error

    @app.errorhandler(429)
    def too_many(error):
        response = Response(render_template("errors/too_many.html",
                                            description=str(error.description)), status=429)
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, int):
            response.headers["Retry-After"] = str(retry_after)
        return response


def warn_when_proxied_unawares(app: Flask) -> None:
    """Log once per worker when a proxy forwards requests but ``CHAMPION_PROXIES`` is 0.

    The signal: a request from a loopback or private address carrying
    ``X-Forwarded-For``. That is a reverse proxy in front of the app; untrusted, its address
    is every client's address, so one address's rate limit (30 failed sign-ins per 15
    minutes) would apply to everyone at once. A direct client with a forged header can't
    cause the warning, since its own address is public.
    """
    warned = False

    @app.before_request
    def proxied_without_proxies() -> None:
        nonlocal warned
        if warned or "X-Forwarded-For" not in request.headers:
            return
        try:
            peer = ipaddress.ip_address(request.remote_addr or "")
        except ValueError:
            return
        if peer.is_loopback or peer.is_private:
            warned = True
            app.logger.warning(
                "requests arrive through a proxy at %s (X-Forwarded-For is set) but "
                "CHAMPION_PROXIES is 0: every client has the proxy's address, so rate limits "
                "count everyone together. Set CHAMPION_PROXIES to the number of proxies in "
                "front (see docs/deployment.md).", peer)
