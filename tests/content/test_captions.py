"""Captions for a module's video: WebVTT read strictly, each problem at its path:line, a
video without captions a warning, and the page gives the video its <track>."""

from __future__ import annotations

import pytest

from champion.content import load_content
from champion.content.captions import webvtt_problems
from tests.content.test_loader import INDEX, module, write
from tests.helpers import sync

GOOD_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Welcome to the module.

NOTE a comment block is not a cue

00:04.500 --> 01:00:00.000 line:90%
The second cue, with hours and a setting.
"""


def test_a_well_formed_file_has_no_problems():
    assert webvtt_problems(GOOD_VTT) == []
    assert webvtt_problems("\ufeff" + GOOD_VTT) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("", [(1, "a WebVTT captions file starts with the line 'WEBVTT'")]),
    ("1\n00:00:01.000 --> 00:00:02.000\nHi\n",
     [(1, "a WebVTT captions file starts with the line 'WEBVTT'")]),
    ("WEBVTT\n", [(1, "the captions file has no cues (no timed text)")]),
    ("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nHi\n",
     [(3, "a cue needs a timing line such as '00:00:01.000 --> 00:00:04.000'")]),
    ("WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nHi\n",
     [(3, "unreadable cue timing '00:00:01,000 --> 00:00:02,000': write "
          "MM:SS.mmm --> MM:SS.mmm (hours optional)")]),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nBackwards\n",
     [(3, "this cue ends before it starts")]),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nB\n\n00:00:01.000 --> 00:00:02.000\nA\n",
     [(6, "cues must be in order of their start times")]),
])
def test_each_problem_names_its_line(text, expected):
    assert webvtt_problems(text) == expected


def messages(root) -> list[str]:
    return [str(p) for p in load_content(root).problems]


def captioned_series(root):
    write(root, {
        "s/index.md": INDEX,
        "s/01-a.md": module("title: A\nduration: 10\nvideo:\n  src: media/talk.mp4\n"
                            "  captions: media/talk.vtt\n"),
        "s/media/talk.mp4": b"\x00\x00\x00\x18ftypmp42",
        "s/media/talk.vtt": GOOD_VTT,
    })


def test_a_video_carries_its_captions(tmp_path):
    captioned_series(tmp_path)
    content = load_content(tmp_path)
    assert not [p for p in content.problems if "caption" in str(p) or "video" in str(p)]
    (a,) = content.series[0].modules
    assert (a.video, a.captions) == ("media/talk.mp4", "media/talk.vtt")


@pytest.mark.parametrize(("front", "files", "expected"), [
    ("video: https://video.example.org/talk\n", {},
     "s/01-a.md:4: warning: the video has no captions: add 'captions: media/….vtt' under "
     "'video' (WCAG 1.2.2, captions for recorded video)"),
    ("video:\n  src: https://video.example.org/talk\n  captions: media/gone.vtt\n", {},
     "s/01-a.md:4: error: media file 'media/gone.vtt' does not exist"),
    ("video:\n  src: https://video.example.org/talk\n  captions: media/talk.srt\n",
     {"s/media/talk.srt": "1\n00:00:01,000 --> 00:00:02,000\nHi\n"},
     "s/01-a.md:4: error: captions must be a WebVTT (.vtt) file, got 'media/talk.srt'"),
    ("video:\n  src: https://video.example.org/talk\n  captions: media/talk.vtt\n",
     {"s/media/talk.vtt": "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nBackwards\n"},
     "s/media/talk.vtt:3: error: this cue ends before it starts"),
    ("video:\n  src: https://video.example.org/talk\n  subtitles: media/talk.vtt\n", {},
     "s/01-a.md:4: error: 'video' takes 'src' and 'captions', not subtitles"),
    ("video:\n  captions: media/talk.vtt\n", {},
     "s/01-a.md:4: error: 'video' needs 'src': an http(s) URL or a media/ path"),
])
def test_captions_problems_are_located(tmp_path, front, files, expected):
    write(tmp_path, {"s/index.md": INDEX, "s/01-a.md": module("title: A\nduration: 10\n" + front),
                     **files})
    found = messages(tmp_path)
    assert any(p.startswith(expected) for p in found), found


def test_the_module_page_gives_the_video_its_captions_track(app, learner_client, tmp_path,
                                                            monkeypatch):
    captioned_series(tmp_path)
    sync(tmp_path)
    monkeypatch.setitem(app.config, "CHAMPION_MODULES_DIR", str(tmp_path))
    client = learner_client
    page = client.get("/modules/s/a").get_data(as_text=True)
    assert '<track kind="captions" srclang="en" label="English" default' in page
    assert 'src="/modules/s/media/talk.vtt"' in page
    with client.get("/modules/s/media/talk.vtt") as captions:
        assert captions.status_code == 200 and captions.mimetype == "text/vtt"
        assert "Welcome to the module." in captions.get_data(as_text=True)
