"""The educators' area: write and edit modules and quizzes in the browser, preview,
publish, see history, import and export quizzes, and read how questions perform."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload, undefer_group
from werkzeug.utils import secure_filename

from champion.audit.operations import record
from champion.auth.access import role_required
from champion.auth.models import Role
from champion.author.forms import (
    GiftImportForm,
    MediaForm,
    ModuleEditForm,
    NewModuleForm,
    QuizEditForm,
)
from champion.badges.models import Badge, BadgeAward, ProgrammeEvaluation
from champion.catalog.authoring import (
    AuthoringError,
    content_root,
    draft_for,
    new_module_draft,
    parse_draft,
    publish,
    restore,
    save_draft,
)
from champion.catalog.models import Module, ModuleDraft, ModuleVersion, Series
from champion.content import Choice, Question, render_markdown, render_module
from champion.content.writer import write_case, write_module
from champion.extensions import db
from champion.filters import sentence
from champion.quizzes.analysis import AnswerData, AttemptData, analyse, to_csv
from champion.quizzes.forms import build_quiz_form
from champion.quizzes.gift import parse_gift, to_gift
from champion.quizzes.models import Attempt
from champion.team.forms import ActionForm

blueprint = Blueprint("author", __name__, url_prefix="/author", template_folder="templates")
educators = role_required(Role.EDUCATOR)

MEDIA_TYPES = {  # suffix -> (magic prefix test, limit in bytes)
    ".png": (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), 5 * 1024 * 1024),
    ".jpg": (lambda b: b.startswith(b"\xff\xd8\xff"), 5 * 1024 * 1024),
    ".jpeg": (lambda b: b.startswith(b"\xff\xd8\xff"), 5 * 1024 * 1024),
    ".gif": (lambda b: b[:6] in (b"GIF87a", b"GIF89a"), 5 * 1024 * 1024),
    ".webp": (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", 5 * 1024 * 1024),
    ".pdf": (lambda b: b.startswith(b"%PDF-"), 25 * 1024 * 1024),
}


def _draft(draft_id: int) -> ModuleDraft:
    return db.get_or_404(ModuleDraft, draft_id)


def _module(module_id: int) -> Module:
    return db.get_or_404(Module, module_id)


# --- the list -------------------------------------------------------------------------

@blueprint.get("/")
@educators
def index():
    series = db.session.scalars(select(Series).order_by(Series.position, Series.slug)).all()
    modules = db.session.execute(
        select(Module, ModuleVersion)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .order_by(ModuleVersion.position, Module.slug)
    ).all()
    drafts = db.session.scalars(
        select(ModuleDraft).options(selectinload(ModuleDraft.updated_by))).all()
    return render_template(
        "author/index.html", series=series, modules=modules,
        drafts={d.module_id: d for d in drafts if d.module_id},
        new_drafts=[d for d in drafts if d.module_id is None], action=ActionForm(),
    )


@blueprint.route("/modules/new", methods=["GET", "POST"])
@educators
def new_module():
    form = NewModuleForm()
    form.series.choices = [
        (s.slug, s.title) for s in db.session.scalars(
            select(Series).where(Series.retired_at.is_(None)).order_by(Series.position))]
    if form.validate_on_submit():
        series = db.session.scalar(select(Series).where(Series.slug == form.series.data))
        try:
            draft = new_module_draft(series, form.slug.data, form.title.data,
                                     form.duration.data, current_user)
        except AuthoringError as exc:
            form.slug.errors.append(sentence(exc))
        else:
            db.session.commit()
            return redirect(url_for(".edit", draft_id=draft.id))
    return render_template("author/new.html", form=form), (422 if form.errors else 200)


@blueprint.post("/modules/<int:module_id>/draft")
@educators
def start_draft(module_id: int):
    module = _module(module_id)
    if ActionForm().validate_on_submit():
        try:
            draft = draft_for(module, current_user)
        except AuthoringError as exc:
            flash(sentence(exc), "error")
            return redirect(url_for(".index"))
        db.session.commit()
        return redirect(url_for(".edit", draft_id=draft.id))
    return redirect(url_for(".index"))


# --- editing --------------------------------------------------------------------------

def _edit_data(parsed) -> dict[str, Any]:
    meta = parsed.meta
    return {
        "title": meta.get("title"), "duration": meta.get("duration"),
        "summary": meta.get("summary"), "objectives": "\n".join(meta.get("objectives") or []),
        "pass_mark": meta.get("pass_mark", 80), "required": meta.get("required", True),
        "video": meta.get("video"), "slides": meta.get("slides"),
        "body": parsed.presentation_source, "references": parsed.references or "",
        "case_title": parsed.case.title if parsed.case else "",
        "case_body": parsed.case.body.strip("\n") if parsed.case else "",
    }


def _source_from(form: ModuleEditForm, parsed) -> tuple[str, str | None]:
    meta = dict(parsed.meta)
    updates = {
        "title": form.title.data, "duration": form.duration.data,
        "summary": form.summary.data or None,
        "objectives": [line.strip() for line in (form.objectives.data or "").splitlines()
                       if line.strip()] or None,
        "pass_mark": form.pass_mark.data if form.pass_mark.data != 80 else None,
        "required": None if form.required.data else False,
        "video": form.video.data or None, "slides": form.slides.data or None,
    }
    for key, value in updates.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    source = write_module(meta, form.body.data, parsed.questions, form.references.data)
    body = (form.case_body.data or "").strip()
    return source, write_case(form.case_title.data or None, body) if body else None


@blueprint.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@educators
def edit(draft_id: int):
    draft = _draft(draft_id)
    parsed, problems = parse_draft(draft)
    if parsed is None:
        return render_template("author/broken.html", draft=draft, problems=problems), 422
    form = ModuleEditForm(data=_edit_data(parsed))
    if form.validate_on_submit():
        source, case_source = _source_from(form, parsed)
        save_draft(draft, source, case_source, current_user)
        db.session.commit()
        flash("Draft saved. Learners still see the published version.", "success")
        return redirect(url_for(".edit", draft_id=draft.id))
    return render_template("author/edit.html", draft=draft, form=form, problems=problems,
                           parsed=parsed, action=ActionForm()), (422 if form.errors else 200)


def _quiz_data(parsed) -> dict[str, Any]:
    return {"questions": [
        {"prompt": q.prompt, "explanation": q.explanation or "",
         "choices": [{"text": c.text, "correct": c.correct, "feedback": c.feedback or ""}
                     for c in q.choices]}
        for q in parsed.questions]}


def _form_problems(form: QuizEditForm) -> list[str]:
    """Field errors of the quiz editor, each naming its question (and choice)."""
    if form.csrf_token.errors:
        return ["The form expired: your edits are below; save again."]
    problems = []
    for number, entry in enumerate(form.questions.entries, start=1):
        for name, messages in entry.form.errors.items():
            if name == "choices":
                for index, choice in enumerate(entry.form.choices.entries, start=1):
                    for field_name, field_messages in choice.form.errors.items():
                        problems += [f"Question {number}, choice {index} ({field_name}): {m}"
                                     for m in field_messages]
            else:
                problems += [f"Question {number} ({name}): {m}" for m in messages]
    return problems


def _apply_action(questions: list[dict], action: str) -> list[dict]:
    """Structural edits from the editor's buttons: add, remove, move."""
    kind, _, rest = action.partition(":")
    numbers = [int(n) for n in rest.split(",") if n.isdigit()]
    blank_choice = {"text": "", "correct": False, "feedback": ""}
    if kind == "add-question":
        questions.append({"prompt": "", "explanation": "",
                          "choices": [dict(blank_choice), dict(blank_choice)]})
    elif kind == "remove-question" and numbers and numbers[0] < len(questions):
        questions.pop(numbers[0])
    elif kind in ("up", "down") and numbers and numbers[0] < len(questions):
        i = numbers[0]
        j = i - 1 if kind == "up" else i + 1
        if 0 <= j < len(questions):
            questions[i], questions[j] = questions[j], questions[i]
    elif kind == "add-choice" and numbers and numbers[0] < len(questions):
        questions[numbers[0]]["choices"].append(dict(blank_choice))
    elif kind == "remove-choice" and len(numbers) == 2 and numbers[0] < len(questions):
        choices = questions[numbers[0]]["choices"]
        if numbers[1] < len(choices):
            choices.pop(numbers[1])
    return questions


def _questions_from(data: list[dict]) -> tuple[list[Question], list[str]]:
    """The editor's questions, checked; each problem names the question and the field."""
    questions, errors = [], []
    for number, item in enumerate(data, start=1):
        choices = [c for c in item["choices"] if (c.get("text") or "").strip()
                   or c.get("correct") or (c.get("feedback") or "").strip()]
        if not (item.get("prompt") or "").strip():
            errors.append(f"Question {number}: write the question.")
        for index, choice in enumerate(choices, start=1):
            if not (choice.get("text") or "").strip():
                errors.append(f"Question {number}, choice {index}: the choice has no text.")
        if len(choices) < 2:
            errors.append(f"Question {number}: give at least two choices.")
        elif not any(c.get("correct") for c in choices):
            errors.append(f"Question {number}: mark at least one choice as correct.")
        questions.append(Question(
            prompt=(item.get("prompt") or "").strip(),
            choices=tuple(Choice(" ".join((c.get("text") or "").split()), bool(c.get("correct")),
                                 (c.get("feedback") or "").strip() or None, 0) for c in choices),
            explanation=(item.get("explanation") or "").strip() or None, line=0))
    return questions, errors


@blueprint.route("/drafts/<int:draft_id>/quiz", methods=["GET", "POST"])
@educators
def quiz(draft_id: int):
    draft = _draft(draft_id)
    parsed, _ = parse_draft(draft)
    if parsed is None:
        return redirect(url_for(".edit", draft_id=draft.id))
    errors: list[str] = []
    if request.method == "POST":
        form = QuizEditForm()
        errors = [] if form.validate() else _form_problems(form)
        data = form.questions.data
        action = request.form.get("action", "save")
        if action != "save":
            form = QuizEditForm(formdata=None, data={"questions": _apply_action(data, action)})
        elif not errors:
            questions, errors = _questions_from(data)
            if not errors:
                source = write_module(parsed.meta, parsed.presentation_source, questions,
                                      parsed.references)
                save_draft(draft, source, draft.case_source if parsed.case else None,
                           current_user)
                db.session.commit()
                flash(f"Quiz saved: {len(questions)} question"
                      f"{'' if len(questions) == 1 else 's'}. Publish the draft to give it "
                      "to learners.", "success")
                return redirect(url_for(".quiz", draft_id=draft.id))
    else:
        form = QuizEditForm(data=_quiz_data(parsed))
    return render_template("author/quiz.html", draft=draft, form=form, errors=errors,
                           gift_form=GiftImportForm()), (422 if errors else 200)


@blueprint.get("/drafts/<int:draft_id>/quiz.gift")
@educators
def quiz_gift(draft_id: int):
    draft = _draft(draft_id)
    parsed, _ = parse_draft(draft)
    if parsed is None:
        abort(404)
    slug = draft.filename.removesuffix(".md")
    return Response(to_gift(parsed.questions), mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="{slug}.gift"'})


@blueprint.post("/drafts/<int:draft_id>/quiz/import")
@educators
def quiz_import(draft_id: int):
    draft = _draft(draft_id)
    parsed, _ = parse_draft(draft)
    form = GiftImportForm()
    if parsed is None or not form.validate_on_submit():
        flash(" ".join(form.gift.errors) or "Choose a GIFT file to import.", "error")
        return redirect(url_for(".quiz", draft_id=draft.id))
    try:
        text = form.gift.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        flash("The file is not UTF-8 text.", "error")
        return redirect(url_for(".quiz", draft_id=draft.id))
    imported, problems = parse_gift(text)
    if problems or not imported:
        return render_template("author/quiz.html", draft=draft,
                               form=QuizEditForm(data=_quiz_data(parsed)),
                               errors=["Nothing was imported. Fix these and try again:", *problems]
                               if problems else ["The file has no questions."],
                               gift_form=form), 422
    questions = list(imported) if form.mode.data == "replace" else [*parsed.questions,
                                                                     *imported]
    source = write_module(parsed.meta, parsed.presentation_source, questions, parsed.references)
    save_draft(draft, source, draft.case_source, current_user)
    record(current_user, "quiz.import", draft, f"{len(imported)} GIFT questions imported into "
           f"{draft.series.slug}/{draft.filename}")
    db.session.commit()
    flash(f"{len(imported)} questions imported into the draft.", "success")
    return redirect(url_for(".quiz", draft_id=draft.id))


# --- preview and publishing -----------------------------------------------------------

@dataclass
class PreviewVersion:
    """A draft rendered like a published version, for the preview templates."""

    title: str
    summary: str | None
    duration: int
    objectives: list[str]
    pass_mark: int
    video: str | None
    slides_file: str | None
    body_html: str
    references_html: str
    quiz: dict | None
    case_title: str | None
    case_html: str | None
    slides: list[dict] = field(default_factory=list)
    number: str = "draft"

    @property
    def question_count(self) -> int:
        return len(self.quiz["questions"]) if self.quiz else 0

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0

    @property
    def has_case(self) -> bool:
        return self.case_html is not None


@blueprint.get("/drafts/<int:draft_id>/preview")
@educators
def preview(draft_id: int):
    draft = _draft(draft_id)
    parsed, problems = parse_draft(draft)
    if parsed is None:
        return redirect(url_for(".edit", draft_id=draft.id))
    rendered = render_module(parsed)
    version = PreviewVersion(
        title=parsed.title, summary=parsed.summary, duration=parsed.duration,
        objectives=list(parsed.objectives), pass_mark=parsed.pass_mark, video=parsed.video,
        slides_file=parsed.slides_file, body_html=rendered.body_html,
        references_html=rendered.references_html,
        quiz=rendered.quiz if parsed.questions else None, case_title=rendered.case_title,
        case_html=rendered.case_html,
        slides=[{"html": s.html, "notes_html": s.notes_html} for s in rendered.slides],
    )
    quiz_form = build_quiz_form(0, version.quiz, formdata=None) if version.quiz else None
    return render_template("author/preview.html", draft=draft, version=version,
                           series=draft.series, quiz_form=quiz_form, problems=problems,
                           action=ActionForm())


@blueprint.post("/preview")
@educators
def live_preview():
    """Markdown rendered exactly as sync renders it, for the editor's live preview."""
    series = request.form.get("series") or None
    text = (request.form.get("markdown") or "")[:200_000]
    return Response(render_markdown(text, series=series), mimetype="text/html")


@blueprint.post("/drafts/<int:draft_id>/publish")
@educators
def publish_draft(draft_id: int):
    draft = _draft(draft_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".preview", draft_id=draft.id))
    try:
        version = publish(draft, current_user)
    except AuthoringError as exc:
        db.session.rollback()
        flash(sentence(exc, end=": " + "; ".join(str(p) for p in exc.problems)), "error")
        return redirect(url_for(".preview", draft_id=draft_id))
    db.session.commit()
    flash(f"Published version {version.number} of “{version.title}”. Learners see it now.",
          "success")
    return redirect(url_for(".history", module_id=version.module_id))


@blueprint.post("/drafts/<int:draft_id>/discard")
@educators
def discard(draft_id: int):
    draft = _draft(draft_id)
    if ActionForm().validate_on_submit():
        record(current_user, "draft.discard", draft,
               f"draft of {draft.series.slug}/{draft.filename} discarded")
        db.session.delete(draft)
        db.session.commit()
        flash("Draft discarded.", "success")
    return redirect(url_for(".index"))


# --- history --------------------------------------------------------------------------

def _versions(module: Module) -> list[ModuleVersion]:
    return db.session.scalars(
        select(ModuleVersion).options(selectinload(ModuleVersion.created_by))
        .where(ModuleVersion.module_id == module.id).order_by(ModuleVersion.number.desc())
    ).all()


@blueprint.get("/modules/<int:module_id>/history")
@educators
def history(module_id: int):
    module = _module(module_id)
    versions = _versions(module)
    diff = None
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a and b:
        by_number = {v.number: v for v in db.session.scalars(
            select(ModuleVersion).options(undefer_group("source"))
            .where(ModuleVersion.module_id == module.id, ModuleVersion.number.in_([a, b])))}
        if a in by_number and b in by_number:
            def text(v: ModuleVersion) -> list[str]:
                body = (v.source or "") + ("\n--- case guide ---\n" + v.case_source
                                           if v.case_source else "")
                return body.splitlines()
            diff = list(difflib.unified_diff(text(by_number[a]), text(by_number[b]),
                                             f"version {a}", f"version {b}", lineterm=""))
    return render_template("author/history.html", module=module, versions=versions, diff=diff,
                           a=a, b=b, action=ActionForm())


@blueprint.post("/modules/<int:module_id>/versions/<int:number>/restore")
@educators
def restore_version(module_id: int, number: int):
    module = _module(module_id)
    version = db.first_or_404(select(ModuleVersion).options(undefer_group("source")).where(
        ModuleVersion.module_id == module.id, ModuleVersion.number == number))
    if ActionForm().validate_on_submit():
        try:
            draft = restore(version, current_user)
        except AuthoringError as exc:
            flash(sentence(exc), "error")
            return redirect(url_for(".history", module_id=module.id))
        db.session.commit()
        flash(f"Version {number} is now the draft. Publish it to make it current again.",
              "success")
        return redirect(url_for(".edit", draft_id=draft.id))
    return redirect(url_for(".history", module_id=module.id))


# --- item analysis --------------------------------------------------------------------

def _analysis(module: Module):
    versions = [v for v in _versions(module) if v.has_quiz]
    if not versions:
        return None, versions, None
    wanted = request.args.get("version", type=int) or versions[0].number
    version = next((v for v in versions if v.number == wanted), versions[0])
    first_attempts = (select(func.min(Attempt.id))
                      .where(Attempt.module_version_id == version.id)
                      .group_by(Attempt.user_id))
    attempts = db.session.scalars(
        select(Attempt).options(selectinload(Attempt.answers))
        .where(Attempt.id.in_(first_attempts)).order_by(Attempt.id)).all()
    data = [AttemptData(score=a.score, answers=tuple(
        AnswerData(tuple(answer.selected), answer.correct) for answer in a.answers))
        for a in attempts]
    return version, versions, analyse(version.quiz, data, version.pass_mark)


@blueprint.get("/modules/<int:module_id>/analysis")
@educators
def analysis(module_id: int):
    module = _module(module_id)
    version, versions, result = _analysis(module)
    return render_template("author/analysis.html", module=module, version=version,
                           versions=versions, result=result)


@blueprint.get("/modules/<int:module_id>/analysis.csv")
@educators
def analysis_csv(module_id: int):
    module = _module(module_id)
    version, _, result = _analysis(module)
    if version is None:
        abort(404)
    return Response(to_csv(result, version.quiz), mimetype="text/csv", headers={
        "Content-Disposition":
            f'attachment; filename="{module.slug}-v{version.number}-item-analysis.csv"'})


# --- media ----------------------------------------------------------------------------

def _media_dir(draft: ModuleDraft) -> Path:
    return content_root() / draft.series.slug / "media"


@blueprint.route("/drafts/<int:draft_id>/media", methods=["GET", "POST"])
@educators
def media(draft_id: int):
    draft = _draft(draft_id)
    request.max_content_length = 26 * 1024 * 1024  # slide decks are larger than forms
    form = MediaForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        name = secure_filename(upload.filename or "").lower()
        suffix = Path(name).suffix
        data = upload.read()
        if suffix not in MEDIA_TYPES:
            form.file.errors.append("Upload a PNG, JPEG, GIF or WebP image, or a PDF.")
        elif not MEDIA_TYPES[suffix][0](data):
            form.file.errors.append(f"The file's contents are not a {suffix[1:].upper()} file.")
        elif len(data) > MEDIA_TYPES[suffix][1]:
            limit = MEDIA_TYPES[suffix][1] // (1024 * 1024)
            form.file.errors.append(f"The file is larger than {limit} MB.")
        else:
            folder = _media_dir(draft)
            folder.mkdir(parents=True, exist_ok=True)
            stem, target = Path(name).stem or "file", folder / name
            counter = 2
            while target.exists():
                target = folder / f"{stem}-{counter}{suffix}"
                counter += 1
            target.write_bytes(data)
            record(current_user, "media.upload", draft,
                   f"{target.name} uploaded to {draft.series.slug}/media")
            db.session.commit()
            flash(f"Uploaded media/{target.name}.", "success")
            return redirect(url_for(".media", draft_id=draft.id))
        status = 422
    folder = _media_dir(draft)
    files = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return render_template("author/media.html", draft=draft, form=form, files=files), status


# --- evaluations ----------------------------------------------------------------------

@blueprint.get("/evaluations")
@educators
def evaluations():
    summary = db.session.execute(
        select(
            Badge.name,
            func.count(ProgrammeEvaluation.id),
            func.avg(ProgrammeEvaluation.relevance),
            func.sum(case((ProgrammeEvaluation.balanced, 1), else_=0)),
            func.sum(case((ProgrammeEvaluation.free_of_commercial_bias, 1), else_=0)),
        )
        .join(BadgeAward, BadgeAward.id == ProgrammeEvaluation.award_id)
        .join(Badge, Badge.id == BadgeAward.badge_id)
        .group_by(Badge.name)
    ).all()
    relevance = dict(db.session.execute(
        select(ProgrammeEvaluation.relevance, func.count()).group_by(ProgrammeEvaluation.relevance)
    ).tuples().all())
    recent = db.session.scalars(
        select(ProgrammeEvaluation)
        .options(selectinload(ProgrammeEvaluation.award).selectinload(BadgeAward.badge))
        .order_by(ProgrammeEvaluation.created_at.desc()).limit(50)
    ).all()
    return render_template("author/evaluations.html", summary=summary, relevance=relevance,
                           recent=recent)


