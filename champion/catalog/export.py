"""Writing the published content back as files: ``champion modules export DIR``.

Each file is written byte for byte as stored, so syncing the folder afterwards finds
every module unchanged.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer_group

from champion.badges.models import Badge
from champion.catalog.models import ContentPage, Module, ModuleVersion, Series
from champion.extensions import db


@dataclass
class ExportReport:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _write(target: Path, relative: str, data: bytes, report: ExportReport) -> None:
    path = target / PurePosixPath(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    report.written.append(relative)


def export_content(target: Path, media_from: Path | None = None) -> ExportReport:
    """Write every live series, module, case guide, badge and page into ``target``.

    Retired modules' files are removed from ``target``, so a later sync doesn't bring
    them back. Media folders are copied from ``media_from`` (the content folder) when it
    is another folder. The caller commits: each module's ``file_hash`` now matches.
    """
    report = ExportReport()
    target.mkdir(parents=True, exist_ok=True)
    for series in db.session.scalars(
        select(Series).options(undefer_group("*")).where(Series.retired_at.is_(None))
    ):
        if series.source is None:
            report.skipped.append(f"{series.slug}/index.md (no stored source: sync it first)")
        else:
            _write(target, f"{series.slug}/index.md", series.source.encode(), report)
        if media_from is not None and media_from.resolve() != target.resolve():
            media = media_from / series.slug / "media"
            if media.is_dir():
                shutil.copytree(media, target / series.slug / "media", dirs_exist_ok=True)
    modules = db.session.scalars(
        select(Module).options(
            selectinload(Module.series),
            selectinload(Module.current_version).undefer_group("source"))
    )
    for module in modules:
        version: ModuleVersion | None = module.current_version
        if version is None:
            continue
        case_path = version.source_path.removesuffix(".md") + ".case.md"
        if module.retired_at is not None or module.series.retired_at is not None:
            for relative in (version.source_path, case_path):
                if (target / relative).exists():
                    (target / relative).unlink()
                    report.removed.append(relative)
            continue
        if version.source is None:
            report.skipped.append(f"{version.source_path} (no stored source: sync it first)")
            continue
        _write(target, version.source_path, version.source.encode(), report)
        if version.case_source is not None:
            _write(target, case_path, version.case_source.encode(), report)
        elif (target / case_path).exists():
            (target / case_path).unlink()
            report.removed.append(case_path)
        module.file_hash = version.content_hash
    for badge in db.session.scalars(select(Badge).where(Badge.retired_at.is_(None))):
        _write(target, badge.image_path, badge.image, report)
        if badge.png is not None and not badge.image_path.lower().endswith(".png"):
            _write(target, str(PurePosixPath(badge.image_path).with_suffix(".png")), badge.png,
                   report)
    for slug, filename in (("badges.yml", "badges.yml"), ("resources", "resources.md")):
        page = db.session.get(ContentPage, slug)
        if page is not None and page.source is not None:
            _write(target, filename, page.source.encode(), report)
    return report
