"""Problems are placed in the editor's words, never as a file's line (issue 17)."""

from __future__ import annotations

from champion.author.locations import editor_place
from champion.content.model import Problem

SOURCE = """---
title: Pain
duration: 10
reveal: always
---

# Pain

Some text.

![](media/x.png)

## Quiz

1. First?

   - [x] Yes
   - [ ] No

2. Second?

   - [ ] Yes
   - [ ] No

## References

1. A book.
"""


def place(line: int, path: str = "basics/01-pain.md", case: str | None = None) -> str:
    return editor_place(Problem(path, line, "error", "m"), SOURCE, case)


def test_places():
    assert place(2) == "the Title field"
    assert place(3) == "the Duration field"
    assert place(4) == "the setting 'reveal'"
    assert place(11) == "the presentation, line 5"
    assert place(17) == "the quiz, question 1"
    assert place(22) == "the quiz, question 2"
    assert place(27) == "the references, line 1"
    case = "---\ntitle: A case\n---\n\nA vignette.\n\nQuestions.\n"
    assert place(2, "basics/01-pain.case.md", case) == "the case discussion guide's title"
    assert place(7, "basics/01-pain.case.md", case) == "the case discussion guide, line 3"
