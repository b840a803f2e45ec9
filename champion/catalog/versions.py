"""What a page needs of a module version, whoever made it.

Learners' pages show a published version (:class:`champion.catalog.live.LiveVersion`);
an educator's preview shows a draft rendered the same way (:class:`PreviewVersion`). The
templates are shared, so both meet one protocol, :class:`VersionView`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from champion.content import Module as ModuleSource
from champion.content import QuizPolicy, RenderedModule


@runtime_checkable
class VersionView(Protocol):
    """The fields module, slides, case and quiz templates read from a version."""

    title: str
    summary: str | None
    duration: int
    objectives: tuple[str, ...]
    pass_mark: int
    video: str | None
    captions: str | None
    slides_file: str | None
    case_title: str | None
    body_html: str | None
    references_html: str | None
    slides: list[dict[str, Any]] | None
    quiz: dict[str, Any] | None
    case_html: str | None
    policy: QuizPolicy

    @property
    def number(self) -> int | str: ...

    @property
    def question_count(self) -> int: ...

    @property
    def has_quiz(self) -> bool: ...

    @property
    def has_case(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class PreviewVersion:
    """A draft rendered like a published version, for the educator's preview."""

    title: str
    summary: str | None
    duration: int
    objectives: tuple[str, ...]
    pass_mark: int
    video: str | None
    captions: str | None
    slides_file: str | None
    case_title: str | None
    body_html: str
    references_html: str
    slides: list[dict[str, Any]]
    quiz: dict[str, Any] | None
    case_html: str | None
    policy: QuizPolicy
    number: str = "draft"

    @classmethod
    def from_draft(cls, parsed: ModuleSource, rendered: RenderedModule) -> PreviewVersion:
        return cls(
            title=parsed.title, summary=parsed.summary, duration=parsed.duration,
            objectives=tuple(parsed.objectives), pass_mark=parsed.pass_mark,
            video=parsed.video, captions=parsed.captions, slides_file=parsed.slides_file,
            case_title=rendered.case_title, body_html=rendered.body_html,
            references_html=rendered.references_html,
            slides=[{"html": s.html, "notes_html": s.notes_html} for s in rendered.slides],
            quiz=rendered.quiz if parsed.questions else None, case_html=rendered.case_html,
            policy=parsed.policy,
        )

    @property
    def question_count(self) -> int:
        return len(self.quiz["questions"]) if self.quiz else 0

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0

    @property
    def has_case(self) -> bool:
        return self.case_html is not None
