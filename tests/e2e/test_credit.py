"""Continuing education credit in a real Chromium, with axe on every page: a physician and a
nurse take the same credit-bearing series from its disclosures to their claims, download
their transcripts, and the provider downloads both claims."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pypdf import PdfReader

from champion.auth.models import Role
from champion.catalog.sync import sync_content
from champion.content import load_content
from champion.extensions import db
from tests.e2e.conftest import check_accessibility
from tests.e2e.test_journeys import answer, give_the_evaluation, read_to_the_end, sign_in
from tests.helpers import make_user

CREDIT = load_content(Path(__file__).parent.parent / "fixtures" / "credit-content")
SERIES = "palliative-ce"


def pdf_text(path: str) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def take_the_activity(page, base: str, email: str, name: str) -> None:
    """Disclosures, every module and its post-test, the programme evaluation."""
    sign_in(page, base, email)
    page.goto(f"{base}/modules/{SERIES}/")
    check_accessibility(page, f"series-{name}")
    page.click("main a.button:has-text('Start')")
    page.wait_for_url(f"{base}/modules/{SERIES}/disclosures")
    main = page.inner_text("main")
    assert "Dr. Ben Faculty" in main and "Advisory board: Example Pharma" in main
    assert "This activity received no commercial support." in main
    check_accessibility(page, f"disclosures-{name}")
    page.click("main button:has-text('I have read the disclosures')")
    page.wait_for_url(f"{base}/modules/{SERIES}/")
    for module in CREDIT.modules:
        read_to_the_end(page, base, module)
        check_accessibility(page, f"module-{module.slug}-{name}")
        page.goto(f"{base}/modules/{SERIES}/{module.slug}/quiz")
        check_accessibility(page, f"quiz-{module.slug}-{name}")
        answer(page, module)
        assert "Passed" in page.inner_text("h1")
        check_accessibility(page, f"quiz-result-{module.slug}-{name}")
    page.goto(f"{base}/modules/{SERIES}/credit")
    check_accessibility(page, f"claim-before-evaluation-{name}")
    page.click("main a:has-text('to give')")
    check_accessibility(page, f"evaluation-{name}")
    give_the_evaluation(page, follow_up=True)
    page.wait_for_selector("text=Thank you for your evaluation")


def claim(page, base: str, name: str, profession: str, credit_type: str, amount: str) -> None:
    page.goto(f"{base}/modules/{SERIES}/credit")
    page.click("main a:has-text('Set your profession')")
    check_accessibility(page, f"profile-{name}")
    page.select_option("select[name=profession]", profession)
    page.click("main button:has-text('Save')")
    page.wait_for_url(f"{base}/modules/{SERIES}/credit")
    check_accessibility(page, f"claim-{name}")
    page.check(f"input[name=credit_type][value={credit_type}]")
    page.fill("input[name=amount]", "9")  # beyond the maximum: refused, nothing recorded
    page.check("input[name=attest]")
    page.click("main button:has-text('Claim credit')")
    assert "more than the maximum of 1.75" in page.inner_text("main")
    check_accessibility(page, f"claim-refused-{name}")
    page.fill("input[name=amount]", amount)
    page.check(f"input[name=credit_type][value={credit_type}]")
    page.check("input[name=attest]")
    page.click("main button:has-text('Claim credit')")
    page.wait_for_url(f"{base}/me/transcript")
    check_accessibility(page, f"transcript-{name}")


def test_a_physician_and_a_nurse_claim_credit_and_the_provider_reports_both(
        app, live_server, new_page):
    sync_content(CREDIT)
    db.session.commit()
    physician = make_user(Role.LEARNER, "dr.ada@hospital.example")
    nurse = make_user(Role.LEARNER, "rn.ben@hospital.example")
    admin = make_user(Role.ADMIN, "provider@hospital.example")
    base = live_server

    page = new_page()
    take_the_activity(page, base, physician.email, "physician")
    claim(page, base, "physician", "physician", "ama", "1.75")
    assert "1.75" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("text=Download the transcript (PDF)")
    text = pdf_text(download.value.path())
    assert "Palliative Care Essentials: 1.75 AMA PRA Category 1 Credit™" in text
    assert "jointly accredited by the Accreditation Council for Continuing Medical" in text
    assert ("designates this enduring material for a maximum of 1.75 AMA PRA Category 1 "
            "Credits™") in text
    assert "Palliative Care Essentials: awarded" in text  # the badge, too
    page.click("main a:has-text('Verification page')")
    assert "A learner claimed 1.75 AMA PRA Category 1 Credit™" in page.inner_text("main")
    check_accessibility(page, "claim-verification")

    page = new_page()
    take_the_activity(page, base, nurse.email, "nurse")
    claim(page, base, "nurse", "nurse", "ancc", "1.5")
    with page.expect_download() as download:
        page.click("text=Download the transcript (PDF)")
    text = pdf_text(download.value.path())
    assert "Palliative Care Essentials: 1.5 ANCC contact hours" in text
    assert "designates this activity for a maximum of 1.75 ANCC contact hours" in text
    with page.expect_download() as download:
        page.click("main a:has-text('Certificate (PDF)')")
    certificate = pdf_text(download.value.path())
    assert "Certificate of Credit" in certificate and nurse.name in certificate
    assert "claimed 1.5 ANCC contact hours" in certificate
    page.goto(f"{base}/admin/credit")
    assert page.inner_text("h1") != "Credit records"  # a learner is refused

    page = new_page()
    sign_in(page, base, admin.email)
    page.goto(f"{base}/admin/credit")
    check_accessibility(page, "admin-credit")
    with page.expect_download() as download:
        page.click("text=Download these claims (CSV)")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [(r["learner_email"], r["credit_type"], r["amount"], r["profession"]) for r in rows] \
        == [(physician.email, "ama", "1.75", "Physician (MD, DO)"),
            (nurse.email, "ancc", "1.5", "Nurse (RN)")]
