"""Grading is a pure function: all-or-nothing per question, score rounded down."""

from champion.quizzes.grading import answer_key, grade_attempt

KEY = (frozenset({1}), frozenset({0, 2}), frozenset({3}))


def test_all_correct_scores_100_and_passes():
    result = grade_attempt(KEY, {0: [1], 1: [2, 0], 2: [3]}, pass_mark=80)
    assert result.score == 100 and result.passed and result.correct_count == 3


def test_select_all_needs_exactly_the_correct_set():
    subset = grade_attempt(KEY, {1: [0]}, pass_mark=80).questions[1]
    superset = grade_attempt(KEY, {1: [0, 1, 2]}, pass_mark=80).questions[1]
    exact = grade_attempt(KEY, {1: [0, 2]}, pass_mark=80).questions[1]
    assert not subset.correct and not superset.correct and exact.correct


def test_unanswered_questions_count_as_wrong():
    result = grade_attempt(KEY, {}, pass_mark=1)
    assert result.score == 0 and not result.passed


def test_score_rounds_down_so_a_shown_pass_is_a_real_pass():
    result = grade_attempt(KEY, {0: [1], 1: [0, 2]}, pass_mark=67)
    assert result.score == 66  # 2 of 3 is 66.67%: rounding up would show a pass
    assert not result.passed
    assert grade_attempt(KEY, {0: [1], 1: [0, 2]}, pass_mark=66).passed


def test_pass_mark_boundary_is_inclusive():
    key = tuple(frozenset({0}) for _ in range(5))
    four_of_five = {i: [0] for i in range(4)}
    assert grade_attempt(key, four_of_five, pass_mark=80).passed
    assert not grade_attempt(key, four_of_five, pass_mark=81).passed


def test_answer_key_from_stored_quiz():
    quiz = {"questions": [
        {"choices": [{"correct": False}, {"correct": True}]},
        {"choices": [{"correct": True}, {"correct": True}, {"correct": False}]},
    ]}
    assert answer_key(quiz) == (frozenset({1}), frozenset({0, 1}))


def test_an_empty_quiz_never_passes():
    assert not grade_attempt((), {}, pass_mark=1).passed
