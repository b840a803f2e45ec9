"""Case guides read two ways: the facilitator's guide and the participants' handout."""

from __future__ import annotations

from champion.content.handout import split_guide


def test_facilitator_sections_are_left_out_of_the_handout_and_markers_never_shown():
    body = ("Intro.\n\n## Stage 1\n\nThe visit.\n\n### Discussion questions\n\n1. What now?\n\n"
            "### Facilitator notes\n\nSteer to goals.\n\n#### Deeper\n\nStill hidden.\n\n"
            "## Stage 2\n\nThe call.\n\n## Running the session {facilitator}\n\nTen minutes.\n\n"
            "```\n## Facilitator notes inside code\n```\n\n## Afterwards\n\nCommit to one change.")
    guide, handout = split_guide(body)
    assert "{facilitator}" not in guide and "## Running the session\n" in guide
    assert "Steer to goals." in guide and "Ten minutes." in guide
    for hidden in ("Facilitator notes", "Steer to goals.", "Still hidden.", "Running the session",
                   "Ten minutes.", "inside code"):
        assert hidden not in handout, hidden
    for shown in ("Intro.", "The visit.", "1. What now?", "The call.", "Commit to one change."):
        assert shown in handout, shown


def test_a_guide_without_facilitator_sections_is_its_own_handout():
    body = "A case.\n\n## Questions\n\n1. Why?\n\n```\n### Facilitator\n```\n"
    assert split_guide(body) == (body.rstrip("\n"), body.rstrip("\n"))
