"""Item-writing checks: flaws that cue a test-wise learner or trip up a careful one.

The rules follow the NBME item-writing guide (*Constructing Written Test Questions for the
Health Sciences*, chapter 3, "Technical item flaws"). Each is a plain function over one
parsed question, so the loader (``champion modules check``, sync and the browser editors)
reports them as warnings at the question's or the choice's line, and the unit tests call
them directly. Thresholds were tuned on the curriculum in ``modules/`` so that a warning
is almost always right; ``docs/authoring.md`` has the counts and a before/after per rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import snowballstemmer
from stop_words import get_stop_words

from champion.content.model import Choice, Question


@dataclass(frozen=True)
class ItemFlaw:
    """One item-writing warning: where, which rule, and what to do about it."""

    line: int
    rule: str  # its name in RULES
    message: str


# --- length cueing: the key is the longest choice by a clear margin ---------------------
# Both bounds must hold: 30% longer than the longest distractor, and 12 characters more
# (so "Constipation" against "Sedation", or "6-12 mg" against "30 mg", is not a cue).
LENGTH_RATIO = 1.3
LENGTH_MARGIN = 12

# --- "all of the above", "none of these" ----------------------------------------------
_COLLECTIVE = re.compile(
    r"\b(?:(?:all|none|both|neither)\s+of\s+the\s+above|(?:all|none)\s+of\s+these)\b", re.I
)

# --- absolute words only in distractors ------------------------------------------------
# "almost never", "nearly all", "half of all", "not only" are hedged or quantified, not
# absolute; "every" was left out (on the curriculum: "every six months", "every patient is
# different" say nothing absolute).
_ABSOLUTE = re.compile(r"\b(always|never|all|none|nothing|only|must)\b")  # on lowercase
_HEDGES = ("almost ", "nearly ", "virtually ", "of ", "not ")

# --- negative lead-in not emphasised ---------------------------------------------------
_NEGATIVE = re.compile(r"(?<!at )\b(not|except|least|never|incorrect|false|inappropriate|"
                       r"untrue)\b", re.I)
_ALWAYS_NEGATIVE = {"except", "least"}  # negative wherever they stand in the lead-in
_SELECTING = re.compile(r"\b(which|what)\b", re.I)  # "not" in "Which ... is NOT ...?"
_FENCED_CODE = re.compile(r"^ *(```|~~~).*?^ *\1", re.S | re.M)
_INLINE_CODE = re.compile(r"(`+).+?\1", re.S)
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__", re.S)
_SENTENCE = re.compile(
    r"\S.*?(?:[.?!]+[)\]\"”’*_]*(?=\s+[\"“(*_]*[A-Z0-9]|\s*\Z)|\Z)", re.S
)

# --- few choices ----------------------------------------------------------------------
MIN_SINGLE_ANSWER_CHOICES = 3

# --- word cueing: a distinctive word of the lead-in repeated only in the key ------------
MIN_CUE_WORD = 5  # letters; shorter words ("care", "pain") were never real cues
# Words that frame a question rather than carry its content ("Which *statement* is most
# *accurate*?"); stop words (stop-words' English list) are never distinctive either.
_FRAME_WORDS = frozenset({
    "step", "plan", "response", "respond", "statement", "answer", "approach", "option",
    "finding", "study", "guideline", "evidence", "reply", "accurate", "correct", "select",
    "apply", "true", "explain", "recommend", "situation", "factor", "choice", "following",
    "patient",
})
_MARKS = re.compile(r"[*_`]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


Found = tuple[int, str]  # (line, message)


def check_questions(questions: Sequence[Question]) -> list[ItemFlaw]:
    """Every item-writing flaw in a quiz, in question order."""
    return [ItemFlaw(line, name, message)
            for number, question in enumerate(questions, start=1)
            for name, rule in RULES.items() for line, message in rule(number, question)]


def _excerpt(text: str, width: int = 40) -> str:
    plain = _plain(text)
    return plain if len(plain) <= width else plain[: width - 1].rstrip() + "…"


@lru_cache(maxsize=4096)  # every rule reads the same choices
def _plain(text: str) -> str:
    """Markdown text as a learner reads it: emphasis marks dropped, spaces collapsed."""
    return " ".join(_MARKS.sub("", text).split())


def _name(number: int, index: int, choice: Choice) -> str:
    return f'question {number}, choice {index + 1} ("{_excerpt(choice.text)}")'


def _keys(question: Question) -> list[tuple[int, Choice]]:
    return [(i, c) for i, c in enumerate(question.choices) if c.correct]


def _distractors(question: Question) -> list[tuple[int, Choice]]:
    return [(i, c) for i, c in enumerate(question.choices) if not c.correct]


def _single_answer(question: Question) -> bool:
    return len(question.correct_indexes) == 1 and len(question.choices) > 1


def length_cue(number: int, question: Question) -> Iterator[Found]:
    """The single keyed choice is much longer than every distractor."""
    if not _single_answer(question):
        return
    (index, key), = _keys(question)
    key_length = len(_plain(key.text))
    longest = max(len(_plain(c.text)) for _, c in _distractors(question))
    if key_length >= LENGTH_RATIO * longest and key_length - longest >= LENGTH_MARGIN:
        yield (
            key.line,
            f"{_name(number, index, key)}: the correct choice is much the longest "
            f"({key_length} characters; the longest distractor has {longest}), so a "
            "test-wise learner picks it without knowing the answer: make the choices alike "
            "in length and detail",
        )


def collective_choice(number: int, question: Question) -> Iterator[Found]:
    """'All of the above' / 'None of the above' as a choice."""
    for index, choice in enumerate(question.choices):
        if match := _collective(choice.text):
            yield (
                choice.line,
                f"{_name(number, index, choice)}: '{match[0]}' lets a learner answer from "
                "two choices they recognise (or rule out), not from knowing the best one: "
                "replace it with a specific choice",
            )


@lru_cache(maxsize=4096)
def _absolute_words(text: str) -> frozenset[str]:
    lower = _plain(text).lower()
    return frozenset(m[1] for m in _ABSOLUTE.finditer(lower)
                     if not lower[: m.start()].endswith(_HEDGES))


def _collective(text: str) -> re.Match[str] | None:
    return _COLLECTIVE.search(text) if " of " in text else None  # " of ": most choices skip


def absolute_terms(number: int, question: Question) -> Iterator[Found]:
    """Absolute words ('always', 'never', 'only', 'must') in distractors, none in the keys."""
    if any(_absolute_words(c.text) for _, c in _keys(question)):
        return
    for index, choice in _distractors(question):
        if _collective(choice.text):
            continue  # reported as all/none of the above
        if words := sorted(_absolute_words(choice.text)):
            listed = ", ".join(f"'{w}'" for w in words)
            yield (
                choice.line,
                f"{_name(number, index, choice)}: {listed} appears only in distractors; "
                "test-wise learners rule out absolute choices: qualify it, or use absolute "
                "words in the correct choice as well",
            )


@lru_cache(maxsize=1024)
def lead_in(prompt: str) -> str:
    """The question the prompt asks: its last sentence ending in '?', else its last one
    (code, which is quoted material, left out)."""
    prose = _INLINE_CODE.sub(" ", _FENCED_CODE.sub(" ", prompt))
    sentences = [s.strip() for s in _SENTENCE.findall(" ".join(prose.split()))]
    asking = [s for s in sentences if s.rstrip(")]\"”’*_").endswith("?")]
    return (asking or sentences or [""])[-1]


def _emphasised(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    if word.isupper() and len(word) > 1:
        return True
    return any(m.start() <= start and end <= m.end() for m in _BOLD.finditer(text))


def negative_stem(number: int, question: Question) -> Iterator[Found]:
    """A negative lead-in ('Which is NOT...', '...EXCEPT') whose negative word is neither
    bold nor in capitals."""
    question_text = _QUOTED.sub(lambda m: " " * len(m[0]), lead_in(question.prompt))
    selecting = bool(_SELECTING.search(question_text))
    for match in _NEGATIVE.finditer(question_text):
        word = match[1]
        if word.lower() not in _ALWAYS_NEGATIVE and not selecting:
            continue
        if _emphasised(question_text, match.start(1), match.end(1)):
            continue
        yield (
            question.line,
            f"question {number}: the lead-in is negative ('{word}') but the word is not "
            f"emphasised, so a careful learner can miss it: write it as **{word.upper()}** "
            "(or rephrase the question positively)",
        )
        return


def few_choices(number: int, question: Question) -> Iterator[Found]:
    """A single-answer question with fewer than three choices: a coin-toss item."""
    if _single_answer(question) and len(question.choices) < MIN_SINGLE_ANSWER_CHOICES:
        yield (
            question.line,
            f"question {number}: only {len(question.choices)} choices, so guessing scores "
            f"{100 // len(question.choices)}%: add plausible distractors (three to five "
            "choices in all)",
        )


def duplicate_choices(number: int, question: Question) -> Iterator[Found]:
    """The same choice twice (compared as a learner reads them: case, spacing, emphasis
    and final punctuation ignored)."""
    seen: dict[str, int] = {}
    for index, choice in enumerate(question.choices):
        label = _plain(choice.text).lower().rstrip(".;,")
        if not label:
            continue  # an empty choice is the parser's error
        if label in seen:
            yield (
                choice.line,
                f"{_name(number, index, choice)}: the same choice appears twice (first as "
                f"choice {seen[label] + 1}): remove one",
            )
        else:
            seen[label] = index


def select_all(number: int, question: Question) -> Iterator[Found]:
    """A select-all-that-apply question: allowed, but a single best answer measures better."""
    if question.multiple:
        yield (
            question.line,
            f"question {number} is select-all-that-apply ({len(question.correct_indexes)} "
            "correct choices): prefer a single best answer, which is scored more reliably "
            "and cannot be half-known into a right answer",
        )


def no_explanation(number: int, question: Question) -> Iterator[Found]:
    """No '>' explanation after the choices: a learner who got it wrong learns nothing."""
    if not (question.explanation or "").strip():
        yield (
            question.line,
            f"question {number} has no explanation: add a '>' blockquote after the choices "
            "saying why the answer is right",
        )


@cache
def _stop_stems() -> frozenset[str]:
    words = {w.lower().replace("’", "'") for w in get_stop_words("en")}
    return frozenset(words | {_stem(w) for w in _FRAME_WORDS})


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=16_384)
def _stem(word: str) -> str:
    # The stemmer is pure Python and the same words recur across a curriculum's quizzes.
    return _STEMMER.stemWord(word)


def _content_words(text: str) -> dict[str, str]:
    """Distinctive words of ``text`` by stem: no stop words, no question-frame words, at
    least ``MIN_CUE_WORD`` letters."""
    stop = _stop_stems()
    words: dict[str, str] = {}
    for word in _WORD.findall(_plain(text)):
        lower = word.lower().replace("’", "'")
        if len(lower) < MIN_CUE_WORD or lower in stop:
            continue
        stem = _stem(lower)
        if stem not in stop:
            words.setdefault(stem, word)
    return words


def word_cue(number: int, question: Question) -> Iterator[Found]:
    """The key repeats a distinctive word of the lead-in that no distractor repeats."""
    if not _single_answer(question):
        return
    asked = _content_words(lead_in(question.prompt))
    (index, key), = _keys(question)
    shared = [stem for stem in _content_words(key.text) if stem in asked] if asked else []
    if not shared:
        return  # the usual case: the distractors need not be read at all
    in_distractors = {stem for _, c in _distractors(question) for stem in _content_words(c.text)}
    repeated = [asked[stem] for stem in shared if stem not in in_distractors]
    if repeated:
        listed = ", ".join(f"'{w}'" for w in repeated)
        yield (
            key.line,
            f"{_name(number, index, key)}: repeats {listed} from the question and no "
            "distractor does, which points to the answer: reword the key, or use the word "
            "in distractors too",
        )


# The rules by the name each warning ends with, in the order they are documented.
RULES: dict[str, Callable[[int, Question], Iterator[Found]]] = {
    "length-cue": length_cue,
    "all-none-of-the-above": collective_choice,
    "absolute-terms": absolute_terms,
    "negative-stem": negative_stem,
    "few-choices": few_choices,
    "duplicate-choice": duplicate_choices,
    "select-all": select_all,
    "no-explanation": no_explanation,
    "word-cue": word_cue,
}
