"""Credit a provider designates for one module on its own: validated like a series' credit,
claimed through the module's page once that module is passed and the evaluation of a badge
covering it given, and named as the module in every record (docs/credit.md)."""

from __future__ import annotations

import io
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from champion.auth.models import Role
from champion.content import load_content
from champion.credit.models import CreditClaim
from champion.credit.operations import CreditError, claim_credit
from champion.credit.queries import credit_activity
from champion.extensions import db
from tests.helpers import client_for, complete_module, make_user, post, sync
from tests.test_credit import evaluate
from tests.test_migrations import empty_database_url  # noqa: F401  (a fixture)

CREDIT_CONTENT = Path(__file__).parent / "fixtures" / "credit-content"
SERIES = "palliative-ce"
MODULE = "symptoms"
CLAIM = f"/modules/{SERIES}/{MODULE}/credit"
TITLE = "Palliative Care Essentials: Symptom relief"

MODULE_CREDIT = """credit:
  provider: Example Society of Oncology
  release: 2025-01-15
  expires: {expires}
  accreditation: >
    Example Society of Oncology is accredited by the ACCME to provide continuing medical
    education for physicians.
  types:
    - type: ama
      maximum: 0.75
      designation: >
        Example Society of Oncology designates this enduring material for a maximum of
        0.75 AMA PRA Category 1 Credits™. Physicians should claim only the credit
        commensurate with the extent of their participation in the activity.
"""

# A badge for the module alone: its programme evaluation is the module's evaluation.
MODULE_BADGE = """
- slug: symptom-relief
  name: Symptom relief
  description: Completed the Symptom relief module.
  image: badges/graduate.svg
  criteria:
    narrative: Complete the Symptom relief module.
    modules: [palliative-ce/symptoms]
"""


def module_credit_content(root: Path, expires: str = "2099-01-14") -> Path:
    """The credit fixture with Symptom relief designated on its own, and a badge for it."""
    shutil.copytree(CREDIT_CONTENT, root)
    module = root / SERIES / "02-symptoms.md"
    module.write_text(module.read_text().replace(
        "duration: 60\n", "duration: 60\n" + MODULE_CREDIT.format(expires=expires), 1))
    with (root / "badges.yml").open("a") as badges:
        badges.write(MODULE_BADGE)
    return root


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    return module_credit_content(tmp_path / "content")


@pytest.fixture
def physician(app, content_root):
    sync(content_root)
    return make_user(Role.LEARNER, "physician@example.org")


def claims() -> int:
    return db.session.scalar(select(func.count(CreditClaim.id)))


def ready(client, user) -> None:
    """Disclosures read, the module passed (its badge earned), its evaluation given."""
    assert post(client, f"/modules/{SERIES}/disclosures").status_code == 302
    complete_module(user, SERIES, MODULE)
    evaluate(client, user)
    assert post(client, "/me/credit-profile", {"profession": "physician"}).status_code == 302


def claim(client, amount: str, url: str = CLAIM):
    return post(client, url, {"credit_type": "ama", "amount": amount, "attest": "y"})


# --- content ---------------------------------------------------------------------------


def test_a_module_designates_credit_with_the_series_schema(content_root):
    content = load_content(content_root)
    assert content.errors == [] and content.warnings == []
    module = next(m for m in content.modules if m.slug == MODULE)
    assert [(o.type, o.maximum) for o in module.credit.offers] == [("ama", 75)]
    assert module.credit.provider == "Example Society of Oncology"
    assert next(m for m in content.modules if m.slug == "goals").credit is None


def module_errors(root: Path, old: str, new: str) -> tuple[list[str], str]:
    path = root / SERIES / "02-symptoms.md"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return [str(p) for p in load_content(root).errors], path.read_text()


@pytest.mark.parametrize(("old", "new", "at", "message"), [
    ("maximum: 0.75", "maximum: 0.8", "maximum: 0.8", "'ama' maximum must be in 0.25 increments"),
    ("expires: 2099-01-14", "expires: 2024-12-31", "expires:",
     "credit expires (2024-12-31) on or before its release (2025-01-15)"),
    ("0.75 AMA PRA", "1 AMA PRA", "designation: >",
     "'ama' designation statement doesn't state the maximum 0.75"),
    ("  provider: Example Society of Oncology\n", "", "credit:", "missing credit provider"),
    ("- type: ama", "- type: cme", "- type: cme", "credit type must be one of ama, ancc"),
])
def test_a_module_credit_mistake_is_an_error_at_its_line(content_root, old, new, at, message):
    errors, text = module_errors(content_root, old, new)
    line = text[:text.index(at)].count("\n") + 1
    matching = [e for e in errors if message in e]
    assert matching, errors
    assert matching[0].startswith(f"{SERIES}/02-symptoms.md:{line}: error: "), (matching, line)


def test_a_credit_module_needs_its_series_disclosures_and_a_badge(content_root):
    index = content_root / SERIES / "index.md"
    text = index.read_text()
    # The series without credit or disclosures of its own; the module keeps its credit.
    index.write_text(text[:text.index("credit:")] + text[text.index("---\nAn enduring"):])
    errors = [str(p) for p in load_content(content_root).errors]
    credit_line = (content_root / SERIES / "02-symptoms.md").read_text().splitlines().index(
        "credit:") + 1
    assert f"{SERIES}/02-symptoms.md:{credit_line}: error: module '{SERIES}/{MODULE}' " \
        "designates credit: its series' index.md must disclose" in " ".join(errors)
    (content_root / "badges.yml").write_text("")
    errors = [str(p) for p in load_content(content_root).errors]
    assert any("designates credit but no badge in badges.yml covers it" in e for e in errors)


def test_a_draft_written_in_the_browser_is_checked_the_same_way(content_root):
    from champion.content.loader import parse_module_source

    source = (content_root / SERIES / "02-symptoms.md").read_text()
    module, problems = parse_module_source(content_root, SERIES, "02-symptoms.md", source)
    assert problems == [] and module.credit.offers[0].maximum == 75
    bad = source.replace("maximum: 0.75", "maximum: 0.7")
    _, problems = parse_module_source(content_root, SERIES, "02-symptoms.md", bad)
    assert ["'ama' maximum must be in 0.25 increments" in p.message for p in problems] == [True]
    index = content_root / SERIES / "index.md"
    text = index.read_text()
    index.write_text(text[:text.index("disclosures:")] + text[text.index("---\nAn enduring"):])
    _, problems = parse_module_source(content_root, SERIES, "02-symptoms.md", source)
    assert [p.message for p in problems] == [
        f"module '{SERIES}/{MODULE}' designates credit: its series' index.md must disclose "
        "the planners' and faculty's financial relationships ('disclosures')"]


def test_modules_check_reports_a_module_credit_problem(app, runner, content_root):
    module_errors(content_root, "maximum: 0.75", "maximum: 0.6")
    result = runner.invoke(args=["modules", "check", str(content_root)])
    assert result.exit_code == 1
    assert f"{SERIES}/02-symptoms.md:" in result.output
    assert "'ama' maximum must be in 0.25 increments, got 0.6" in result.output


# --- claiming --------------------------------------------------------------------------


def test_a_physician_claims_a_modules_credit_and_every_record_names_the_module(
        app, runner, physician, admin):
    client = client_for(app, physician)
    page = client.get(f"/modules/{SERIES}/{MODULE}")
    assert page.headers["Location"].endswith(f"/modules/{SERIES}/disclosures")
    disclosures = client.get(f"/modules/{SERIES}/disclosures").get_data(as_text=True)
    assert "Symptom relief: AMA PRA Category 1 Credit™" in disclosures
    assert "0.75 AMA PRA Category 1 Credits™" in disclosures
    ready(client, physician)
    back = post(client, f"/me/credit-profile?series={SERIES}&module={MODULE}",
                {"profession": "physician"})
    assert back.headers["Location"].endswith(CLAIM)  # back to the module's claim
    module_page = client.get(f"/modules/{SERIES}/{MODULE}").get_data(as_text=True)
    assert "This module offers continuing education credit of its own" in module_page
    assert f'href="{CLAIM}"' in module_page
    assert "credit of its own" not in client.get(f"/modules/{SERIES}/goals").get_data(
        as_text=True)
    page = client.get(CLAIM).get_data(as_text=True)
    assert f"Claim credit for {TITLE}" in page
    assert "AMA PRA Category 1 Credit™ (maximum 0.75)" in page
    assert "Time recorded on the module: <strong>none</strong> (1 h nominal)" in page
    response = claim(client, "0.75")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/me/transcript")
    made = db.session.scalar(select(CreditClaim))
    assert (made.module_slug, made.activity_title, made.amount) == (MODULE, TITLE, 75)
    assert TITLE in client.get("/me/transcript").get_data(as_text=True)
    pdf = client.get(f"/me/credit/{made.uid}/certificate.pdf")
    assert f"{SERIES}-{MODULE}-ama-certificate.pdf" in pdf.headers["Content-Disposition"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
                    .split())
    assert TITLE in text and "0.75 AMA PRA Category 1 Credits™" in text
    transcript = client.get("/me/transcript.pdf")
    assert TITLE in " ".join(" ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(transcript.data)).pages).split())
    assert TITLE in client_for(app, admin).get("/admin/credit").get_data(as_text=True)
    report = runner.invoke(args=["report", "credit"]).output.splitlines()
    assert len(report) == 2 and f",{TITLE},{SERIES}/{MODULE}," in report[1]
    post(client, "/me/credit-profile", {
        "profession": "physician", "pars_consent": "y", "board": "ABOG", "board_id": "123456",
        "birth_month": "2", "birth_day": "29"})
    pars = runner.invoke(args=["report", "credit", "--pars"]).output.splitlines()
    assert pars[1].startswith(f"{SERIES}/{MODULE},{TITLE},Test,Learner,ABOG,123456,")


def test_over_the_maximum_or_twice_is_refused_and_nothing_recorded(app, physician):
    client = client_for(app, physician)
    ready(client, physician)
    response = claim(client, "1")
    assert response.status_code == 422
    assert (f"1 is more than the maximum of 0.75 AMA PRA Category 1 Credit™ designated for "
            f"{TITLE}") in response.get_data(as_text=True)
    assert claims() == 0
    assert claim(client, "0.5").status_code == 302
    again = claim(client, "0.25")
    assert again.status_code == 422
    assert f"You already claimed AMA PRA Category 1 Credit™ for {TITLE}" in \
        again.get_data(as_text=True)
    assert claims() == 1 and db.session.scalar(select(CreditClaim.amount)) == 50


def test_the_module_and_its_series_are_separate_activities(app, physician):
    """The series' AMA credit is still claimable after the module's, and vice versa: the
    once-per-activity rule counts the module and the series apart."""
    client = client_for(app, physician)
    ready(client, physician)
    assert claim(client, "0.75").status_code == 302
    complete_module(physician, SERIES, "goals")  # the series' badge, and its evaluation
    from champion.badges.models import Badge, BadgeAward

    series_award = db.session.scalar(select(BadgeAward).join(Badge).where(
        BadgeAward.user_id == physician.id, Badge.slug == "palliative-ce-graduate"))
    url = f"/me/badges/{series_award.uid}/certificate"
    post(client, url, {"relevance": "5", "balanced": "yes", "free_of_commercial_bias": "yes",
                       "competence": "yes", "performance": "yes",
                       "practice_change": "Treat the cause."})
    assert claim(client, "1.75", f"/modules/{SERIES}/credit").status_code == 302
    assert sorted(db.session.scalars(select(CreditClaim.module_slug))) == ["", MODULE]


def test_no_module_claim_before_the_module_is_passed_or_evaluated(app, physician):
    client = client_for(app, physician)
    post(client, "/me/credit-profile", {"profession": "physician"})
    post(client, f"/modules/{SERIES}/disclosures")
    assert claim(client, "0.5").status_code == 422
    page = client.get(CLAIM).get_data(as_text=True)
    assert "✗ Symptom relief: post-test not yet passed" in page
    assert "Goals of care" not in page  # only the module counts for its own credit
    assert "asked when you earn a badge that covers this module" in page
    refused(physician, "complete the module and pass its post-test before claiming")
    complete_module(physician, SERIES, MODULE)
    refused(physician, "complete the programme evaluation before claiming")
    assert claims() == 0


def refused(user, reason: str) -> None:
    """The claim operation itself, past any form, refuses ``user`` the module's credit."""
    with pytest.raises(CreditError, match=reason):
        claim_credit(user, credit_activity(SERIES, MODULE), credit_type="ama", amount="0.5")
    db.session.rollback()


def test_after_expiry_a_modules_credit_cannot_be_claimed(app, tmp_path):
    yesterday = date.today() - timedelta(days=1)
    sync(module_credit_content(tmp_path / "expired", expires=yesterday.isoformat()))
    physician = make_user(Role.LEARNER, "physician@example.org")
    client = client_for(app, physician)
    ready(client, physician)
    response = claim(client, "0.5")
    assert response.status_code == 422
    assert f"expired on {yesterday:%-d %B %Y}: it can no longer be claimed" in \
        response.get_data(as_text=True)
    assert claims() == 0


def test_a_module_without_credit_of_its_own_has_no_claim_page(app, physician):
    client = client_for(app, physician)
    assert client.get(f"/modules/{SERIES}/goals/credit").status_code == 404
    assert client.get(f"/modules/{SERIES}/nonexistent/credit").status_code == 404


# --- the migration ---------------------------------------------------------------------


def test_the_migration_keeps_series_claims_and_counts_module_claims_apart(
        empty_database_url):  # noqa: F811  (the fixture imported above)
    """Claims made before it are the series' own (module_slug ""), still once per type;
    going back down drops the module claims, which the old constraint can't hold."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from champion import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    claim_sql = (
        "INSERT INTO credit_claims (uid, user_id, series_id, learner_name, profession, "
        "credit_type, amount, seconds_recorded, activity_title, provider, release, expires, "
        "designation, share_name, claimed_at, completed_at, retain_until{column}) VALUES "
        "(:uid, 1, 1, 'A Learner', 'physician', 'ama', 175, 0, 'PCE', 'ESO', '2025-01-15', "
        "'2099-01-14', '{{}}', false, '2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', "
        "'2105-01-14'{value})")
    with app.app_context():
        try:
            upgrade(revision="9ded17ea4000")
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO users (id, email, name, role, active, created_at) VALUES "
                    "(1, 'a@example.org', 'A Learner', 'learner', true, "
                    "'2026-01-01 00:00:00+00')"))
                connection.execute(text(
                    "INSERT INTO series (id, slug, title, position, intro_html, content_hash, "
                    "updated_at) VALUES (1, 'pce', 'PCE', 0, '', 'x', "
                    "'2026-01-01 00:00:00+00')"))
                connection.execute(text(claim_sql.format(column="", value="")), {"uid": "a"})
            upgrade()
            with db.engine.begin() as connection:
                assert connection.execute(text(
                    "SELECT module_slug FROM credit_claims")).scalar_one() == ""
                module_claim = claim_sql.format(column=", module_slug", value=", :module")
                connection.execute(text(module_claim), {"uid": "b", "module": "symptoms"})
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                connection.execute(text(module_claim), {"uid": "c", "module": ""})
            downgrade(revision="9ded17ea4000")
            with db.engine.begin() as connection:
                assert connection.execute(text("SELECT uid FROM credit_claims")).all() == [
                    ("a",)]
        finally:
            db.engine.dispose()
