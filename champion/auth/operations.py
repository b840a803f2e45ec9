"""Accounts: creating them (sign-up page and command line), signing in and out, passwords.

Every write and audit entry of the sign-in pages is here; the views only commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import select

from champion.audit.operations import record
from champion.auth.emails import EmailAddressError, email_address, lookup_key, written_as
from champion.auth.models import ExternalIdentity, Role, User
from champion.auth.passwords import hash_password, password_matches, password_problem
from champion.auth.tokens import RESET_PASSWORD_LIFETIME, make_token
from champion.auth.verification import mark_email_verified, send_verification
from champion.database import utcnow
from champion.departments.models import Department
from champion.errors import OperationError
from champion.extensions import db
from champion.mail import notify
from champion.urls import external_url


class AccountError(OperationError):
    """An account can't be created as asked; the message says why."""


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == lookup_key(email)))


def create_user(
    email: str,
    name: str,
    password: str | None,
    role: Role | str = Role.LEARNER,
    departments: Iterable[Department] = (),
    *,
    email_verified: bool = False,
    created_by_department: Department | None = None,
) -> User:
    """Create an account; learners join ``departments``, leads lead them. Caller commits.

    ``email_verified`` only where the address was proved some other way (a mailbox link
    already used, a trusted identity provider); otherwise it is verified by a link.
    """
    try:
        email = email_address(email)
    except EmailAddressError as exc:
        raise AccountError(str(exc)) from exc
    if find_user(email) is not None:
        raise AccountError(f"an account with the email {email} already exists")
    try:
        role = Role(role)
    except ValueError as exc:
        raise AccountError(
            f"unknown role {role!r}: choose one of {', '.join(r.value for r in Role)}"
        ) from exc
    user = User(email=email, name=name.strip(), role=role.value,
                email_verified_at=utcnow() if email_verified else None,
                created_by_department_id=created_by_department.id
                if created_by_department is not None else None)
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    for department in departments:
        (department.leads if role == Role.LEAD else department.members).append(user)
    return user


def change_role(user: User, role: Role | str, actor: User) -> None:
    role = Role(role)
    if user.id == actor.id and role != Role.ADMIN:
        raise AccountError("you can't remove your own administrator role")
    if user.role == role:
        return
    previous = user.role
    user.role = role.value
    user.end_sessions()  # a session opened with the old powers doesn't keep them
    user.invalidate_links()  # a link handed out for a learner must not open a lead's account
    record(actor, "user.role", user, f"{user.email}: role {previous} → {role.value}",
           previous=previous, role=role.value)


NAME_MAX = 120


def rename_user(user: User, name: str, actor: User | None) -> None:
    """Change the name badges and certificates show: the one way a name changes, audited."""
    name = name.strip()
    if not name:
        raise AccountError("enter the person's name")
    if len(name) > NAME_MAX:
        raise AccountError(f"a name is at most {NAME_MAX} characters")
    if user.deleted_at is not None:
        raise AccountError("this account is deleted")
    if user.name == name:
        return
    previous, user.name = user.name, name
    record(actor, "user.rename", user, f"{user.email}: name {previous} → {name}",
           previous=previous, name=name)


def set_email(user: User, raw: str, actor: User) -> bool:
    """An administrator corrects an account's address; False if it was already that.

    The address passes the one rule every address passes (auth.emails) and must be free.
    It is unproven until its owner uses the link mailed to it; the old address is told,
    and links mailed to it stop working, so a mistyped change can be noticed and undone.
    """
    try:
        email = email_address(raw)
    except EmailAddressError as exc:
        raise AccountError(str(exc)) from exc
    if user.deleted_at is not None:
        raise AccountError("this account is deleted")
    if email == user.email:
        return False
    if find_user(email) is not None:
        raise AccountError(f"another account already has the email {email}")
    previous = user.email
    user.email, user.email_verified_at = email, None
    user.invalidate_links()
    record(actor, "user.email", user, f"{previous}: email changed to {email}",
           previous=previous, email=email)
    notify(previous, "Your Champion email address was changed", (
        f"Hello {user.name},\n\nAn administrator changed the email address of your Champion "
        f"account from {previous} to {email}. If this was a mistake, tell your "
        "administrator."))
    if user.active:
        send_verification(user)
    return True


def set_active(user: User, active: bool, actor: User) -> None:
    """Deactivate (sign-in refused, history kept) or reactivate an account."""
    if user.id == actor.id and not active:
        raise AccountError("you can't deactivate your own account")
    if user.active == active:
        return
    user.active = active
    if not active:
        user.end_sessions()
    user.invalidate_links()
    record(actor, "user.activate" if active else "user.deactivate", user,
           f"{user.email} {'reactivated' if active else 'deactivated'}")


def set_password(user: User, password: str) -> None:
    problem = password_problem(password, current_app.config["PASSWORD_MIN_LENGTH"], user.email)
    if problem:
        raise AccountError(problem)
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    user.end_sessions()


def authenticate(email: str, password: str, ip: str | None) -> User | None:
    """The account these credentials open, or None (audited); as slow either way."""
    user = find_user(email)
    if password_matches(user.password_hash if user else None, password,
                        current_app.config["PASSWORD_HASH_METHOD"]):
        return user
    record(None, "auth.login_failed", user,
           f"failed sign-in for {lookup_key(email)[:254]}"
           + ("" if user else " (no such account)"), ip=ip)
    return None


def record_sign_in(user: User, ip: str | None) -> None:
    db.session.flush()  # a new account needs its id before the session can name it
    record(user, "auth.login", user, f"{user.email} signed in", ip=ip)


def sign_out(user: User, ip: str | None) -> None:
    """End this session and every other one: copies of the cookie included."""
    user.end_sessions()
    record(user, "auth.logout", user, f"{user.email} signed out everywhere", ip=ip)


def register_account(email: str, name: str, password: str, ip: str | None) -> None:
    """Sign-up: a new account, or a note to the owner of the existing one.

    Either way the page answers the same and an email goes out, so the sign-up form
    can't be used to find out who has an account.
    """
    email = lookup_key(email)
    problem = password_problem(password, current_app.config["PASSWORD_MIN_LENGTH"], email)
    if problem:
        raise AccountError(problem)
    existing = find_user(email)
    if existing is None:
        user = create_user(email, name, password)
        record(user, "auth.register", user, f"{email} registered", ip=ip)
        # The account is ready to sign in to; the mail's link proves the address, which
        # badges and departments wait for (auth.verification).
        send_verification(user, new_account=True)
        return
    # The same hashing work as creating an account, so the time doesn't tell either.
    hash_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    record(existing, "auth.register_existing", existing,
           f"sign-up attempted with the existing account {email}", ip=ip)
    # A mail server that is down answers the same as for a new account: notify never raises.
    sign_in = external_url("auth.login")
    notify(email, "You already have a Champion account", (
        f"Hello {existing.name},\n\nSomeone (we hope you) tried to create a Champion account "
        f"with this address, which already has one. Sign in here:\n\n{sign_in}\n\n"
        f"Forgot your password? Reset it here:\n\n{external_url('auth.forgot_password')}\n\n"
        "If it wasn't you, ignore this message: nothing has changed."))


def send_password_reset(user: User, ip: str | None, actor: User | None = None) -> None:
    """Mail ``user`` a reset link. ``actor`` is whoever asked: None on the forgot-password
    page (anyone may type an address there, so the request is not the owner's doing)."""
    link = external_url("auth.reset_password", token=make_token(user, "reset-password"))
    minutes = int(RESET_PASSWORD_LIFETIME.total_seconds() // 60)
    notify(user.email, "Reset your Champion password", (
        f"Hello {user.name},\n\nSomeone (we hope you) asked to reset the password of "
        f"your Champion account. This link works once, for {minutes} minutes:\n\n"
        f"{link}\n\nIf it wasn't you, ignore this message: your password is unchanged."
    ))
    record(actor, "auth.reset_requested", user, f"password reset sent to {user.email}", ip=ip)


def send_reset_without_account(email: str) -> None:
    """A reset asked for an address with no active account gets a mail too: sending only
    for real accounts made the answer slower by a mail server's round trip exactly when
    the address has an account, which told anyone timing it who has one."""
    try:
        email = email_address(email)
    except EmailAddressError:
        return  # no account can have it, so its time tells nothing either
    notify(email, "Reset your Champion password", (
        "Hello,\n\nSomeone (we hope you) asked to reset the password of a Champion account "
        "with this address, but there is no active account with it. If you have an account "
        "under another address, ask again with that one; to create one, go to "
        f"{external_url('auth.register')}\n\nIf it wasn't you, ignore this message."))


def set_new_password(user: User, password: str, purpose: str) -> None:
    set_password(user, password)
    record(user, f"auth.{purpose}", user, f"{user.email} set a new password from a link")
    if purpose == "reset-password":
        # Mailed to the address, so it reached whoever reads that mailbox: proof of it.
        mark_email_verified(user, how=purpose)
    elif not user.email_verified:
        # A set-password link is handed to a lead (or printed by the command line), who
        # could use it themselves: it proves nothing about the mailbox, so the address
        # is proved by a link mailed to it, as a sign-up's is.
        send_verification(user)


class ExternalSignInError(AccountError):
    """An outside identity can't open an account here; the message says why, for the page."""


class ExternalLinkRefused(ExternalSignInError):
    """A new outside identity's address is an existing account's, and linking isn't allowed."""


def sign_in_external(
    *,
    kind: str,
    issuer: str,
    subject: str,
    email: str | None,
    name: str | None,
    email_verified: bool,
    ip: str | None,
    open_unconfirmed: bool = False,
) -> tuple[User, bool]:
    """The account an identity provider's ``(issuer, subject)`` opens: ``(user, created)``.

    One rule for every outside sign-in (OpenID Connect, SAML, LTI). A known identity opens
    its own account, whatever email it now asserts. A new one links to an existing account
    with the same address only where the provider vouches for the address, the account has
    no outside identity yet and is not an administrator's (a provider that could assert any
    address must not be able to take over an account); otherwise a learner account is made
    just in time. A provider that never says whether it confirmed an address (LTI) passes
    ``open_unconfirmed``: an address it doesn't vouch for then opens a new account, left
    unverified until the mailed link is followed, but never an existing one. Audited; the
    caller commits.
    """
    if not issuer or not subject:
        raise ExternalSignInError("the identity provider did not say who you are (no subject)")
    identity = db.session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.issuer == issuer,
                                       ExternalIdentity.subject == subject))
    created = False
    if identity is not None:
        user = identity.user
    else:
        if not email:
            raise ExternalSignInError(
                "the identity provider did not send an email address; ask your IT "
                "department to release the email claim or attribute to Champion")
        if not email_verified and not open_unconfirmed:
            raise ExternalSignInError(
                "the identity provider did not confirm this email address, so Champion "
                "can't open an account with it")
        try:
            address = email_address(email)
        except EmailAddressError as exc:
            raise ExternalSignInError(f"the identity provider's email: {exc}") from exc
        user = find_user(address)
        if user is None:
            user = create_user(address, (name or "").strip() or address.split("@")[0],
                               None, email_verified=email_verified)
            created = True
            db.session.flush()
            record(None, "sso.create", user,
                   f"{user.email} created at first {kind} sign-in from {issuer}",
                   kind=kind, issuer=issuer, ip=ip)
            if not email_verified:  # badges and departments wait for the mailbox's proof
                send_verification(user)
        else:
            if not email_verified:
                raise ExternalLinkRefused(
                    "a Champion account with this email address already exists, and this "
                    "sign-in is not trusted to open it: sign in to Champion with your "
                    "password instead, or ask a Champion administrator")
            if user.has_role(Role.ADMIN):
                raise ExternalSignInError(
                    "an administrator's account is not linked to an outside sign-in "
                    "automatically; sign in with your password")
            if not written_as(email, user.email):
                raise ExternalSignInError(
                    f"the identity provider's address {email!r} is written differently from "
                    "this account's (letters that only look the same); ask an administrator")
            linked = db.session.scalar(
                select(ExternalIdentity.id).where(ExternalIdentity.user_id == user.id))
            if linked is not None:
                raise ExternalSignInError(
                    "this email belongs to an account already linked to another sign-in; "
                    "ask an administrator")
        identity = ExternalIdentity(user=user, kind=kind, issuer=issuer, subject=subject)
        db.session.add(identity)
        if not created:
            record(None, "sso.link", user, f"{user.email} linked to {kind} sign-in from {issuer}",
                   kind=kind, issuer=issuer, ip=ip)
    if user.deleted_at is not None or not user.active:
        raise ExternalSignInError("this account is deactivated; ask your department lead")
    identity.email = email
    identity.last_seen_at = utcnow()
    if user.email_verified_at is None and email_verified and email \
            and written_as(email, user.email):
        mark_email_verified(user, f"{kind} sign-in")
    db.session.flush()
    record(user, "auth.login", user, f"{user.email} signed in with {kind} ({issuer})",
           kind=kind, issuer=issuer, ip=ip)
    return user, created
