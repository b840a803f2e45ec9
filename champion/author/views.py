"""The educators' area: the list of modules and drafts, writing a module in the browser,
preview, publishing, history and media. The quiz editor is in ``quiz_views.py``, item
analysis in ``analysis_views.py``; every write is an operation in ``operations.py``."""

from __future__ import annotations

from html import escape
from typing import Any

from flask import Response, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer_group

from champion.author.blueprint import blueprint, draft_or_404, educators, module_or_404
from champion.author.comparison import compare, readable
from champion.author.forms import MediaForm, ModuleEditForm, NewModuleForm
from champion.author.locations import editor_place
from champion.author.operations import (
    MEDIA_LIMIT,
    AuthoringError,
    discard_draft,
    draft_for,
    media_files,
    new_module_draft,
    parse_draft,
    publish,
    restore,
    save_draft,
    save_media,
    staging_dir,
)
from champion.badges.queries import RequirementChange, requirement_changes
from champion.catalog.live import live_catalog
from champion.catalog.models import Module, ModuleDraft, ModuleVersion, Series
from champion.catalog.queries import module_versions
from champion.catalog.versions import PreviewVersion
from champion.content import render_markdown, render_module
from champion.content.limits import markup_problem
from champion.content.render import default_media_url
from champion.content.writer import edit_module, write_case
from champion.extensions import db
from champion.filters import sentence
from champion.limits import body_limit
from champion.quizzes.forms import build_quiz_form
from champion.team.forms import ActionForm

blueprint.add_app_template_global(editor_place)

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
    module = module_or_404(module_id)
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
    video = meta.get("video")
    video = video if isinstance(video, dict) else {"src": video}
    return {
        "title": meta.get("title"), "duration": meta.get("duration"),
        "summary": meta.get("summary"), "objectives": "\n".join(meta.get("objectives") or []),
        "pass_mark": meta.get("pass_mark", 80), "required": meta.get("required", True),
        "video": video.get("src"), "captions": video.get("captions"),
        "slides": meta.get("slides"), "body": parsed.presentation_source,
        "references": parsed.references or "",
        "case_title": parsed.case.title if parsed.case else "",
        "case_body": parsed.case.body.strip("\n") if parsed.case else "",
    }


def _video(src: str | None, captions: str | None) -> str | dict[str, str] | None:
    """The front matter's ``video``: a plain address, or with its captions beneath it."""
    if not src:
        return None
    return {"src": src, "captions": captions} if captions else src


def _source_from(form: ModuleEditForm, parsed, draft: ModuleDraft) -> tuple[str, str | None]:
    """The draft's files with the form's changes, and only those, made to them."""
    meta = dict(parsed.meta)
    updates = {
        "title": form.title.data, "duration": form.duration.data,
        "summary": form.summary.data or None,
        "objectives": [line.strip() for line in (form.objectives.data or "").splitlines()
                       if line.strip()] or None,
        "pass_mark": form.pass_mark.data if form.pass_mark.data != 80 else None,
        "required": None if form.required.data else False,
        "video": _video(form.video.data, form.captions.data), "slides": form.slides.data or None,
    }
    for key, value in updates.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    source = edit_module(draft.source, meta, _lf(form.body.data), _lf(form.references.data))
    body = _lf(form.case_body.data).strip()
    unchanged_case = parsed.case is not None and body == parsed.case.body.strip() and (
        (form.case_title.data or None) == parsed.case.title)
    if unchanged_case:
        return source, draft.case_source
    return source, write_case(form.case_title.data or None, body) if body else None


def _lf(text: str | None) -> str:
    """A textarea's text with the browser's CRLF line ends as the files' LF."""
    return (text or "").replace("\r\n", "\n")


@blueprint.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@educators
def edit(draft_id: int):
    draft = draft_or_404(draft_id)
    parsed, problems = parse_draft(draft)
    if parsed is None:
        return render_template("author/broken.html", draft=draft, problems=problems), 422
    form = ModuleEditForm(data=_edit_data(parsed))
    if form.validate_on_submit():
        source, case_source = _source_from(form, parsed, draft)
        try:
            save_draft(draft, source, case_source, current_user)
        except AuthoringError as exc:
            form.body.errors = [*form.body.errors, sentence(exc)]
        else:
            db.session.commit()
            flash("Draft saved. Learners still see the published version.", "success")
            return redirect(url_for(".edit", draft_id=draft.id))
    return render_template("author/edit.html", draft=draft, form=form, problems=problems,
                           parsed=parsed, action=ActionForm()), (422 if form.errors else 200)


# --- preview and publishing -----------------------------------------------------------

@blueprint.get("/drafts/<int:draft_id>/preview")
@educators
def preview(draft_id: int):
    draft = draft_or_404(draft_id)
    parsed, problems = parse_draft(draft)
    if parsed is None:
        return redirect(url_for(".edit", draft_id=draft.id))
    version = PreviewVersion.from_draft(parsed, render_module(parsed, draft_media_url(draft)))
    quiz_form = build_quiz_form(0, version.quiz, formdata=None) if version.quiz else None
    return render_template("author/preview.html", draft=draft, version=version,
                           series=draft.series, quiz_form=quiz_form, problems=problems,
                           action=ActionForm(), impact=_badge_impact(draft, parsed))


def _badge_impact(draft: ModuleDraft, parsed) -> list[RequirementChange]:
    """The badges whose requirements publishing ``draft`` would change (asked to confirm)."""
    if parsed is None:
        return []
    return requirement_changes(live_catalog().badges, draft.series.slug, parsed.slug,
                               parsed.required, draft.module_id)


@blueprint.post("/preview")
@educators
def live_preview():
    """Markdown rendered exactly as sync renders it, for the editor's live preview."""
    series = request.form.get("series") or None
    text = request.form.get("markdown") or ""
    if problem := markup_problem(text):
        line, message = problem
        return Response(f'<p class="error-summary">Line {line}: {escape(message)}</p>',
                        status=422, mimetype="text/html")
    draft = db.session.get(ModuleDraft, request.args.get("draft", type=int) or 0)
    options = {"media_url": draft_media_url(draft)} if draft is not None else {}
    return Response(render_markdown(text, series=series, **options), mimetype="text/html")


@blueprint.post("/drafts/<int:draft_id>/publish")
@educators
def publish_draft(draft_id: int):
    draft = draft_or_404(draft_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".preview", draft_id=draft.id))
    if _badge_impact(draft, parse_draft(draft)[0]) and request.form.get("confirm") != "yes":
        flash("Publishing this changes what a badge requires: tick the box to confirm.", "error")
        return redirect(url_for(".preview", draft_id=draft_id))
    try:
        version = publish(draft, current_user)
    except AuthoringError as exc:
        db.session.rollback()
        flash(sentence(exc, end=": " + "; ".join(
            f"{p.message} (in {editor_place(p, draft.source, draft.case_source)})"
            for p in exc.problems)), "error")
        return redirect(url_for(".preview", draft_id=draft_id))
    db.session.commit()
    flash(f"Published version {version.number} of “{version.title}”. Learners see it now.",
          "success")
    return redirect(url_for(".history", module_id=version.module_id))


@blueprint.post("/drafts/<int:draft_id>/discard")
@educators
def discard(draft_id: int):
    draft = draft_or_404(draft_id)
    if ActionForm().validate_on_submit():
        discard_draft(draft, current_user)
        db.session.commit()
        flash("Draft discarded.", "success")
    return redirect(url_for(".index"))


# --- history --------------------------------------------------------------------------

def _readable(version: ModuleVersion) -> list[str]:
    return readable(version.title, version.body_html, version.quiz, version.references_html,
                    version.case_html)


@blueprint.get("/modules/<int:module_id>/history")
@educators
def history(module_id: int):
    module = module_or_404(module_id)
    versions = module_versions(module)
    diff = None
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a and b:
        by_number = {v.number: v for v in db.session.scalars(
            select(ModuleVersion).options(*(undefer_group(group)
                                            for group in ("reading", "quiz", "case")))
            .where(ModuleVersion.module_id == module.id, ModuleVersion.number.in_([a, b])))}
        if a in by_number and b in by_number:
            diff = compare(_readable(by_number[a]), _readable(by_number[b])) or ""
    return render_template("author/history.html", module=module, versions=versions, diff=diff,
                           a=a, b=b, action=ActionForm())


@blueprint.post("/modules/<int:module_id>/versions/<int:number>/restore")
@educators
def restore_version(module_id: int, number: int):
    module = module_or_404(module_id)
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


# --- media ----------------------------------------------------------------------------

@blueprint.route("/drafts/<int:draft_id>/media", methods=["GET", "POST"])
@body_limit(MEDIA_LIMIT + 64 * 1024)  # a file plus the form around it
@educators
def media(draft_id: int):
    draft = draft_or_404(draft_id)
    form = MediaForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            name = save_media(draft, upload.filename, upload.read(), current_user)
        except AuthoringError as exc:
            form.file.errors.append(sentence(exc))
        else:
            db.session.commit()
            flash(f"Uploaded media/{name}.", "success")
            return redirect(url_for(".media", draft_id=draft.id))
        status = 422
    return render_template("author/media.html", draft=draft, form=form,
                           files=media_files(draft)), status


@blueprint.get("/drafts/<int:draft_id>/media/<path:filename>")
@educators
def draft_media(draft_id: int, filename: str):
    """A draft's staged upload, for its educators' preview only; PDFs as downloads."""
    draft = draft_or_404(draft_id)
    return send_from_directory(staging_dir(draft), filename,
                               as_attachment=filename.lower().endswith(".pdf"))


def draft_media_url(draft: ModuleDraft):
    """Media URLs for a draft's preview: its staged uploads from the educators' area, the
    rest from where learners get them."""
    staged = staging_dir(draft)

    def url(series: str, path: str) -> str:
        name = path.removeprefix("media/")
        if (staged / name).is_file():
            return url_for(".draft_media", draft_id=draft.id, filename=name)
        return default_media_url(series, path)

    return url
