"""Load and validate a content folder, reporting every problem at once."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar
from urllib.parse import urlparse

from champion.content.captions import webvtt_problems
from champion.content.credit import parse_credit, parse_disclosures
from champion.content.frontmatter import (
    Document,
    YamlError,
    mapping_key_lines,
    parse_yaml,
    split_front_matter,
)
from champion.content.itemwriting import check_questions
from champion.content.limits import markup_problem
from champion.content.markdown_source import (
    Lines,
    numbered_lines,
    split_sections,
    split_slides,
)
from champion.content.model import (
    BadgeDefinition,
    CaseGuide,
    Content,
    Module,
    Problem,
    QuizPolicy,
    Series,
    Severity,
)
from champion.content.quiz import parse_quiz
from champion.content.render import MARKER

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MODULE_FILE = re.compile(r"^(?P<order>\d+)-(?P<slug>[A-Za-z0-9][A-Za-z0-9_-]*)\.md$")
CASE_FILE = re.compile(r"^(?P<order>\d+)-(?P<slug>[A-Za-z0-9][A-Za-z0-9_-]*)\.case\.md$")
MEDIA_LINK = re.compile(r"""(?:\]\(\s*<?|\b(?:src|href)\s*=\s*["'])(?P<path>media/[^)\s"'>]*)""")
# An image with nothing to say what it shows: Markdown's ![](...) or ![][ref], or an <img>
# tag without an alt attribute (a tag ends at ">", or where the next one starts).
EMPTY_ALT_IMAGE = re.compile(r"!\[[ \t]*\][(\[]")
IMG_TAG = re.compile(r"<img\b[^<>]*>?", re.I)
ALT_ATTRIBUTE = re.compile(r"\salt\s*=", re.I)
CODE_SPAN = re.compile(r"`[^`]*`")
NO_ALT = 'image without alt text: describe it, or use alt="" if it is decorative'
VIDEO_SUFFIXES = (".mp4", ".webm", ".ogg", ".m4v", ".mov")

SERIES_KEYS = {"title", "order", "summary", "credit", "disclosures"}
MODULE_KEYS = {
    "title", "duration", "summary", "objectives", "order", "slug", "pass_mark", "video",
    "slides", "required", "questions_per_attempt", "reveal", "retake_after_minutes",
    "max_attempts_per_day", "complete_when", "credit",
}  # fmt: skip
REVEAL = ("after_pass", "always")
COMPLETE_WHEN = ("passed", "viewed_and_passed")
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<text>.+?)[ \t#]*$")
CASE_KEYS = {"title"}
BADGE_KEYS = {"slug", "name", "description", "image", "criteria", "valid_for_days"}
CRITERIA_KEYS = {"narrative", "series", "modules"}


class _Reporter:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def add(self, path: Path | str, line: int, severity: Severity, message: str,
            rule: str | None = None) -> None:
        where = path if isinstance(path, str) else self.rel(path)
        self.problems.append(Problem(where, max(line, 1), severity, message, rule))

    def error(self, path: Path | str, line: int, message: str) -> None:
        self.add(path, line, "error", message)

    def warning(self, path: Path | str, line: int, message: str) -> None:
        self.add(path, line, "warning", message)


def _sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _first_not_none(value, default):
    """``value`` unless it is None: 0 is a real order, not a missing one."""
    return default if value is None else value


def _plain(value: Any) -> Any:
    """YAML data with every mapping key a string (YAML keys may be numbers, booleans...)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def content_hash(module_raw: bytes, case_raw: bytes = b"") -> str:
    """A module's identity as content: its file and its case guide, byte for byte."""
    return _sha256(module_raw, case_raw)


def _read(path: Path, report: _Reporter) -> tuple[bytes, str] | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.error(path, 1, f"cannot read the file: {exc.strerror}")
        return None
    # Decode after the byte-order mark, so an error's offset (and line) is the body's.
    body = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw, body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        report.error(path, line, "not UTF-8 text")
        return None


def _renderable(path: Path, text: str, report: _Reporter) -> bool:
    """Whether ``text`` renders in bounded time and is free of the marker rendering joins
    fragments with; an error at its line if not."""
    if problem := markup_problem(text):
        report.error(path, *problem)
        return False
    if MARKER in text:
        report.error(path, text.count("\n", 0, text.index(MARKER)) + 1,
                     f"'{MARKER}' is reserved: rendering joins fragments with it; remove it")
        return False
    return True


def _read_document(
    path: Path, report: _Reporter, *, front_matter_required: bool, raw: bytes | None = None
) -> tuple[bytes, Document] | None:
    """Read a Markdown file (or ``raw``, its would-be content) and split off its front
    matter, reporting what goes wrong."""
    if raw is None:
        loaded = _read(path, report)
    else:
        try:
            loaded = (raw, raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            report.error(path, 1, "not UTF-8 text")
            loaded = None
    if loaded is None or not _renderable(path, loaded[1], report):
        return None
    try:
        doc = split_front_matter(loaded[1])
    except YamlError as exc:
        report.error(path, exc.line, str(exc))
        return None
    if front_matter_required and not doc.has_front_matter:
        report.error(path, 1, "missing front matter: start the file with --- and a title")
    return loaded[0], doc


class _Fields:
    """Typed access to front matter, reporting each mistyped or missing key at its line."""

    def __init__(
        self, path: Path, doc: Document, known: set[str], report: _Reporter, missing_line: int = 1
    ) -> None:
        """``missing_line`` is where a missing key is reported (a YAML list item's line)."""
        self.path, self.doc, self.report = path, doc, report
        self.missing_line = missing_line
        for key in doc.meta:
            if key not in known:
                report.warning(
                    path, doc.key_lines.get(key, 1), f"unknown front matter key '{key}' (ignored)"
                )

    def line(self, key: str) -> int:
        return self.doc.key_lines.get(key, 1)

    def _missing(self, key: str, required: bool) -> bool:
        if key in self.doc.meta and self.doc.meta[key] is not None:
            return False
        if required:
            self.report.error(self.path, self.missing_line, f"missing required key '{key}'")
        return True

    def string(self, key: str, required: bool = False) -> str | None:
        if self._missing(key, required):
            return None
        value = self.doc.meta[key]
        if not isinstance(value, str) or not value.strip():
            self.report.error(
                self.path, self.line(key), f"'{key}' must be a non-empty string, got {value!r}"
            )
            return None
        return value.strip()

    def integer(self, key: str, low: int, high: int, required: bool = False,
                unit: str = "") -> int | None:
        if self._missing(key, required):
            return None
        value = self.doc.meta[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.report.error(
                self.path, self.line(key),
                f"'{key}' must be a whole number{unit} from {low} to {high}, got {value!r}",
            )
            return None
        return value

    def word(self, key: str, allowed: tuple[str, ...]) -> str | None:
        """One of ``allowed``, or None when absent or wrong (reported)."""
        if self._missing(key, False):
            return None
        value = self.doc.meta[key]
        if value not in allowed:
            self.report.error(self.path, self.line(key),
                              f"'{key}' must be {' or '.join(allowed)}, got {value!r}")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        if self._missing(key, False):
            return None
        value = self.doc.meta[key]
        if not isinstance(value, bool):
            self.report.error(
                self.path, self.line(key), f"'{key}' must be true or false, got {value!r}"
            )
            return None
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        if self._missing(key, False):
            return ()
        value = self.doc.meta[key]
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            self.report.error(
                self.path, self.line(key), f"'{key}' must be a list of non-empty strings"
            )
            return ()
        return tuple(item.strip() for item in value)


def _media_problem(series_dir: Path, path: str, staged: Path | None = None) -> str | None:
    """Why a ``media/...`` path is unusable, or None if it names an existing file: in the
    series' media folder, or in ``staged`` (a draft's uploads, not yet published)."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or pure.parts[:1] != ("media",):
        return f"media path '{path}' must stay inside the series' media/ folder"
    if not (series_dir / pure).is_file() and not (
            staged is not None and (staged / pure.relative_to("media")).is_file()):
        return f"media file '{path}' does not exist"
    return None


def _video_fields(doc: Document, fields: _Fields, path: Path,
                  report: _Reporter) -> tuple[str | None, str | None]:
    """``video: URL`` or ``video: {src: URL, captions: media/….vtt}``: (src, captions)."""
    value = doc.meta.get("video")
    if not isinstance(value, dict):
        return fields.string("video"), None
    line = fields.line("video")
    if unknown := sorted(set(map(str, value)) - {"src", "captions"}):
        report.error(path, line, f"'video' takes 'src' and 'captions', not {', '.join(unknown)}")
    src, captions = value.get("src"), value.get("captions")
    if not isinstance(src, str) or not src.strip():
        report.error(path, line, "'video' needs 'src': an http(s) URL or a media/ path")
        return None, None
    if captions is not None and (not isinstance(captions, str) or not captions.strip()):
        report.error(path, line, f"'captions' must be a media/….vtt path, got {captions!r}")
        return src.strip(), None
    return src.strip(), captions.strip() if captions else None


def _checked_captions(series_dir: Path, staged: Path | None, captions: str | None,
                      path: Path, line: int, report: _Reporter) -> str | None:
    """The captions path if its WebVTT file reads cleanly; each problem at its own line."""
    if captions is None:
        report.warning(path, line, "the video has no captions: add 'captions: media/….vtt' "
                                   "under 'video' (WCAG 1.2.2, captions for recorded video)")
        return None
    if not captions.lower().endswith(".vtt"):
        report.error(path, line, f"captions must be a WebVTT (.vtt) file, got '{captions}'")
        return None
    if problem := _media_problem(series_dir, captions, staged):
        report.error(path, line, problem)
        return None
    pure = PurePosixPath(captions)
    file = series_dir / pure
    if not file.is_file() and staged is not None:
        file = staged / pure.relative_to("media")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        report.error(file, 1, "a WebVTT captions file must be UTF-8 text")
        return None
    problems = webvtt_problems(text)
    for number, message in problems:
        report.error(file, number, message)
    return None if problems else captions


def load_content(root: str | Path) -> Content:
    """Parse and validate the content folder at ``root``."""
    root = Path(root).resolve()
    report = _Reporter(root)
    content = Content(root=root)
    if not root.is_dir():
        report.error(str(root), 1, "content folder does not exist")
        content.problems = report.problems
        return content

    for series_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if series_dir.name.startswith((".", "_")):
            continue
        series = _load_series(series_dir, report)
        if series is not None:
            content.series.append(series)
    content.series.sort(key=lambda s: (s.order, s.slug))

    resources = root / "resources.md"
    if resources.is_file():
        loaded = _read(resources, report)
        if loaded and _renderable(resources, loaded[1], report):
            content.resources = loaded[1]
            content.resources_hash = _sha256(loaded[0])

    badges = root / "badges.yml"
    if badges.is_file():
        content.badges = _load_badges(badges, content, report)
    _check_credit_evaluated(content, report)

    content.problems = sorted(set(report.problems))
    return content


def _load_series(series_dir: Path, report: _Reporter) -> Series | None:
    index = series_dir / "index.md"
    markdown_files = sorted(series_dir.glob("*.md"))
    if not index.is_file():
        if any(MODULE_FILE.match(p.name) for p in markdown_files):
            report.error(series_dir / "index.md", 1,
                         "series folder has modules but no index.md (title, order, summary)")
        return None
    slug = series_dir.name
    if not SLUG.match(slug):
        report.error(index, 1, f"series folder name '{slug}' must be lowercase words joined by -")
    read = _read_document(index, report, front_matter_required=True)
    if read is None:
        return None
    raw, doc = read
    fields = _Fields(index, doc, SERIES_KEYS, report)
    series = Series(
        slug=slug,
        path=report.rel(index),
        title=fields.string("title", required=True) or slug,
        order=_first_not_none(fields.integer("order", -10_000, 10_000), 0),
        summary=fields.string("summary"),
        intro=doc.body,
        content_hash=_sha256(raw),
        source=raw.decode("utf-8-sig"),
    )
    _series_credit(series, index, doc, report)

    cases: dict[str, Path] = {}
    for path in markdown_files:
        if path.name == "index.md":
            continue
        if match := CASE_FILE.match(path.name):
            cases[f"{match['order']}-{match['slug']}"] = path
        elif not MODULE_FILE.match(path.name):
            report.warning(path, 1, "not a module file name (expected NN-slug.md); ignored")

    slugs: dict[str, str] = {}
    for path in markdown_files:
        match = MODULE_FILE.match(path.name)
        if path.name == "index.md" or not match or CASE_FILE.match(path.name):
            continue
        case_path = cases.pop(f"{match['order']}-{match['slug']}", None)
        module = _load_module(path, match, case_path, series_dir, report)
        if module is None:
            continue
        if module.slug in slugs:
            report.error(
                path, module.slug_line, f"duplicate module slug '{module.slug}' in series "
                f"'{slug}' (also used by {slugs[module.slug]})"
            )
            continue
        slugs[module.slug] = module.path
        series.modules.append(module)
    for path in cases.values():
        report.warning(path, 1, "case guide has no module with the same NN-slug file name")
    series.modules.sort(key=lambda m: (m.order, m.slug))
    return series


def _series_credit(series: Series, index: Path, doc: Document, report: _Reporter) -> None:
    """The credit a provider designates for the series, and the disclosures that must come
    with it (docs/credit.md)."""
    if "credit" in doc.meta:
        series.credit_line = doc.key_lines.get("credit", 1)
        series.credit = _report_found(index, parse_credit(doc.meta, doc.node), report)
    if "disclosures" in doc.meta:
        series.disclosures = _report_found(index, parse_disclosures(doc.meta, doc.node), report)
    elif "credit" in doc.meta:
        report.error(index, series.credit_line, "a series that designates credit must disclose "
                     "its planners' and faculty's financial relationships: add 'disclosures'")


T = TypeVar("T")


def _report_found(path: Path, parsed: tuple[T, Any], report: _Reporter) -> T:
    """What content.credit parsed, its problems reported at ``path``."""
    value, found = parsed
    for line, severity, message in found:
        report.add(path, line, severity, message)  # type: ignore[arg-type]
    return value


def _check_credit_evaluated(content: Content, report: _Reporter) -> None:
    """Claiming needs the programme evaluation, asked when a badge is earned: a credit
    series no badge covers could never be claimed; nor could a credit module that no badge
    covers, by its series or by the module itself."""
    covered = {slug for badge in content.badges for slug in badge.series}
    covered_modules = {key for badge in content.badges for key in badge.modules}
    for series in content.series:
        if series.credit is not None and series.slug not in covered:
            report.error(series.path, series.credit_line,
                         f"series '{series.slug}' designates credit but no badge in badges.yml "
                         "names it in its criteria's series: learners could never give the "
                         "programme evaluation that claiming credit needs")
        for module in series.modules:
            if module.credit is None:
                continue
            if series.disclosures is None:
                _undisclosed(module, report)
            if series.slug not in covered and module.key not in covered_modules:
                report.error(module.path, module.credit_line,
                             f"module '{module.key}' designates credit but no badge in "
                             "badges.yml covers it (its series in the criteria's series, or "
                             "the module in its modules): learners could never give the "
                             "programme evaluation that claiming credit needs")


def parse_module_source(
    root: str | Path, series: str, filename: str, source: str, case_source: str | None = None,
    staged: Path | None = None,
) -> tuple[Module | None, list[Problem]]:
    """Parse a module that isn't (yet) a file: a draft written in the browser.

    ``filename`` is the name it has, or will have, in ``root/series/``; media paths are
    checked against that series' media folder and the draft's ``staged`` uploads.
    Problems are located as for files.
    """
    root = Path(root).resolve()
    report = _Reporter(root)
    path = root / series / filename
    match = MODULE_FILE.match(filename)
    if match is None or CASE_FILE.match(filename):
        report.error(path, 1, "not a module file name (expected NN-slug.md)")
        return None, report.problems
    module = _load_module(path, match, None, root / series, report, raw=source.encode("utf-8"),
                          case_raw=None if case_source is None else case_source.encode("utf-8"),
                          staged=staged)
    if module is not None and module.credit is not None:
        index = _read_document(root / series / "index.md", _Reporter(root),
                               front_matter_required=False)
        if index is None or "disclosures" not in index[1].meta:
            _undisclosed(module, report)
    return module, sorted(set(report.problems))


def _undisclosed(module: Module, report: _Reporter) -> None:
    report.error(module.path, module.credit_line,
                 f"module '{module.key}' designates credit: its series' index.md must "
                 "disclose the planners' and faculty's financial relationships ('disclosures')")


def _load_module(
    path: Path, match: re.Match[str], case_path: Path | None, series_dir: Path, report: _Reporter,
    raw: bytes | None = None, case_raw: bytes | None = None, staged: Path | None = None,
) -> Module | None:
    read = _read_document(path, report, front_matter_required=True, raw=raw)
    if read is None:
        return None
    raw, doc = read
    fields = _Fields(path, doc, MODULE_KEYS, report)

    slug = fields.string("slug") or match["slug"]
    if not SLUG.match(slug):
        report.error(path, fields.line("slug"),
                     f"module slug '{slug}' must be lowercase words joined by - (e.g. pain-basics)")
    module = Module(
        series=series_dir.name,
        slug=slug,
        path=report.rel(path),
        title=fields.string("title", required=True) or slug,
        duration=fields.integer("duration", 1, 240, required=True, unit=" of minutes") or 0,
        summary=fields.string("summary"),
        objectives=fields.strings("objectives"),
        order=_first_not_none(fields.integer("order", -10_000, 10_000), int(match["order"])),
        pass_mark=fields.integer("pass_mark", 1, 100, unit=" percent") or 80,
        required=True if (flag := fields.boolean("required")) is None else flag,
        raw=raw,
        slug_line=fields.line("slug"),
        meta=dict(doc.meta),
    )
    if "credit" in doc.meta:  # the module is an activity of its own (docs/credit.md)
        module.credit_line = fields.line("credit")
        module.credit = _report_found(path, parse_credit(doc.meta, doc.node), report)
    # A field with an error is left out of the module, so nothing (a draft's preview
    # included) can show it: a 'javascript:' video would otherwise become a link.
    video, captions = _video_fields(doc, fields, path, report)
    if video is not None:
        if video.startswith("media/"):
            problem = _media_problem(series_dir, video, staged)
        elif urlparse(video).scheme not in ("http", "https") or not urlparse(video).netloc:
            problem = f"'video' must be an http(s) URL or a media/ path, got {video!r}"
        else:
            problem = None
        if problem:
            report.error(path, fields.line("video"), problem)
        else:
            module.video = video
            module.captions = _checked_captions(series_dir, staged, captions, path,
                                                fields.line("video"), report)
    slides_file = fields.string("slides")
    if slides_file is not None:
        if problem := _media_problem(series_dir, slides_file, staged):
            report.error(path, fields.line("slides"), problem)
        else:
            if not slides_file.lower().endswith(".pdf"):
                report.warning(path, fields.line("slides"), "'slides' is usually a PDF deck")
            module.slides_file = slides_file

    lines = numbered_lines(doc.body, doc.body_line)
    _check_media_links(path, lines, series_dir, report, staged)
    _check_image_alt(path, lines, report)
    sections, section_problems = split_sections(lines)
    for line, message in section_problems:
        report.error(path, line, message)
    for section in sections:
        if section.name == "presentation":
            module.presentation_source = section.lines.joined()
            slides, slide_problems = split_slides(section.lines)
            for line, message in slide_problems:
                report.error(path, line, message)
            module.slides = tuple(slides)
        elif section.name == "quiz" and not module.questions:
            questions, quiz_problems = parse_quiz(section.lines)
            for line, severity, message in quiz_problems:
                report.add(path, line, severity, message)  # type: ignore[arg-type]
            if not questions:
                report.error(path, section.heading_line or 1,
                             "'## Quiz' has no questions: number them 1., 2., ...")
            module.questions = questions
            for flaw in check_questions(questions):
                report.add(path, flaw.line, "warning", flaw.message, flaw.rule)
        elif section.name == "references" and module.references is None:
            module.references = section.lines.joined()
    if not module.slides:
        report.error(path, doc.body_line, "the module has no presentation before '## Quiz'")
    _quiz_policy(module, fields, path, report)

    if case_path is not None or case_raw is not None:
        case_file = case_path or path.with_name(path.name.removesuffix(".md") + ".case.md")
        module.case = _load_case(case_file, series_dir, report, raw=case_raw, staged=staged)
    module.content_hash = content_hash(raw, module.case.raw if module.case else b"")
    return module


def _quiz_policy(module: Module, fields: _Fields, path: Path, report: _Reporter) -> None:
    """How the quiz is taken: defaults by ``required``, the pool size checked against the
    questions, and each question's {see: heading} found among the slides."""
    defaults = QuizPolicy.defaults(module.required)
    per_attempt = fields.integer("questions_per_attempt", 1, 1000)
    pool = len(module.questions)
    if per_attempt is not None and per_attempt > pool:
        report.error(path, fields.line("questions_per_attempt"),
                     f"'questions_per_attempt' is {per_attempt} but the quiz has {pool} "
                     f"question{'' if pool == 1 else 's'}: draw at most {pool}" if pool else
                     "'questions_per_attempt' is set but the module has no quiz")
        per_attempt = None
    module.policy = QuizPolicy(
        questions_per_attempt=per_attempt,
        reveal=fields.word("reveal", REVEAL) or defaults.reveal,
        retake_after_minutes=fields.integer("retake_after_minutes", 0, 525_600,
                                            unit=" of minutes") or 0,
        max_attempts_per_day=fields.integer("max_attempts_per_day", 1, 1000),
        complete_when=fields.word("complete_when", COMPLETE_WHEN) or defaults.complete_when,
    )
    if not any(q.see for q in module.questions):
        return
    headings: dict[str, int] = {}
    for index, slide in enumerate(module.slides):
        for text in slide.text.splitlines():
            if match := _HEADING.match(text.strip()):
                headings.setdefault(" ".join(match["text"].split()).casefold(), index)
    found = []
    for number, question in enumerate(module.questions, start=1):
        slide = None
        if question.see:
            slide = headings.get(" ".join(question.see.split()).casefold())
            if slide is None:
                report.error(path, question.see_line or question.line,
                             f"question {number}: {{see: {question.see}}} names no heading of "
                             f"this module's presentation")
        found.append(replace(question, see_slide=slide))
    module.questions = tuple(found)


def _check_media_links(path: Path, lines: Lines, series_dir: Path, report: _Reporter,
                       staged: Path | None = None) -> None:
    if not any("media/" in text for text in lines.texts):
        return
    for index, text in enumerate(lines.texts):
        if not lines.ordinary[index]:
            continue
        for match in MEDIA_LINK.finditer(text):
            if problem := _media_problem(series_dir, match["path"], staged):
                report.error(path, lines.number(index), problem)


def _check_image_alt(path: Path, lines: Lines, report: _Reporter) -> None:
    """Warn at each image a screen reader could only call "image" (axe's image-alt)."""
    for index, text in enumerate(lines.texts):
        if not lines.ordinary[index] or ("![" not in text and "<" not in text):
            continue
        text = CODE_SPAN.sub("", text)
        if EMPTY_ALT_IMAGE.search(text):
            report.warning(path, lines.number(index), NO_ALT)
            continue
        for match in IMG_TAG.finditer(text):
            tag = match[0]
            if not tag.endswith(">"):  # the tag goes on over the next lines
                rest = lines.texts[index + 1:index + 20]
                tag += " " + " ".join(rest).split(">", 1)[0]
            if not ALT_ATTRIBUTE.search(tag):
                report.warning(path, lines.number(index), NO_ALT)
                break


def _load_case(
    path: Path, series_dir: Path, report: _Reporter, raw: bytes | None = None,
    staged: Path | None = None,
) -> CaseGuide | None:
    read = _read_document(path, report, front_matter_required=False, raw=raw)
    if read is None:
        return None
    raw, doc = read
    fields = _Fields(path, doc, CASE_KEYS, report)
    lines = numbered_lines(doc.body, doc.body_line)
    _check_media_links(path, lines, series_dir, report, staged)
    _check_image_alt(path, lines, report)
    if not doc.body.strip():
        report.error(path, doc.body_line, "the case guide is empty")
    return CaseGuide(
        path=report.rel(path), title=fields.string("title"), body=doc.body, raw=raw
    )


def _load_badges(path: Path, content: Content, report: _Reporter) -> list[BadgeDefinition]:
    loaded = _read(path, report)
    if not loaded:
        return []
    content.badges_source = loaded[1]
    try:
        data, node = parse_yaml(loaded[1])
    except YamlError as exc:
        report.error(path, exc.line, str(exc))
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        report.error(path, 1, "badges.yml must be a list of badges (each item starting with -)")
        return []
    modules = {m.key for m in content.modules}
    series = {s.slug for s in content.series}
    badges: list[BadgeDefinition] = []
    seen: dict[str, int] = {}
    for item, item_node in zip(data, node.value, strict=True):
        item_line = item_node.start_mark.line + 1
        if not isinstance(item, dict):
            report.error(path, item_line, "each badge must be a mapping (slug, name, ...)")
            continue
        badge = _load_badge(path, item, item_node, content.root, series, modules, report)
        if badge is None:
            continue
        if badge.slug in seen:
            report.error(path, item_line,
                         f"duplicate badge slug '{badge.slug}' (first on line {seen[badge.slug]})")
            continue
        seen[badge.slug] = item_line
        badges.append(badge)
    return badges


def _load_badge(
    path: Path,
    item: dict[str, Any],
    node: Any,
    root: Path,
    known_series: set[str],
    known_modules: set[str],
    report: _Reporter,
) -> BadgeDefinition | None:
    lines = mapping_key_lines(node, 1)
    item_line = node.start_mark.line + 1
    doc = Document(meta={str(k): v for k, v in item.items()}, key_lines=lines)
    fields = _Fields(path, doc, BADGE_KEYS, report, missing_line=item_line)
    slug = fields.string("slug", required=True)
    name = fields.string("name", required=True)
    description = fields.string("description", required=True)
    image = fields.string("image", required=True)
    ok = all((slug, name, description, image))
    if slug and not SLUG.match(slug):
        report.error(path, fields.line("slug"), f"badge slug '{slug}' must be lowercase words "
                     "joined by -")
        ok = False

    image_bytes = b""
    if image:
        pure = PurePosixPath(image)
        target = root / pure
        if pure.is_absolute() or ".." in pure.parts:
            report.error(path, fields.line("image"), f"image '{image}' must be a path under "
                         "the content folder")
            ok = False
        elif pure.suffix.lower() not in (".svg", ".png"):
            report.error(path, fields.line("image"), f"image '{image}' must be an SVG or PNG")
            ok = False
        elif not target.is_file():
            report.error(path, fields.line("image"), f"image file '{image}' does not exist")
            ok = False
        else:
            image_bytes = target.read_bytes()
    png_bytes = None
    if image_bytes:
        png = target.with_suffix(".png")
        if pure.suffix.lower() == ".png":
            png_bytes = image_bytes
        elif png.is_file():
            png_bytes = png.read_bytes()
        else:
            report.warning(path, fields.line("image"), f"no PNG beside '{image}': add "
                           f"'{pure.with_suffix('.png')}' for the Open Badges image and the "
                           "baked PNG download")
    valid_for_days = fields.integer("valid_for_days", 1, 36_500, unit=" of days")

    criteria = item.get("criteria")
    criteria_node = next(
        (value for key, value in node.value if getattr(key, "value", None) == "criteria"), None
    )
    narrative, series_list, module_list = None, (), ()
    if not isinstance(criteria, dict):
        report.error(path, fields.line("criteria") if "criteria" in item else item_line,
                     "badge needs 'criteria' with a narrative and the series and/or modules "
                     "that earn it")
        ok = False
    else:
        crit = _Fields(
            path,
            Document(meta={str(k): v for k, v in criteria.items()},
                     key_lines=mapping_key_lines(criteria_node, 1)),
            CRITERIA_KEYS,
            report,
            missing_line=fields.line("criteria"),
        )
        narrative = crit.string("narrative", required=True)
        series_list = crit.strings("series")
        module_list = crit.strings("modules")
        for name_ in series_list:
            if name_ not in known_series:
                report.error(path, crit.line("series"), f"badge criteria name series '{name_}', "
                             "which does not exist")
                ok = False
        for key in module_list:
            if key not in known_modules:
                report.error(path, crit.line("modules"), f"badge criteria name module '{key}', "
                             "which does not exist (write it as series/slug)")
                ok = False
        if not series_list and not module_list:
            report.error(path, fields.line("criteria"),
                         "badge criteria name no series and no modules: nothing could earn it")
            ok = False
        ok = ok and narrative is not None
    if not ok:
        return None
    entry = json.dumps(_plain(item), sort_keys=True, default=str).encode()
    return BadgeDefinition(
        slug=slug, name=name, description=description, image=image,  # type: ignore[arg-type]
        image_bytes=image_bytes, narrative=narrative,  # type: ignore[arg-type]
        series=series_list, modules=module_list,
        content_hash=_sha256(entry, image_bytes, png_bytes or b""),
        png_bytes=png_bytes, valid_for_days=valid_for_days,
    )
