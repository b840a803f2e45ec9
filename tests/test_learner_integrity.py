"""Issue 17, request level: what a learner (and the people around them) see and are told —
credentials that belong to their holder, next steps, honest counts."""

from __future__ import annotations

import email
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from champion.audit.models import AuditEvent
from champion.auth.models import User
from champion.badges.models import BadgeAward
from champion.extensions import db
from tests.helpers import (
    PASS_FIRST,
    client_for,
    complete_module,
    csrf_token,
    post,
    submit,
    sync,
)


def earn(user) -> BadgeAward:
    for slug in ("first-steps", "second-steps", "reading"):
        complete_module(user, "basics", slug)
    return db.session.scalar(select(BadgeAward).where(BadgeAward.user_id == user.id))


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


# --- Revocation: confirmed, shown to the holder, mailed to them -----------------------------


def test_a_revocation_is_mailed_to_the_holder_and_greyed_on_their_page(app, smtp, synced,
                                                                        learner, admin):
    award = earn(learner)
    client = client_for(app, admin)
    token = csrf_token(client, f"/admin/people/{learner.id}")
    client.post(f"/admin/awards/{award.uid}/revoke", data={
        "csrf_token": token, "reason": "Completed under a shared account.", "confirm": "y"})
    (message,) = [m for m in smtp.messages if "revoked" in m]
    mail = email.message_from_string(message)
    assert mail["To"] == learner.email and "Basics Graduate" in mail["Subject"]
    assert "Completed under a shared account." in mail.get_payload(decode=True).decode()
    page = client_for(app, learner).get("/me").get_data(as_text=True)
    assert 'class="award award-invalid"' in page
    assert "Reason: Completed under a shared account." in page
    assert "Get your certificate" not in page


def test_deactivation_needs_its_box_ticked(app, admin, learner):
    client = client_for(app, admin)
    post(client, f"/admin/people/{learner.id}/active")
    db.session.refresh(learner)
    assert learner.active
    post(client, f"/admin/people/{learner.id}/active", {"confirm": "yes"})
    db.session.refresh(learner)
    assert not learner.active
    post(client, f"/admin/people/{learner.id}/active")  # reactivating needs no tick
    db.session.refresh(learner)
    assert learner.active


# --- My progress: department, account, certificate, sharing --------------------------------


def test_my_progress_names_the_department_and_stops_offering_to_join(app, synced, learner):
    page = text(client_for(app, learner).get("/me"))
    assert "Department: Gynecologic Oncology" in page
    assert "Join with an invite code" not in page
    assert "Change your name, email or password" in page


def test_a_learner_without_a_department_is_offered_one(app, synced):
    from champion.auth.models import Role
    from tests.helpers import make_user

    loner = make_user(Role.LEARNER, email="loner@example.org")
    page = text(client_for(app, loner).get("/me"))
    assert "Department:" not in page and "Join with an invite code" in page


def test_my_progress_offers_the_certificate_and_honest_sharing(app, synced, learner):
    award = earn(learner)
    page = client_for(app, learner).get("/me").get_data(as_text=True)
    assert f'href="/me/badges/{award.uid}/certificate">Get your certificate</a>' in page
    assert f'value="https://champion.test/badges/assertions/{award.uid}"' in page
    assert 'data-copy="#link-' in page and "Copy link" in page
    linkedin = re.search(r'href="(https://www.linkedin.com/profile/add\?[^"]+)"', page)[1]
    for part in ("startTask=CERTIFICATION_NAME", "name=Basics+Graduate",
                 f"issueYear={award.awarded_at.year}", f"issueMonth={award.awarded_at.month}",
                 f"certId={award.uid}",
                 f"certUrl=https%3A%2F%2Fchampion.test%2Fbadges%2Fassertions%2F{award.uid}"):
        assert part in linkedin.replace("&amp;", "&"), part
    assert "To a person or on LinkedIn it is only a picture" in page


def test_the_certificate_never_breaks_the_credential_id(app, synced, learner):
    award = earn(learner)
    client = client_for(app, learner)
    url = f"/me/badges/{award.uid}/certificate"
    client.post(url, data={"csrf_token": csrf_token(client, url), "relevance": "5",
                           "balanced": "yes", "free_of_commercial_bias": "yes",
                           "competence": "yes", "performance": "yes",
                           "practice_change": "Ask about goals earlier."})
    pdf = client.get(f"/me/badges/{award.uid}/certificate.pdf").data
    lines = [line.strip() for page in PdfReader(io.BytesIO(pdf)).pages
             for line in page.extract_text().splitlines()]
    assert any(award.uid in line for line in lines), lines


def test_a_mistyped_credential_id_gets_a_page_that_says_so(client, synced):
    response = client.get("/badges/assertions/0123456789abcdef0123456789abcdeg")
    assert response.status_code == 404
    page = text(response)
    assert "No badge has this credential id" in page
    assert "0123456789abcdef0123456789abcdeg" in page


# --- Next steps and honest counts ----------------------------------------------------------


def test_the_home_card_names_the_next_module_toward_the_badge(app, synced, learner):
    page = text(client_for(app, learner).get("/"))
    assert "3 modules to your Basics Graduate badge" in page
    assert "Next: First steps" in page


def test_a_badge_holder_is_never_told_they_are_short_of_it(app, content_dir, learner):
    sync(content_dir)
    earn(learner)
    (content_dir / "basics" / "05-new.md").write_text(
        "---\ntitle: A new module\nduration: 5\n---\nNew, and required.\n")
    sync(content_dir)
    page = text(client_for(app, learner).get("/"))
    assert "You are a Basics Graduate" in page
    assert "module to your" not in page


def test_a_passed_quiz_offers_the_next_module(app, synced, learner):
    client = client_for(app, learner)
    response = submit(client, "basics", "first-steps", PASS_FIRST)
    page = text(client.get(response.headers["Location"]))
    assert "Next module: Second steps" in page


def test_the_catalog_says_which_series_count_toward_the_badge(client, synced):
    page = text(client.get("/"))
    assert "Counts toward the Basics Graduate badge" in page
    series = text(client.get("/modules/basics/"))
    # Four modules, one of them optional; the three required ones make the badge.
    assert "4 modules in this series, 3 required; 3 count toward the Basics Graduate" in series


# --- Case guides ---------------------------------------------------------------------------


def test_a_case_guide_sets_facilitator_notes_apart_and_has_its_title_once(learner_client,
                                                                          synced):
    page = learner_client.get("/modules/basics/first-steps/case").get_data(as_text=True)
    assert page.count("<h1") == 1
    notes = re.findall(r'<section class="facilitator-notes"[^>]*>(.*?)</section>', page, re.S)
    # The two facilitator sections follow each other: one shaded block.
    assert len(notes) == 1
    assert "Steer towards her goals first." in notes[0] and "Ten minutes a stage." in notes[0]
    assert "One thing you will do differently" not in "".join(notes)


# --- Set-password links --------------------------------------------------------------------


def test_a_new_accounts_link_is_mailed_to_the_person(app, smtp, synced, lead):
    page = text(post(client_for(app, lead), "/team/gyn-onc/members",
                     {"email": "colleague@example.org", "name": "A Colleague"}))
    assert "Each new learner was emailed their own link" in page
    (message,) = smtp.messages
    assert email.message_from_string(message)["To"] == "colleague@example.org"
    assert "/auth/set-password/" in message
    assert "/auth/set-password/" not in page  # not also handed to the lead
    user = db.session.scalar(select(User).where(User.email == "colleague@example.org"))
    assert db.session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "user.link_mailed", AuditEvent.target_id == user.id)) == lead.id


def test_without_mail_the_link_is_shown_with_a_copy_button_and_new_link_says_so(app, synced,
                                                                                 lead):
    client = client_for(app, lead)
    page = post(client, "/team/gyn-onc/members",
                {"email": "colleague@example.org", "name": "A Colleague"}).get_data(as_text=True)
    assert "this site sends no email" in page
    assert re.search(r'value="https?://[^"]+/auth/set-password/', page)
    assert 'data-copy="#link-' in page
    user = db.session.scalar(select(User).where(User.email == "colleague@example.org"))
    again = text(post(client, f"/team/gyn-onc/members/{user.id}/link"))
    assert "New set-password link for A Colleague" in again
    assert "account created" not in again


# --- Publishing: what changes for a badge, and for whom ------------------------------------


def test_the_publishing_check_names_the_badge_and_counts_the_learners(app, synced, learner,
                                                                      educator):
    from champion.badges.queries import requirement_changes
    from champion.catalog.live import live_catalog
    from champion.catalog.models import Module

    earn(learner)  # holds the badge
    complete_module(educator, "basics", "first-steps")  # working toward it
    badges = live_catalog().badges
    (added,) = requirement_changes(badges, "basics", "new-module", True, None)
    assert (added.badge_name, added.added, added.holders, added.working) == (
        "Basics Graduate", True, 1, 1)
    assert requirement_changes(badges, "basics", "new-module", False, None) == []
    reading = db.session.scalar(select(Module).where(Module.slug == "reading"))
    (dropped,) = requirement_changes(badges, "basics", "reading", False, reading.id)
    assert not dropped.added
    assert requirement_changes(badges, "basics", "reading", True, reading.id) == []


def test_a_revoked_holder_is_not_told_they_hold_the_badge(app, synced, learner):
    from champion.database import utcnow

    award = earn(learner)
    award.revoked_at, award.revocation_reason = utcnow(), "Shared account."
    db.session.commit()
    page = text(client_for(app, learner).get("/"))
    assert "You are a Basics Graduate" not in page
    assert "You have completed every module the Basics Graduate badge asks for." in page


def test_the_home_page_asks_once_whether_a_learner_partway_holds_the_badge(
        app, synced, learner, count_queries):
    from tests.test_query_budgets import BUDGETS

    complete_module(learner, "basics", "first-steps")
    client = client_for(app, learner)
    client.get("/")  # the worker's copy of the catalog
    with count_queries() as counter:
        assert "2 modules to your Basics Graduate badge" in text(client.get("/"))
    # A budget: the reading page's, and one query for the learner's award of the badge.
    assert counter.count <= BUDGETS["reading page"] + 1, counter.statements


def test_a_long_module_opens_with_a_contents_list_of_its_parts(app, learner):
    from tests.e2e.test_journeys import sync_curriculum

    sync_curriculum()
    page = client_for(app, learner).get(
        "/modules/part-1/cancer-pain-essentials").get_data(as_text=True)
    assert '<summary>Contents: ' in page
    assert '<a href="#part-2">Read this first: education, not a prescribing reference</a>' in page
    assert '<div class="reading-part" id="part-2">' in page
