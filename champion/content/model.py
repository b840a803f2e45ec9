"""Plain data parsed from the content folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from champion.content.credit import CreditDesignation, Disclosures

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One validation finding, located at ``path:line`` (path relative to the content root)."""

    path: str
    line: int
    severity: Severity
    message: str
    rule: str | None = field(default=None, compare=False)  # an item-writing rule's name

    def __str__(self) -> str:
        tag = f" [{self.rule}]" if self.rule else ""
        return f"{self.path}:{self.line}: {self.severity}: {self.message}{tag}"


@dataclass(frozen=True)
class Choice:
    text: str  # Markdown
    correct: bool
    feedback: str | None  # Markdown
    line: int
    pinned: bool = False  # marked {last}: stays last when choices are shuffled


@dataclass(frozen=True)
class Question:
    prompt: str  # Markdown
    choices: tuple[Choice, ...]
    explanation: str | None  # Markdown
    line: int
    see: str | None = None  # {see: heading}: the heading of the slide that teaches it
    see_line: int | None = None
    see_slide: int | None = None  # that slide's index, once the module is loaded

    @property
    def correct_indexes(self) -> frozenset[int]:
        return frozenset(i for i, choice in enumerate(self.choices) if choice.correct)

    @property
    def multiple(self) -> bool:
        """A select-all-that-apply question: more than one correct choice."""
        return len(self.correct_indexes) > 1


@dataclass(frozen=True)
class QuizPolicy:
    """How a module's quiz is taken (SPEC §6; front matter keys of the same names)."""

    questions_per_attempt: int | None = None  # drawn for each attempt; None: all of them
    reveal: str = "after_pass"  # when the key and explanations show: or "always"
    retake_after_minutes: int = 0  # wait after an attempt before the next
    max_attempts_per_day: int | None = None  # attempts a learner may start in 24 hours
    complete_when: str = "viewed_and_passed"  # or "passed"

    @classmethod
    def defaults(cls, required: bool) -> QuizPolicy:
        """A required module protects its key and needs its presentation seen; an optional
        one is practice."""
        if required:
            return cls()
        return cls(reveal="always", complete_when="passed")

    def drawn(self, pool: int) -> int:
        """How many of ``pool`` questions an attempt draws."""
        return min(pool, self.questions_per_attempt or pool)

    @property
    def needs_viewing(self) -> bool:
        return self.complete_when == "viewed_and_passed"


@dataclass(frozen=True)
class SlideSource:
    text: str  # Markdown with presenter notes removed
    notes: tuple[str, ...]  # Markdown of each presenter note on the slide
    line: int


@dataclass(frozen=True)
class CaseGuide:
    path: str
    title: str | None
    body: str  # Markdown
    raw: bytes


@dataclass
class Module:
    series: str
    slug: str
    path: str  # relative to the content root
    title: str
    duration: int
    summary: str | None = None
    objectives: tuple[str, ...] = ()
    order: int = 0
    pass_mark: int = 80
    video: str | None = None
    captions: str | None = None  # media/….vtt, for the video
    slides_file: str | None = None
    required: bool = True
    policy: QuizPolicy = field(default_factory=QuizPolicy)
    slides: tuple[SlideSource, ...] = ()
    questions: tuple[Question, ...] = ()
    references: str | None = None  # Markdown
    case: CaseGuide | None = None
    credit: CreditDesignation | None = None  # credit designated for this module on its own
    credit_line: int = 1
    raw: bytes = b""
    content_hash: str = ""
    slug_line: int = 1  # where the slug is set, if in front matter
    meta: dict = field(default_factory=dict)  # the front matter as written
    presentation_source: str = ""  # the presentation as written: separators and notes kept

    @property
    def key(self) -> str:
        return f"{self.series}/{self.slug}"

    @property
    def has_quiz(self) -> bool:
        return bool(self.questions)


@dataclass
class Series:
    slug: str
    path: str
    title: str
    order: int = 0
    summary: str | None = None
    intro: str = ""  # Markdown
    content_hash: str = ""
    modules: list[Module] = field(default_factory=list)
    source: str = ""  # index.md as written
    credit: CreditDesignation | None = None  # the continuing education credit designated
    disclosures: Disclosures | None = None
    credit_line: int = 1


@dataclass(frozen=True)
class BadgeDefinition:
    slug: str
    name: str
    description: str
    image: str  # path under the content root
    image_bytes: bytes
    narrative: str
    series: tuple[str, ...]
    modules: tuple[str, ...]  # "series/slug"
    content_hash: str
    png_bytes: bytes | None = None  # the image as PNG (the image itself, or a PNG beside an SVG)
    valid_for_days: int | None = None  # awards expire this long after they are earned

    @property
    def image_media_type(self) -> str:
        return "image/svg+xml" if self.image.lower().endswith(".svg") else "image/png"


@dataclass
class Content:
    root: Path
    series: list[Series] = field(default_factory=list)
    badges: list[BadgeDefinition] = field(default_factory=list)
    resources: str | None = None  # Markdown of resources.md
    resources_hash: str | None = None
    badges_source: str | None = None  # badges.yml as written
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def modules(self) -> list[Module]:
        return [module for series in self.series for module in series.modules]
