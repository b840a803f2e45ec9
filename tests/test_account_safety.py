"""Accounts found by email: a lead never takes one over (issue 14 #1, #2, #8, #10, #20)
and every way an address enters the platform follows one rule (issue 13)."""

from __future__ import annotations

import email
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from champion.audit.models import AuditEvent
from champion.auth.emails import lookup_key
from champion.auth.models import Role, User
from champion.auth.operations import change_role, create_user, set_active
from champion.badges.models import BadgeAward
from champion.database import utcnow
from champion.departments.models import Department, DepartmentInvite, MembershipRequest
from champion.departments.operations import add_member, is_member
from champion.extensions import db
from tests.helpers import (
    PASS_FIRST,
    PASS_SECOND,
    PASSWORD,
    csrf_token,
    login,
    mailed_link,
    make_user,
    mark_complete,
    submit,
)


def post(client, url, data=None, **kwargs):
    token = csrf_token(client, "/auth/logout")
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def other_department(app) -> Department:
    other = Department(slug="surgery", name="Surgery")
    db.session.add(other)
    db.session.commit()
    return other


# --- 14 #1: a lead's form or roster never changes an existing account ----------------------

def test_adding_an_existing_account_asks_it_and_changes_nothing(app, department, lead,
                                                                 other_department):
    victim = make_user(Role.LEARNER, email="victim@example.org", department=other_department)
    lead_client = signed_in(app, lead)
    response = post(lead_client, "/team/gyn-onc/members",
                    {"email": "Victim@Example.org", "name": "Forged Name"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, victim.id).name == "Test Learner"  # not renamed
    assert not is_member(department, victim)  # not pulled in
    dashboard = lead_client.get("/team/gyn-onc/members").get_data(as_text=True)
    assert "victim@example.org" not in dashboard
    assert "member.request" in actions() and "member.add" not in actions()[-2:]


def test_a_roster_cannot_rename_or_pull_in_existing_accounts(app, department, lead,
                                                              other_department):
    victim = make_user(Role.LEARNER, email="victim@example.org", department=other_department)
    client = signed_in(app, lead)
    roster = "email,name\nvictim@example.org,Forged Name\n"
    response = client.post("/team/gyn-onc/members/import", data={
        "csrf_token": csrf_token(client, "/team/gyn-onc/members"),
        "roster": (io.BytesIO(roster.encode()), "roster.csv")},
        content_type="multipart/form-data")
    assert "0 accounts created, 1 asked to join" in " ".join(
        response.get_data(as_text=True).split())
    db.session.expire_all()
    assert db.session.get(User, victim.id).name == "Test Learner"
    assert not is_member(department, victim)


def test_the_person_accepts_or_declines_from_their_own_page(app, smtp, department, lead,
                                                            other_department):
    person = make_user(Role.LEARNER, email="person@example.org")
    post(signed_in(app, lead), "/team/gyn-onc/members",
         {"email": person.email, "name": "Whatever"})
    [mail] = smtp.messages
    assert mailed_link(mail, "/me/requests") == "https://champion.test/me/requests"
    assert "Gynecologic Oncology" in mail
    request = db.session.scalar(select(MembershipRequest))

    # Nobody else can answer it: not another learner, not the lead who asked.
    stranger = make_user(Role.LEARNER, email="stranger@example.org")
    assert post(signed_in(app, stranger),
                f"/me/requests/{request.id}/accept").status_code == 404
    assert post(signed_in(app, lead), f"/me/requests/{request.id}/accept").status_code == 404
    assert not is_member(department, person)

    client = signed_in(app, person)
    page = client.get("/me/requests").get_data(as_text=True)
    assert "Gynecologic Oncology" in page
    assert post(client, f"/me/requests/{request.id}/accept").status_code == 302
    db.session.expire_all()
    assert is_member(department, person)
    assert "member.request_accept" in actions()
    # Answered once: a replay does nothing.
    again = post(client, f"/me/requests/{request.id}/decline", follow_redirects=True)
    assert "already been answered" in again.get_data(as_text=True)


def test_declining_leaves_the_account_out(app, department, lead):
    person = make_user(Role.LEARNER, email="person@example.org")
    post(signed_in(app, lead), "/team/gyn-onc/members", {"email": person.email, "name": "X"})
    request = db.session.scalar(select(MembershipRequest))
    post(signed_in(app, person), f"/me/requests/{request.id}/decline")
    db.session.expire_all()
    assert not is_member(department, person)
    assert db.session.get(MembershipRequest, request.id).accepted is False


# --- 14 #2: set-password links only for the department's own new learners ------------------

def pending_account(email: str, role: Role, department: Department | None = None) -> User:
    user = create_user(email, "Pending Person", None, role=role, created_by_department=department)
    db.session.commit()
    return user


def test_no_link_for_an_account_the_department_did_not_create(app, department, lead,
                                                               other_department):
    pending_admin = pending_account("boss@example.org", Role.ADMIN)
    other_lead = pending_account("other.lead@example.org", Role.LEAD)
    others_learner = pending_account("theirs@example.org", Role.LEARNER, other_department)
    client = signed_in(app, lead)
    for user in (pending_admin, other_lead, others_learner):
        post(client, "/team/gyn-onc/members", {"email": user.email, "name": "Mine Now"})
        # Even were they members (say, an admin added them), no link is issued.
        add_member(department, user, None, how="test")
        db.session.commit()
        response = post(client, f"/team/gyn-onc/members/{user.id}/link")
        assert response.status_code == 404, user.email
        assert "/auth/set-password/" not in response.get_data(as_text=True)


def new_learner_link(app, lead) -> tuple[User, str]:
    response = post(signed_in(app, lead), "/team/gyn-onc/members",
                    {"email": "fresh@example.org", "name": "Fresh Learner"})
    link = re.search(r'value="https://champion\.test(/auth/set-password/[^"]+)"',
                     response.get_data(as_text=True))[1]
    return db.session.scalar(select(User).where(User.email == "fresh@example.org")), link


def test_a_role_change_kills_a_pending_link(app, department, lead, admin):
    fresh, link = new_learner_link(app, lead)
    assert app.test_client().get(link).status_code == 200
    change_role(fresh, Role.LEAD, admin)
    db.session.commit()
    assert app.test_client().get(link).status_code == 410
    # ...and no new one is issued for a non-learner.
    assert post(signed_in(app, lead),
                f"/team/gyn-onc/members/{fresh.id}/link").status_code == 404


@pytest.mark.parametrize("change", ["deactivate", "department"])
def test_deactivation_or_a_department_change_kills_a_pending_link(app, department, lead,
                                                                   admin, other_department,
                                                                   change):
    fresh, link = new_learner_link(app, lead)
    if change == "deactivate":
        set_active(fresh, False, admin)
        db.session.commit()
        set_active(fresh, True, admin)
    else:
        add_member(other_department, fresh, admin, how="test")
    db.session.commit()
    assert app.test_client().get(link).status_code == 410


# --- 14 #8: email addresses are verified before badges name them ----------------------------

def test_registration_mails_a_link_and_badges_wait_for_it(app, smtp, synced):
    client = app.test_client()
    client.post("/auth/register", data={
        "csrf_token": csrf_token(client, "/auth/register"), "name": "Rae New",
        "email": "rae@example.org", "password": PASSWORD, "confirm": PASSWORD})
    user = db.session.scalar(select(User).where(User.email == "rae@example.org"))
    assert not user.email_verified
    login(client, user)  # registration mails the link; signing in is the person's next step
    submit(client, "basics", "first-steps", PASS_FIRST)
    submit(client, "basics", "second-steps", PASS_SECOND)
    mark_complete(client, "basics", "reading")
    assert db.session.scalar(select(BadgeAward)) is None  # held
    assert "Verify your email" in client.get("/me").get_data(as_text=True)

    [raw] = smtp.messages
    assert email.message_from_string(raw)["To"] == "rae@example.org"
    link = mailed_link(raw, "/auth/verify/").removeprefix("https://champion.test")
    assert client.get(link).status_code == 200
    assert db.session.scalar(select(BadgeAward)) is None  # a GET (a mail scanner) changes nothing
    response = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert response.status_code == 302
    award = db.session.scalar(select(BadgeAward))
    assert award is not None and award.user_id == user.id
    assert "auth.email_verified" in actions()


def test_a_verification_link_is_for_the_address_it_was_sent_to(app, smtp, learner):
    learner.email_verified_at = None
    db.session.commit()
    client = signed_in(app, learner)
    post(client, "/auth/verify")
    link = mailed_link(smtp.messages[0], "/auth/verify/").removeprefix("https://champion.test")
    assert app.test_client().get(link).status_code == 200
    learner.email = "changed@example.org"
    db.session.commit()
    assert app.test_client().get(link).status_code == 410


def test_an_unverified_account_cannot_join_a_department(app, department, lead):
    person = make_user(Role.LEARNER, email="unproven@example.org", verified=False)
    invite = DepartmentInvite(department=department, created_by=lead)
    db.session.add(invite)
    db.session.commit()
    response = post(signed_in(app, person), "/join", {"code": invite.code})
    assert response.status_code == 422
    assert "verify your email address" in response.get_data(as_text=True).lower()
    assert not is_member(department, person)


# --- 14 #10: removing a non-member reveals nothing ------------------------------------------

def test_removing_a_non_member_is_404_and_names_no_one(app, department, lead, other_department):
    outsider = make_user(Role.LEARNER, email="outsider@example.org", department=other_department)
    response = post(signed_in(app, lead), f"/team/gyn-onc/members/{outsider.id}/remove",
                    follow_redirects=True)
    assert response.status_code == 404
    assert "outsider@example.org" not in response.get_data(as_text=True)
    assert is_member(other_department, outsider)


# --- 14 #20: invites expire, have use limits, and /join is throttled ------------------------

def test_an_invite_expires_by_default_and_can_be_shorter(app, department, lead):
    client = signed_in(app, lead)
    post(client, "/team/gyn-onc/invites")
    post(client, "/team/gyn-onc/invites", {"days": "2", "max_uses": "1"})
    default, short = db.session.scalars(select(DepartmentInvite).order_by(DepartmentInvite.id))
    assert timedelta(days=29) < default.expires_at - utcnow() <= timedelta(days=30)
    assert short.expires_at - utcnow() <= timedelta(days=2) and short.max_uses == 1
    bad = post(client, "/team/gyn-onc/invites", {"days": "0"})
    assert bad.status_code == 422 and "Choose between 1 and 365 days" in bad.get_data(
        as_text=True)


def test_an_expired_invite_no_longer_works(app, department, lead):
    invite = DepartmentInvite(department=department, created_by=lead,
                              expires_at=utcnow() - timedelta(minutes=1))
    db.session.add(invite)
    db.session.commit()
    person = make_user(Role.LEARNER, email="late@example.org")
    response = post(signed_in(app, person), "/join", {"code": invite.code})
    assert response.status_code == 422
    assert not is_member(department, person)


def test_an_invite_with_a_use_limit_admits_that_many(app, department, lead):
    invite = DepartmentInvite(department=department, created_by=lead, max_uses=1,
                              expires_at=utcnow() + timedelta(days=1))
    db.session.add(invite)
    db.session.commit()
    first = make_user(Role.LEARNER, email="first@example.org")
    second = make_user(Role.LEARNER, email="second@example.org")
    assert post(signed_in(app, first), "/join", {"code": invite.code}).status_code == 302
    assert post(signed_in(app, second), "/join", {"code": invite.code}).status_code == 422
    assert is_member(department, first) and not is_member(department, second)


def test_guessing_invite_codes_is_throttled(app, department, lead):
    invite = DepartmentInvite(department=department, created_by=lead,
                              expires_at=utcnow() + timedelta(days=1))
    db.session.add(invite)
    db.session.commit()
    client = signed_in(app, make_user(Role.LEARNER, email="guesser@example.org"))
    statuses = [post(client, "/join", {"code": f"WRONG{n:05d}"}).status_code for n in range(10)]
    assert statuses == [422] * 10
    assert client.get("/join/WRONGCODE9").status_code == 429  # lookups count too
    assert post(client, "/join", {"code": invite.code}).status_code == 429


# --- 13: one rule for what an email address is -----------------------------------------------

ADDRESSES = [
    ("ann@hospital.org", True),
    ("Ann.Lee@Hospital.ORG", True),
    ("ann@hospital.test", False),  # special-use domain: mail can never arrive
    ("ann@localhost", False),
    ("ann@hospital", False),
    ("not-an-email", False),
    ("ann@@hospital.org", False),
]


def accepted_by_registration(app, address: str) -> bool:
    client = app.test_client()
    response = client.post("/auth/register", data={
        "csrf_token": csrf_token(client, "/auth/register"), "name": "Ann",
        "email": address, "password": PASSWORD, "confirm": PASSWORD})
    # The page answers the same whether or not an account was made (no enumeration):
    # what counts is whether the address now has one.
    assert response.status_code in (200, 422)
    return response.status_code == 200 and db.session.scalar(
        select(User).where(User.email == lookup_key(address))) is not None


def accepted_by_cli(app, address: str) -> bool:
    result = app.test_cli_runner().invoke(
        args=["users", "create", address, "--name", "Ann"], input=PASSWORD + "\n")
    return result.exit_code == 0


def accepted_by_roster(app, address: str) -> bool:
    from champion.departments.roster import parse_roster
    return not parse_roster(f"email,name\n{address},Ann\n").errors


def accepted_by_add_member(app, address: str) -> bool:
    lead = db.session.scalar(select(User).where(User.email == "lead@example.org"))
    response = post(signed_in(app, lead), "/team/gyn-onc/members",
                    {"email": address, "name": "Ann"})
    return response.status_code != 422


@pytest.mark.parametrize(("address", "valid"), ADDRESSES)
def test_every_door_agrees_on_what_an_email_address_is(app, department, lead, address, valid):
    from champion.auth.emails import EmailAddressError, email_address
    try:
        email_address(address)
        by_rule = True
    except EmailAddressError:
        by_rule = False
    # Each door gets its own local part, so an account one creates can't refuse the next.
    doors = {
        "rule": by_rule,
        "roster": accepted_by_roster(app, address),
        "registration": accepted_by_registration(app, "reg." + address),
        "add member": accepted_by_add_member(app, "add." + address),
        "cli": accepted_by_cli(app, "cli." + address),
    }
    assert doors == dict.fromkeys(doors, valid)


# --- 14 #1: every change of a name is audited ------------------------------------------------

def test_a_name_changes_only_through_an_audited_admin_action(app, admin, learner):
    client = signed_in(app, admin)
    url = f"/admin/people/{learner.id}/name"
    token = csrf_token(client, f"/admin/people/{learner.id}")
    assert client.post(url, data={"csrf_token": token, "name": "Dr Ann Lee"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, learner.id).name == "Dr Ann Lee"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.rename"))
    assert event.actor_id == admin.id and event.target_id == learner.id
    assert event.detail == {"previous": "Test Learner", "name": "Dr Ann Lee"}
    assert "Test Learner → Dr Ann Lee" in event.summary
    blank = client.post(url, data={"csrf_token": token, "name": "  "})
    assert blank.status_code == 422


def test_a_declined_request_is_not_mailed_again(app, smtp, department, lead):
    person = make_user(Role.LEARNER, email="person@example.org")
    client = signed_in(app, lead)
    post(client, "/team/gyn-onc/members", {"email": person.email, "name": "X"})
    request = db.session.scalar(select(MembershipRequest))
    post(signed_in(app, person), f"/me/requests/{request.id}/decline")
    post(client, "/team/gyn-onc/members", {"email": person.email, "name": "X"})
    assert len(smtp.messages) == 1
    assert db.session.scalar(select(func.count()).select_from(MembershipRequest)) == 1


def test_a_mail_server_down_does_not_refuse_a_registration(app):
    app.config.update(CHAMPION_SMTP_HOST="127.0.0.1", CHAMPION_SMTP_PORT=9)  # nothing listens
    try:
        assert accepted_by_registration(app, "down@example.org")
    finally:
        app.config.update(CHAMPION_SMTP_HOST=None, CHAMPION_SMTP_PORT=25)
    user = db.session.scalar(select(User).where(User.email == "down@example.org"))
    assert user is not None and not user.email_verified
