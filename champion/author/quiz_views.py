"""The browser quiz editor, and GIFT import and export."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from champion.author.blueprint import blueprint, draft_or_404, educators
from champion.author.forms import GiftImportForm, QuizEditForm
from champion.author.operations import AuthoringError, import_quiz, parse_draft, save_quiz
from champion.author.quiz_editor import apply_action, editor_data, field_problems, questions_from
from champion.extensions import db
from champion.filters import sentence
from champion.quizzes.gift import parse_gift, to_gift


def _form_problems(form: QuizEditForm) -> list[str]:
    """Field errors of the quiz editor, each naming its question (and choice)."""
    if form.csrf_token.errors:
        return ["The form expired: your edits are below; save again."]
    errors = []
    for number, entry in enumerate(form.questions.entries, start=1):
        for name, messages in entry.form.errors.items():
            if name == "choices":
                messages = {index: choice.form.errors for index, choice
                            in enumerate(entry.form.choices.entries, start=1)}
            errors.append((number, name, messages))
    return field_problems(errors)


def _quiz_page(draft, parsed, form: QuizEditForm, errors: list[str], status: int = 200,
               problems=(), gift_form: GiftImportForm | None = None):
    return render_template("author/quiz.html", draft=draft, title=parsed.title, form=form,
                           errors=errors, problems=problems,
                           gift_form=gift_form or GiftImportForm()), status


@blueprint.route("/drafts/<int:draft_id>/quiz", methods=["GET", "POST"])
@educators
def quiz(draft_id: int):
    draft = draft_or_404(draft_id)
    parsed, problems = parse_draft(draft)  # the saved quiz's, item-writing warnings included
    if parsed is None:
        return redirect(url_for(".edit", draft_id=draft.id))
    errors: list[str] = []
    if request.method == "POST":
        form = QuizEditForm()
        errors = [] if form.validate() else _form_problems(form)
        data = form.questions.data
        action = request.form.get("action", "save")
        if action != "save":
            form = QuizEditForm(formdata=None, data={"questions": apply_action(data, action)})
        elif not errors:
            questions, errors = questions_from(data)
            if not errors:
                try:
                    save_quiz(draft, parsed, questions, current_user)
                except AuthoringError as exc:
                    return _quiz_page(draft, parsed, form, [sentence(exc)], 422)
                db.session.commit()
                flash(f"Quiz saved: {len(questions)} question"
                      f"{'' if len(questions) == 1 else 's'}. Publish the draft to give it "
                      "to learners.", "success")
                return redirect(url_for(".quiz", draft_id=draft.id))
    else:
        form = QuizEditForm(data=editor_data(parsed))
    return _quiz_page(draft, parsed, form, errors, 422 if errors else 200, problems)


@blueprint.get("/drafts/<int:draft_id>/quiz.gift")
@educators
def quiz_gift(draft_id: int):
    draft = draft_or_404(draft_id)
    parsed, _ = parse_draft(draft)
    if parsed is None:
        abort(404)
    slug = draft.filename.removesuffix(".md")
    return Response(to_gift(parsed.questions), mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="{slug}.gift"'})


@blueprint.post("/drafts/<int:draft_id>/quiz/import")
@educators
def quiz_import(draft_id: int):
    draft = draft_or_404(draft_id)
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
    imported, skipped = parse_gift(text)
    if not imported:
        # The editor shows the draft's quiz as saved, not this request's (GIFT) form data.
        return _quiz_page(draft, parsed, QuizEditForm(formdata=None, data=editor_data(parsed)),
                          ["Nothing was imported: the file has no question that can be "
                           "imported.", *skipped], 422, gift_form=form)
    try:
        import_quiz(draft, parsed, imported, form.mode.data == "replace", current_user)
    except AuthoringError as exc:
        flash(sentence(exc), "error")
        return redirect(url_for(".quiz", draft_id=draft.id))
    db.session.commit()
    count = f"{len(imported)} question{'' if len(imported) == 1 else 's'}"
    if skipped:
        flash(f"Imported {count} into the draft; skipped {len(skipped)}: "
              + "; ".join(skipped) + ".", "warning")
    else:
        flash(f"Imported {count} into the draft.", "success")
    return redirect(url_for(".quiz", draft_id=draft.id))
