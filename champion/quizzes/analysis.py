"""Item analysis of a quiz: the statistics Moodle's quiz statistics report offers.

A pure module: it takes a stored quiz version and the attempts the caller chose to
analyse (for instance each learner's first attempt) and returns plain dataclasses.

When a quiz draws some of its questions for each attempt (``questions_per_attempt``),
each question is analysed over the attempts that drew it: its facility, groups,
correlation and choice counts say nothing of attempts that never saw it.

Per question it computes
- the facility index: the proportion of attempts answering it correctly;
- the discrimination index D by the upper-vs-lower 27% method: attempts are sorted by
  score (ties keep their input order), the top and bottom 27% (at least one attempt
  each) form the upper and lower groups, and D = p(upper correct) - p(lower correct);
- the corrected item-total point-biserial correlation: Pearson's r between answering
  this question correctly (0/1) and the number of *other* questions answered correctly,
  so the question does not correlate with itself;
- how often each choice was picked and how often the question was left unanswered;
- warning flags for the author.

Thresholds are compared exactly (with fractions), so a D of exactly 0.2 is never
flagged as weak through floating-point noise.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from html.parser import HTMLParser

from champion import spreadsheet
from champion.quizzes.grading import answer_key

#: Share of attempts in each of the upper and lower groups (Kelley's 27%).
GROUP_SHARE = Fraction(27, 100)
#: Below this many attempts no question is flagged (the page says so): one learner's
#: answer makes a question "too easy" or "too hard" by chance alone.
MIN_ATTEMPTS_FOR_DISCRIMINATION = 5
MIN_ATTEMPTS_FOR_FLAGS = MIN_ATTEMPTS_FOR_DISCRIMINATION
#: Below this many attempts a low but non-negative D is not flagged as weak.
MIN_ATTEMPTS_FOR_WEAK_FLAG = 10
TOO_EASY_ABOVE = Fraction(9, 10)
TOO_HARD_BELOW = Fraction(3, 10)
WEAK_DISCRIMINATION_BELOW = Fraction(1, 5)

FLAG_TOO_EASY = "too easy"
FLAG_TOO_HARD = "too hard"
FLAG_NEGATIVE = "negative discrimination: check the answer key"
FLAG_WEAK = "weak discrimination"
FLAG_TOO_FEW = f"not judged yet: fewer than {MIN_ATTEMPTS_FOR_FLAGS} learners answered it"

#: Labels of the ten score bands of ``QuizAnalysis.score_distribution``.
SCORE_BANDS = (*(f"{low}-{low + 9}" for low in range(0, 90, 10)), "90-100")

EXCERPT_LENGTH = 120


@dataclass(frozen=True)
class AnswerData:
    """One question of one attempt: the chosen choice indexes and the graded outcome."""

    selected: tuple[int, ...]
    correct: bool


@dataclass(frozen=True)
class AttemptData:
    """One attempt: its score (0-100) and its answers, in question order; None for a
    question the attempt did not draw."""

    score: int
    answers: tuple[AnswerData | None, ...]


@dataclass(frozen=True)
class ChoiceStats:
    index: int  # 0-based position in the question
    correct: bool  # part of the answer key
    picked: int  # attempts that selected this choice
    proportion: float | None  # picked / attempts; None without attempts


@dataclass(frozen=True)
class QuestionStats:
    index: int  # 0-based position in the quiz
    drawn: int  # attempts that drew it: what the figures below are out of
    correct_count: int
    facility: float | None  # proportion correct, 0-1; None without attempts
    discrimination: float | None  # upper-minus-lower 27% D; None below 2 attempts
    point_biserial: float | None  # corrected item-total r; None when undefined
    unanswered: int  # attempts that selected no choice
    choices: list[ChoiceStats]
    flags: list[str]

    @property
    def number(self) -> int:
        """The 1-based question number shown to people."""
        return self.index + 1


@dataclass(frozen=True)
class QuizAnalysis:
    attempt_count: int
    pass_mark: int
    pass_count: int
    pass_rate: float | None  # None without attempts
    mean_score: float | None
    median_score: float | None
    score_distribution: list[int]  # ten bands, see SCORE_BANDS; 100 is in the last
    group_size: int  # attempts in each of the upper and lower groups; 0 below 2 attempts
    questions: list[QuestionStats]


def analyse(quiz: Mapping, attempts: Sequence[AttemptData], pass_mark: int) -> QuizAnalysis:
    """Item analysis of ``attempts`` at the stored ``quiz`` version.

    Every attempt must have one answer per question of ``quiz`` and choice indexes that
    exist in their question, and a score between 0 and 100: attempts at another version
    of the quiz would otherwise be silently mixed in, so a mismatch raises ValueError.
    An attempt passes when the quiz has questions and its score reaches ``pass_mark``.
    """
    key = answer_key(quiz)
    choice_counts = [len(q["choices"]) for q in quiz["questions"]]
    for number, attempt in enumerate(attempts, start=1):
        _check_attempt(number, attempt, choice_counts)

    n = len(attempts)
    scores = [a.score for a in attempts]
    distribution = [0] * len(SCORE_BANDS)
    for score in scores:
        distribution[min(score // 10, len(SCORE_BANDS) - 1)] += 1
    pass_count = sum(1 for s in scores if key and s >= pass_mark)

    # The correct answers of each attempt (over the questions it drew).
    totals = [sum(answer.correct for answer in a.answers if answer) for a in attempts]
    questions = [_question_stats(q, correct_choices, choice_counts[q], attempts, totals)
                 for q, correct_choices in enumerate(key)]
    return QuizAnalysis(
        attempt_count=n,
        pass_mark=pass_mark,
        pass_count=pass_count,
        pass_rate=pass_count / n if n else None,
        mean_score=statistics.fmean(scores) if n else None,
        median_score=float(statistics.median(scores)) if n else None,
        score_distribution=distribution,
        group_size=_group_size(n),
        questions=questions,
    )


def _question_stats(q: int, correct_choices: frozenset[int], choice_count: int,
                    attempts: Sequence[AttemptData], totals: list[int]) -> QuestionStats:
    """Question ``q`` over the attempts that drew it."""
    drew = [i for i, a in enumerate(attempts) if a.answers[q] is not None]
    n = len(drew)
    item = [int(attempts[i].answers[q].correct) for i in drew]
    correct_count = sum(item)
    facility = Fraction(correct_count, n) if n else None
    group_size = _group_size(n)
    discrimination = None
    if group_size:
        # Ranked by score; ties keep their input order.
        ranked = sorted(range(n), key=lambda k: (attempts[drew[k]].score, drew[k]))
        lower, upper = ranked[:group_size], ranked[n - group_size:]
        discrimination = Fraction(
            sum(item[k] for k in upper) - sum(item[k] for k in lower), group_size)
    rest = [totals[i] - x for i, x in zip(drew, item, strict=True)]
    point_biserial = _pearson(item, rest)

    picked = [0] * choice_count
    unanswered = 0
    for i in drew:
        selected = set(attempts[i].answers[q].selected)
        if not selected:
            unanswered += 1
        for c in selected:
            picked[c] += 1
    choices = [
        ChoiceStats(index=c, correct=c in correct_choices, picked=count,
                    proportion=count / n if n else None)
        for c, count in enumerate(picked)
    ]
    return QuestionStats(
        index=q,
        drawn=n,
        correct_count=correct_count,
        facility=_float(facility),
        discrimination=_float(discrimination),
        point_biserial=point_biserial,
        unanswered=unanswered,
        choices=choices,
        flags=_flags(n, facility, discrimination, point_biserial),
    )


def _check_attempt(number: int, attempt: AttemptData, choice_counts: list[int]) -> None:
    if not 0 <= attempt.score <= 100:
        raise ValueError(f"attempt {number}: score {attempt.score} is outside 0-100")
    if len(attempt.answers) != len(choice_counts):
        raise ValueError(
            f"attempt {number}: {len(attempt.answers)} answers for "
            f"{len(choice_counts)} questions (another version of the quiz?)"
        )
    for q, (answer, count) in enumerate(zip(attempt.answers, choice_counts, strict=True)):
        if answer is not None and any(not 0 <= c < count for c in answer.selected):
            raise ValueError(
                f"attempt {number}, question {q + 1}: choice out of range in {answer.selected}"
            )


def _group_size(n: int) -> int:
    """27% of ``n`` rounded half up, at least 1; 0 when there are fewer than 2 attempts.

    With a single attempt the upper and lower groups would be the same attempt, so D
    would say nothing; for n >= 2 the 27% groups never overlap.
    """
    if n < 2:
        return 0
    return max(1, math.floor(GROUP_SHARE * n + Fraction(1, 2)))


def _pearson(xs: list[int], ys: list[int]) -> float | None:
    """Pearson's r of two integer series; None when either has no variance.

    Sums are kept in integers so a zero variance is detected exactly.
    """
    n = len(xs)
    if n < 2:
        return None
    sx, sy = sum(xs), sum(ys)
    sxx = n * sum(x * x for x in xs) - sx * sx
    syy = n * sum(y * y for y in ys) - sy * sy
    if sxx == 0 or syy == 0:
        return None
    sxy = n * sum(x * y for x, y in zip(xs, ys, strict=True)) - sx * sy
    r = sxy / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def _flags(
    n: int,
    facility: Fraction | None,
    discrimination: Fraction | None,
    point_biserial: float | None,
) -> list[str]:
    if n < MIN_ATTEMPTS_FOR_FLAGS:
        return [FLAG_TOO_FEW]
    flags = []
    if facility is not None:
        if facility > TOO_EASY_ABOVE:
            flags.append(FLAG_TOO_EASY)
        elif facility < TOO_HARD_BELOW:
            flags.append(FLAG_TOO_HARD)
    assert discrimination is not None  # n >= 2 here
    if discrimination < 0 or (point_biserial is not None and point_biserial < 0):
        flags.append(FLAG_NEGATIVE)
    elif n >= MIN_ATTEMPTS_FOR_WEAK_FLAG and discrimination < WEAK_DISCRIMINATION_BELOW:
        flags.append(FLAG_WEAK)
    return flags


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


# --- CSV export -----------------------------------------------------------------------

CSV_HEADER = (
    "question",
    "choice",
    "text",
    "correct",
    "times picked",
    "proportion",
    "facility",
    "discrimination",
    "point-biserial",
    "flags",
)


def to_csv(analysis: QuizAnalysis, quiz: Mapping) -> str:
    """A spreadsheet of ``analysis``: one row per question, then one per choice.

    A question row has the question number, a plain-text excerpt of the prompt, the
    facility, discrimination, point-biserial and the flags joined with "; ". Each choice
    row repeats the question number (so the sheet can be filtered) and has the choice
    number, its plain text, whether it is correct, the times picked and the proportion.
    Numbers are written with three decimals, undefined ones as empty cells. Cells go
    through champion.spreadsheet, so a spreadsheet never runs one as a formula.
    """
    return spreadsheet.to_csv(_csv_rows(analysis, quiz))


def _csv_rows(analysis: QuizAnalysis, quiz: Mapping):
    yield CSV_HEADER
    for stats, question in zip(analysis.questions, quiz["questions"], strict=True):
        yield [
            stats.number,
            "",
            excerpt(question["prompt"]),
            "",
            "",
            "",
            _number(stats.facility),
            _number(stats.discrimination),
            _number(stats.point_biserial),
            "; ".join(stats.flags),
        ]
        for choice, source in zip(stats.choices, question["choices"], strict=True):
            yield [
                stats.number,
                choice.index + 1,
                plain_text(source["html"]),
                "yes" if choice.correct else "no",
                choice.picked,
                _number(choice.proportion),
                "",
                "",
                "",
                "",
            ]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"



_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "img", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
})
_SKIPPED_TAGS = frozenset({"script", "style", "template"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def plain_text(html: str | None) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed."""
    if not html:
        return ""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def excerpt(html: str | None, limit: int = EXCERPT_LENGTH) -> str:
    """``plain_text`` cut to at most ``limit`` characters, an ellipsis marking a cut."""
    text = plain_text(html)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
