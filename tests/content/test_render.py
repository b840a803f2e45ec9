"""Rendering: sanitized HTML, slides, presenter notes kept away from learners."""

from __future__ import annotations

from pathlib import Path

import nh3

import champion.content.render as render
from champion.content import load_content, render_markdown, render_module
from tests.content.test_loader import GOOD_QUIZ, INDEX, module, write
from tests.helpers import FIXTURE_CONTENT


def test_hostile_html_is_made_inert():
    html = render_markdown(
        '<script>alert(1)</script><img src="x" onerror="alert(2)">'
        '[click](javascript:alert(3)) <a href="https://ok.example">ok</a>'
        '<iframe src="https://evil.example"></iframe><p style="color:red">p</p>'
    )
    assert "<script" not in html and "alert(1)" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert "style" not in html
    assert 'href="https://ok.example"' in html and 'rel="noopener noreferrer"' in html


def test_module_rendering_keeps_notes_out_of_learner_html():
    content = load_content(FIXTURE_CONTENT)
    rendered = render_module(content.modules[0])
    assert "secret note" not in rendered.body_html
    assert all("secret note" not in slide.html for slide in rendered.slides)
    assert "secret note" in rendered.slides[0].notes_html
    assert "<table>" in rendered.body_html
    assert "Quiz" not in rendered.body_html and "Someone. A paper" not in rendered.body_html
    assert "Someone. A paper" in rendered.references_html
    assert rendered.case_title == "The first case"
    assert "58-year-old" in rendered.case_html


def test_each_slide_carries_the_footnotes_it_cites():
    rendered = render_module(load_content(FIXTURE_CONTENT).modules[0])
    first, second = rendered.slides
    assert 'class="footnote"' in first.html and "A footnote." in first.html
    assert "A footnote." not in second.html  # defined there, but not cited there
    assert rendered.body_html.count("A footnote.") == 1


def test_quiz_data_has_html_and_the_answer_key():
    quiz = render_module(load_content(FIXTURE_CONTENT).modules[0]).quiz
    first, second = quiz["questions"]
    assert first["prompt"] == "<p>Which is the first step?</p>"
    assert [c["correct"] for c in first["choices"]] == [False, True, False]
    assert first["choices"][1]["html"] == "Begin at the start"
    assert second["choices"][2]["feedback"] == "<p>Lecturing is the pitfall.</p>"
    assert second["explanation"] == "<p>Listening and asking are the steps.</p>"


def test_media_paths_point_at_the_series_media_route():
    extras = load_content(FIXTURE_CONTENT).series[1].modules[0]
    html = render_module(extras).body_html
    assert 'src="/modules/extras/media/figure.gif"' in html


def test_inline_markdown_in_choices_is_rendered_and_sanitized(tmp_path):
    body = ("Teach.\n\n## Quiz\n\n1. Q?\n\n   - [x] **Bold** <b onclick=\"x()\">b</b>\n"
            "   - [ ] Plain & simple\n")
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module(body=body)})
    quiz = render_module(load_content(tmp_path).modules[0]).quiz
    bold, plain = quiz["questions"][0]["choices"]
    assert bold["html"] == "<strong>Bold</strong> <b>b</b>"
    assert plain["html"] == "Plain &amp; simple"


def test_rendering_many_modules_across_processes_gives_the_same_html():
    curriculum = load_content(Path(__file__).resolve().parents[2] / "modules")
    modules = list(curriculum.modules) * 2  # enough for several chunks per process
    in_one = render.render_modules(modules, processes=1)
    across = render.render_modules(modules, processes=2, minimum=2)
    assert across == in_one == [render_module(m) for m in modules]
    assert len(in_one) == len(modules)


def test_the_sanitizer_cleans_as_nh3_clean_does():
    html = ('<p onclick="x()">a <a href="javascript:x">b</a> <a href="https://ok">c</a>'
            '<script>1</script><!-- c --><div class="footnote bad">d</div></p>')
    assert render.sanitize(html) == nh3.clean(html, **render._SANITIZER_OPTIONS)


def test_blank_fragments_are_not_converted(monkeypatch):
    conversions = []
    real = render.converter

    def counting():
        conversions.append(1)
        return real()

    monkeypatch.setattr(render, "converter", counting)
    assert render.render_many(["", "  \n\t", "\n"]) == ["", "", "", ""]
    assert conversions == []
    assert render.render_many(["", "One.", " ", "Two."]) == ["", "<p>One.</p>", "", "<p>Two.</p>",
                                                            ""]
    assert conversions == [1]  # the two fragments in one conversion
    assert render.render_many([]) == [""]  # no fragments, no footnotes


def test_markup_left_open_in_one_fragment_stays_in_it():
    # A link left open on one slide used to wrap every slide after it (issue 14 #15).
    first, second, third, notes = render.render_many(
        ['Slide <a href="https://evil.example">click', "Slide two", "Three[^1]\n\n[^1]: A note."])
    assert first.count("<a ") == first.count("</a>")
    assert second == "<p>Slide two</p>"
    assert "<a " not in third.split('<sup id="fnref:1">')[0]
    assert "A note." in notes and notes.count("<div") == notes.count("</div>")


def test_footnote_divs_written_by_hand_stay_in_their_fragment():
    first, second, notes = render.render_many(
        ['<div class="footnote">mine</div>', "Two[^1]\n\n[^1]: The real one."])
    assert first == '<div class="footnote">mine</div>'
    assert "Two" in second and "The real one" not in second
    assert "The real one" in notes and "mine" not in notes


def test_content_holding_the_fragment_marker_is_refused_at_its_line(tmp_path):
    body = f"Teach.\n\nA {render.MARKER} here.\n" + GOOD_QUIZ
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module(body=body)})
    content = load_content(tmp_path)
    assert [str(p) for p in content.problems] == [
        f"s/01-a.md:7: error: '{render.MARKER}' is reserved: rendering joins fragments with "
        "it; remove it"]
    assert content.modules == []
