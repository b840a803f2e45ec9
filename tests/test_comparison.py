"""History compares versions as people read them, word by word (issue 17, Educator)."""

from __future__ import annotations

from champion.author.comparison import compare, readable, text_of


def test_rendered_text_not_markdown():
    assert text_of("<h2>Pain</h2><p>Use <strong>low</strong> doses.</p><ul><li>One</li>"
                   "<li>Two</li></ul><p><img src=x alt='A chart'></p>") == [
        "## Pain", "Use low doses.", "• One", "• Two", "[image: A chart]"]


def test_the_quiz_reads_as_questions_with_the_key():
    quiz = {"questions": [{"prompt": "<p>Which?</p>", "explanation": "<p>Because.</p>",
                           "choices": [{"html": "Fans", "correct": True, "feedback": None},
                                       {"html": "Oxygen", "correct": False,
                                        "feedback": "<p>Not for all.</p>"}]}]}
    assert readable("Breathlessness", "<p>Text.</p>", quiz) == [
        "# Breathlessness", "Text.", "Quiz question 1: Which?", "✓ correct: Fans", "✗ Oxygen",
        "Feedback: Not for all.", "Explanation: Because."]


def test_changes_are_marked_word_by_word_with_a_little_context():
    old = ["# Title", *[f"Same paragraph {n}." for n in range(6)],
           "Start low and go slow with opioids.", "The end."]
    new = ["# Title", *[f"Same paragraph {n}." for n in range(6)],
           "Start low and go slowly with opioids.", "The end.", "A new closing line."]
    html = str(compare(old, new))
    assert ("Start low and go <del><span class=\"visually-hidden\">[removed: </span>slow"
            in html)
    assert "[added: </span>slowly" in html and "with opioids." in html
    assert "… 6 unchanged paragraphs …" in html and "Same paragraph 5." in html
    assert "Same paragraph 4." not in html  # only one paragraph of context
    assert "[added: </span>A new closing line." in html
    assert compare(old, list(old)) is None


def test_text_is_escaped():
    html = str(compare(["<script>"], ["<b>"]))
    assert "<script>" not in html and "&lt;script&gt;" in html
