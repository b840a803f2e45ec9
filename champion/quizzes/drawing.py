"""Drawing an attempt: which questions a learner gets, in what order, and each question's
choices in what order. Pure functions over the stored quiz; the caller brings the
randomness (the system's in production, a seeded one in tests).

The order shown is never the order written: authors tend to put the key in the same
places, and a learner who has seen one attempt should not recognise the next by position.
A choice marked ``{last}`` ("None of these") keeps its place at the end.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Draw:
    questions: tuple[int, ...]  # indexes into the quiz's questions, in the order shown
    choice_orders: tuple[tuple[int, ...], ...]  # each drawn question's choices as shown

    @classmethod
    def everything(cls, quiz: Mapping[str, Any]) -> Draw:
        """Every question and choice as written: what attempts made before drawing saw."""
        return cls(tuple(range(len(quiz["questions"]))),
                   tuple(tuple(range(len(q["choices"]))) for q in quiz["questions"]))

    @classmethod
    def stored(cls, questions: list[int] | None, choice_orders: list[list[int]] | None,
               quiz: Mapping[str, Any]) -> Draw:
        """The draw kept in ``questions`` and ``choice_orders`` columns (a QuizDraw's, an
        Attempt's); every question as written where an attempt predates drawing."""
        if questions is None or choice_orders is None:
            return cls.everything(quiz)
        return cls(tuple(questions), tuple(tuple(order) for order in choice_orders))

    def columns(self) -> dict[str, list]:
        """This draw as the ``questions`` and ``choice_orders`` columns store it (JSON)."""
        return {"questions": list(self.questions),
                "choice_orders": [list(order) for order in self.choice_orders]}


def draw(quiz: Mapping[str, Any], count: int, rng: random.Random,
         seen: Mapping[int, int] | None = None) -> Draw:
    """Draw ``count`` of the quiz's questions, preferring those seen least often (``seen``:
    question index -> times drawn for this learner before), in a random order, each with
    its choices shuffled and the pinned ones last."""
    seen = seen or {}
    indexes = list(range(len(quiz["questions"])))
    rng.shuffle(indexes)  # a random order among questions seen equally often
    chosen = sorted(indexes, key=lambda q: seen.get(q, 0))[:count]
    rng.shuffle(chosen)
    return Draw(tuple(chosen), tuple(shuffled_choices(quiz["questions"][q]["choices"], rng)
                                     for q in chosen))


def shuffled_choices(choices: list[Mapping[str, Any]], rng: random.Random) -> tuple[int, ...]:
    free = [i for i, choice in enumerate(choices) if not choice.get("pinned")]
    pinned = [i for i, choice in enumerate(choices) if choice.get("pinned")]
    rng.shuffle(free)
    return tuple(free + pinned)


def as_shown(quiz: Mapping[str, Any], drawn: Draw) -> dict[str, Any]:
    """The quiz as this draw shows it: its questions, and their choices, in order."""
    return {"questions": [
        {**quiz["questions"][q], "choices": [quiz["questions"][q]["choices"][c] for c in order]}
        for q, order in zip(drawn.questions, drawn.choice_orders, strict=True)
    ]}


def as_written(drawn: Draw, shown: Mapping[int, Iterable[int]]) -> dict[int, set[int]]:
    """Answers given by position on screen (question shown -> choices shown, 0-based) as
    indexes into the quiz as written."""
    return {drawn.questions[q]: {drawn.choice_orders[q][c] for c in choices}
            for q, choices in shown.items()}
