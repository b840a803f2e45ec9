"""Series, modules and their immutable versions, as synced from ``modules/``."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from champion.auth.models import User
from champion.content.model import QuizPolicy
from champion.database import utcnow
from champion.extensions import db


class Series(db.Model):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)
    intro_html: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(Text, deferred=True)  # index.md as written
    content_hash: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The continuing education credit and disclosures index.md designates (CreditDesignation
    # and Disclosures, stored): None for a series without credit.
    credit: Mapped[dict | None] = mapped_column(JSON)
    disclosures: Mapped[dict | None] = mapped_column(JSON)

    modules: Mapped[list[Module]] = relationship(back_populates="series")


class Module(db.Model):
    """A module's identity (``series/slug``); its content lives in versions."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("series_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    slug: Mapped[str] = mapped_column(String(100))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_versions.id", use_alter=True)
    )
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The hash of the module's file as sync last read it (or export last wrote it):
    # a file that differs from it has been edited since.
    file_hash: Mapped[str | None] = mapped_column(String(64))

    series: Mapped[Series] = relationship(back_populates="modules")
    current_version: Mapped[ModuleVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )

    @property
    def key(self) -> str:
        return f"{self.series.slug}/{self.slug}"


# The columns a version stores its QuizPolicy in, one per field.
POLICY_COLUMNS = tuple(f.name for f in fields(QuizPolicy))


class ModuleVersion(db.Model):
    """One immutable rendering of a module file; attempts point at the version answered."""

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(String(500))
    duration: Mapped[int]
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    pass_mark: Mapped[int] = mapped_column(default=80)
    required: Mapped[bool] = mapped_column(default=True)
    # How its quiz is taken: a content.QuizPolicy, column by column (see ``policy``).
    questions_per_attempt: Mapped[int | None]
    reveal: Mapped[str] = mapped_column(String(10), default="after_pass")
    retake_after_minutes: Mapped[int] = mapped_column(default=0)
    max_attempts_per_day: Mapped[int | None]
    complete_when: Mapped[str] = mapped_column(String(20), default="viewed_and_passed")
    video: Mapped[str | None] = mapped_column(String(1000))
    captions: Mapped[str | None] = mapped_column(String(500))  # the video's WebVTT file
    slides_file: Mapped[str | None] = mapped_column(String(500))
    # Credit designated for the module on its own (a stored CreditDesignation), or NULL.
    credit: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    question_count: Mapped[int] = mapped_column(default=0)
    has_case: Mapped[bool] = mapped_column(default=False)
    case_title: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    origin: Mapped[str] = mapped_column(String(10), default="files")  # "files" or "web"
    renderer: Mapped[int] = mapped_column(default=1)  # content.render.RENDERER_VERSION used
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str | None] = mapped_column(Text, deferred=True, deferred_group="source")
    case_source: Mapped[str | None] = mapped_column(
        Text, deferred=True, deferred_group="source")
    # The rendered content is large: each page loads only the group it shows
    # (see catalog.rendered), and lists load none of it.
    body_html: Mapped[str] = mapped_column(Text, deferred=True, deferred_group="reading")
    references_html: Mapped[str] = mapped_column(
        Text, default="", deferred=True, deferred_group="reading"
    )
    slides: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, deferred=True, deferred_group="slides"
    )
    quiz: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, deferred=True, deferred_group="quiz"
    )
    case_html: Mapped[str | None] = mapped_column(Text, deferred=True, deferred_group="case")
    # The case without its facilitator sections, for participants.
    handout_html: Mapped[str | None] = mapped_column(Text, deferred=True,
                                                     deferred_group="case")

    module: Mapped[Module] = relationship(foreign_keys=[module_id])
    created_by: Mapped[User | None] = relationship()

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0

    @property
    def policy(self) -> QuizPolicy:
        return QuizPolicy(**{name: getattr(self, name) for name in POLICY_COLUMNS})


class ContentPage(db.Model):
    """A standalone page from the content folder (``resources.md``)."""

    __tablename__ = "content_pages"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    html: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)  # the file as written
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ModuleDraft(db.Model):
    """Unpublished edits made in the browser: a module's Markdown as it will be written.

    Learners never see a draft. Publishing turns it into a new ModuleVersion; a module
    has at most one draft at a time.
    """

    __tablename__ = "module_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), unique=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"))
    filename: Mapped[str] = mapped_column(String(200))  # NN-slug.md
    source: Mapped[str] = mapped_column(Text)
    case_source: Mapped[str | None] = mapped_column(Text)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("module_versions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    module: Mapped[Module | None] = relationship()
    series: Mapped[Series] = relationship()
    updated_by: Mapped[User | None] = relationship()


class ContentState(db.Model):
    """One row whose ``stamp`` is drawn anew whenever live content is written.

    Workers keep the live catalog in memory and compare this one number before using it
    (see ``catalog.live``). A random stamp rather than a counter: a restored backup or an
    emptied table can't bring back a number a worker has already seen.
    """

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger, default=0)
