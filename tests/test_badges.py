"""The badge: awarded once, automatically, in the transaction that earns it."""

from __future__ import annotations

from sqlalchemy import select

from champion.badges.models import BadgeAward
from champion.database import utcnow
from champion.extensions import db
from tests.helpers import PASS_FIRST, PASS_SECOND, mark_complete, submit


def awards() -> list[BadgeAward]:
    db.session.expire_all()
    return list(db.session.scalars(select(BadgeAward)))


def earn(client) -> None:
    submit(client, "basics", "first-steps", PASS_FIRST)
    submit(client, "basics", "second-steps", PASS_SECOND)
    mark_complete(client, "basics", "reading")


def test_the_badge_is_awarded_the_moment_the_last_required_module_is_complete(
    learner_client, learner, synced
):
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    submit(learner_client, "basics", "second-steps", PASS_SECOND)
    assert awards() == []  # the reading is still to do; the optional module never counts
    response = mark_complete(learner_client, "basics", "reading")
    [award] = awards()
    assert award.user_id == learner.id and award.badge.slug == "basics-graduate"
    assert award.narrative == "Complete every required module of the basics series."
    assert len(award.uid) == 32 and len(award.salt) == 32
    page = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You earned the Basics Graduate badge." in page


def test_the_badge_is_awarded_once(learner_client, synced):
    earn(learner_client)
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    assert len(awards()) == 1


def test_me_shows_the_badge_with_its_verification_link(learner_client, synced):
    earn(learner_client)
    [award] = awards()
    page = learner_client.get("/me").get_data(as_text=True)
    assert "Basics Graduate" in page and f"/badges/assertions/{award.uid}" in page


def test_verification_page_is_public_and_never_shows_the_email(app, learner_client, learner,
                                                              synced):
    earn(learner_client)
    [award] = awards()
    anonymous = app.test_client()
    page = anonymous.get(f"/badges/assertions/{award.uid}").get_data(as_text=True)
    assert learner.name in page and "Basics Graduate" in page
    assert "Complete every required module of the basics series." in page
    assert "Verified: issued by" in page and "This badge has been revoked" not in page
    assert learner.email not in page
    assert 'property="og:title"' in page
    assert anonymous.get("/badges/assertions/not-a-real-id").status_code == 404


def test_a_revoked_award_says_so_plainly(app, learner_client, admin, synced):
    earn(learner_client)
    [award] = awards()
    award.revoked_at = utcnow()
    award.revocation_reason = "Awarded in error."
    award.revoked_by_id = admin.id
    db.session.commit()
    page = app.test_client().get(f"/badges/assertions/{award.uid}").get_data(as_text=True)
    assert "This badge has been revoked" in page and "Awarded in error." in page
    assert "Verified:" not in page


def test_badge_page_and_image(client, synced):
    page = client.get("/badges/basics-graduate").get_data(as_text=True)
    assert "Basics Graduate" in page and "Complete every required module" in page
    assert page.index("First steps") < page.index("Second steps") < page.index("A reading")
    assert "Optional extra" not in page
    image = client.get("/badges/basics-graduate/image")
    assert image.mimetype == "image/svg+xml" and image.data.startswith(b"<svg")
    assert "default-src 'none'" in image.headers["Content-Security-Policy"]
    assert client.get("/badges/nope").status_code == 404
