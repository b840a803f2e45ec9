"""One rule for every outside sign-in (OpenID Connect, SAML, LTI): sign_in_external.

Accounts are found by (issuer, subject), never by email alone.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from champion.audit.models import AuditEvent
from champion.auth.models import ExternalIdentity, Role, User
from champion.auth.operations import ExternalSignInError, set_active, sign_in_external
from champion.extensions import db
from tests.helpers import make_user

HOSPITAL = "https://idp.mercy.example.org"
OTHER = "https://idp.elsewhere.example.org"


def sign_in(issuer=HOSPITAL, subject="s-1", email="dana@mercy.example.org", name="Dana Reyes",
            verified=True):
    user, created = sign_in_external(kind="oidc", issuer=issuer, subject=subject, email=email,
                                     name=name, email_verified=verified, ip="127.0.0.1")
    db.session.commit()
    return user, created


def actions(user: User) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "user", AuditEvent.target_id == user.id)
        .order_by(AuditEvent.id)))


def test_first_sign_in_creates_a_verified_learner_just_in_time(app):
    user, created = sign_in()
    assert created
    assert (user.email, user.name, user.role) == ("dana@mercy.example.org", "Dana Reyes",
                                                  Role.LEARNER.value)
    assert user.email_verified and user.password_hash is None
    assert actions(user) == ["sso.create", "auth.login"]


def test_a_later_sign_in_finds_the_account_by_subject_even_after_an_email_change(app):
    first, _ = sign_in()
    again, created = sign_in(email="dana.reyes@mercy.example.org")
    assert not created and again.id == first.id
    assert again.email == "dana@mercy.example.org"  # the account's address is its owner's
    assert db.session.scalar(select(ExternalIdentity.email)) == "dana.reyes@mercy.example.org"
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_an_existing_account_links_once_and_a_second_provider_cannot_take_it_over(app):
    existing = make_user(Role.LEARNER, "dana@mercy.example.org")
    user, created = sign_in()
    assert not created and user.id == existing.id
    assert "sso.link" in actions(existing)
    with pytest.raises(ExternalSignInError, match="already linked"):
        sign_in(issuer=OTHER, subject="attacker")
    db.session.rollback()
    with pytest.raises(ExternalSignInError, match="already linked"):
        sign_in(subject="another-person-same-idp")
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(ExternalIdentity)) == 1


def test_an_administrators_account_is_never_linked_automatically(app):
    make_user(Role.ADMIN, "root@mercy.example.org")
    with pytest.raises(ExternalSignInError, match="administrator"):
        sign_in(email="root@mercy.example.org")
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(ExternalIdentity)) == 0


@pytest.mark.parametrize(("email", "verified", "message"), [
    (None, True, "did not send an email"),
    ("dana@mercy.example.org", False, "did not confirm"),
    ("not an address", True, "email"),
])
def test_no_account_without_an_address_the_provider_vouches_for(app, email, verified, message):
    with pytest.raises(ExternalSignInError, match=message):
        sign_in(email=email, verified=verified)
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 0


def test_a_deactivated_account_cannot_sign_in_from_outside(app):
    admin = make_user(Role.ADMIN)
    user, _ = sign_in()
    set_active(user, False, admin)
    db.session.commit()
    with pytest.raises(ExternalSignInError, match="deactivated"):
        sign_in()
