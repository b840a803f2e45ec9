"""The shape of sync's cost, never its timing (timings live in bench/run.py).

Sync reads the whole content folder each time. What it then does for a module whose file
has not changed must not grow with the curriculum: no rendering, no ORM objects, and the
same statements for twice the modules. A cold sync adds a bounded number of statements
per module (its rows), never a query per module on top.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

import champion.catalog.sync as sync_module
import champion.content.render as render
from champion.catalog.models import Module, ModuleVersion
from champion.extensions import db
from tests.conftest import empty_tables
from tests.helpers import sync


def add_modules(content_dir: Path, count: int) -> None:
    """``count`` more modules in the basics series, copies of its reading module."""
    source = (content_dir / "basics" / "03-reading.md").read_text()
    existing = len(list((content_dir / "basics").glob("*-more-*.md")))
    for number in range(10 + existing, 10 + existing + count):
        (content_dir / "basics" / f"{number:02d}-more-{number}.md").write_text(
            source.replace("title: A reading", f"title: More reading {number}", 1))


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def unchanged_sync_statements(content_dir: Path, count_queries) -> list[str]:
    sync(content_dir)
    with count_queries() as counter:
        report = sync(content_dir)
    assert report.created == report.updated == report.retired == []
    return counter.statements


def test_an_unchanged_sync_issues_the_same_statements_for_twice_the_modules(
        app, content_dir, count_queries):
    add_modules(content_dir, 6)
    small = unchanged_sync_statements(content_dir, count_queries)
    add_modules(content_dir, 12)
    large = unchanged_sync_statements(content_dir, count_queries)
    assert len(large) == len(small), large
    assert writes(large) == []


def test_an_unchanged_sync_renders_nothing_and_loads_no_module_objects(
        app, content_dir, monkeypatch):
    add_modules(content_dir, 4)
    sync(content_dir)
    rendered: list[list] = []
    render_modules = sync_module.render_modules

    def recording(modules, *args, **kwargs):
        rendered.append(list(modules))
        return render_modules(modules, *args, **kwargs)

    monkeypatch.setattr(sync_module, "render_modules", recording)
    monkeypatch.setattr(render, "converter", lambda: pytest.fail("Markdown was converted"))
    loaded: list[object] = []  # module and version objects made or refreshed from rows

    def record(target: object, *_: object) -> None:
        loaded.append(target)

    listeners = [(model, name) for model in (Module, ModuleVersion) for name in ("load", "refresh")]
    for model, name in listeners:
        event.listen(model, name, record)
    try:
        report = sync(content_dir)
    finally:
        for model, name in listeners:
            event.remove(model, name, record)
    assert len(report.unchanged) == 9 and rendered == [[]]
    assert loaded == []  # a row each, not ORM objects


def test_changing_one_module_costs_the_same_statements_whatever_the_curriculum(
        app, content_dir, count_queries):
    def edit_one_and_sync() -> list[str]:
        path = content_dir / "basics" / "01-first-steps.md"
        path.write_text(path.read_text() + "\nOne more line.\n")
        with count_queries() as counter:
            report = sync(content_dir)
        assert report.updated == ["basics/first-steps"]
        return counter.statements

    add_modules(content_dir, 6)
    sync(content_dir)
    small = edit_one_and_sync()
    add_modules(content_dir, 12)
    sync(content_dir)
    large = edit_one_and_sync()
    assert len(large) == len(small), large


def test_a_cold_sync_adds_at_most_two_statements_per_module(app, content_dir, count_queries):
    def cold() -> int:
        db.session.remove()
        empty_tables()
        with count_queries() as counter:
            sync(content_dir)
        return counter.count

    small = cold()
    add_modules(content_dir, 10)
    large = cold()
    assert large - small <= 2 * 10  # the module's row and its first version's
