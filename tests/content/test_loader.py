"""The pure content loader: parsing, and every validation problem located at path:line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from champion.content import load_content
from tests.helpers import FIXTURE_CONTENT

INDEX = "---\ntitle: Series\n---\nIntro.\n"
GOOD_QUIZ = """
## Quiz

1. Question?

   - [ ] No
   - [x] Yes
   - [ ] Maybe

   > Because.
"""


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n") if text.startswith("\n") else text)
    return root


def module(front: str = "title: A module\nduration: 10\n", body: str = "Teaching.\n" + GOOD_QUIZ):
    return f"---\n{front}---\n{body}"


def problems(root: Path) -> list[str]:
    return [str(p) for p in load_content(root).problems]


def test_fixture_content_parses_into_series_modules_quizzes_and_badges():
    content = load_content(FIXTURE_CONTENT)
    assert [(str(p), p.rule) for p in content.problems] == [  # item-writing warnings only
        ("basics/01-first-steps.md:37: warning: question 2 is select-all-that-apply (2 correct "
         "choices): prefer a single best answer, which is scored more reliably and cannot be "
         "half-known into a right answer [select-all]", "select-all"),
        ("basics/02-second-steps.md:9: warning: question 1: only 2 choices, so guessing "
         "scores 50%: add plausible distractors (three to five choices in all) [few-choices]",
         "few-choices"),
    ]
    assert [s.slug for s in content.series] == ["basics", "extras"]
    basics = content.series[0]
    assert basics.title == "The Basics"
    assert [m.slug for m in basics.modules] == [
        "first-steps", "second-steps", "reading", "optional",
    ]
    first = basics.modules[0]
    assert first.duration == 10 and first.pass_mark == 50 and first.order == 1
    assert first.objectives == ("Name the first step",)
    assert len(first.slides) == 2
    assert first.slides[0].notes == ("Presenter: secret note about slide one",)
    assert "secret" not in first.slides[0].text
    single, multiple = first.questions
    assert single.prompt == "Which is the first step?"
    assert single.correct_indexes == {1} and not single.multiple
    assert single.explanation == "You begin at the start."
    assert multiple.multiple and multiple.correct_indexes == {0, 1}
    assert multiple.choices[2].feedback == "Lecturing is the pitfall."
    assert multiple.explanation == "Listening and asking are the steps."
    assert first.references.startswith("1. Someone.")
    assert first.case is not None and first.case.title == "The first case"
    assert basics.modules[3].required is False
    assert basics.modules[2].questions == ()
    [badge] = content.badges
    assert badge.series == ("basics",) and badge.image_media_type == "image/svg+xml"
    assert content.resources.startswith("# Further learning")


def test_content_hash_changes_with_the_module_or_its_case_guide(tmp_path):
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module()})
    before = load_content(tmp_path).modules[0].content_hash
    write(tmp_path, {"s/01-a.case.md": "A case.\n"})
    with_case = load_content(tmp_path).modules[0].content_hash
    assert before != with_case
    assert load_content(tmp_path).modules[0].content_hash == with_case


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("duration: 10\n", "s/01-a.md:1: error: missing required key 'title'"),
        ("title: A\n", "s/01-a.md:1: error: missing required key 'duration'"),
        ("title: A\nduration: '10'\n",
         "s/01-a.md:3: error: 'duration' must be a whole number of minutes from 1 to 240, "
         "got '10'"),
        ("title: A\nduration: 300\n",
         "s/01-a.md:3: error: 'duration' must be a whole number of minutes from 1 to 240, "
         "got 300"),
        ("title: A\nduration: 10\npass_mark: 0\n",
         "s/01-a.md:4: error: 'pass_mark' must be a whole number percent from 1 to 100, got 0"),
        ("title: A\nduration: 10\nrequired: maybe\n",
         "s/01-a.md:4: error: 'required' must be true or false, got 'maybe'"),
        ("title: A\nduration: 10\nobjectives: learn\n",
         "s/01-a.md:4: error: 'objectives' must be a list of non-empty strings"),
        ("title: [1, 2]\nduration: 10\n",
         "s/01-a.md:2: error: 'title' must be a non-empty string, got [1, 2]"),
        ("title: A\nduration: 10\nslug: Bad Slug\n",
         "s/01-a.md:4: error: module slug 'Bad Slug' must be lowercase words joined by - "
         "(e.g. pain-basics)"),
        ("title: A\nduration: 10\ncolour: blue\n",
         "s/01-a.md:4: warning: unknown front matter key 'colour' (ignored)"),
        ("title: A\nduration: 10\nvideo: ftp://example.org/v.mp4\n",
         "s/01-a.md:4: error: 'video' must be an http(s) URL or a media/ path, "
         "got 'ftp://example.org/v.mp4'"),
        ("title: A\nduration: 10\nvideo: media/missing.mp4\n",
         "s/01-a.md:4: error: media file 'media/missing.mp4' does not exist"),
        ("title: A\nduration: 10\nslides: media/../../secret.pdf\n",
         "s/01-a.md:4: error: media path 'media/../../secret.pdf' must stay inside the "
         "series' media/ folder"),
        ("title: A\nduration: 10\ntitle: B\n: x\n", "s/01-a.md:5: error: invalid YAML"),
    ],
)
def test_front_matter_problems_are_located(tmp_path, front, expected):
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module(front)})
    found = problems(tmp_path)
    assert any(p.startswith(expected) for p in found), found


def test_missing_and_unclosed_front_matter(tmp_path):
    write(tmp_path, {
        "s/index.md": INDEX,
        "s/01-a.md": "# No front matter\n",
        "s/02-b.md": "---\ntitle: B\nduration: 5\nNo closing line\n",
    })
    found = problems(tmp_path)
    assert "s/01-a.md:1: error: missing front matter: start the file with --- and a title" in found
    assert "s/02-b.md:1: error: front matter is not closed: add a line holding only ---" in found


@pytest.mark.parametrize(
    ("quiz", "expected"),
    [
        ("## Quiz\n\n1. No choices here?\n\n   > Explanation.\n",
         "s/01-a.md:9: error: question 1 has no choices: list them as '- [ ]' and '- [x]' items"),
        ("## Quiz\n\n1. Which?\n\n   - [ ] A\n   - [ ] B\n",
         "s/01-a.md:9: error: question 1 has no correct choice: mark one with [x]"),
        ("## Quiz\n\n1. Which?\n\n   - [x] Only\n",
         "s/01-a.md:9: error: question 1 needs at least two choices"),
        ("## Quiz\n\n1. Fine?\n\n   - [x] A\n   - [ ] B\n\n2.\n\n   - [x] A\n   - [ ] B\n",
         "s/01-a.md:14: error: question 2 has no prompt"),
        ("## Quiz\n\n1. Which?\n\n   - [x] A\n   - [ ] B\n\n   Some loose text.\n",
         "s/01-a.md:14: error: question 1: text after the choices must be a '>' blockquote "
         "(the explanation)"),
        ("## Quiz\n\n1. Which?\n\n   - [x] A\n   - [ ] B\n\n   > Why.\n\n   - [ ] C\n",
         "s/01-a.md:16: error: question 1: a choice after the explanation; choices come "
         "first, then the '>' explanation"),
        ("## Quiz\n\n1. Which?\n\n   - [x] A\n   - plain bullet\n",
         "s/01-a.md:12: error: question 1: a choice must be a task-list item, '- [ ]' or '- [x]'"),
        ("## Quiz\n\nJust a paragraph.\n",
         "s/01-a.md:7: error: '## Quiz' has no questions: number them 1., 2., ..."),
        ("## Quiz\n\nIntro text.\n\n1. Which?\n\n   - [x] A\n   - [ ] B\n",
         "s/01-a.md:9: warning: text outside a numbered question is ignored in the quiz"),
        ("## Quiz\n\n1. Which?\n\n   - [x] A\n   - [x] B\n",
         "s/01-a.md:9: warning: question 1: every choice is marked correct"),
        ("## Quiz\n\n1. Which?\n\n   - [x] Same\n   - [ ] same\n",
         's/01-a.md:12: warning: question 1, choice 2 ("same"): the same choice appears twice '
         "(first as choice 1): remove one [duplicate-choice]"),
    ],
)
def test_quiz_problems_are_located(tmp_path, quiz, expected):
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module(body="Teaching.\n\n" + quiz)})
    found = problems(tmp_path)
    assert expected in found, found


def test_body_structure_problems(tmp_path):
    write(tmp_path, {
        "s/index.md": INDEX,
        "s/01-a.md": module(body="Teach.\n\n## References\n\n1. R.\n" + GOOD_QUIZ + GOOD_QUIZ),
        "s/02-b.md": module(body="## Quiz\n\n1. Q?\n\n   - [x] A\n   - [ ] B\n"),
        "s/03-c.md": module(body="Slide <!-- note never closed\n\n" + GOOD_QUIZ),
        "s/04-d.md": module(body="![x](media/nope.png) and <img src=\"media/../x.png\">\n"),
    })
    found = problems(tmp_path)
    assert "s/01-a.md:11: error: '## Quiz' must come before '## References'" in found
    assert "s/01-a.md:21: error: a second '## Quiz' section (the first is on line 11)" in found
    assert "s/02-b.md:5: error: the module has no presentation before '## Quiz'" in found
    assert ("s/03-c.md:5: error: presenter note is not closed: end the HTML comment with -->"
            in found)
    assert "s/04-d.md:5: error: media file 'media/nope.png' does not exist" in found
    assert ("s/04-d.md:5: error: media path 'media/../x.png' must stay inside the series' "
            "media/ folder") in found


def test_headings_and_separators_inside_fenced_code_are_content(tmp_path):
    body = (
        "Slide one.\n\n```\n## Quiz\n\n---\n\n<!-- not a note -->\n```\n\n---\n\nTwo.\n"
        + GOOD_QUIZ
    )
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module(body=body)})
    content = load_content(tmp_path)
    assert content.problems == []
    [m] = content.modules
    assert len(m.slides) == 2
    assert "<!-- not a note -->" in m.slides[0].text and m.slides[0].notes == ()
    assert len(m.questions) == 1


def test_fenced_code_is_content_in_every_section(tmp_path):
    # Fenced code is marked once over the whole body; each section must still see it.
    body = (
        "Slide one.\n\n<!-- a note -->\n\n---\n\nTwo.\n\n```\n<!-- not a note -->\n```\n\n"
        "## Quiz\n\n1. Which?\n\n   ```\n   - [x] code, not a choice\n   "
        "![x](media/nope.png)\n   ```\n\n   - [ ] No\n   - [x] Yes\n   - [ ] Maybe\n\n"
        "   > Because.\n\n"
        "## References\n\n```\n## Quiz\n```\n"
    )
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module(body=body)})
    content = load_content(tmp_path)
    assert content.problems == []
    [m] = content.modules
    assert [s.line for s in m.slides] == [5, 11]
    assert [s.notes for s in m.slides] == [("a note",), ()]
    assert "<!-- not a note -->" in m.slides[1].text
    [question] = m.questions
    assert "- [x] code, not a choice" in question.prompt
    assert [c.text for c in question.choices] == ["No", "Yes", "Maybe"]
    assert m.references == "```\n## Quiz\n```"


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_any_line_ending_parses_as_newlines_do(tmp_path, ending):
    text = module(body="One.\n\n<!-- note -->\n\n---\n\nTwo.\n" + GOOD_QUIZ)
    write(tmp_path / "n", {"s/index.md": INDEX, "s/01-a.md": text})
    write(tmp_path / "r", {"s/index.md": INDEX, "s/01-a.md": text.replace("\n", ending)})
    [expected], [got] = (load_content(tmp_path / d).modules for d in ("n", "r"))
    assert got.slides == expected.slides and got.questions == expected.questions
    assert got.meta == expected.meta and got.references == expected.references


def test_series_level_problems(tmp_path):
    write(tmp_path, {
        "orphans/01-a.md": module(),
        "Bad_Series/index.md": INDEX,
        "s/index.md": "---\ntitle: S\norder: first\nflavour: x\n---\n",
        "s/01-a.md": module(),
        "s/02-a.md": module("title: B\nduration: 5\nslug: a\n"),
        "s/notes.md": "scratch\n",
        "s/09-lonely.case.md": "A case without a module.\n",
        "s/03-latin1.md": "---\ntitle: caf\xe9\n".encode("latin-1"),
    })
    found = problems(tmp_path)
    assert ("orphans/index.md:1: error: series folder has modules but no index.md "
            "(title, order, summary)") in found
    assert ("Bad_Series/index.md:1: error: series folder name 'Bad_Series' must be lowercase "
            "words joined by -") in found
    assert ("s/index.md:3: error: 'order' must be a whole number from -10000 to 10000, "
            "got 'first'") in found
    assert "s/index.md:4: warning: unknown front matter key 'flavour' (ignored)" in found
    assert ("s/02-a.md:4: error: duplicate module slug 'a' in series 's' (also used by "
            "s/01-a.md)") in found
    assert "s/notes.md:1: warning: not a module file name (expected NN-slug.md); ignored" in found
    assert ("s/09-lonely.case.md:1: warning: case guide has no module with the same NN-slug "
            "file name") in found
    assert "s/03-latin1.md:2: error: not UTF-8 text" in found


BADGE = """\
- slug: champ
  name: Champ
  description: Did it.
  image: badges/b.svg
  criteria:
    narrative: Finish.
    series: [s]
"""


@pytest.mark.parametrize(
    ("badges", "expected"),
    [
        (BADGE.replace("series: [s]", "series: [nope]"),
         "badges.yml:7: error: badge criteria name series 'nope', which does not exist"),
        (BADGE.replace("series: [s]", "modules: [s/nope]"),
         "badges.yml:7: error: badge criteria name module 's/nope', which does not exist "
         "(write it as series/slug)"),
        (BADGE.replace("series: [s]", "series: []"),
         "badges.yml:5: error: badge criteria name no series and no modules: nothing could "
         "earn it"),
        (BADGE.replace("  name: Champ\n", ""), "badges.yml:1: error: missing required key 'name'"),
        (BADGE.replace("badges/b.svg", "badges/missing.svg"),
         "badges.yml:4: error: image file 'badges/missing.svg' does not exist"),
        (BADGE.replace("badges/b.svg", "badges/b.gif"),
         "badges.yml:4: error: image 'badges/b.gif' must be an SVG or PNG"),
        (BADGE.replace("    narrative: Finish.\n", ""),
         "badges.yml:5: error: missing required key 'narrative'"),
        (BADGE + BADGE, "badges.yml:8: error: duplicate badge slug 'champ' (first on line 1)"),
        ("- slug: [unclosed\n", "badges.yml:2: error: invalid YAML"),
        ("slug: champ\n", "badges.yml:1: error: badges.yml must be a list of badges"),
    ],
)
def test_badge_problems_are_located(tmp_path, badges, expected):
    write(tmp_path, {
        "s/index.md": INDEX, "s/01-a.md": module(), "badges/b.svg": "<svg/>",
        "badges/b.gif": "GIF89a", "badges.yml": badges,
    })
    found = problems(tmp_path)
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_at_once(tmp_path):
    write(tmp_path, {
        "s/index.md": INDEX,
        "s/01-a.md": module("title: A\n"),
        "s/02-b.md": module(body="Teach.\n\n## Quiz\n\n1. Q?\n\n   - [ ] A\n   - [ ] B\n"),
        "badges.yml": BADGE.replace("series: [s]", "series: [x]"),
    })
    content = load_content(tmp_path)
    assert len(content.errors) == 4  # duration, no correct choice, missing image, series x
    assert {p.path for p in content.errors} == {"s/01-a.md", "s/02-b.md", "badges.yml"}


def test_a_missing_content_folder_is_an_error(tmp_path):
    content = load_content(tmp_path / "nowhere")
    assert [p.message for p in content.errors] == ["content folder does not exist"]


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("questions_per_attempt: 3\n",
         "s/01-a.md:4: error: 'questions_per_attempt' is 3 but the quiz has 2 questions: "
         "draw at most 2"),
        ("questions_per_attempt: 0\n",
         "s/01-a.md:4: error: 'questions_per_attempt' must be a whole number from 1 to 1000, "
         "got 0"),
        ("reveal: never\n", "s/01-a.md:4: error: 'reveal' must be after_pass or always, "
                            "got 'never'"),
        ("complete_when: viewed\n", "s/01-a.md:4: error: 'complete_when' must be passed or "
                                    "viewed_and_passed, got 'viewed'"),
        ("retake_after_minutes: -5\n", "s/01-a.md:4: error: 'retake_after_minutes' must be a "
                                       "whole number of minutes from 0 to 525600, got -5"),
        ("max_attempts_per_day: 0\n", "s/01-a.md:4: error: 'max_attempts_per_day' must be a "
                                      "whole number from 1 to 1000, got 0"),
    ],
)
def test_quiz_policy_problems_are_located(tmp_path, front, expected):
    two = GOOD_QUIZ + "\n2. Another?\n\n   - [x] Yes\n   - [ ] No\n"
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module("title: A\nduration: 10\n" + front,
                                                             "## Teaching\n" + two)})
    found = problems(tmp_path)
    assert expected in found, found


def test_quiz_policy_defaults_follow_required_and_front_matter_overrides(tmp_path):
    from champion.content import QuizPolicy

    write(tmp_path, {
        "s/index.md": INDEX,
        "s/01-a.md": module(),
        "s/02-b.md": module("title: B\nduration: 5\nrequired: false\n"),
        "s/03-c.md": module("title: C\nduration: 5\nquestions_per_attempt: 1\nreveal: always\n"
                            "retake_after_minutes: 30\nmax_attempts_per_day: 3\n"
                            "complete_when: passed\n"),
    })
    content = load_content(tmp_path)
    assert not content.errors, content.errors
    a, b, c = content.modules
    assert a.policy == QuizPolicy(reveal="after_pass", complete_when="viewed_and_passed")
    assert b.policy == QuizPolicy(reveal="always", complete_when="passed")
    assert c.policy == QuizPolicy(questions_per_attempt=1, reveal="always",
                                  retake_after_minutes=30, max_attempts_per_day=3,
                                  complete_when="passed")


def test_pinned_choices_and_where_a_question_is_taught(tmp_path):
    body = ("## Opening\n\nFirst.\n\n---\n\n## Responding to emotion\n\nSecond.\n\n"
            "## Quiz\n\n1. Which first?\n   {see: responding to  EMOTION}\n\n"
            "   - [x] Name the emotion\n   - [ ] Reassure\n   - [ ] None of these {last}\n\n"
            "2. Where?\n   {see: Nowhere}\n\n   - [x] A\n   - [ ] B\n")
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module(body=body)})
    content = load_content(tmp_path)
    assert [str(p) for p in content.errors] == [
        "s/01-a.md:25: error: question 2: {see: Nowhere} names no heading of this module's "
        "presentation"]
    first = content.series[0].modules[0].questions[0]
    assert first.prompt == "Which first?"  # the {see: ...} line is not part of the prompt
    assert (first.see, first.see_slide) == ("responding to  EMOTION", 1)
    assert [(c.text, c.pinned) for c in first.choices] == [
        ("Name the emotion", False), ("Reassure", False), ("None of these", True)]


NO_ALT = 'warning: image without alt text: describe it, or use alt="" if it is decorative'


def test_images_without_alt_text_are_warned_at_their_line(tmp_path):
    body = (
        "![](media/x.png)\n\n"  # line 5
        "Described: ![A fan](media/x.png) <img src=\"media/x.png\" alt=\"A fan\">\n\n"
        "<img src=\"media/x.png\">\n\n"  # line 9
        "Decorative: <img alt=\"\" src=\"media/x.png\"> and `![](code.png)`\n\n"
        "<IMG\n  src=\"media/x.png\"\n  width=\"20\">\n\n"  # line 13, over three lines
        "```\n![](media/x.png) <img src=\"media/x.png\">\n```\n\n"
        "<img src=\"media/x.png\" title=\"no alt\"><img alt=\"ok\" src=\"media/x.png\">\n"  # 21
        + GOOD_QUIZ
    )
    case = "A case ![][fig]\n\n[fig]: media/x.png\n"
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module(body=body),
                     "s/01-a.case.md": case, "s/media/x.png": b"png"})
    found = [p for p in problems(tmp_path) if "alt text" in p]
    assert found == [f"s/01-a.case.md:1: {NO_ALT}", f"s/01-a.md:5: {NO_ALT}",
                     f"s/01-a.md:9: {NO_ALT}", f"s/01-a.md:13: {NO_ALT}",
                     f"s/01-a.md:21: {NO_ALT}"]
    assert not load_content(tmp_path).errors  # a warning: sync still accepts it
