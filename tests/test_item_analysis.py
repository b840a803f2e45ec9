"""Item analysis is a pure function of a quiz version and the attempts fed to it."""

from __future__ import annotations

import csv
import io
import math

import pytest

from champion.quizzes.analysis import (
    CSV_HEADER,
    FLAG_NEGATIVE,
    FLAG_TOO_EASY,
    FLAG_TOO_FEW,
    FLAG_TOO_HARD,
    FLAG_WEAK,
    SCORE_BANDS,
    AnswerData,
    AttemptData,
    analyse,
    excerpt,
    plain_text,
    to_csv,
)
from champion.quizzes.grading import answer_key, grade_attempt


def make_quiz(*keys: set[int], choices: int = 3) -> dict:
    """A quiz with one question per key (the set of correct choice indexes)."""
    return {
        "questions": [
            {
                "prompt": f"<p>Question {q + 1}</p>",
                "explanation": None,
                "choices": [
                    {"html": f"Choice {c + 1}", "correct": c in key, "feedback": None}
                    for c in range(choices)
                ],
            }
            for q, key in enumerate(keys)
        ]
    }


def attempt(quiz: dict, selections: dict[int, list[int]], pass_mark: int = 75) -> AttemptData:
    """Grade ``selections`` with the real grader, as a recorded attempt would be."""
    result = grade_attempt(answer_key(quiz), selections, pass_mark)
    return AttemptData(
        score=result.score,
        answers=tuple(
            AnswerData(selected=tuple(sorted(q.selected)), correct=q.correct)
            for q in result.questions
        ),
    )


def pattern(quiz: dict, rights: str) -> AttemptData:
    """An attempt answering question i right when rights[i] == "1", else a wrong choice."""
    key = answer_key(quiz)
    selections = {}
    for q, right in enumerate(rights):
        wrong = min(set(range(len(quiz["questions"][q]["choices"]))) - key[q])
        selections[q] = sorted(key[q]) if right == "1" else [wrong]
    return attempt(quiz, selections)


# --- A hand-computed example -----------------------------------------------------------

HAND_QUIZ = make_quiz({0}, {1}, {0, 2}, {2})
# Selections per attempt (question -> choices) and what the grader makes of them:
HAND_SELECTIONS = [
    {0: [0], 1: [0], 2: [0, 2], 3: []},  # A0  1 0 1 0  score 50
    {0: [0], 1: [1], 2: [2, 0], 3: [2]},  # A1  1 1 1 1  score 100
    {0: [1], 1: [2], 2: [0], 3: []},  # A2  0 0 0 0  score 0 (Q3 [0] is only part of the set)
    {0: [0], 1: [1], 2: [0, 2], 3: [0]},  # A3  1 1 1 0  score 75
    {0: [0], 1: [0], 2: [1], 3: [1]},  # A4  1 0 0 0  score 25
    {0: [0], 1: [1], 2: [0, 1, 2], 3: [2]},  # A5  1 1 0 1  score 75 (Q3 superset is wrong)
    {0: [2], 1: [1], 2: [], 3: [0]},  # A6  0 1 0 0  score 25
    {0: [0], 1: [1], 2: [0, 2], 3: [2]},  # A7  1 1 1 1  score 100
    {0: [1], 1: [], 2: [0, 2], 3: []},  # A8  0 0 1 0  score 25
    {0: [0], 1: [1], 2: [2], 3: [1]},  # A9  1 1 0 0  score 50
]


@pytest.fixture
def hand():
    attempts = [attempt(HAND_QUIZ, s) for s in HAND_SELECTIONS]
    assert [a.score for a in attempts] == [50, 100, 0, 75, 25, 75, 25, 100, 25, 50]
    return analyse(HAND_QUIZ, attempts, pass_mark=75)


def test_hand_computed_summary(hand):
    # Scores sorted: 0 25 25 25 50 50 75 75 100 100.
    assert hand.attempt_count == 10
    assert hand.pass_mark == 75
    assert hand.pass_count == 4  # A1 A3 A5 A7 reach 75
    assert hand.pass_rate == pytest.approx(0.4)
    assert hand.mean_score == pytest.approx(52.5)  # 525 / 10
    assert hand.median_score == pytest.approx(50.0)  # (50 + 50) / 2
    assert hand.score_distribution == [1, 0, 3, 0, 0, 2, 0, 2, 0, 2]
    assert hand.group_size == 3  # 27% of 10 = 2.7, rounded to 3


def test_hand_computed_facility_and_discrimination(hand):
    # Ranked by (score, input order): A2 | A4 A6 A8 | A0 A9 | A3 A5 | A1 A7.
    # Lower 3 = A2 A4 A6 (A8 ties on 25 but comes later); upper 3 = A5 A1 A7 (A3 ties
    # with A5 on 75 but comes earlier, so it ranks lower).
    #   Q1: right by A0 A1 A3 A4 A5 A7 A9 -> facility 7/10; upper 3/3, lower 1/3 (A4)
    #       -> D = 1 - 1/3 = 2/3
    #   Q2: right by A1 A3 A5 A6 A7 A9 -> 6/10; upper 3/3, lower 1/3 (A6) -> D = 2/3
    #   Q3: right by A0 A1 A3 A7 A8 -> 5/10; upper 2/3 (A1 A7), lower 0/3 -> D = 2/3
    #   Q4: right by A1 A5 A7 -> 3/10 (exactly 0.3: not "too hard"); upper 3/3, lower 0/3
    #       -> D = 1
    facility = [q.facility for q in hand.questions]
    assert facility == pytest.approx([0.7, 0.6, 0.5, 0.3])
    assert [q.correct_count for q in hand.questions] == [7, 6, 5, 3]
    assert [q.discrimination for q in hand.questions] == pytest.approx([2 / 3, 2 / 3, 2 / 3, 1])
    assert [q.flags for q in hand.questions] == [[], [], [], []]
    assert [q.number for q in hand.questions] == [1, 2, 3, 4]


def test_hand_computed_point_biserial(hand):
    # Totals (questions right) A0..A9: 2 4 0 3 1 3 1 4 1 2.
    # Q1: x    = 1 1 0 1 1 1 0 1 0 1 (its 0/1 outcome)
    #     rest = 1 3 0 2 0 2 1 3 1 1 (total minus x: the other three questions)
    #     n=10, Sx=7, Sy=14, Sxy=12, Sxx=7, Syy=30
    #     r = (n Sxy - Sx Sy) / sqrt((n Sxx - Sx^2)(n Syy - Sy^2))
    #       = (120 - 98) / sqrt((70 - 49)(300 - 196)) = 22 / sqrt(21 * 104) = 0.4708
    #     (equivalently (M1 - M0) / s * sqrt(pq) = (12/7 - 2/3) / sqrt(1.04) * sqrt(.21))
    # Q2: x    = 0 1 0 1 0 1 1 1 0 1
    #     rest = 2 3 0 2 1 2 0 3 1 1; Sx=6, Sy=15, Sxy=11, Syy=33
    #     r = (110 - 90) / sqrt((60 - 36)(330 - 225)) = 20 / sqrt(2520) = 0.3984
    # Q4: x    = 0 1 0 0 0 1 0 1 0 0
    #     rest = 2 3 0 3 1 2 1 3 1 2; Sx=3, Sy=18, Sxy=8, Syy=42
    #     r = (80 - 54) / sqrt((30 - 9)(420 - 324)) = 26 / sqrt(2016) = 0.5791
    q1, q2, q3, q4 = hand.questions
    assert q1.point_biserial == pytest.approx(22 / math.sqrt(2184))
    assert q1.point_biserial == pytest.approx(0.4708, abs=1e-4)
    assert q2.point_biserial == pytest.approx(20 / math.sqrt(2520))
    assert q4.point_biserial == pytest.approx(26 / math.sqrt(2016))
    assert q3.point_biserial is not None and q3.point_biserial > 0


def test_hand_computed_choice_counts(hand):
    def picks(q):
        return [c.picked for c in hand.questions[q].choices]

    assert picks(0) == [7, 2, 1] and hand.questions[0].unanswered == 0
    assert picks(1) == [2, 6, 1] and hand.questions[1].unanswered == 1  # A8
    # Select-all: 7 + 2 + 7 picks over 10 attempts, so proportions sum to 1.6.
    assert picks(2) == [7, 2, 7] and hand.questions[2].unanswered == 1  # A6
    assert sum(c.proportion for c in hand.questions[2].choices) == pytest.approx(1.6)
    assert picks(3) == [2, 2, 3] and hand.questions[3].unanswered == 3  # A0 A2 A8
    assert [c.proportion for c in hand.questions[3].choices] == pytest.approx([0.2, 0.2, 0.3])
    assert [c.correct for c in hand.questions[2].choices] == [True, False, True]
    assert [c.index for c in hand.questions[2].choices] == [0, 1, 2]


# --- Edge cases ------------------------------------------------------------------------


def test_no_attempts_gives_zero_counts_and_no_statistics():
    result = analyse(HAND_QUIZ, [], pass_mark=75)
    assert result.attempt_count == 0 and result.pass_count == 0
    assert result.pass_rate is None
    assert result.mean_score is None and result.median_score is None
    assert result.score_distribution == [0] * 10
    assert result.group_size == 0
    for q in result.questions:
        assert q.correct_count == 0 and q.unanswered == 0
        assert q.facility is None and q.discrimination is None and q.point_biserial is None
        assert [(c.picked, c.proportion) for c in q.choices] == [(0, None)] * 3
        assert q.flags == [FLAG_TOO_FEW]


def test_one_attempt():
    result = analyse(HAND_QUIZ, [attempt(HAND_QUIZ, HAND_SELECTIONS[3])], pass_mark=75)
    assert result.attempt_count == 1 and result.pass_count == 1 and result.pass_rate == 1.0
    assert result.mean_score == 75 and result.median_score == 75
    assert result.score_distribution == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    # One attempt is both the upper and the lower group: D would say nothing.
    assert result.group_size == 0
    assert [q.facility for q in result.questions] == [1.0, 1.0, 1.0, 0.0]
    for q in result.questions:
        assert q.discrimination is None and q.point_biserial is None
    # One learner's answers don't make a question too easy or too hard: not judged yet.
    assert result.questions[0].flags == [FLAG_TOO_FEW]
    assert result.questions[3].flags == [FLAG_TOO_FEW]


def test_all_correct():
    quiz = make_quiz({0}, {1})
    result = analyse(quiz, [pattern(quiz, "11")] * 10, pass_mark=80)
    assert result.pass_count == 10 and result.pass_rate == 1.0
    assert result.mean_score == 100 and result.median_score == 100
    assert result.score_distribution == [0] * 9 + [10]
    for q in result.questions:
        assert q.facility == 1.0 and q.discrimination == 0.0
        assert q.point_biserial is None  # nobody got it wrong: no variance
        assert q.flags == [FLAG_TOO_EASY, FLAG_WEAK]


def test_mis_keyed_question_has_negative_discrimination():
    # Q4's key says choice 1 is right, but the truly right answer is choice 2: the strong
    # learners pick choice 2 and are marked wrong, the weak ones pick choice 1.
    quiz = make_quiz({0}, {0}, {0}, {0})
    rows = [
        ("111", 1), ("111", 1), ("111", 1), ("110", 1), ("011", 1),  # strong
        ("100", 0), ("010", 0), ("001", 0), ("000", 0), ("000", 0),  # weak
    ]
    attempts = []
    for rights, q4_choice in rows:
        selections = {q: [0 if r == "1" else 1] for q, r in enumerate(rights)}
        attempts.append(attempt(quiz, {**selections, 3: [q4_choice]}))
    assert [a.score for a in attempts] == [75, 75, 75, 50, 50, 50, 50, 50, 25, 25]
    result = analyse(quiz, attempts, pass_mark=75)
    q4 = result.questions[3]
    # Lower 3: the two 25s and the first 50 (a strong one, choice 2): 2/3 right.
    # Upper 3: the three 75s, all picking choice 2: 0/3 right. D = 0 - 2/3.
    assert q4.facility == 0.5
    assert q4.discrimination == pytest.approx(-2 / 3)
    assert q4.point_biserial is not None and q4.point_biserial < 0
    assert q4.flags == [FLAG_NEGATIVE]
    # The tell: the "wrong" choice is the one the strong learners pick.
    assert [(c.correct, c.picked) for c in q4.choices[:2]] == [(True, 5), (False, 5)]
    for q in result.questions[:3]:
        assert FLAG_NEGATIVE not in q.flags


def test_negative_point_biserial_alone_flags_the_key():
    # D is positive, but the item goes against the rest of the quiz.
    quiz = make_quiz({0}, {0}, {0})
    rights = ["001", "100", "010", "111", "110", "101"]
    attempts = [pattern(quiz, r) for r in rights]
    result = analyse(quiz, attempts, pass_mark=60)
    q3 = result.questions[2]
    # Scores 33 33 33 100 66 66; ranked 001 100 010 110 101 111; k = round(1.62) = 2.
    # Lower 001 100: Q3 right once (1/2); upper 101 111: twice (2/2). D = 1/2.
    # Q3 right (001 111 101): rest 0 2 1, mean 1; wrong (100 010 110): rest 1 1 2,
    # mean 4/3: those who get Q3 right do worse on the rest, so r < 0.
    assert result.group_size == 2
    assert q3.discrimination == 0.5
    assert q3.point_biserial is not None and q3.point_biserial < 0
    assert q3.flags == [FLAG_NEGATIVE]


def test_ties_rank_by_input_order():
    # Both score 50; the first in input order ranks lower, the second upper.
    quiz = make_quiz({0}, {0})
    result = analyse(quiz, [pattern(quiz, "10"), pattern(quiz, "01")], pass_mark=50)
    assert result.group_size == 1
    assert [q.discrimination for q in result.questions] == [-1.0, 1.0]


def test_too_few_attempts_skip_discrimination_flags():
    quiz = make_quiz({0}, {0})
    # Four attempts where Q2 discriminates negatively: no verdict, just the warning.
    attempts = [pattern(quiz, r) for r in ["01", "01", "10", "10"]]
    result = analyse(quiz, attempts, pass_mark=50)
    assert result.questions[1].discrimination == -1.0
    assert result.questions[1].flags == [FLAG_TOO_FEW]


def test_weak_discrimination_needs_ten_attempts():
    # Q4 is right in the whole lower and the whole upper group, wrong in between: D = 0.
    # The 1000s tie with the 0001s on 25 and come later, so they rank above them.
    quiz = make_quiz({0}, {0}, {0}, {0})
    nine = [pattern(quiz, r) for r in ["0001"] * 3 + ["1000"] * 3 + ["1111"] * 3]
    q4 = analyse(quiz, nine, pass_mark=50).questions[3]
    # k = round(2.43) = 2: lower 0001 0001, upper 1111 1111, both 2/2 right.
    # x = 111000111, rest = 000111333: n Sxy - Sx Sy = 9 * 9 - 6 * 12 = 9 > 0.
    assert q4.discrimination == 0.0 and q4.point_biserial > 0
    assert q4.flags == []  # nine attempts are too few to call it weak
    ten = [*nine, pattern(quiz, "1111")]
    q4 = analyse(quiz, ten, pass_mark=50).questions[3]
    assert q4.discrimination == 0.0 and q4.point_biserial > 0  # k = 3, both 3/3
    assert q4.flags == [FLAG_WEAK]
    # A discriminating question among the same ten attempts is not flagged.
    q1 = analyse(quiz, ten, pass_mark=50).questions[0]
    assert q1.discrimination == 1.0 and q1.flags == []


def test_discrimination_of_exactly_point_two_is_not_weak():
    # 20 attempts, k = round(5.4) = 5. Q5 is right 3 of 5 in the upper group and 2 of 5
    # in the lower: D = 0.6 - 0.4, which floats would make 0.19999999999999996.
    quiz = make_quiz({0}, {0}, {0}, {0}, {0})
    rights = (
        ["00001", "00001", "10000", "00000", "00000"]  # lower: totals <= 1
        + ["11000"] * 5 + ["11001"] * 5  # middle: totals 2-3
        + ["11111", "11111", "11101", "11110", "11110"]  # upper: totals 4-5
    )
    result = analyse(quiz, [pattern(quiz, r) for r in rights], pass_mark=60)
    q5 = result.questions[4]
    assert result.group_size == 5
    assert q5.discrimination == 0.2
    assert q5.point_biserial is not None and q5.point_biserial > 0
    assert q5.flags == []


def test_facility_thresholds_are_strict():
    quiz = make_quiz({0}, {0})
    nine_of_ten = [pattern(quiz, "11")] * 9 + [pattern(quiz, "00")]
    assert FLAG_TOO_EASY not in analyse(quiz, nine_of_ten, 50).questions[0].flags
    all_ten = [pattern(quiz, "11")] * 10
    assert FLAG_TOO_EASY in analyse(quiz, all_ten, 50).questions[0].flags
    two_of_ten = [pattern(quiz, "11")] * 2 + [pattern(quiz, "01")] * 8
    assert FLAG_TOO_HARD in analyse(quiz, two_of_ten, 50).questions[0].flags


def test_single_question_quiz_has_no_point_biserial():
    # The rest of the quiz is empty, so the corrected item-total is undefined.
    quiz = make_quiz({0})
    attempts = [pattern(quiz, r) for r in "1010110101"]
    q = analyse(quiz, attempts, pass_mark=100).questions[0]
    assert q.point_biserial is None and q.discrimination == 1.0


def test_distribution_bands_put_100_in_the_last_band():
    # Band edges only: the answers do not matter here.
    quiz = make_quiz({0})
    scores = [0, 9, 10, 19, 20, 55, 89, 90, 99, 100, 100]
    attempts = [AttemptData(s, (AnswerData((), False),)) for s in scores]
    result = analyse(quiz, attempts, pass_mark=90)
    assert result.score_distribution == [2, 2, 1, 0, 0, 1, 0, 0, 1, 4]
    assert len(SCORE_BANDS) == 10 and SCORE_BANDS[0] == "0-9" and SCORE_BANDS[-1] == "90-100"
    assert result.pass_count == 4  # 90 99 100 100
    assert result.median_score == 55


def test_a_quiz_without_questions_passes_nobody():
    result = analyse({"questions": []}, [AttemptData(0, ())], pass_mark=0)
    assert result.pass_count == 0 and result.questions == []


@pytest.mark.parametrize(
    "bad",
    [
        AttemptData(50, (AnswerData((0,), True),)),  # answers for another version
        AttemptData(50, (AnswerData((0,), True), AnswerData((3,), False))),  # no choice 4
        AttemptData(50, (AnswerData((0,), True), AnswerData((-1,), False))),
        AttemptData(101, (AnswerData((0,), True), AnswerData((0,), True))),
    ],
)
def test_attempts_that_do_not_fit_the_quiz_are_refused(bad):
    with pytest.raises(ValueError):
        analyse(make_quiz({0}, {0}), [bad], pass_mark=50)


def test_duplicate_selections_count_once():
    quiz = make_quiz({0})
    a = AttemptData(100, (AnswerData((0, 0), True),))
    assert analyse(quiz, [a], 50).questions[0].choices[0].picked == 1


# --- CSV -------------------------------------------------------------------------------


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_header_and_rows(hand):
    rows = read_csv(to_csv(hand, HAND_QUIZ))
    assert rows[0] == list(CSV_HEADER)
    assert len(rows) == 1 + 4 * (1 + 3)  # header, then each question and its choices
    assert rows[1] == ["1", "", "Question 1", "", "", "", "0.700", "0.667", "0.471", ""]
    assert rows[2] == ["1", "1", "Choice 1", "yes", "7", "0.700", "", "", "", ""]
    assert rows[3] == ["1", "2", "Choice 2", "no", "2", "0.200", "", "", "", ""]
    assert rows[4] == ["1", "3", "Choice 3", "no", "1", "0.100", "", "", "", ""]
    q3_choices = rows[10:13]
    assert [r[3] for r in q3_choices] == ["yes", "no", "yes"]
    assert rows[13][:2] == ["4", ""] and rows[13][6:9] == ["0.300", "1.000", "0.579"]


def test_csv_flags_and_empty_statistics():
    quiz = make_quiz({0})
    rows = read_csv(to_csv(analyse(quiz, [], 50), quiz))
    assert rows[1] == ["1", "", "Question 1", "", "", "", "", "", "", FLAG_TOO_FEW]
    one = analyse(quiz, [pattern(quiz, "1")], 50)
    assert read_csv(to_csv(one, quiz))[1][9] == FLAG_TOO_FEW


def test_csv_guards_against_formula_injection():
    quiz = make_quiz({0}, {0}, {0})
    quiz["questions"][0]["prompt"] = '<p>=HYPERLINK("http://evil.example","click")</p>'
    quiz["questions"][1]["prompt"] = "<b>@SUM(A1:A9)</b>"
    quiz["questions"][2]["prompt"] = "Safe, with a comma and a \"quote\"\nand a newline"
    choices = quiz["questions"][0]["choices"]
    choices[0]["html"] = "+1 mg"
    choices[1]["html"] = "<em>-2</em> mg"
    choices[2]["html"] = "a = b"
    quiz["questions"][1]["choices"][0]["html"] = "\t=1+1"
    quiz["questions"][1]["choices"][1]["html"] = "\r=1+1"
    # Make Q3 go against the rest so a negative number appears in a numeric cell.
    attempts = [pattern(quiz, r) for r in ["001", "100", "010", "111", "110", "101"]]
    rows = read_csv(to_csv(analyse(quiz, attempts, 50), quiz))
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example","click")'
    assert [r[2] for r in rows[2:5]] == ["'+1 mg", "'-2 mg", "a = b"]
    assert rows[5][2] == "'@SUM(A1:A9)"
    assert [r[2] for r in rows[6:8]] == ["'=1+1", "'=1+1"]  # whitespace goes, the guard stays
    assert rows[9][2] == 'Safe, with a comma and a "quote" and a newline'
    # Our own numbers stay numbers: a negative correlation is not quoted.
    assert rows[9][8].startswith("-") and float(rows[9][8]) < 0


def test_plain_text_and_excerpt():
    assert plain_text("<p>Pain &amp; dyspnoea</p><p>at  the\n end</p>") == (
        "Pain & dyspnoea at the end"
    )
    assert plain_text("<p>Use <strong>low</strong>-dose opioids<br>first</p>") == (
        "Use low-dose opioids first"
    )
    assert plain_text("<style>p{}</style><script>alert(1)</script>Hi") == "Hi"
    assert plain_text(None) == "" and plain_text("") == ""
    long = "<p>" + "word " * 60 + "</p>"
    cut = excerpt(long)
    assert len(cut) == 120 and cut.endswith("…") and cut.startswith("word word")
    assert excerpt("<p>short</p>") == "short"
    quiz = make_quiz({0})
    quiz["questions"][0]["prompt"] = long
    rows = read_csv(to_csv(analyse(quiz, [], 50), quiz))
    assert rows[1][2] == cut
