"""Property-based tests (Hypothesis): what must hold for *any* input, not just the examples
the other tests thought of.

- The content loader never crashes, whatever an educator saves, and every problem it
  reports is located at a real ``path:line`` of the content folder (SPEC §1, Validation).
- What the writer saves parses back to the same quiz (the browser editor relies on it).
- Grading is all-or-nothing per question, rounded down, and blind to how the learner's
  choices happen to be listed.

Each example gets its own temporary folder: Hypothesis runs many examples per test call,
so pytest's function-scoped ``tmp_path`` would be shared between them.
"""

from __future__ import annotations

import re
import string
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from champion.content import load_content
from champion.content.loader import parse_module_source
from champion.content.model import Choice, Problem, Question
from champion.content.writer import write_module
from champion.quizzes.forms import choice_value
from champion.quizzes.grading import answer_key, grade_attempt

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
QUICK = settings(max_examples=200, deadline=None, database=None)

SERIES = "part-1"
# Where parse_module_source believes the module lives; it needn't exist (media checks fail).
ABSENT_ROOT = Path(tempfile.gettempdir()) / "champion-properties-no-such-folder"

# --------------------------------------------------------------------------------------
# Line numbers as people see them


# str.splitlines() also breaks lines at these; editors, `wc -l`, grep and Git don't.
UNUSUAL_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def line_count(content: str | bytes) -> int:
    """How many lines a file has in an editor: a final line break starts no new line."""
    if isinstance(content, bytes):
        lines = content.split(b"\n")
        return len(lines) - (lines[-1] == b"")
    if content.startswith("\ufeff"):
        content = content[1:]
    lines = _LINE_BREAK.split(content)
    return len(lines) - (lines[-1] == "")


def assert_located(problems: list[Problem], files: dict[str, str | bytes]) -> None:
    """Every problem names a file of the folder (relative) and a line that file has."""
    for problem in problems:
        assert problem.path in files, problem
        assert problem.severity in ("error", "warning"), problem
        assert isinstance(problem.message, str) and problem.message.strip(), problem
        assert isinstance(problem.line, int), problem
        assert 1 <= problem.line <= line_count(files[problem.path]) + 1, (
            problem, line_count(files[problem.path]))


def write_folder(root: Path, files: dict[str, str | bytes]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def load_files(files: dict[str, str | bytes]):
    with tempfile.TemporaryDirectory(prefix="champion-prop-") as folder:
        write_folder(Path(folder), files)
        return load_content(folder)


# --------------------------------------------------------------------------------------
# Strategies: text that looks a little (or a lot) like a module


ordinary_char = st.characters(exclude_categories=["Cs"], exclude_characters=UNUSUAL_BREAKS)
any_char = st.characters(exclude_categories=["Cs"])

FRAGMENTS = [
    "---", "...", "--- ", "## Quiz", "## quiz ##", "## QUIZ", "## References", "##", "# Title",
    "1.", "1. ", "1. Which?", "2) Why?", "10. Pick one", "999.", "1234. x", "- [x]", "- [ ]",
    "- [X] Yes", "- [x] ", "  - [ ] No", "   - [x] Right", "   - [ ] Wrong", "* [ ] star",
    "+ [x] plus", "   - plain bullet", "- [?] odd", ">", "> Because.", "   > Explanation",
    "     > Feedback", "  >", "```", "~~~", "```python", "    code", "<!--", "-->",
    "<!-- presenter note -->", "<!-- unclosed", "![x](media/x.png)", "[deck](media/deck.pdf)",
    '<img src="media/../x.png">', '<a href="media/">', "title: T", "title:", "title: [a, b]",
    "duration: 5", "duration: 0", "duration: x", "duration: 5.5", "order: 0", "order: -3",
    "slug: Bad Slug", "slug: ok-slug", "pass_mark: 101", "pass_mark: true",
    "objectives: [a, 1]", "objectives:", "  - an objective", "video: media/v.mp4",
    "video: ftp://x", "video: https://example.org/v.mp4", "slides: media/s.pdf",
    "slides: ../s.pdf", "required: maybe", "required: false", "summary: |", "key: [unclosed",
    "{a: 1}", "- item", "? complex", "? [a]", ": value", "&a x", "*a", "<<: *a",
    "!!binary aGk=", "!!python/object:os.system x", "%YAML 1.2", "\t", "", " ", "   ",
    "\ufeff", "\x00", "\x1b[0m", "é", "“quoted”",
]  # fmt: skip


def _line(chars: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    fragment = st.sampled_from(FRAGMENTS)
    words = st.text(chars, max_size=20)
    return st.one_of(
        fragment,
        fragment,
        words,
        st.tuples(st.sampled_from(["", " ", "  ", "   ", "     ", "\t"]), fragment, words)
        .map("".join),
        st.tuples(fragment, st.sampled_from(["", " "]), fragment).map("".join),
    )


def markdownish(chars: st.SearchStrategy[str] = ordinary_char, max_lines: int = 30):
    """Lines mixing Markdown/YAML structure and noise, with mixed line endings."""
    ending = st.sampled_from(["\n"] * 6 + ["\r\n", "\r", ""])
    return st.lists(st.tuples(_line(chars), ending), max_size=max_lines).map(
        lambda pairs: "".join(text + end for text, end in pairs)
    )


yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=-300, max_value=300), st.floats(allow_nan=True),
    st.text(ordinary_char, max_size=15), st.sampled_from(["", " ", "media/x.png", "yes", "~"]),
)  # fmt: skip
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=6), children,
                        max_size=3),
    ),
    max_leaves=6,
)
MODULE_KEY_NAMES = ["title", "duration", "summary", "objectives", "order", "slug", "pass_mark",
                    "video", "slides", "required", "unknown", "Title"]


@st.composite
def front_matter(draw) -> str:
    """YAML front matter: right keys with values of any type, or broken YAML."""
    meta = draw(st.dictionaries(st.sampled_from(MODULE_KEY_NAMES), yaml_values, max_size=6))
    if draw(st.booleans()):  # usually valid: the required keys present
        meta.setdefault("title", "A title")
        meta.setdefault("duration", 10)
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=draw(st.booleans()))
    if draw(st.integers(0, 4)) == 0:
        text += draw(markdownish(max_lines=4))  # mutate the YAML itself
    return "---\n" + text + draw(st.sampled_from(["---\n", "...\n", "--- \r\n", "", "---"]))


@st.composite
def quiz_block(draw) -> str:
    """A ``## Quiz`` section: numbered questions with plausible and implausible parts."""
    out = [draw(st.sampled_from(["## Quiz", "## quiz", "##  Quiz  ##"])), ""]
    for number in range(1, draw(st.integers(0, 4)) + 1):
        marker = draw(st.sampled_from([f"{number}.", f"{number})", f"{number + 5}.", "1."]))
        prompt = draw(st.text(ordinary_char, max_size=20))
        out.append(f"{marker} {prompt}".rstrip() if prompt or draw(st.booleans()) else marker)
        if draw(st.booleans()):
            out += ["", "   " + draw(st.text(ordinary_char, max_size=20))]
        out.append("")
        for _ in range(draw(st.integers(0, 5))):
            indent = draw(st.sampled_from(["", " ", "   ", "    ", "\t"]))
            mark = draw(st.sampled_from([" ", "x", "X", "x", "?", ""]))
            out.append(f"{indent}- [{mark}] {draw(st.text(ordinary_char, max_size=12))}")
            kind = draw(st.integers(0, 5))
            if kind == 0:
                out.append(f"{indent}  > {draw(st.text(ordinary_char, max_size=12))}")
            elif kind == 1:
                out.append(f"{indent}  {draw(st.text(ordinary_char, max_size=12))}")
            elif kind == 2:
                out.append(draw(_line(ordinary_char)))
        if draw(st.booleans()):
            out += ["", f"   > {draw(st.text(ordinary_char, max_size=20))}", "   >", "   > more"]
        if draw(st.integers(0, 3)) == 0:
            out.append(draw(_line(ordinary_char)))
        out.append("")
    return "\n".join(out)


@st.composite
def mutated_module(draw) -> str:
    """Front matter (good or bad), a presentation, maybe a quiz, maybe references."""
    parts = [draw(front_matter()) if draw(st.integers(0, 5)) else ""]
    parts.append(draw(markdownish(max_lines=10)))
    if draw(st.integers(0, 3)):
        parts.append("\n" + draw(quiz_block()))
    if draw(st.booleans()):
        parts.append("\n## References\n\n" + draw(markdownish(max_lines=4)))
    if draw(st.integers(0, 5)) == 0:
        parts.append("\n" + draw(quiz_block()))  # a second quiz, or a quiz after references
    return "".join(parts)


def module_text(chars: st.SearchStrategy[str] = ordinary_char) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(chars, max_size=200),  # anything at all
        markdownish(chars),
        mutated_module(),
    )


MODULE_NAMES = ["01-intro.md", "02-intro.md", "03-pain-basics.md", "4-Other_Name.md",
                "notes.md", "01-intro.case.md", "07-orphan.case.md"]
VALID_INDEX = "---\ntitle: Part one\norder: 1\nsummary: The basics.\n---\n\nIntroduction.\n"


@st.composite
def content_folder(draw, chars: st.SearchStrategy[str] = ordinary_char) -> dict[str, str]:
    names = draw(st.lists(st.sampled_from(MODULE_NAMES), min_size=1, max_size=4, unique=True))
    files = {f"{SERIES}/{name}": draw(module_text(chars)) for name in names}
    files[f"{SERIES}/index.md"] = draw(
        st.one_of(st.just(VALID_INDEX), markdownish(chars, max_lines=8),
                  st.builds(lambda fm, body: fm + body, front_matter(), markdownish(chars, 4)))
    )
    if draw(st.integers(0, 3)) == 0:
        files["badges.yml"] = draw(markdownish(chars, max_lines=12))
    if draw(st.integers(0, 3)) == 0:
        files["resources.md"] = draw(st.text(chars, max_size=40))
    return files


# --------------------------------------------------------------------------------------
# 1. The loader never crashes and locates every problem


@FUZZ
@given(content_folder())
def test_loading_any_content_folder_reports_located_problems(files):
    content = load_files(files)
    assert_located(content.problems, files)


@FUZZ
@given(module_text(), st.one_of(st.none(), st.text(ordinary_char, max_size=60), markdownish()),
       st.sampled_from(["01-intro.md", "12-pain-basics.md", "3-Bad_Slug.md"]))
def test_parsing_any_draft_reports_located_problems(source, case_source, filename):
    module, problems = parse_module_source(ABSENT_ROOT, SERIES, filename, source, case_source)
    files = {f"{SERIES}/{filename}": source}
    if case_source is not None:
        files[f"{SERIES}/{filename.removesuffix('.md')}.case.md"] = case_source
    assert_located(problems, files)
    assert problems or module is not None


@QUICK
@given(st.text(ordinary_char, max_size=80), st.sampled_from(["notes.md", "1.md", "01-.md",
                                                              "01-x.case.md", "x.txt"]))
def test_a_draft_with_a_bad_file_name_is_refused_not_parsed(source, filename):
    module, problems = parse_module_source(ABSENT_ROOT, SERIES, filename, source)
    assert module is None
    assert [p.severity for p in problems] == ["error"]
    assert_located(problems, {f"{SERIES}/{filename}": source})


@FUZZ
@given(st.text(any_char, max_size=120), st.text(st.sampled_from(UNUSUAL_BREAKS), min_size=1))
def test_unusual_line_separators_never_crash_the_parser(source, breaks):
    """Form feeds, NEL, U+2028... end lines for Python but not for people; never a crash."""
    source = breaks.join(source.split("\n")) + breaks + source
    for text in (source, "---\ntitle: T\nduration: 5\n---\n" + source):
        module, problems = parse_module_source(ABSENT_ROOT, SERIES, "01-intro.md", text)
        assert all(p.path == f"{SERIES}/01-intro.md" and p.line >= 1 and p.message
                   for p in problems)
        assert problems or module is not None


@settings(max_examples=50, deadline=None, database=None)
@example(text="---\ntitle: T\nduration: 5\n---\n\x0cBody\x0c\x0c\n\n## Quiz\n\n1. Q\n")
@given(st.builds(lambda body, sep: "---\ntitle: T\nduration: 5\n---\n" + body.replace(" ", sep),
                 markdownish(), st.sampled_from(UNUSUAL_BREAKS)))
def test_problem_lines_count_only_real_line_breaks(text):
    _, problems = parse_module_source(ABSENT_ROOT, SERIES, "01-intro.md", text)
    assert_located(problems, {f"{SERIES}/01-intro.md": text})


# --------------------------------------------------------------------------------------
# 2. Bytes that aren't UTF-8


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["01-intro.md", "01-intro.case.md",
                                                  "index.md", "resources.md"]))
def test_undecodable_files_are_a_located_error_not_a_crash(raw, name):
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
    else:
        raw = raw + b"\n\xff"  # make sure it isn't UTF-8
        bad_line = raw.count(b"\n") + 1
    relative = name if name == "resources.md" else f"{SERIES}/{name}"
    files: dict[str, str | bytes] = {relative: raw}
    files.setdefault(f"{SERIES}/index.md", VALID_INDEX)
    if name == "01-intro.case.md":
        files[f"{SERIES}/01-intro.md"] = "---\ntitle: T\nduration: 5\n---\n\nBody.\n"
    content = load_files(files)
    assert_located(content.problems, files)
    assert Problem(relative, bad_line, "error", "not UTF-8 text") in content.problems


# --------------------------------------------------------------------------------------
# 3. What the writer writes, the parser reads back


SAFE = string.ascii_letters + string.digits + "éüñ"
VOCABULARY = ("Ask what she understands about her illness (first)? Yes, no! It's 10mg "
              "morphine q4h. Naïve patients' pain: 1.5 times; (e.g. 3) renal dose? 12, or 58.")
word = st.one_of(
    st.sampled_from(VOCABULARY.split()),  # cheap to draw, so examples stay fast
    st.builds("".join, st.tuples(st.sampled_from(["", "(", "'"]),
                                 st.text(SAFE, min_size=1, max_size=8),
                                 st.sampled_from(["", ".", ",", "?", "!", "'s", ")"]))),
)
phrase = st.lists(word, min_size=1, max_size=5).map(" ".join)  # no double spaces
paragraph = st.lists(phrase, min_size=1, max_size=2).map("\n".join)
markdown_text = st.lists(paragraph, min_size=1, max_size=3).map("\n\n".join)


@st.composite
def questions(draw) -> list[Question]:
    result = []
    for _ in range(draw(st.integers(1, 4))):
        texts = draw(st.lists(phrase, min_size=2, max_size=6,
                              unique_by=lambda t: " ".join(t.split()).lower()))
        correct = draw(st.sets(st.integers(0, len(texts) - 1), min_size=1,
                               max_size=len(texts) - 1))  # every choice correct: a warning
        choices = tuple(
            Choice(text, index in correct,
                   draw(st.one_of(st.none(), st.none(), markdown_text)), line=0)
            for index, text in enumerate(texts)
        )
        result.append(Question(draw(markdown_text), choices,
                               draw(st.one_of(st.none(), markdown_text)), line=0))
    if draw(st.integers(0, 4)) == 0:  # 10+ questions: the "10. " marker is wider
        result = (result * 11)[: draw(st.integers(10, 11))]
    return result


def without_lines(question: Question) -> tuple:
    return (question.prompt,
            tuple((c.text, c.correct, c.feedback) for c in question.choices),
            question.explanation)


@settings(max_examples=150, deadline=None, database=None)
@given(questions())
def test_a_written_quiz_parses_back_to_the_same_questions(generated):
    source = write_module({"title": "T", "duration": 5}, "Body.", generated, "1. A reference.")
    module, problems = parse_module_source(ABSENT_ROOT, SERIES, "01-intro.md", source)
    assert [p for p in problems if not p.rule] == []  # generated items may be badly written
    assert [without_lines(q) for q in module.questions] == [without_lines(q) for q in generated]
    assert module.references == "1. A reference."
    assert [s.text for s in module.slides] == ["Body."]


title_text = st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1,
                     max_size=30).map(str.strip).filter(bool)


def settings_meta(order: st.SearchStrategy[int]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {"title": title_text, "duration": st.integers(1, 240)},
        optional={
            "summary": title_text, "objectives": st.lists(title_text, min_size=1, max_size=3),
            "order": order, "slug": st.from_regex(r"\A[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}\Z"),
            "pass_mark": st.integers(1, 100), "required": st.booleans(),
            "reveal": st.sampled_from(["after_pass", "always"]),
            "retake_after_minutes": st.integers(0, 525_600),
            "max_attempts_per_day": st.integers(1, 1000),
            "complete_when": st.sampled_from(["passed", "viewed_and_passed"]),
        },
    )


def assert_settings_round_trip(meta: dict) -> None:
    source = write_module(meta, "Body.")
    module, problems = parse_module_source(ABSENT_ROOT, SERIES, "07-intro.md", source)
    assert problems == []
    assert module.meta == meta
    assert (module.title, module.duration) == (meta["title"], meta["duration"])
    assert module.summary == meta.get("summary")
    assert module.objectives == tuple(meta.get("objectives", ()))
    assert module.slug == meta.get("slug", "intro")
    assert module.pass_mark == meta.get("pass_mark", 80)
    assert module.required == meta.get("required", True)
    assert module.order == meta.get("order", 7)
    required = meta.get("required", True)
    assert module.policy.reveal == meta.get("reveal", "after_pass" if required else "always")
    assert module.policy.complete_when == meta.get(
        "complete_when", "viewed_and_passed" if required else "passed")
    assert module.policy.retake_after_minutes == meta.get("retake_after_minutes", 0)
    assert module.policy.max_attempts_per_day == meta.get("max_attempts_per_day")


@QUICK
@given(settings_meta(st.integers(-10_000, 10_000).filter(lambda n: n != 0)))  # 0: see below
def test_written_front_matter_parses_back_to_the_same_settings(meta):
    assert_settings_round_trip(meta)


@settings(max_examples=20, deadline=None, database=None)
@example(meta={"title": "T", "duration": 5, "order": 0})
@given(settings_meta(st.just(0)).map(lambda meta: {**meta, "order": 0}))
def test_an_explicit_order_of_zero_is_kept(meta):
    assert_settings_round_trip(meta)


# --------------------------------------------------------------------------------------
# 3b. badges.yml: unknown keys on an otherwise valid badge are warnings


BADGE_FOLDER = {
    f"{SERIES}/index.md": VALID_INDEX,
    f"{SERIES}/01-intro.md": "---\ntitle: T\nduration: 5\n---\n\nBody.\n",
    "badges/b.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
}
BADGE = ("- slug: graduate\n  name: Graduate\n  description: Did it.\n  image: badges/b.svg\n"
         f"  criteria:\n    narrative: Finish it.\n    series: [{SERIES}]\n")


def extra_badge_keys(key: st.SearchStrategy) -> st.SearchStrategy[str]:
    """YAML lines, indented into the badge mapping, adding unknown keys."""
    return (st.dictionaries(key, yaml_scalars, min_size=1, max_size=3)
            .map(lambda extra: yaml.safe_dump(extra, allow_unicode=True))
            .map(lambda text: "".join("  " + line + "\n" for line in text.splitlines())))


def assert_badge_loads_with_warnings(extra: str) -> None:
    files = dict(BADGE_FOLDER, **{"badges.yml": BADGE + extra})
    content = load_files(files)
    assert_located(content.problems, files)
    assert content.errors == []
    assert content.warnings  # the unknown keys, and the missing PNG beside the SVG
    assert [b.slug for b in content.badges] == ["graduate"]


unknown_key = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8).filter(
    lambda k: k not in {"slug", "name", "description", "image", "criteria", "valid_for_days"})


@settings(max_examples=60, deadline=None, database=None)
@given(extra_badge_keys(unknown_key.filter(lambda k: yaml.safe_load(k) == k)))
def test_unknown_badge_keys_are_warnings(extra):
    assert_badge_loads_with_warnings(extra)


@settings(max_examples=20, deadline=None, database=None)
@example(extra="  2024: a note\n")
@given(extra_badge_keys(st.one_of(st.integers(-5, 3000), st.booleans(), st.none())))
def test_non_string_badge_keys_are_warnings_not_crashes(extra):
    assert_badge_loads_with_warnings(extra)


# --------------------------------------------------------------------------------------
# 4. Grading


keys = st.lists(
    st.integers(2, 6).flatmap(
        lambda n: st.sets(st.integers(0, n - 1), min_size=1).map(lambda s: (n, frozenset(s)))),
    min_size=1, max_size=12,
)


@st.composite
def key_and_selections(draw):
    shaped = draw(keys)
    key = tuple(correct for _, correct in shaped)
    selections: dict[int, list[int]] = {}
    for index, (n, correct) in enumerate(shaped):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            continue  # unanswered: missing from the mapping
        if choice == 1:
            selections[index] = sorted(correct)  # right
        else:
            selections[index] = draw(st.lists(st.integers(0, n - 1), max_size=n + 2))
    return key, selections


@QUICK
@given(key_and_selections(), st.integers(1, 100), st.randoms(use_true_random=False))
def test_grading_is_all_or_nothing_rounded_down_and_order_blind(data, pass_mark, rnd):
    key, selections = data
    result = grade_attempt(key, selections, pass_mark)
    right = sum(set(selections.get(i, ())) == set(correct) for i, correct in enumerate(key))
    assert result.correct_count == right
    assert result.score == 100 * right // len(key)
    assert 0 <= result.score <= 100
    assert result.passed == (result.score >= pass_mark)
    assert result.passed == (right * 100 >= pass_mark * len(key))  # rounding never passes
    assert [q.correct for q in result.questions] == [
        set(selections.get(i, ())) == set(c) for i, c in enumerate(key)]

    shuffled = {}
    for index, chosen in selections.items():
        again = list(chosen) * rnd.randint(1, 2)  # maybe with duplicates
        rnd.shuffle(again)
        shuffled[index] = again
    as_sets = {index: set(chosen) for index, chosen in selections.items()}
    as_iterators = {index: iter(chosen) for index, chosen in selections.items()}
    for other in (shuffled, as_sets, as_iterators):
        assert grade_attempt(key, other, pass_mark) == result
    assert grade_attempt(key, selections, pass_mark) == result  # deterministic


@QUICK
@given(keys, st.integers(1, 100))
def test_choosing_exactly_the_key_scores_100_and_passes(shaped, pass_mark):
    key = tuple(correct for _, correct in shaped)
    result = grade_attempt(key, {i: sorted(c, reverse=True) for i, c in enumerate(key)},
                           pass_mark)
    assert result.score == 100 and result.passed
    assert grade_attempt(key, {}, pass_mark).score == 0
    assert not grade_attempt(key, {}, pass_mark).passed


@QUICK
@given(keys)
def test_answer_key_reads_the_stored_quiz(shaped):
    quiz = {"questions": [
        {"choices": [{"correct": i in correct, "html": f"<p>{i}</p>"} for i in range(n)]}
        for n, correct in shaped]}
    assert answer_key(quiz) == tuple(correct for _, correct in shaped)


def test_grading_an_empty_quiz_never_passes():
    assert grade_attempt((), {}, 1).score == 0
    assert not grade_attempt((), {0: [0]}, 1).passed


# --------------------------------------------------------------------------------------
# 5. Quiz form values


@QUICK
@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
def test_choice_values_name_their_question_and_never_collide(q1, c1, q2, c2):
    value = choice_value(q1, c1)
    assert re.fullmatch(r"q(\d+)-c(\d+)", value).groups() == (str(q1 + 1), str(c1 + 1))
    assert (value == choice_value(q2, c2)) == ((q1, c1) == (q2, c2))
