"""Educators author in the browser: drafts, quiz editor, preview, publish, history,
export and re-import, conflicts with files, GIFT, media and item analysis."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select

from champion.audit.models import AuditEvent
from champion.catalog.models import Module, ModuleDraft, ModuleVersion
from champion.content import load_content
from champion.extensions import db
from tests.helpers import csrf_token, login, post, submit, sync


@pytest.fixture
def authoring(app, content_dir):
    """A writable content folder, synced, as the app's content folder."""
    previous = app.config["CHAMPION_MODULES_DIR"]
    app.config["CHAMPION_MODULES_DIR"] = str(content_dir)
    sync(content_dir)
    yield content_dir
    app.config["CHAMPION_MODULES_DIR"] = previous


@pytest.fixture
def author(educator_client):
    return educator_client


def text_of(response) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
                                  .split()))


def new_module(author, slug="breathlessness", title="Breathlessness at the end of life"):
    response = post(author, "/author/modules/new",
                    {"series": "basics", "title": title, "slug": slug, "duration": "12"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def edit_content(author, draft_id, **overrides):
    data = {"title": "Breathlessness at the end of life", "duration": "12",
            "summary": "Opioids, fans and presence.", "objectives": "Assess dyspnea\nTreat it",
            "pass_mark": "80", "required": "y",
            "body": "## Assess first\n\nAsk how breathless she feels.\n\n"
                    "<!-- Presenter: pause here -->\n\n---\n\n## Then treat\n\nA fan helps.",
            "references": "1. Someone. A source. 2020.", "case_title": "", "case_body": ""}
    data.update(overrides)
    return post(author, f"/author/drafts/{draft_id}", data)


QUIZ = {
    "questions-0-prompt": "What helps breathlessness first?",
    "questions-0-choices-0-text": "A handheld fan", "questions-0-choices-0-correct": "y",
    "questions-0-choices-1-text": "Oxygen for everyone",
    "questions-0-choices-1-feedback": "Oxygen helps only the hypoxic.",
    "questions-0-explanation": "A fan on the face reduces breathlessness.",
    "action": "save",
}
# Publishing a new required module changes what the badge requires: the educator confirms.
CONFIRM = {"confirm": "yes"}


def test_an_educator_writes_previews_and_publishes_a_module(app, authoring, author, learner,
                                                            client):
    draft_id = new_module(author)
    page = author.get(f"/author/drafts/{draft_id}").get_data(as_text=True)
    assert "Breathlessness at the end of life" in page and "Live preview" in page
    assert edit_content(author, draft_id).status_code == 302
    response = post(author, f"/author/drafts/{draft_id}/quiz", QUIZ)
    assert response.status_code == 302

    # Learners never see a draft.
    learner_client = app.test_client()
    login(learner_client, learner)
    assert "Breathlessness" not in learner_client.get("/").get_data(as_text=True)
    assert learner_client.get("/modules/basics/breathlessness").status_code == 404

    preview = author.get(f"/author/drafts/{draft_id}/preview")
    text = text_of(preview)
    learners_view, educators_view = text.split("Slides and presenter notes")
    assert "Assess first" in learners_view and "A fan helps." in learners_view
    assert "pause here" not in learners_view  # the reading view never shows notes
    assert "Slide 1 of 2" in educators_view and "Presenter note Presenter: pause here" in text
    assert "What helps breathlessness first?" in text and "Opioids, fans and presence." in text
    assert "Assess dyspnea" in text  # the objectives, as learners see them

    # A new required module changes what the badge asks for: said, and confirmed.
    assert "Publishing this changes what a badge requires" in text
    assert "Basics Graduate" in text and "this module becomes required" in text
    refused = post(author, f"/author/drafts/{draft_id}/publish", follow_redirects=True)
    assert "tick the box to confirm" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Module).where(Module.slug == "breathlessness")) is None
    response = post(author, f"/author/drafts/{draft_id}/publish", {"confirm": "yes"})
    assert response.status_code == 302
    module = db.session.scalar(select(Module).where(Module.slug == "breathlessness"))
    version = module.current_version
    assert version.origin == "web" and version.created_by.email == "educator@example.org"
    assert version.source_path == "basics/05-breathlessness.md"
    assert db.session.scalar(select(ModuleDraft)) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "module.publish"))
    assert event.summary == "basics/breathlessness version 1 published"

    page = learner_client.get("/modules/basics/breathlessness").get_data(as_text=True)
    assert "A fan helps." in page and "pause here" not in page
    result = submit(learner_client, "basics", "breathlessness", {"q1": "q1-c1"})
    assert result.status_code == 302

    analysis = text_of(author.get(f"/author/modules/{module.id}/analysis"))
    assert "1 learner's first attempt" in analysis
    assert "Facility 100% answered correctly" in analysis
    assert "1 so far, so nothing is flagged yet" in analysis and "⚠" not in analysis
    csv_text = author.get(f"/author/modules/{module.id}/analysis.csv").get_data(as_text=True)
    assert "What helps breathlessness first?" in csv_text


def test_export_then_sync_is_unchanged(app, authoring, author, runner, tmp_path):
    draft_id = new_module(author)
    edit_content(author, draft_id)
    post(author, f"/author/drafts/{draft_id}/quiz", QUIZ)
    post(author, f"/author/drafts/{draft_id}/publish", CONFIRM)
    out = tmp_path / "exported"
    result = runner.invoke(args=["modules", "export", str(out)])
    assert result.exit_code == 0, result.output
    written = (out / "basics" / "05-breathlessness.md").read_text()
    assert written.startswith("---\ntitle: Breathlessness at the end of life\nduration: 12\n")
    assert "1. What helps breathlessness first?\n\n   - [x] A handheld fan\n" in written
    assert "     > Oxygen helps only the hypoxic." in written
    assert [p for p in load_content(out).problems if not p.rule] == []  # item-writing only
    again = runner.invoke(args=["modules", "sync", str(out)])
    assert "modules: 0 created, 0 updated, 6 unchanged, 0 retired" in again.output


def test_quiz_editor_actions_and_errors_that_name_the_question(app, authoring, author):
    draft_id = new_module(author)
    added = post(author, f"/author/drafts/{draft_id}/quiz", {"action": "add-question"})
    page = added.get_data(as_text=True)
    assert "Question 1" in page and 'name="questions-0-choices-1-text"' in page
    more = post(author, f"/author/drafts/{draft_id}/quiz", {
        "questions-0-prompt": "Kept?", "questions-0-choices-0-text": "",
        "questions-0-choices-1-text": "", "action": "add-choice:0"})
    assert 'name="questions-0-choices-2-text"' in more.get_data(as_text=True)
    assert "Kept?" in more.get_data(as_text=True)  # what was typed survives the action
    bad = post(author, f"/author/drafts/{draft_id}/quiz", {
        "questions-0-prompt": "", "questions-0-choices-0-text": "Only one",
        "questions-1-prompt": "Second?", "questions-1-choices-0-text": "A",
        "questions-1-choices-1-text": "B", "action": "save"})
    assert bad.status_code == 422
    text = text_of(bad)
    assert "Question 1: write the question." in text
    assert "Question 1: give at least two choices." in text
    assert "Question 2: mark at least one choice as correct." in text
    assert "Second?" in bad.get_data(as_text=True)  # nothing the educator typed is lost


def test_quiz_fields_have_length_limits(app, authoring, author):
    draft_id = new_module(author)
    response = post(author, f"/author/drafts/{draft_id}/quiz", {
        "questions-0-prompt": "P" * 10_001, "questions-0-choices-0-text": "A",
        "questions-0-choices-0-correct": "y", "questions-0-choices-1-text": "B" * 1001,
        "action": "save"})
    text = text_of(response)
    assert response.status_code == 422
    assert "Question 1 (the question): Field cannot be longer than 10000 characters." in text
    assert ("Question 1, choice 2 (the choice's text): Field cannot be longer than 1000 "
            "characters.") in text


def test_editing_an_existing_module_keeps_attempts_on_their_version(
        app, authoring, author, learner):
    learner_client = app.test_client()
    login(learner_client, learner)
    submit(learner_client, "basics", "second-steps", {"q1": "q1-c1"})
    module = db.session.scalar(select(Module).where(Module.slug == "second-steps"))
    response = post(author, f"/author/modules/{module.id}/draft")
    draft_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = author.get(f"/author/drafts/{draft_id}").get_data(as_text=True)
    assert "One slide only." in page
    edit_content(author, draft_id, title="Second steps, revised", body="Two slides now.")
    post(author, f"/author/drafts/{draft_id}/publish", CONFIRM)
    db.session.expire_all()
    assert module.current_version.number == 2
    assert module.current_version.question_count == 1  # the quiz came along unchanged
    history = text_of(author.get(f"/author/modules/{module.id}/history"))
    assert "The content files" in history and "Test Educator" in history
    diff = author.get(f"/author/modules/{module.id}/history?a=1&b=2").get_data(as_text=True)
    assert "[removed: </span>One slide only." in diff and "[added: </span>Two slides now." in diff
    assert "# Second <del>" in diff and "steps, revised" in diff  # the title, word by word
    response = post(author, f"/author/modules/{module.id}/versions/1/restore")
    draft = db.session.scalar(select(ModuleDraft))
    assert "One slide only." in draft.source


def test_sync_refuses_when_browser_and_file_both_changed(app, authoring, author, runner):
    module = db.session.scalar(select(Module).where(Module.slug == "reading"))
    response = post(author, f"/author/modules/{module.id}/draft")
    draft_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    edit_content(author, draft_id, title="A reading, from the browser", body="Web words.")
    post(author, f"/author/drafts/{draft_id}/publish", CONFIRM)
    # Untouched file: the browser's newer version is kept, not overwritten.
    kept = runner.invoke(args=["modules", "sync", str(authoring)])
    assert kept.exit_code == 0 and "edited in the browser and not yet exported (kept)" in \
        kept.output
    file = authoring / "basics" / "03-reading.md"
    file.write_text(file.read_text().replace("Read this", "Read this file edit"))
    refused = runner.invoke(args=["modules", "sync", str(authoring)])
    assert refused.exit_code == 1
    assert "conflict: basics/reading: edited in the browser (version 2, published by Test " \
           "Educator" in refused.output
    assert "and in its file basics/03-reading.md (now " in refused.output
    assert "the file was last synced as version 1" in refused.output
    assert "nothing was changed" in refused.output
    forced = runner.invoke(args=["modules", "sync", "--force", str(authoring)])
    assert forced.exit_code == 0
    db.session.expire_all()
    assert module.current_version.number == 3 and module.current_version.origin == "files"


def test_gift_import_and_export(app, authoring, author):
    draft_id = new_module(author)
    gift = "::Q1:: Which helps? {=A fan #Yes ~Oxygen for all ####Fans work.}\n\n" \
           "::Q2:: Pick both. {~%50%One ~%50%Two ~%-100%Three}\n"
    response = post(author, f"/author/drafts/{draft_id}/quiz/import", {
        "gift": (io.BytesIO(gift.encode()), "bank.gift"), "mode": "append"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    page = author.get(f"/author/drafts/{draft_id}/quiz").get_data(as_text=True)
    assert "Which helps?" in page and "Pick both." in page
    exported = author.get(f"/author/drafts/{draft_id}/quiz.gift").get_data(as_text=True)
    assert "=A fan" in exported and "~%50%One" in exported and "####Fans work." in exported
    bad = post(author, f"/author/drafts/{draft_id}/quiz/import", {
        "gift": (io.BytesIO(b"Is it true? {T}\n"), "bad.gift"), "mode": "replace"},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "line 1: question 1 is a true/false question" in bad.get_data(as_text=True)
    assert "Which helps?" in bad.get_data(as_text=True)  # the draft's quiz, still shown
    assert "No questions yet" not in bad.get_data(as_text=True)
    page = author.get(f"/author/drafts/{draft_id}/quiz").get_data(as_text=True)
    assert "Which helps?" in page  # a failed import changed nothing
    mixed = post(author, f"/author/drafts/{draft_id}/quiz/import", {
        "gift": (io.BytesIO(b"Third? {=Yes ~No}\n\nIs it true? {T}\n"), "mixed.gift"),
        "mode": "append"}, content_type="multipart/form-data", follow_redirects=True)
    assert ("Imported 1 question into the draft; skipped 1: line 3: question 2 is "
            "a true/false question") in mixed.get_data(as_text=True)
    assert "Third?" in mixed.get_data(as_text=True)


def test_media_upload_checks_type_and_stages_it_with_the_draft(app, authoring, author, client):
    draft_id = new_module(author)
    png = (authoring / "badges" / "graduate.png").read_bytes()
    ok = post(author, f"/author/drafts/{draft_id}/media", {
        "file": (io.BytesIO(png), "Chest X-ray.PNG")}, content_type="multipart/form-data")
    assert ok.status_code == 302
    # Staged with the draft: not in the content folder, not at the public media address.
    assert not (authoring / "basics" / "media" / "chest_x-ray.png").exists()
    assert client.get("/modules/basics/media/chest_x-ray.png").status_code == 404
    staged = author.get(f"/author/drafts/{draft_id}/media/chest_x-ray.png")
    assert staged.status_code == 200 and staged.data == png
    staged.close()
    page = author.get(f"/author/drafts/{draft_id}/media").get_data(as_text=True)
    assert "![Describe the image](media/chest_x-ray.png)" in page
    assert "With this draft (published with it)" in page
    fake = post(author, f"/author/drafts/{draft_id}/media", {
        "file": (io.BytesIO(b"<script>alert(1)</script>"), "evil.png")},
        content_type="multipart/form-data")
    assert fake.status_code == 422 and "not a PNG file" in fake.get_data(as_text=True)
    html = post(author, f"/author/drafts/{draft_id}/media", {
        "file": (io.BytesIO(b"<html>"), "page.html")}, content_type="multipart/form-data")
    assert ("Upload a PNG, JPEG, GIF or WebP image, a PDF, or captions (a WebVTT .vtt file)."
            in html.get_data(as_text=True))
    edit_content(author, draft_id, body="![X-ray](media/chest_x-ray.png)")
    preview = author.get(f"/author/drafts/{draft_id}/preview").get_data(as_text=True)
    assert f'src="/author/drafts/{draft_id}/media/chest_x-ray.png"' in preview
    live = post(author, f"/author/preview?draft={draft_id}",
                {"markdown": "![X-ray](media/chest_x-ray.png)", "series": "basics"})
    assert f'src="/author/drafts/{draft_id}/media/chest_x-ray.png"' in live.get_data(as_text=True)
    # Publishing moves it where learners get it.
    assert post(author, f"/author/drafts/{draft_id}/publish", CONFIRM).status_code == 302
    assert (authoring / "basics" / "media" / "chest_x-ray.png").read_bytes() == png
    public = client.get("/modules/basics/media/chest_x-ray.png")
    assert public.status_code == 200
    public.close()


def upload(client, url: str, field: str, data: bytes, filename: str, **values):
    """A multipart post built in memory (the test client spools large bodies to files it
    never closes)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({
        "csrf_token": csrf_token(client, "/auth/logout"), **values,
        field: FileStorage(io.BytesIO(data), filename)})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_media_limit_holds_for_the_media_upload_alone(app, authoring, author):
    """The 25 MB PDF limit applies before the CSRF check reads the body (it used to be
    refused by the site-wide 2 MB limit first); every other form keeps the 2 MB limit."""
    draft_id = new_module(author)
    media = f"/author/drafts/{draft_id}/media"
    pdf = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)
    assert upload(author, media, "file", pdf, "handout.pdf").status_code == 302
    huge = b"%PDF-1.4\n" + b"0" * (26 * 1024 * 1024)
    assert upload(author, media, "file", huge, "huge.pdf").status_code == 413
    gift = upload(author, f"/author/drafts/{draft_id}/quiz/import", "gift",
                  b"x" * (3 * 1024 * 1024), "big.gift", mode="replace")
    assert gift.status_code == 413


def test_publishing_refuses_a_staged_file_another_module_published_meanwhile(
        app, authoring, author):
    first, second = new_module(author, "one", "One"), new_module(author, "two", "Two")
    png = (authoring / "badges" / "graduate.png").read_bytes()
    for draft_id in (first, second):
        post(author, f"/author/drafts/{draft_id}/media", {
            "file": (io.BytesIO(png), "figure.png")}, content_type="multipart/form-data")
    # Both staged "figure.png"; the first publishes it, then the second's differs.
    media = authoring / "basics" / "media"
    assert post(author, f"/author/drafts/{first}/publish", CONFIRM).status_code == 302
    (media / "figure.png").write_bytes(png + b"changed")
    response = post(author, f"/author/drafts/{second}/publish", CONFIRM)
    page = author.get(response.headers["Location"]).get_data(as_text=True)
    assert "Another module published a different media/figure.png" in page
    assert (media / "figure.png").read_bytes() == png + b"changed"  # nothing replaced
    assert db.session.get(ModuleDraft, second) is not None  # the draft is still there


def test_discarding_a_draft_removes_its_staged_uploads(app, authoring, author):
    from champion.author.operations import staging_dir

    draft_id = new_module(author)
    png = (authoring / "badges" / "graduate.png").read_bytes()
    post(author, f"/author/drafts/{draft_id}/media", {
        "file": (io.BytesIO(png), "figure.png")}, content_type="multipart/form-data")
    staged = staging_dir(db.session.get(ModuleDraft, draft_id))
    assert (staged / "figure.png").exists()
    post(author, f"/author/drafts/{draft_id}/discard")
    assert not staged.exists()


def test_live_preview_renders_and_sanitizes(app, authoring, author):
    response = post(author, "/author/preview", {"markdown": "**Bold** <script>x()</script>",
                                                "series": "basics"})
    assert response.get_data(as_text=True) == "<p><strong>Bold</strong> </p>"


def test_live_preview_refuses_markup_too_costly_to_render(app, authoring, author):
    response = post(author, "/author/preview", {"markdown": "Hi.\n\n" + "<a " * 20_000})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert text.startswith('<p class="error-summary">Line 3: markup left open: this '
                           "&#x27;&lt;a&#x27; is not closed for"), text[:300]
    assert "<a " not in text


def test_a_draft_too_costly_to_render_is_refused_and_never_rendered(app, authoring, author):
    draft_id = new_module(author)
    before = db.session.get(ModuleDraft, draft_id).source
    response = edit_content(author, draft_id, body="Hi.\n\n" + "[](" * 20_000)
    assert response.status_code == 422
    assert "The module's Markdown, line 11: too much inline markup" in text_of(response)
    db.session.expire_all()
    assert db.session.get(ModuleDraft, draft_id).source == before
    # A draft stored before these limits (or written around them) is not rendered either.
    db.session.get(ModuleDraft, draft_id).source = before + "\n" + "<!--" * 20_000
    db.session.commit()
    page = author.get(f"/author/drafts/{draft_id}")
    assert page.status_code == 422 and "end the comment with -->" in text_of(page)
    assert author.get(f"/author/drafts/{draft_id}/preview").status_code == 302


def test_a_quiz_too_large_is_refused_with_the_limit(app, authoring, author):
    draft_id = new_module(author)
    gift = "".join(f"Q{n}? {{=Yes ~No}}\n\n" for n in range(1, 102))
    response = post(author, f"/author/drafts/{draft_id}/quiz/import",
                    {"gift": (io.BytesIO(gift.encode()), "big.gift"), "mode": "replace"},
                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert "line 201: question 101: a quiz holds at most 100 questions" in text_of(response)
    draft = db.session.get(ModuleDraft, draft_id)
    assert "Q1?" not in draft.source


def test_the_preview_shows_an_invalid_field_as_a_problem_never_as_a_link(app, authoring, author):
    draft_id = new_module(author)
    edit_content(author, draft_id, video="javascript:alert(1)", slides="media/../secret.pdf")
    response = author.get(f"/author/drafts/{draft_id}/preview")
    page, text = response.get_data(as_text=True), text_of(response)
    assert "'video' must be an http(s) URL or a media/ path, got 'javascript:alert(1)'" in text
    assert "media path 'media/../secret.pdf' must stay inside the series' media/ folder" in text
    assert 'href="javascript:' not in page and "Watch the recorded presentation" not in page
    assert "Download slides" not in page
    edit_content(author, draft_id, video="https://video.example/talk")
    page = author.get(f"/author/drafts/{draft_id}/preview").get_data(as_text=True)
    assert 'href="https://video.example/talk"' in page


def test_the_authoring_area_is_for_educators(app, authoring, learner, lead):
    for user in (learner, lead):
        client = app.test_client()
        login(client, user)
        assert client.get("/author/").status_code == 403
        assert client.get("/author/modules/new").status_code == 403


def test_the_editor_warns_at_an_image_without_alt_text(app, authoring, author):
    draft_id = new_module(author)
    edit_content(author, draft_id, body="Look:\n\n![](https://example.org/x.png)")
    warning = 'Warning: image without alt text: describe it, or use alt="" if it is decorative'
    for page in ("", "/preview"):
        text = text_of(author.get(f"/author/drafts/{draft_id}{page}"))
        assert f"{warning} (in the presentation, line 3)" in text, text  # the box's line
        assert "Warnings (they don't block publishing" in text
    edit_content(author, draft_id, body="Look:\n\n![A chest X-ray](https://example.org/x.png)")
    assert "image without alt text" not in text_of(author.get(f"/author/drafts/{draft_id}"))


def test_drafts_with_errors_cannot_be_published(app, authoring, author):
    draft_id = new_module(author)
    edit_content(author, draft_id, body="![missing](media/nowhere.png)")
    page = text_of(author.get(f"/author/drafts/{draft_id}/preview"))
    assert "media file 'media/nowhere.png' does not exist" in page
    response = post(author, f"/author/drafts/{draft_id}/publish", CONFIRM)
    assert response.status_code == 302
    assert db.session.scalar(select(ModuleVersion).where(ModuleVersion.origin == "web")) is None


def test_editors_show_item_writing_warnings_which_do_not_block_publishing(app, authoring,
                                                                          author):
    draft_id = new_module(author)
    edit_content(author, draft_id)
    saved = post(author, f"/author/drafts/{draft_id}/quiz",
                 {**QUIZ, "questions-0-choices-0-text":
                  "A handheld fan aimed at the face, with the window open and the patient upright"})
    assert saved.status_code == 302
    warning_about_choices = "Warning: question 1: only 2 choices, so guessing scores 50%"
    warning_about_key = 'Warning: question 1, choice 1 ("A handheld fan aimed at the face, with…")'
    for page in ("quiz", "preview", ""):
        text = text_of(author.get(f"/author/drafts/{draft_id}/{page}".rstrip("/")))
        assert warning_about_choices in text and "few-choices" in text, page
        assert warning_about_key in text and "the correct choice is much the longest" in text
        assert "To fix before publishing" not in text
    assert post(author, f"/author/drafts/{draft_id}/publish", CONFIRM).status_code == 302
    module = db.session.scalar(select(Module).where(Module.slug == "breathlessness"))
    assert module.current_version.number == 1


def test_quiz_policy_keys_survive_browser_edits_and_gift_imports(app, authoring, author):
    first = authoring / "basics" / "01-first-steps.md"
    first.write_text(first.read_text().replace(
        "pass_mark: 50\n", "pass_mark: 50\nquestions_per_attempt: 2\nreveal: always\n"
        "retake_after_minutes: 60\nmax_attempts_per_day: 3\ncomplete_when: passed\n"))
    sync(authoring)
    module = db.session.scalar(select(Module).where(Module.slug == "first-steps"))
    published = module.current_version.number
    response = post(author, f"/author/modules/{module.id}/draft")
    draft_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    edit_content(author, draft_id, title="First steps, revised")
    one_question = "::Q1:: Which helps? {=A fan ~Oxygen ~Rest ####Fans work.}\n"
    post(author, f"/author/drafts/{draft_id}/quiz/import", {
        "gift": (io.BytesIO(one_question.encode()), "bank.gift"), "mode": "replace"},
        content_type="multipart/form-data")
    draft = db.session.get(ModuleDraft, draft_id)
    assert "title: First steps, revised\n" in draft.source
    assert ("questions_per_attempt: 2\nreveal: always\nretake_after_minutes: 60\n"
            "max_attempts_per_day: 3\ncomplete_when: passed\n") in draft.source
    # The pool is now smaller than the draw: an error at the key's line, publishing refused.
    page = text_of(author.get(f"/author/drafts/{draft_id}/quiz"))
    assert ("Error: 'questions_per_attempt' is 2 but the quiz has 1 question: draw at most 1 "
            "(in the setting 'questions_per_attempt')") in page  # not a file line
    assert post(author, f"/author/drafts/{draft_id}/publish", CONFIRM).status_code == 302
    db.session.expire_all()
    assert module.current_version.number == published
    post(author, f"/author/drafts/{draft_id}/quiz/import", {
        "gift": (io.BytesIO(b"::Q2:: Which first? {=Ask ~Tell ~Leave ####Ask first.}\n"),
                 "more.gift"), "mode": "append"}, content_type="multipart/form-data")
    assert "questions_per_attempt" not in text_of(author.get(f"/author/drafts/{draft_id}/quiz"))
    exported = author.get(f"/author/drafts/{draft_id}/quiz.gift").get_data(as_text=True)
    assert "Which helps?" in exported and "Which first?" in exported


def test_an_educator_uploads_captions_and_the_published_video_carries_them(
        app, authoring, author, client, learner_client):
    draft_id = new_module(author)
    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nA fan on the face helps.\n"
    assert post(author, f"/author/drafts/{draft_id}/media", {
        "file": (io.BytesIO(vtt), "Fan talk.vtt")},
        content_type="multipart/form-data").status_code == 302
    edit_content(author, draft_id, video="https://video.example.org/fan",
                 captions="media/missing.vtt")
    page = text_of(author.get(f"/author/drafts/{draft_id}/preview"))
    assert "media file 'media/missing.vtt' does not exist" in page
    assert edit_content(author, draft_id, video="https://video.example.org/fan",
                        captions="media/fan_talk.vtt").status_code == 302
    assert post(author, f"/author/drafts/{draft_id}/publish", CONFIRM).status_code == 302
    module = db.session.scalar(select(Module).where(Module.slug == "breathlessness"))
    source = module.current_version.source
    assert module.current_version.captions == "media/fan_talk.vtt"
    assert ("video:\n  src: https://video.example.org/fan\n  captions: media/fan_talk.vtt\n"
            in source)
    page = learner_client.get("/modules/basics/breathlessness").get_data(as_text=True)
    assert 'href="/modules/basics/media/fan_talk.vtt" download' in page
