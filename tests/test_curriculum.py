"""The shipped curriculum in modules/ meets the programme's standards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from champion.content import load_content

MODULES = Path(__file__).resolve().parent.parent / "modules"
CONTENT = load_content(MODULES)
BY_SERIES = {s.slug: s for s in CONTENT.series}
ALL_MODULES = CONTENT.modules
WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")


def teaching_words(module) -> int:
    return sum(len(WORD.findall(slide.text)) for slide in module.slides)


def test_the_curriculum_checks_clean_even_strictly():
    """`champion modules check --strict modules`: no error and no warning, the item-writing
    checks included (the second edition's quizzes were written against them)."""
    assert [str(p) for p in CONTENT.problems] == []


def test_the_programme_has_its_series_in_order():
    assert [s.slug for s in CONTENT.series] == [
        "part-1", "part-2", "high-stakes-communication", "outpatient-consultation",
        "beyond-the-essentials",
    ]
    # The optional series keeps the badge SGO's Part 1 + Part 2 shape.
    assert not any(m.required for m in BY_SERIES["beyond-the-essentials"].modules)
    assert len(BY_SERIES["beyond-the-essentials"].modules) >= 3
    assert len(BY_SERIES["part-1"].modules) == 5
    assert len(BY_SERIES["part-2"].modules) == 6
    assert len(BY_SERIES["high-stakes-communication"].modules) == 5
    assert len(BY_SERIES["outpatient-consultation"].modules) == 1
    for series in CONTENT.series:
        assert len(WORD.findall(series.intro)) >= 100, series.slug


@pytest.mark.parametrize("module", ALL_MODULES, ids=lambda m: m.key)
def test_every_module_meets_the_teaching_standard(module):
    assert teaching_words(module) >= 700
    assert len(module.objectives) >= 3
    assert module.summary
    assert len(module.slides) >= 5
    assert any(slide.notes for slide in module.slides), "presenter notes"
    references = [line for line in (module.references or "").splitlines()
                  if re.match(r"^\s*\d+\.\s", line)]
    assert len(references) >= 2
    assert all(q.explanation for q in module.questions), "an explanation on every question"
    assert all(q.see for q in module.questions), "every question says where it is taught"


@pytest.mark.parametrize("module", ALL_MODULES, ids=lambda m: m.key)
def test_every_quiz_is_a_pool_drawn_from(module):
    """Required Part 1 and Part 2 modules: a pool of at least 8, five drawn an attempt; the
    others at least 6. Select-all only where truly multi-answer: at most one item in ten."""
    if module.series in ("part-1", "part-2") and module.required:
        assert len(module.questions) >= 8 and module.policy.questions_per_attempt == 5
    else:
        assert len(module.questions) >= 6
        assert module.policy.questions_per_attempt
    assert 10 * sum(q.multiple for q in module.questions) <= len(module.questions)


@pytest.mark.parametrize(
    ("series", "low", "high"),
    [("part-1", 10, 20), ("part-2", 10, 20), ("high-stakes-communication", 20, 25),
     ("outpatient-consultation", 45, 55), ("beyond-the-essentials", 15, 20)],
)
def test_durations_fit_the_programme(series, low, high):
    for module in BY_SERIES[series].modules:
        assert low <= module.duration <= high, module.key


def test_part_1_modules_each_have_a_case_discussion_guide():
    for module in BY_SERIES["part-1"].modules:
        assert module.case is not None, module.key
        body = module.case.body
        assert "30-minute" in body or "30 minute" in body, module.key
        assert len(WORD.findall(body)) >= 500, module.key


def test_no_question_is_repeated_across_modules():
    seen: dict[str, str] = {}
    for module in ALL_MODULES:
        for question in module.questions:
            prompt = " ".join(WORD.findall(question.prompt.lower()))
            assert prompt not in seen, f"{module.key} repeats {seen.get(prompt)}"
            seen[prompt] = module.key


def test_dosing_content_says_it_is_not_a_prescribing_reference():
    pain = next(m for m in ALL_MODULES if m.slug == "cancer-pain-essentials")
    text = " ".join(s.text for s in pain.slides).lower()
    assert "not a prescribing reference" in text


def test_the_champion_badge_requires_part_1_and_part_2():
    [badge] = CONTENT.badges
    assert badge.slug == "palliative-care-champion"
    assert badge.series == ("part-1", "part-2") and badge.modules == ()
    assert len(WORD.findall(badge.narrative)) >= 40


def test_resources_name_every_programme_the_brief_lists():
    text = CONTENT.resources or ""
    for name in ["CAPC", "VitalTalk", "Harvard", "American College of Surgeons", "AAHPM",
                 "fellowship", "certificate"]:
        assert name.lower() in text.lower(), name
