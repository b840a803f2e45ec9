"""Findings of the second December review (attacking issue 14's and 15's fixes), each a
request-level test that failed before its fix; docs/security.md lists them."""

from __future__ import annotations

import email
import re

from sqlalchemy import select

from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.extensions import db
from tests.helpers import (
    PASS_FIRST,
    PASS_SECOND,
    PASSWORD,
    client_for,
    csrf_token,
    mailed_link,
    mark_complete,
    post,
    submit,
)

# --- A set-password link is held by the lead: it proves nothing about the mailbox ---------


def test_a_set_password_link_does_not_verify_the_address_it_was_not_mailed_to(
        app, smtp, synced, department, lead):
    # A lead creates an account for an address that isn't theirs and opens it with the
    # link the page hands them (where the site sends no mail, the page shows the link):
    # badges must not then name that address as the earner.
    host, app.config["CHAMPION_SMTP_HOST"] = app.config["CHAMPION_SMTP_HOST"], None
    page = post(client_for(app, lead), "/team/gyn-onc/members",
                {"email": "colleague@example.org", "name": "A Colleague"}).get_data(as_text=True)
    app.config["CHAMPION_SMTP_HOST"] = host
    link = re.search(r'value="https?://[^/"]+(/auth/set-password/[^"]+)"', page)[1]
    lead_as_colleague = app.test_client()
    response = lead_as_colleague.post(link, data={
        "csrf_token": csrf_token(lead_as_colleague, link),
        "password": "the lead's own passphrase", "confirm": "the lead's own passphrase"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "colleague@example.org"))
    assert not user.email_verified
    submit(lead_as_colleague, "basics", "first-steps", PASS_FIRST)
    submit(lead_as_colleague, "basics", "second-steps", PASS_SECOND)
    mark_complete(lead_as_colleague, "basics", "reading")
    assert db.session.scalar(select(BadgeAward)) is None  # held, as for any unverified address

    # The mailbox's owner is asked instead, by a link mailed to it.
    [raw] = smtp.messages
    assert email.message_from_string(raw)["To"] == "colleague@example.org"
    assert mailed_link(raw, "/auth/verify/")


# --- Growing sign-in delays: failures elsewhere can't keep the owner out ---------------------


def attempt_login(client, email_address, password, ip):
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"csrf_token": token, "email": email_address,
                                           "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_failures_elsewhere_do_not_keep_the_owner_out_of_a_browser_they_signed_in_with(
        app, learner):
    from champion.auth.throttle import FREE_FAILURES, note_failure

    owner = app.test_client()
    assert attempt_login(owner, learner.email, PASSWORD, ip="10.0.3.1").status_code == 302
    post(owner, "/auth/logout")

    attacker = app.test_client()
    for attempt in range(FREE_FAILURES):
        assert attempt_login(attacker, learner.email, "a wrong guess!",
                             ip=f"10.0.4.{attempt}").status_code == 200
    with app.test_request_context():
        for _ in range(5):  # the attacker keeps at it, one guess each time the wait ends
            note_failure(learner.email)
    # The account is delayed for browsers that never signed in to it, the right password
    # too (so guessing stays slow) ...
    assert attempt_login(attacker, learner.email, PASSWORD, ip="10.0.4.9").status_code == 429
    assert attempt_login(app.test_client(), learner.email, PASSWORD,
                         ip="10.0.3.1").status_code == 429
    # ... but not the owner's own browser, which is counted on its own.
    assert attempt_login(owner, learner.email, PASSWORD, ip="10.0.3.1").status_code == 302
    post(owner, "/auth/logout")
    for _ in range(FREE_FAILURES):
        assert attempt_login(owner, learner.email, "the owner's typo",
                             ip="10.0.3.1").status_code == 200
    assert attempt_login(owner, learner.email, PASSWORD, ip="10.0.3.1").status_code == 429


def test_a_device_cookie_is_for_the_account_that_signed_in_with_it(app, learner):
    from champion.auth.models import Role
    from champion.auth.throttle import DEVICE_COOKIE, FREE_FAILURES
    from tests.helpers import make_user

    attacker_account = make_user(Role.LEARNER, email="mallory@example.org")
    attacker = app.test_client()
    assert attempt_login(attacker, attacker_account.email, PASSWORD,
                         ip="10.0.5.1").status_code == 302
    assert attacker.get_cookie(DEVICE_COOKIE) is not None
    post(attacker, "/auth/logout")
    for _ in range(FREE_FAILURES):
        attempt_login(attacker, learner.email, "a wrong guess!", ip="10.0.5.1")
    assert attempt_login(attacker, learner.email, PASSWORD, ip="10.0.5.1").status_code == 429


# --- Quiz draws: pages opened at once draw one attempt -------------------------------------


def test_quiz_pages_opened_at_once_draw_one_attempt(app, synced):
    from sqlalchemy import func

    from champion.auth.models import Role
    from champion.quizzes.models import QuizDraw
    from tests.helpers import login, make_user, quiz_url, view
    from tests.test_concurrency import race

    for round_ in range(4):
        user = make_user(Role.LEARNER, email=f"tabs{round_}@example.org")
        tabs = []
        for _ in range(4):
            tab = app.test_client()
            login(tab, user)
            tabs.append(tab)
        view(tabs[0], "basics", "first-steps")
        statuses = race(*[lambda tab=tab: tab.get(quiz_url("basics", "first-steps"))
                          for tab in tabs])
        assert statuses == [200] * 4
        db.session.expire_all()
        # One draw: not four sets of questions to pick the easiest from, nor four attempts
        # started against a daily limit that counts one per page opened.
        assert db.session.scalar(select(func.count()).select_from(QuizDraw).where(
            QuizDraw.user_id == user.id)) == 1


# --- Password resets: the same work whether or not the address has an account ---------------


def test_a_reset_for_an_address_without_an_account_is_mailed_too(app, smtp, learner):
    # Mail went out only for real accounts, so the answer took a mail server's round trip
    # longer exactly when the address had one: timing the form found accounts.
    for address in (learner.email, "nobody@example.org"):
        client = app.test_client()
        page = client.post("/auth/forgot", data={
            "csrf_token": csrf_token(client, "/auth/forgot"), "email": address})
        assert "Check your email" in page.get_data(as_text=True)
    assert [email.message_from_string(raw)["To"] for raw in smtp.messages] == \
        [learner.email, "nobody@example.org"]
    unknown = email.message_from_string(smtp.messages[1]).get_payload(decode=True).decode()
    assert "no active account" in unknown and "/auth/reset/" not in unknown


# --- Published media: the series in the URL can't name a folder outside the content ---------


def test_media_can_not_be_read_from_beside_the_content_folder(app, content_dir, monkeypatch):
    # The file name was kept inside the folder, but the series was not: ``..`` named the
    # media folder beside the content folder, ``.`` one at its top.
    outside = content_dir.parent / "media"
    outside.mkdir()
    (outside / "private.gif").write_bytes(b"GIF89a private")
    (content_dir / "media").mkdir()
    (content_dir / "media" / "loose.gif").write_bytes(b"GIF89a loose")
    monkeypatch.setitem(app.config, "CHAMPION_MODULES_DIR", str(content_dir))
    client = app.test_client()
    assert client.get("/modules/../media/private.gif").status_code == 404
    assert client.get("/modules/./media/loose.gif").status_code == 404
    with client.get("/modules/extras/media/figure.gif") as response:
        assert response.status_code == 200  # a series' own media still is served


# --- Mail limits per address: one mailbox, however it is spelled ----------------------------


def test_spellings_of_one_address_share_its_mail_limit(app, smtp, learner):
    # The limit of 3 reset (or sign-up) mails an hour per address keyed the address as
    # typed; these all reach learner@example.org, each with a fresh allowance.
    spellings = ["learner@example.org", "learner@ｅxample.org", "learner@eｘample.org",
                 "learner@exａmple.org"]
    statuses = []
    for index, spelling in enumerate(spellings):
        client = app.test_client()
        statuses.append(client.post("/auth/forgot", data={
            "csrf_token": csrf_token(client, "/auth/forgot"), "email": spelling},
            environ_base={"REMOTE_ADDR": f"10.0.6.{index}"}).status_code)
    assert statuses == [200, 200, 200, 429]
    assert len(smtp.messages) == 3


# --- A failure after a pass keeps the key hidden until the next pass ------------------------


def test_a_failed_attempt_after_a_pass_does_not_show_the_key(learner_client, synced):
    # A pass revealed the key on every failed attempt, later ones included: to recertify
    # (an expiring badge needs its modules passed again) a learner failed once on purpose,
    # read the key of what was drawn, and passed.
    from tests.helpers import FAIL_FIRST

    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    later = submit(learner_client, "basics", "first-steps", FAIL_FIRST).headers["Location"]
    page = learner_client.get(later).get_data(as_text=True)
    assert "Not yet passed" in page
    for secret in ("Correct answer", "is-key", "You begin at the start.",
                   "Listening and asking are the steps."):
        assert secret not in page, secret
    # A pass after it makes it reviewable, as for any failure before a pass.
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    assert "Correct answer" in learner_client.get(later).get_data(as_text=True)


# --- One draw, one attempt, however many tabs post it at once -------------------------------


def test_one_draw_posted_from_several_tabs_at_once_is_one_attempt(app, synced):
    from sqlalchemy import func

    from champion.auth.models import Role
    from champion.quizzes.models import Attempt
    from tests.helpers import FAIL_FIRST, login, make_user, open_quiz, quiz_url, shown_answers
    from tests.test_concurrency import race

    url = quiz_url("basics", "first-steps")
    for round_ in range(4):
        user = make_user(Role.LEARNER, email=f"fisher{round_}@example.org")
        tabs = [app.test_client() for _ in range(4)]
        for tab in tabs:
            login(tab, user)
        drawn = open_quiz(tabs[0], "basics", "first-steps")
        # Every tab answers the one draw differently: if each became an attempt, any
        # that passed would complete the module (answers tried in parallel, not learned).
        posts = []
        for tab, answers in zip(tabs, [FAIL_FIRST, PASS_FIRST, FAIL_FIRST, PASS_FIRST],
                                strict=True):
            data = {"csrf_token": csrf_token(tab, url), "draw": str(drawn),
                    **shown_answers(drawn, answers)}
            posts.append(lambda tab=tab, data=data: tab.post(url, data=data))
        assert race(*posts) == [302] * 4
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(Attempt).where(
            Attempt.user_id == user.id)) == 1
