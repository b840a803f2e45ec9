"""Claiming continuing education credit, through the pages a learner uses: what is refused
(and then nothing is recorded), who sees what, the provider's records, deletion, follow-ups."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from champion.auth.models import Role
from champion.auth.privacy import delete_account
from champion.badges.models import BadgeAward, ProgrammeEvaluation
from champion.credit.models import CreditClaim, CreditProfile
from champion.credit.operations import (
    CreditError,
    claim_credit,
    erase_credit_data,
    retained_until,
)
from champion.credit.queries import credit_activity
from champion.database import utcnow
from champion.extensions import db
from champion.progress.models import ModuleProgress
from tests.helpers import client_for, complete_module, csrf_token, make_user, post, sync

CREDIT_CONTENT = Path(__file__).parent / "fixtures" / "credit-content"
SERIES = "palliative-ce"
CLAIM = f"/modules/{SERIES}/credit"


@pytest.fixture
def credit_synced(app):
    return sync(CREDIT_CONTENT)


@pytest.fixture
def physician(app, credit_synced):
    return make_user(Role.LEARNER, "physician@example.org")


@pytest.fixture
def nurse(app, credit_synced):
    return make_user(Role.LEARNER, "nurse@example.org")


def claims() -> int:
    return db.session.scalar(select(func.count(CreditClaim.id)))


def evaluate(client, user) -> None:
    award = db.session.scalar(select(BadgeAward).where(BadgeAward.user_id == user.id))
    url = f"/me/badges/{award.uid}/certificate"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "relevance": "5", "balanced": "yes",
        "free_of_commercial_bias": "yes", "competence": "yes", "performance": "yes",
        "practice_change": "Ask about goals at the first visit.", "follow_up": "y"})
    assert response.status_code == 302


def finish(client, user, profession: str | None) -> None:
    """Disclosures read, every module's post-test passed, the evaluation given."""
    assert post(client, f"/modules/{SERIES}/disclosures").status_code == 302
    for slug in ("goals", "symptoms"):
        complete_module(user, SERIES, slug)
    evaluate(client, user)
    if profession:
        assert post(client, "/me/credit-profile", {"profession": profession}).status_code == 302


def claim(client, credit_type: str, amount: str, **extra):
    return post(client, CLAIM, {"credit_type": credit_type, "amount": amount, "attest": "y",
                                **extra})


def test_the_disclosures_come_before_the_first_module(app, physician):
    client = client_for(app, physician)
    for url in (f"/modules/{SERIES}/goals", f"/modules/{SERIES}/goals/slides",
                f"/modules/{SERIES}/symptoms/quiz"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith(f"/modules/{SERIES}/disclosures")
    page = client.get(f"/modules/{SERIES}/disclosures").get_data(as_text=True)
    assert "Dr. Ben Faculty" in page and "Advisory board: Example Pharma" in page
    assert "no commercial support" in page and "mitigated" in page
    assert "1.75 AMA PRA Category 1 Credits™" in page
    post(client, f"/modules/{SERIES}/disclosures")
    assert client.get(f"/modules/{SERIES}/goals").status_code == 200
    series = client.get(f"/modules/{SERIES}/").get_data(as_text=True)
    assert "Continuing education credit" in series


def test_a_physician_claims_and_gets_the_statements_on_a_certificate(app, physician):
    client = client_for(app, physician)
    finish(client, physician, "physician")
    page = client.get(CLAIM).get_data(as_text=True)
    assert "Physician" in page and "AMA PRA Category 1 Credit™ (maximum 1.75)" in page
    assert "Time recorded on the modules: <strong>none</strong> (1 h 45 min nominal)" in page
    db.session.execute(update(ModuleProgress).values(seconds_spent=2700))  # 45 min on each
    db.session.commit()
    page = client.get(CLAIM).get_data(as_text=True)
    assert "Time recorded on the modules: <strong>1.5 hours</strong>" in page
    assert "ANCC" not in page.split("Credit to claim")[1]  # not a nurse's credit
    response = claim(client, "ama", "1.75")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/me/transcript")
    made = db.session.scalar(select(CreditClaim))
    assert (made.amount, made.profession, made.learner_name) == (175, "physician",
                                                                 physician.name)
    assert made.seconds_recorded == 5400  # the guide, kept with the claim
    assert made.retain_until == date(2105, 1, 14)
    transcript = client.get("/me/transcript").get_data(as_text=True)
    assert "Palliative Care Essentials" in transcript and "1.75" in transcript
    pdf = client.get(f"/me/credit/{made.uid}/certificate.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    text = " ".join(text.split())
    assert physician.name in text and "1.75 AMA PRA Category 1 Credit™" in text
    assert "jointly accredited by the Accreditation Council" in text
    assert "designates this enduring material for a maximum of 1.75 AMA PRA" in text


def test_beyond_the_maximum_off_the_quarter_or_twice_is_refused_and_nothing_recorded(
        app, physician):
    client = client_for(app, physician)
    finish(client, physician, "physician")
    for amount, message in (("2", "2 is more than the maximum of 1.75 AMA PRA Category 1 "
                                  "Credit™ designated for Palliative Care Essentials"),
                            ("1.6", "claimed in quarter hours"),
                            ("0", "as a number, e.g. 1.75"), ("lots", "as a number")):
        response = claim(client, "ama", amount)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and message in page, amount
        assert f'value="{amount}"' in page  # what was typed is kept
        assert claims() == 0
    assert claim(client, "ama", "1.5").status_code == 302
    assert 'value="ama"' not in client.get(CLAIM).get_data(as_text=True)  # nothing left
    again = claim(client, "ama", "0.25")  # posted anyway
    assert again.status_code == 422
    assert "You already claimed AMA PRA Category 1 Credit™ for Palliative Care Essentials" in \
        again.get_data(as_text=True)
    assert claims() == 1 and db.session.scalar(select(CreditClaim.amount)) == 150


def refused(user, reason: str) -> None:
    """The claim operation itself, past any form, refuses ``user`` an AMA claim."""
    with pytest.raises(CreditError, match=reason):
        claim_credit(user, credit_activity(SERIES), credit_type="ama", amount="1")
    db.session.rollback()


def test_the_operation_refuses_a_second_claim_even_past_the_form(app, physician):
    client = client_for(app, physician)
    finish(client, physician, "physician")
    claim(client, "ama", "1")
    refused(physician, "already claimed AMA PRA Category 1 Credit™")
    assert claims() == 1


def test_no_claim_before_finishing_the_activity(app, physician):
    client = client_for(app, physician)
    post(client, "/me/credit-profile", {"profession": "physician"})
    assert claim(client, "ama", "1").status_code == 422
    post(client, f"/modules/{SERIES}/disclosures")
    complete_module(physician, SERIES, "goals")
    refused(physician, "complete every required module")
    complete_module(physician, SERIES, "symptoms")
    refused(physician, "complete the programme evaluation")
    assert claims() == 0


def test_a_nurse_claims_contact_hours_not_physician_credit(app, nurse):
    client = client_for(app, nurse)
    finish(client, nurse, "nurse")
    refused = claim(client, "ama", "1")
    assert refused.status_code == 422 and claims() == 0
    assert claim(client, "ancc", "1.75").status_code == 302
    assert db.session.scalar(select(CreditClaim.credit_type)) == "ancc"


def test_after_expiry_nothing_can_be_claimed(app, tmp_path, physician):
    import shutil

    root = tmp_path / "content"
    shutil.copytree(CREDIT_CONTENT, root)
    index = root / SERIES / "index.md"
    yesterday = date.today() - timedelta(days=1)
    index.write_text(index.read_text().replace("expires: 2099-01-14",
                                               f"expires: {yesterday.isoformat()}"))
    sync(root)
    client = client_for(app, physician)
    finish(client, physician, "physician")
    response = claim(client, "ama", "1")
    assert response.status_code == 422
    assert f"expired on {yesterday:%-d %B %Y}: it can no longer be claimed" in \
        response.get_data(as_text=True)
    assert claims() == 0


def test_a_learner_cannot_see_or_claim_for_someone_else(app, physician, nurse, admin):
    client = client_for(app, physician)
    finish(client, physician, "physician")
    claim(client, "ama", "1.75")
    made = db.session.scalar(select(CreditClaim))
    other = client_for(app, nurse)
    assert other.get(f"/me/credit/{made.uid}/certificate.pdf").status_code == 404
    assert "1.75" not in other.get("/me/transcript").get_data(as_text=True)
    # a forged user in the form changes nothing: claims are the signed-in learner's
    post(other, "/me/credit-profile", {"profession": "physician"})
    claim(other, "ama", "1", user_id=str(physician.id))
    assert claims() == 1
    assert other.get("/admin/credit").status_code == 403
    assert other.get("/admin/credit/claims.csv").status_code == 403


def test_the_verification_page_shows_a_name_only_when_shared(app, physician, nurse):
    client = client_for(app, physician)
    finish(client, physician, "physician")
    claim(client, "ama", "1.75")
    nurse_client = client_for(app, nurse)
    finish(nurse_client, nurse, "nurse")
    claim(nurse_client, "ancc", "1.5", share_name="y")
    hidden, shown = db.session.scalars(select(CreditClaim).order_by(CreditClaim.id)).all()
    anonymous = app.test_client()
    page = anonymous.get(f"/credit/claims/{hidden.uid}").get_data(as_text=True)
    assert "A learner claimed 1.75 AMA PRA Category 1 Credit™" in page
    assert physician.name not in page and physician.email not in page
    page = anonymous.get(f"/credit/claims/{shown.uid}").get_data(as_text=True)
    assert f"{nurse.name} claimed 1.5 ANCC contact hours" in page and nurse.email not in page


def test_the_provider_csv_and_the_pars_file(app, runner, physician, nurse, admin):
    client = client_for(app, physician)
    finish(client, physician, "physician")
    claim(client, "ama", "1.75")
    nurse_client = client_for(app, nurse)
    finish(nurse_client, nurse, "nurse")
    claim(nurse_client, "ancc", "1.5")
    admin_client = client_for(app, admin)
    page = admin_client.get("/admin/credit").get_data(as_text=True)
    assert physician.name in page and nurse.name in page and "Nurse (RN)" in page
    refused = admin_client.get("/admin/credit?from=soon&type=cme").get_data(as_text=True)
    assert "&#39;from&#39; must be a date (YYYY-MM-DD), got &#39;soon&#39;" in refused
    assert "&#39;type&#39; must be one of ama, ancc" in refused
    csv = admin_client.get("/admin/credit/claims.csv?type=ancc").get_data(as_text=True)
    assert nurse.email in csv and physician.email not in csv
    today = date.today().isoformat()
    result = runner.invoke(args=["report", "credit", "--from", today, "--to", today])
    lines = result.output.splitlines()
    assert lines[0].startswith("claim_id,learner_name,learner_email,profession,activity")
    assert len(lines) == 3 and ",1.75,1.75," in lines[1] and ",1.5,1.75," in lines[2]
    result = runner.invoke(args=["report", "credit", "--from", "2000-01-01", "--to", "2000-01-02"])
    assert len(result.output.splitlines()) == 1
    assert runner.invoke(args=["report", "credit", "--from", "soon"]).exit_code == 2
    # PARS: only physicians who consented and gave their board ID and birth month and day
    assert len(runner.invoke(args=["report", "credit", "--pars"]).output.splitlines()) == 1
    post(client, "/me/credit-profile", {
        "profession": "physician", "pars_consent": "y", "board": "ABOG", "board_id": "123456",
        "birth_month": "2", "birth_day": "29"})
    pars = admin_client.get("/admin/credit/pars.csv").get_data(as_text=True).splitlines()
    assert pars[0].startswith("activity_id,activity_title,first_name,last_name,board")
    assert pars[1].split(",")[2:] == ["Test", "Learner", "ABOG", "123456", "2", "29", today,
                                      "1.75"]


def test_pars_details_are_kept_only_with_consent(app, nurse, physician):
    client = client_for(app, nurse)
    response = post(client, "/me/credit-profile", {
        "profession": "nurse", "pars_consent": "y", "board": "X", "board_id": "1",
        "birth_month": "1", "birth_day": "2"})
    assert response.status_code == 422
    assert "PARS reporting is for physicians" in response.get_data(as_text=True)
    assert db.session.get(CreditProfile, nurse.id) is None
    client = client_for(app, physician)
    post(client, "/me/credit-profile", {"profession": "physician", "board": "ABOG",
                                        "board_id": "123", "birth_month": "3",
                                        "birth_day": "4"})
    profile = db.session.get(CreditProfile, physician.id)
    assert (profile.board_id, profile.birth_month, profile.pars_consented_at) == (None, None,
                                                                                  None)
    post(client, "/me/credit-profile", {"profession": "physician", "pars_consent": "y",
                                        "board": "ABOG", "board_id": "123",
                                        "birth_month": "3", "birth_day": "4"})
    page = client.get("/me/credit-profile").get_data(as_text=True)  # shown as saved
    assert 'value="123"' in page and '<option selected value="3">' in page
    bad = post(client, "/me/credit-profile", {"profession": "physician", "pars_consent": "y",
                                              "board": "ABOG", "board_id": "1",
                                              "birth_month": "2", "birth_day": "30"})
    assert "Birth month 2 has no day 30." in bad.get_data(as_text=True)


def test_deleting_the_account_keeps_only_the_claims_the_rule_requires(app, physician, admin):
    client = client_for(app, physician)
    finish(client, physician, "physician")
    post(client, "/me/credit-profile", {"profession": "physician", "pars_consent": "y",
                                        "board": "ABOG", "board_id": "9", "birth_month": "5",
                                        "birth_day": "6"})
    claim(client, "ama", "1.75")
    person = client_for(app, admin).get(f"/admin/people/{physician.id}").get_data(as_text=True)
    assert "are kept for six" in person
    name = physician.name
    delete_account(physician, admin)
    db.session.commit()
    kept = db.session.scalar(select(CreditClaim))
    assert (kept.learner_name, kept.learner_email, kept.amount) == (name, None, 175)
    assert db.session.get(CreditProfile, physician.id) is None
    # once its six years are over, a claim goes with the account
    kept.retain_until = date.today() - timedelta(days=1)
    db.session.commit()
    erase_credit_data(physician)
    db.session.commit()
    assert claims() == 0


def test_retention_runs_six_years_from_the_activity_end():
    assert retained_until(date(2027, 1, 14)) == date(2033, 1, 14)
    assert retained_until(date(2028, 2, 29)) == date(2034, 2, 28)


def test_follow_ups_are_sent_once_when_due(app, runner, smtp, physician):
    client = client_for(app, physician)
    finish(client, physician, "physician")
    assert runner.invoke(args=["credit", "follow-ups"]).output.strip() == "follow-ups sent: 0"
    evaluation = db.session.scalar(select(ProgrammeEvaluation))
    evaluation.created_at = utcnow() - timedelta(days=61)
    db.session.commit()
    assert runner.invoke(args=["credit", "follow-ups"]).output.strip() == "follow-ups sent: 1"
    assert runner.invoke(args=["credit", "follow-ups"]).output.strip() == "follow-ups sent: 0"
    followups = [m for m in smtp.messages if "What has changed in your practice?" in m]
    assert len(followups) == 1 and physician.email in followups[0]


def test_two_tabs_claiming_at_once_make_one_claim(app, physician):
    from tests.test_concurrency import race

    first = client_for(app, physician)
    finish(first, physician, "physician")
    second = client_for(app, physician)
    forms = [(c, {"csrf_token": csrf_token(c, CLAIM), "credit_type": "ama", "amount": "1.75",
                  "attest": "y"}) for c in (first, second)]
    posts = [lambda c=c, form=form: c.post(CLAIM, data=form) for c, form in forms]
    assert sorted(race(*posts)) == [302, 422]  # one claims, the other is told it's done
    db.session.expire_all()
    assert claims() == 1
