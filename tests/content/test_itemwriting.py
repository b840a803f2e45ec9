"""Item-writing checks: each rule fires at the right line on a made-up bad item, and stays
silent on a clean one. Items are written as Markdown and read by the loader, so the lines
are the file's and the warnings are exactly what `champion modules check` prints."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import pytest

from champion.content import load_content
from champion.content.itemwriting import RULES, lead_in
from tests.content.test_loader import INDEX, module, write

CLEAN = """
1. A woman with ovarian cancer has nausea from a partial bowel obstruction. Which drug is
   the best first choice?

   - [ ] Ondansetron
   - [x] Haloperidol
   - [ ] Metoclopramide
   - [ ] Domperidone

   > Haloperidol acts on the chemoreceptor trigger zone and is safe in a partial obstruction.
"""


def check(quiz: str) -> tuple[str, list[tuple[int, str, str]]]:
    """The module's source and its item-writing warnings as (line, rule, message)."""
    source = module(body="Teaching.\n\n## Quiz\n" + textwrap.dedent(quiz))
    with tempfile.TemporaryDirectory() as folder:
        content = load_content(write(Path(folder), {"s/index.md": INDEX, "s/01-a.md": source}))
    assert content.errors == [], content.errors
    assert all(p.rule in RULES for p in content.warnings), content.warnings
    return source, [(p.line, p.rule, p.message) for p in content.warnings]


def line_of(source: str, text: str) -> int:
    [number] = [i for i, line in enumerate(source.splitlines(), start=1) if text in line]
    return number


def test_a_clean_item_raises_nothing():
    assert check(CLEAN)[1] == []


# --- length cueing ----------------------------------------------------------------------

def test_a_key_much_longer_than_every_distractor_is_a_length_cue():
    source, found = check(CLEAN.replace(
        "[x] Haloperidol",
        "[x] Haloperidol, a dopamine antagonist acting on the chemoreceptor trigger zone"))
    assert found == [(line_of(source, "[x] Haloperidol"), "length-cue",
                      'question 1, choice 2 ("Haloperidol, a dopamine antagonist acti…"): '
                      "the correct choice is much the longest (75 characters; the longest "
                      "distractor has 14), so a test-wise learner picks it without knowing "
                      "the answer: make the choices alike in length and detail")]


@pytest.mark.parametrize(("key", "distractor"), [
    # 18 characters against 14: longer, but not by 12.
    ("Haloperidol 0.5 mg", "Metoclopramide"),
    # 70 against 55: 15 more, but not 30% more.
    ("Haloperidol 0.5 mg by mouth at night, then every eight hours as needed",
     "Metoclopramide 10 mg IV before each meal and at bedtime"),
])
def test_a_key_only_a_little_longer_is_not_a_length_cue(key, distractor):
    quiz = CLEAN.replace("[x] Haloperidol", f"[x] {key}").replace(
        "[ ] Metoclopramide", f"[ ] {distractor}")
    assert check(quiz)[1] == []


def test_length_cueing_is_not_judged_on_select_all_questions():
    quiz = CLEAN.replace("[ ] Ondansetron", "[x] Ondansetron, a 5-HT3 antagonist given as a "
                         "dissolving tablet under the tongue")
    assert [rule for _, rule, _ in check(quiz)[1]] == ["select-all"]


# --- all / none of the above ------------------------------------------------------------

@pytest.mark.parametrize("choice", ["All of the above", "None of the above", "none of these",
                                    "Both of the above"])
def test_all_or_none_of_the_above_is_named_at_its_line(choice):
    source, found = check(CLEAN.replace("[ ] Domperidone", f"[ ] {choice}"))
    assert found == [(line_of(source, choice), "all-none-of-the-above",
                      f'question 1, choice 4 ("{choice}"): \'{choice}\' lets a learner '
                      "answer from two choices they recognise (or rule out), not from knowing "
                      "the best one: replace it with a specific choice")]


# --- absolute terms only in distractors ------------------------------------------------

@pytest.mark.parametrize(("distractor", "words"), [
    ("Metoclopramide, which always works", "'always'"),
    ("Metoclopramide must never be used", "'must', 'never'"),
    ("Only metoclopramide", "'only'"),
])
def test_absolute_words_only_in_distractors_are_named(distractor, words):
    source, found = check(CLEAN.replace("[ ] Metoclopramide", f"[ ] {distractor}"))
    assert [(line, rule) for line, rule, _ in found] == [
        (line_of(source, distractor), "absolute-terms")]
    assert found[0][2].startswith(f'question 1, choice 3 ("{distractor}"): {words} appears '
                                  "only in distractors")


@pytest.mark.parametrize("quiz", [
    # The key is absolute too: the words no longer point away from the answer.
    CLEAN.replace("[ ] Metoclopramide", "[ ] Metoclopramide, always").replace(
        "[x] Haloperidol", "[x] Haloperidol, never IV"),
    # Hedged or quantified, not absolute.
    CLEAN.replace("[ ] Metoclopramide", "[ ] Metoclopramide almost never helps"),
    CLEAN.replace("[ ] Metoclopramide", "[ ] Nearly all antiemetics"),
    CLEAN.replace("[ ] Metoclopramide", "[ ] Half of all antiemetics"),
])
def test_absolute_words_that_do_not_cue_are_silent(quiz):
    assert check(quiz)[1] == []


# --- negative stems ---------------------------------------------------------------------

@pytest.mark.parametrize("lead", [
    "Which drug is not a good first choice?",
    "All of these are antiemetics except which one?",
    "Which drug is least likely to help?",
])
def test_a_negative_lead_in_that_is_not_emphasised_is_named(lead):
    quiz = CLEAN.replace("Which drug is\n   the best first choice?", lead)
    source, found = check(quiz)
    word = next(w for w in ("not", "except", "least") if f" {w} " in lead)
    assert found == [(line_of(source, "1. A woman"), "negative-stem",
                      f"question 1: the lead-in is negative ('{word}') but the word is not "
                      f"emphasised, so a careful learner can miss it: write it as "
                      f"**{word.upper()}** (or rephrase the question positively)")]


@pytest.mark.parametrize("lead", [
    "Which drug is **not** a good first choice?",  # bold
    "Which drug is __not a good__ first choice?",  # inside a bold span
    "Which drug is NOT a good first choice?",  # capitals
    "All of these are antiemetics EXCEPT which one?",
    # A negative in the vignette, or in quoted speech, is not the question's.
    'She has not eaten for two days. Which drug is the best first choice?',
    'She asks, "Is it not the cancer?" Which drug is the best first choice?',
    "Why is that not enough?",  # not a "which is NOT" selection
    "Which drug helps at least half of patients?",
])
def test_emphasised_or_non_selecting_negatives_are_silent(lead):
    quiz = CLEAN.replace("Which drug is\n   the best first choice?", lead)
    assert check(quiz)[1] == []


def test_the_lead_in_is_the_last_question_asked_and_code_is_left_out():
    assert lead_in("She is 58. Dr. Reyes asks: \"Why?\" Which is best?") == "Which is best?"
    assert lead_in("A case.\n\nWhich is **NOT** true?") == "Which is **NOT** true?"
    assert lead_in("Complete the sentence: the first step is") == (
        "Complete the sentence: the first step is")
    assert lead_in("Which output?\n\n```\nnot code?\n```\n") == "Which output?"


# --- few choices, duplicates ------------------------------------------------------------

def test_a_single_answer_question_with_two_choices_is_a_coin_toss():
    quiz = CLEAN.replace("   - [ ] Metoclopramide\n", "").replace("   - [ ] Domperidone\n", "")
    source, found = check(quiz)
    assert found == [(line_of(source, "1. A woman"), "few-choices",
                      "question 1: only 2 choices, so guessing scores 50%: add plausible "
                      "distractors (three to five choices in all)")]


def test_a_repeated_choice_is_named_at_the_second_one():
    source, found = check(CLEAN.replace("[ ] Domperidone", "[ ] **ondansetron**."))
    assert found == [(line_of(source, "**ondansetron**"), "duplicate-choice",
                      'question 1, choice 4 ("ondansetron."): the same choice appears twice '
                      "(first as choice 1): remove one")]


# --- select-all, explanations -----------------------------------------------------------

def test_a_select_all_question_is_allowed_but_warned():
    source, found = check(CLEAN.replace("[ ] Domperidone", "[x] Domperidone"))
    assert found == [(line_of(source, "1. A woman"), "select-all",
                      "question 1 is select-all-that-apply (2 correct choices): prefer a "
                      "single best answer, which is scored more reliably and cannot be "
                      "half-known into a right answer")]


def test_a_question_without_an_explanation_is_named():
    quiz = CLEAN.split("   > Haloperidol")[0] + "\n2. Second?\n\n   - [x] A\n   - [ ] B\n" \
        "   - [ ] C\n\n   > Because.\n"
    source, found = check(quiz)
    assert found == [(line_of(source, "1. A woman"), "no-explanation",
                      "question 1 has no explanation: add a '>' blockquote after the "
                      "choices saying why the answer is right")]


# --- word cueing ------------------------------------------------------------------------

def test_a_distinctive_word_of_the_question_repeated_only_in_the_key_is_a_cue():
    quiz = CLEAN.replace("Which drug is\n   the best first choice?",
                         "Which drug blocks dopamine receptors?").replace(
        "[x] Haloperidol", "[x] Haloperidol (dopamine)")
    source, found = check(quiz)
    assert found == [(line_of(source, "[x] Haloperidol"), "word-cue",
                      'question 1, choice 2 ("Haloperidol (dopamine)"): repeats '
                      "'dopamine' from the question and no distractor does, which points "
                      "to the answer: reword the key, or use the word in distractors too")]


@pytest.mark.parametrize("quiz", [
    # A distractor repeats the word too.
    CLEAN.replace("Which drug is\n   the best first choice?",
                  "Which drug blocks dopamine receptors?")
    .replace("[x] Haloperidol", "[x] Haloperidol (dopamine)")
    .replace("[ ] Ondansetron", "[ ] Ondansetron (not dopamine)"),
    # Words that frame the question ("statement", "accurate") or are short ("pain") don't cue.
    CLEAN.replace("Which drug is\n   the best first choice?",
                  "Which statement about pain is accurate?")
    .replace("[x] Haloperidol", "[x] Pain statement, accurate"),
])
def test_shared_or_undistinctive_words_are_not_cues(quiz):
    assert check(quiz)[1] == []
