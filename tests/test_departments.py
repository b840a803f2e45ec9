"""Departments: invites, joining, adding and removing members, rosters, set-password links."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from champion.audit.models import AuditEvent
from champion.auth.models import Role, User
from champion.auth.tokens import set_password_token, user_for_token
from champion.departments.models import DepartmentInvite, department_members
from champion.departments.operations import is_member
from champion.extensions import db
from tests.helpers import csrf_token, login, make_user, post

ROSTER = ("email,name,title\nnew.one@example.org,New One,RN\n"
          "learner@example.org,Renamed Learner,MD\n")


def members_of(department) -> set[str]:
    return set(db.session.scalars(
        select(User.email).join(department_members, department_members.c.user_id == User.id)
        .where(department_members.c.department_id == department.id)))


def test_a_lead_creates_an_invite_and_a_learner_joins_with_it(app, department, lead):
    lead_client = app.test_client()
    login(lead_client, lead)
    post(lead_client, "/team/gyn-onc/invites")
    invite = db.session.scalar(select(DepartmentInvite))
    assert re.fullmatch(r"[A-Z2-9]{10}", invite.code)
    page = lead_client.get("/team/gyn-onc/members").get_data(as_text=True)
    assert invite.code in page and f"/join/{invite.code}" in page

    newcomer = make_user(Role.LEARNER, email="new@example.org")
    client = app.test_client()
    login(client, newcomer)
    page = client.get(f"/join/{invite.code}").get_data(as_text=True)
    assert "You have been invited to join <strong>Gynecologic Oncology</strong>" in page
    response = post(client, f"/join/{invite.code}", {"code": invite.code})
    assert response.status_code == 302
    db.session.expire_all()
    assert "new@example.org" in members_of(department)
    assert invite.uses == 1


def test_codes_can_be_typed_and_revoked_codes_stop_working(app, department, lead, learner):
    lead_client = app.test_client()
    login(lead_client, lead)
    post(lead_client, "/team/gyn-onc/invites")
    invite = db.session.scalar(select(DepartmentInvite))
    post(lead_client, f"/team/gyn-onc/invites/{invite.id}/revoke")
    other = make_user(Role.LEARNER, email="other@example.org")
    client = app.test_client()
    login(client, other)
    response = post(client, "/join", {"code": invite.code.lower()})
    assert response.status_code == 422
    assert "That invite code isn&#39;t valid any more: ask your department lead for a new one." \
        in response.get_data(as_text=True)
    assert "other@example.org" not in members_of(department)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "invite.revoke")) == 1


def test_an_invite_link_survives_registration(app, department, lead, client):
    invite = DepartmentInvite(department=department, created_by=lead)
    db.session.add(invite)
    db.session.commit()
    response = client.get(f"/join/{invite.code}")
    assert response.headers["Location"] == f"/auth/login?next=%2Fjoin%2F{invite.code}"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    register_url = re.search(r'href="(/auth/register\?next=[^"]+)"', login_page)[1]
    token = csrf_token(client, register_url)
    response = client.post(register_url.replace("&amp;", "&"), data={
        "csrf_token": token, "name": "Nadia New", "email": "nadia@example.org",
        "password": "a-long-password", "confirm": "a-long-password"})
    # Registering says "check your email"; its sign-in link keeps the invite.
    sign_in_url = re.search(r'href="(/auth/login\?next=[^"]+)"',
                            response.get_data(as_text=True))[1].replace("&amp;", "&")
    response = client.post(sign_in_url, data={
        "csrf_token": csrf_token(client, sign_in_url), "email": "nadia@example.org",
        "password": "a-long-password"})
    assert response.headers["Location"] == f"/join/{invite.code}"


def test_adding_people_existing_and_new(app, department, lead, learner):
    client = app.test_client()
    login(client, lead)
    outsider = make_user(Role.LEARNER, email="outsider@example.org")
    response = post(client, "/team/gyn-onc/members",
                    {"email": outsider.email, "name": outsider.name})
    assert response.status_code == 302
    response = post(client, "/team/gyn-onc/members",
                    {"email": "brand.new@example.org", "name": "Brand New"})
    page = " ".join(response.get_data(as_text=True).split())
    assert "1 account created" in page
    link = re.search(r'value="(http[^"]+/auth/set-password/[^"]+)"', page)[1]
    # The new address is a member at once; the existing account only once it accepts.
    assert "brand.new@example.org" in members_of(department)
    assert "outsider@example.org" not in members_of(department)
    new = db.session.scalar(select(User).where(User.email == "brand.new@example.org"))
    assert new.password_hash is None and new.role == "learner"
    assert new.created_by_department_id == department.id and not new.email_verified
    # The new learner sets a password with the link, once.
    anonymous = app.test_client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    token = csrf_token(anonymous, "/" + path)
    response = anonymous.post("/" + path, data={
        "csrf_token": token, "password": "my own passphrase", "confirm": "my own passphrase"})
    assert response.status_code == 302
    assert anonymous.get("/me").status_code == 200
    assert app.test_client().get("/" + path).status_code == 410
    db.session.expire_all()
    assert not new.email_verified  # the lead held the link: it proves nothing of the mailbox


def test_removing_a_member_keeps_their_account_and_history(app, department, lead, learner):
    client = app.test_client()
    login(client, lead)
    response = post(client, f"/team/gyn-onc/members/{learner.id}/remove")
    assert response.status_code == 302
    assert learner.email not in members_of(department)
    # Asked of the database, not the session's identity map: the row and its role are kept.
    db.session.expire_all()
    kept = db.session.execute(select(User.email, User.role).where(User.id == learner.id)).one()
    assert kept == (learner.email, "learner")
    # Removed again (a second tab): not a member any more, so nothing to say about them.
    again = post(client, f"/team/gyn-onc/members/{learner.id}/remove")
    assert again.status_code == 404
    assert learner.email not in again.get_data(as_text=True)


def test_set_password_tokens_are_signed_expire_and_work_once(app, learner):
    learner.password_hash = None
    db.session.commit()
    token = set_password_token(learner)
    assert user_for_token(token, "set-password") == learner
    assert user_for_token(token, "reset-password") is None  # a token serves one purpose
    assert user_for_token(token + "x", "set-password") is None
    assert user_for_token(token, "set-password", max_age=timedelta(seconds=-1)) is None
    learner.set_password("a-new-password!", method="pbkdf2:sha256:1")
    db.session.commit()
    assert user_for_token(token, "set-password") is None


def test_web_roster_import_creates_asks_and_shows_links(app, department, lead, learner):
    client = app.test_client()
    login(client, lead)
    token = csrf_token(client, "/team/gyn-onc/members")
    import io
    response = client.post("/team/gyn-onc/members/import", data={
        "csrf_token": token, "roster": (io.BytesIO(ROSTER.encode()), "roster.csv")},
        content_type="multipart/form-data")
    page = " ".join(response.get_data(as_text=True).split())
    assert response.status_code == 200
    assert "1 account created, 0 asked to join, 1 already members." in page
    assert "row 1: column &#39;title&#39; is ignored" in page
    assert "new.one@example.org" in page and "/auth/set-password/" in page
    db.session.expire_all()
    assert db.session.get(User, learner.id).name == "Test Learner"  # never renamed


def test_a_bad_roster_is_refused_whole(app, department, lead):
    client = app.test_client()
    login(client, lead)
    token = csrf_token(client, "/team/gyn-onc/members")
    import io
    bad = "email,name\ngood@example.org,Good\nbroken,Bad\n"
    response = client.post("/team/gyn-onc/members/import", data={
        "csrf_token": token, "roster": (io.BytesIO(bad.encode()), "roster.csv")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The roster was not imported" in page and "row 3: &#39;broken&#39;" in page
    assert db.session.scalar(select(User).where(User.email == "good@example.org")) is None


def test_cli_roster_import(runner, app, department, tmp_path, learner):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER)
    result = runner.invoke(args=["users", "import", str(path), "--department", "gyn-onc"])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 asked to join, 1 already members; 1 joined gyn-onc" in result.output
    assert re.search(r"new\.one@example\.org\thttps://champion\.test/auth/set-password/\S+",
                     result.output)
    assert "row 1: column 'title' is ignored" in result.output
    new = db.session.scalar(select(User).where(User.email == "new.one@example.org"))
    assert is_member(department, new)

    path.write_text("email,name\nx@example.org,X\nx@example.org,Y\n,Z\n")
    result = runner.invoke(args=["users", "import", str(path), "--department", "gyn-onc"])
    assert result.exit_code == 1
    assert "row 3: x@example.org is a duplicate of row 2" in result.output
    assert "row 4: missing email" in result.output
    assert "nothing was changed" in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


