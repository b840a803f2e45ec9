"""What a package is built from: live modules, their rendered content and their media."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from champion.catalog.live import LiveModule, live_catalog
from champion.errors import OperationError
from champion.packages.build import PackageCourse, PackageModule, media_paths


class PackageError(OperationError):
    """A package can't be built: the message says what is missing."""


def _package_module(live: LiveModule) -> PackageModule:
    reading = live.version.with_content("reading")
    quiz = live.version.with_content("quiz").quiz if live.version.has_quiz else None
    return PackageModule(
        series=live.series.slug, slug=live.slug, title=reading.title, summary=reading.summary,
        duration=reading.duration, objectives=reading.objectives,
        body_html=reading.body_html or "", references_html=reading.references_html or "",
        video=reading.video, pass_mark=reading.pass_mark,
        questions_per_attempt=reading.policy.questions_per_attempt, quiz=quiz,
    )


def media_files(module: PackageModule, content_dir: Path) -> dict[str, bytes]:
    """The files ``module``'s page uses, by their path in the package; only from its
    series' ``media/`` folder, whatever a path says."""
    folder = (content_dir / module.series / "media").resolve()
    found = {}
    for path in media_paths(module):
        file = (content_dir / module.series / path).resolve()
        if not file.is_relative_to(folder) or not file.is_file():
            raise PackageError(f"{module.key}: the media file {module.series}/{path} is not in "
                               f"the content folder {content_dir}")
        found[f"{module.series}/{path}"] = file.read_bytes()
    return found


def package_course(target: str) -> PackageCourse:
    """The live series ``target`` ("series"), or one live module ("series/module"), with the
    media its pages use, read from the content folder."""
    base_url = current_app.config.get("CHAMPION_BASE_URL")
    if not base_url:
        raise PackageError("set CHAMPION_BASE_URL: a package names its activities and links "
                           "back to the site by it")
    catalog = live_catalog()
    series_slug, _, module_slug = target.strip("/").partition("/")
    series = next((s for s in catalog.series if s.slug == series_slug), None)
    if series is None:
        raise PackageError(f"no live series '{series_slug}': run `champion modules sync` first, "
                           "or name a series shown in the catalog")
    if module_slug:
        live = catalog.module(series_slug, module_slug)
        if live is None:
            raise PackageError(f"no live module '{target}' in the series '{series_slug}'")
        chosen = (live,)
        title, description = live.version.title, live.version.summary or live.version.title
    else:
        chosen = catalog.modules.get(series.id, ())
        if not chosen:
            raise PackageError(f"the series '{series_slug}' has no live modules")
        title, description = series.title, series.summary or series.title
    modules = tuple(_package_module(live) for live in chosen)
    content_dir = Path(current_app.config["CHAMPION_MODULES_DIR"])
    media: dict[str, bytes] = {}
    for module in modules:
        media.update(media_files(module, content_dir))
    return PackageCourse(slug=target.strip("/"), title=title, description=description,
                         base_url=base_url, modules=modules, media=media)


def site_stylesheet() -> str:
    """The site's own CSS: a package looks like the site."""
    return (Path(current_app.static_folder) / "css" / "champion.css").read_text("utf-8")
