"""Grading a quiz: a pure function over the answer key and the learner's choices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionResult:
    index: int  # the question's place in the quiz as written
    selected: frozenset[int]
    correct_choices: frozenset[int]

    @property
    def correct(self) -> bool:
        # All or nothing: a select-all question is right only when the sets are equal.
        return self.selected == self.correct_choices


@dataclass(frozen=True)
class QuizResult:
    questions: tuple[QuestionResult, ...]
    pass_mark: int

    @property
    def correct_count(self) -> int:
        return sum(q.correct for q in self.questions)

    @property
    def score(self) -> int:
        """Percentage of the questions graded (the ones drawn) answered correctly, rounded
        down.

        Rounding down keeps ``score >= pass_mark`` equivalent to the exact comparison,
        so a learner never sees a score that looks like a pass on a failed attempt.
        """
        if not self.questions:
            return 0
        return 100 * self.correct_count // len(self.questions)

    @property
    def passed(self) -> bool:
        return bool(self.questions) and self.score >= self.pass_mark


def answer_key(quiz: Mapping) -> tuple[frozenset[int], ...]:
    """The correct choice indexes of each question of a stored quiz."""
    return tuple(
        frozenset(i for i, choice in enumerate(q["choices"]) if choice["correct"])
        for q in quiz["questions"]
    )


def grade_attempt(
    key: Sequence[frozenset[int]],
    selections: Mapping[int, Iterable[int]],
    pass_mark: int,
    questions: Sequence[int] | None = None,
) -> QuizResult:
    """Grade ``selections`` (question index -> chosen choice indexes) against ``key``,
    over ``questions`` (the ones drawn, in the order shown; every question by default).

    A question with no selection counts as wrong; choice indexes outside the question
    are the caller's to refuse before grading (they can never make an answer right).
    """
    graded = range(len(key)) if questions is None else questions
    return QuizResult(
        questions=tuple(
            QuestionResult(
                index=index,
                selected=frozenset(selections.get(index, ())),
                correct_choices=key[index],
            )
            for index in graded
        ),
        pass_mark=pass_mark,
    )
