"""Query budgets: how many SQL statements a page or a submission may send.

These are budgets, not measurements. Each is a ceiling set from what the page needs (the
comment beside it says what that is); a change that needs more must raise the number here,
on purpose, with its reason. The pages a learner reads most are also held to a count that
does not grow with the catalog, the team or the learner's history. Time is measured in
bench/, never here. (Sync's statement shape has its own file, test_sync_speed_shape.py.)
"""

from __future__ import annotations

from champion.auth.models import Role
from tests.helpers import (
    FAIL_FIRST,
    PASS_FIRST,
    client_for,
    complete_module,
    csrf_token,
    make_user,
    open_quiz,
    post,
    quiz_url,
    shown_answers,
    submit,
    sync,
)

BUDGETS = {
    # who is signed in, whether the catalog changed, the learner's progress, and (on the
    # catalog, /me and a module's page) what is assigned to them, due when (issue 18)
    "reading page": 4,
    # ... the attempt drawn, the learner's lock, the draw read again under it (tabs posting
    # one draw at once), the attempt, the draw marked used, the progress read and written,
    # the badge check (the answers are one INSERT, not counted), and the scores owed to the
    # LMS gradebooks the learner was launched from (one INSERT ... SELECT, LTI)
    "quiz submission": 11,
    # who is signed in, the departments led, the members and their progress, the summary,
    # the chart's weeks, the badge holders, how many deactivated members are left out
    # (issue 17), and the assignments panel's counts, one grouped query (issue 18)
    "team dashboard": 11,
    "admin page": 8,
    # a page of SCIM users: the page's rows (accounts with their SCIM record, one join),
    # the total
    "scim users": 2,
    # champion reminders send, for any number of learners up to one chunk of the sent-log
    # (reminders.operations.CHUNK; each further chunk adds its INSERT): whether the catalog
    # changed, everyone's due assignments, the assignments' modules for the links, today's
    # sent-log, and the sent-log written in one INSERT
    "reminders run": 5,
    # the leads' digest: the leads, their teams' assignments, this week's sent-log, the INSERT
    "digest run": 4,
    # who is signed in, the claims (each carries what it needs), the series they name (CSV)
    "credit records": 3,
}

READING_PAGES = ["/", "/modules/basics/", "/modules/basics/first-steps",
                 "/modules/basics/first-steps/slides", "/modules/basics/first-steps/case",
                 "/modules/basics/first-steps/quiz"]


def test_every_reading_page_after_the_first_reader(app, learner_client, synced, count_queries):
    for url in READING_PAGES:
        learner_client.get(url)  # fills the worker's caches and marks the module opened
    for url in READING_PAGES:
        with count_queries() as counter:
            assert learner_client.get(url).status_code == 200
        assert counter.count <= BUDGETS["reading page"], (url, counter.statements)
        # The catalog comes from the worker's copy, never from the database.
        assert not any("FROM module_versions" in s or "FROM series" in s
                       for s in counter.statements), (url, counter.statements)


def test_the_catalog_page_does_not_grow_with_modules(learner_client, content_dir, app,
                                                      count_queries):
    sync(content_dir)
    learner_client.get("/")  # the worker's first look builds its copy of the catalog
    with count_queries() as small:
        assert learner_client.get("/").status_code == 200
    for number in range(5, 25):  # twenty more modules
        source = (content_dir / "basics" / "03-reading.md").read_text()
        (content_dir / "basics" / f"{number:02d}-more-{number}.md").write_text(
            source.replace("title: A reading", f"title: More reading {number}", 1))
    sync(content_dir)
    learner_client.get("/")
    with count_queries() as large:
        page = learner_client.get("/").get_data(as_text=True)
    assert "More reading 24" in page
    assert small.count == large.count == BUDGETS["reading page"], large.statements


def test_my_progress_page_does_not_grow_with_attempts(app, learner_client, synced,
                                                      count_queries):
    submit(learner_client, "basics", "first-steps", FAIL_FIRST)
    learner_client.get("/me")
    with count_queries() as one:
        learner_client.get("/me")
    for _ in range(4):
        submit(learner_client, "basics", "first-steps", FAIL_FIRST)
    submit(learner_client, "basics", "first-steps", PASS_FIRST)
    with count_queries() as six:
        page = learner_client.get("/me").get_data(as_text=True)
    assert "Passed" in page
    assert one.count == six.count, six.statements


def test_a_quiz_submission(learner_client, synced, count_queries):
    drawn = open_quiz(learner_client, "basics", "first-steps")
    data = {"csrf_token": csrf_token(learner_client, quiz_url("basics", "first-steps")),
            "draw": str(drawn), **shown_answers(drawn, PASS_FIRST)}
    with count_queries() as counter:
        response = learner_client.post(quiz_url("basics", "first-steps"), data=data)
    assert "/quiz/attempts/" in response.headers["Location"]  # recorded, not refused
    others = [s for s in counter.statements if not s.startswith("INSERT INTO attempt_answers")]
    assert len(others) <= BUDGETS["quiz submission"], others


def test_the_team_dashboard_does_not_grow_with_the_team(app, synced, department, lead,
                                                        count_queries):
    for index in range(3):
        learner = make_user(Role.LEARNER, email=f"first{index}@example.org",
                            department=department)
        complete_module(learner, "basics", "first-steps")
    client = client_for(app, lead)
    client.get("/team/gyn-onc/")
    with count_queries() as small:
        assert client.get("/team/gyn-onc/").status_code == 200
    for index in range(40):
        learner = make_user(Role.LEARNER, email=f"extra{index}@example.org",
                            department=department)
        if index % 2:
            complete_module(learner, "basics", "first-steps")
    with count_queries() as large:
        assert client.get("/team/gyn-onc/?page=1").status_code == 200
    assert large.count == small.count <= BUDGETS["team dashboard"], large.statements


def test_admin_pages_do_not_grow_with_people_or_history(app, admin, count_queries):
    for index in range(30):
        make_user(Role.LEARNER, email=f"p{index}@example.org")
    client = client_for(app, admin)
    for index in range(30):
        post(client, f"/admin/people/{admin.id + index + 1}/role", {"role": "educator"})
    for url in ("/admin/", "/admin/people", "/admin/audit"):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter.count <= BUDGETS["admin page"], (url, counter.statements)


def test_a_page_of_scim_users_does_not_grow_with_the_page(app, count_queries):
    from champion.auth.operations import create_user
    from champion.extensions import db

    token = "budget-token-" + "x" * 32
    app.config["CHAMPION_SCIM_TOKEN"] = token
    try:
        client = app.test_client()
        for n in range(40):
            create_user(f"nurse{n}@hospital.example", f"Nurse {n}", None, email_verified=True)
        db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        with count_queries() as counted:
            page = client.get("/scim/v2/Users?count=40", headers=headers).get_json()
        assert page["totalResults"] == 40 and len(page["Resources"]) == 40
        assert counted.count <= BUDGETS["scim users"], counted.statements
    finally:
        app.config["CHAMPION_SCIM_TOKEN"] = None
def test_reminders_do_not_grow_with_learners(app, synced, department, lead, smtp,
                                             count_queries):
    from datetime import timedelta

    from champion.assignments.operations import create_assignment, resolve_target
    from champion.database import utcnow
    from champion.extensions import db
    from champion.reminders.operations import send_digests, send_reminders

    today = utcnow().date()
    for index in range(3):
        make_user(Role.LEARNER, email=f"first{index}@example.org", department=department)
    create_assignment(department, lead, resolve_target("series", "basics", []),
                      due_on=today + timedelta(days=2))
    db.session.commit()
    with count_queries() as small:
        assert send_reminders(today).sent == 3
    with count_queries() as small_digest:
        assert send_digests(today).sent == 1
    for index in range(30):
        make_user(Role.LEARNER, email=f"extra{index}@example.org", department=department)
    create_assignment(department, lead, resolve_target("modules", None, ["extras/figure"]),
                      due_on=today + timedelta(days=3))
    db.session.commit()
    tomorrow = today + timedelta(days=1)
    with count_queries() as large:
        assert send_reminders(tomorrow).sent == 33
    with count_queries() as large_digest:
        assert send_digests(tomorrow + timedelta(days=7)).sent == 1
    assert large.count == small.count <= BUDGETS["reminders run"], large.statements
    assert large_digest.count == small_digest.count <= BUDGETS["digest run"], \
        large_digest.statements
def test_the_credit_records_do_not_grow_with_claims(app, admin, count_queries):
    from datetime import date

    from champion.catalog.models import Series
    from champion.credit.models import CreditClaim
    from champion.database import utcnow
    from champion.extensions import db
    from tests.test_credit import CREDIT_CONTENT

    sync(CREDIT_CONTENT)
    series_id = db.session.scalar(db.select(Series.id))
    for index in range(30):
        learner = make_user(Role.LEARNER, email=f"c{index}@example.org")
        db.session.add(CreditClaim(
            user_id=learner.id, series_id=series_id, learner_name=learner.name,
            learner_email=learner.email, profession="physician", credit_type="ama",
            amount=175, seconds_recorded=0, activity_title="A", provider="P",
            release=date(2025, 1, 1), expires=date(2099, 1, 1), completed_at=utcnow(),
            designation={"type": "ama", "name": "AMA", "maximum": 175, "accreditation": "x",
                         "designation": "y"}, retain_until=date(2105, 1, 1)))
    db.session.commit()
    client = client_for(app, admin)
    for url in ("/admin/credit", "/admin/credit/claims.csv", "/admin/credit/pars.csv"):
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        if not url.endswith("pars.csv"):  # (no physician here consented to PARS)
            assert "c29@example.org" in response.get_data(as_text=True)
        assert counter.count <= BUDGETS["credit records"], (url, counter.statements)
