"""One version shape for templates: the live version and the draft preview meet the same
protocol, and the live version is built by keyword from its model."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from champion.catalog.live import LiveVersion, live_catalog
from champion.catalog.models import ModuleVersion
from champion.catalog.versions import PreviewVersion, VersionView
from champion.content import load_content, render_module
from champion.extensions import db
from tests.helpers import FIXTURE_CONTENT


def test_live_version_copies_every_field_of_its_model(synced):
    model = db.session.scalars(select(ModuleVersion).where(ModuleVersion.question_count > 0)
                               ).first()
    from champion.catalog.rendered import GROUPS

    live = LiveVersion.from_model(model)
    per_page = {name for names in GROUPS.values() for name in names}
    for field in dataclasses.fields(LiveVersion):
        if field.name in per_page:
            assert getattr(live, field.name) is None  # filled per page
        elif field.name == "objectives":
            assert live.objectives == tuple(model.objectives or ())
        elif field.name == "credit":  # whether the version designates credit, not its terms
            assert live.credit == (model.credit is not None)
        else:
            assert getattr(live, field.name) == getattr(model, field.name), field.name


def test_live_and_preview_versions_meet_the_templates_protocol(synced):
    module = next(iter(live_catalog().by_path.values()))
    assert isinstance(module.version.with_content("reading"), VersionView)
    source = next(m for m in load_content(FIXTURE_CONTENT).modules if m.questions)
    preview = PreviewVersion.from_draft(source, render_module(source))
    assert isinstance(preview, VersionView)
    assert preview.has_quiz and preview.question_count == len(source.questions)
    assert preview.number == "draft"
