"""The catalog, series pages and the ways of reading a module."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    render_template,
    send_from_directory,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from champion.catalog.live import fragment, live_catalog
from champion.catalog.models import ContentPage
from champion.catalog.queries import (
    ModuleEntry,
    catalog,
    find_live_module,
    module_progress,
    next_steps,
)
from champion.content.loader import SLUG
from champion.credit.access import disclosures_first
from champion.extensions import db
from champion.progress.models import awaiting_view, progress_status
from champion.progress.operations import note_module_opened

blueprint = Blueprint("catalog", __name__, template_folder="templates")


@blueprint.app_template_global()
def module_card(series_slug: str, entry: ModuleEntry, signed_in: bool = False,
                show_best: bool = False) -> Markup:
    """The ``module_card`` macro's HTML, rendered once per catalog and what it shows."""
    best = entry.progress.best_score if show_best and entry.progress else None
    key = ("module_card", series_slug, entry.module.id, entry.version.id, signed_in,
           entry.status, best)
    return fragment(key, lambda: get_template_attribute("macros/forms.html", "module_card")(
        series_slug, entry, signed_in=signed_in, show_best=show_best))


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


@blueprint.get("/")
def index():
    entries = catalog(_user_id())
    return render_template("catalog/index.html", catalog=entries, badge=live_catalog().badge,
                           next_steps=next_steps(entries, _user_id()) if _user_id() else None)


@blueprint.get("/modules/<series_slug>/")
def series(series_slug: str):
    entries = catalog(_user_id(), series_slug)
    if not entries:
        abort(404)
    return render_template("catalog/series.html", entry=entries[0], badge=live_catalog().badge)


def _open_module(series_slug: str, module_slug: str, content: str):
    module = find_live_module(series_slug, module_slug, content)
    disclosures_first(module.series)
    progress = module_progress(current_user.id, module.id)
    if note_module_opened(current_user, module.id, progress):
        db.session.commit()
    return module.series, module, module.version, progress


@blueprint.get("/modules/<series_slug>/<module_slug>")
@login_required
def module(series_slug: str, module_slug: str):
    series, module, version, progress = _open_module(series_slug, module_slug, "reading")
    return render_template(
        "catalog/module.html", series=series, module=module, version=version, progress=progress,
        status=progress_status(progress.completed_at if progress else None),
        awaiting_view=awaiting_view(progress, version),
    )


@blueprint.get("/modules/<series_slug>/<module_slug>/slides")
@login_required
def slides(series_slug: str, module_slug: str):
    series, module, version, progress = _open_module(series_slug, module_slug, "slides")
    return render_template(
        "catalog/slides.html", series=series, module=module, version=version,
        start=progress.last_slide if progress and progress.last_slide is not None else 0,
    )


@blueprint.get("/modules/<series_slug>/<module_slug>/slides/presenter")
@login_required
def presenter(series_slug: str, module_slug: str):
    """Notes, the next slide and a timer, in step with the audience's window.

    Open to every signed-in learner: teaching their team is what a champion is for, and
    the notes are written for whoever presents. They never show in presentation mode.
    """
    module = find_live_module(series_slug, module_slug, "slides")
    return render_template("catalog/presenter.html", series=module.series, module=module,
                           version=module.version)


@blueprint.get("/modules/<series_slug>/<module_slug>/case")
@login_required
def case(series_slug: str, module_slug: str):
    module = find_live_module(series_slug, module_slug, "case")
    if not module.version.has_case:
        abort(404)
    return render_template("catalog/case.html", series=module.series, module=module,
                           version=module.version)


@blueprint.get("/modules/<series_slug>/<module_slug>/handout")
@login_required
def handout(series_slug: str, module_slug: str):
    """The case for participants: the guide without its facilitator sections, printable."""
    module = find_live_module(series_slug, module_slug, "case")
    if not module.version.has_case or module.version.handout_html is None:
        abort(404)
    return render_template("catalog/case.html", series=module.series, module=module,
                           version=module.version, handout=True)


@blueprint.get("/modules/<series_slug>/media/<path:filename>")
def media(series_slug: str, filename: str):
    """Images, decks and videos beside the modules; ``send_from_directory`` refuses ``..``.

    A PDF is a download, never a page shown in this site's origin (a PDF can carry script
    and forms).
    """
    if not SLUG.match(series_slug):
        abort(404)  # ``..`` or ``.`` would name a media folder outside the series
    root = Path(current_app.config["CHAMPION_MODULES_DIR"]).resolve()
    return send_from_directory(root / series_slug / "media", filename,
                               as_attachment=filename.lower().endswith(".pdf"))


@blueprint.get("/resources")
def resources():
    page = db.session.get(ContentPage, "resources")
    if page is None:
        abort(404)
    return render_template("catalog/resources.html", page=page)
