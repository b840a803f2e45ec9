"""SCORM 1.2 and cmi5 packages: what `champion export` writes, and what it gives away.

The packages run in a browser under a real SCORM runtime in tests/e2e/test_packages.py.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from champion.packages.build import build_package
from champion.packages.queries import package_course, site_stylesheet
from tests.helpers import sync

CMI5_SCHEMA = Path(__file__).parent / "fixtures" / "cmi5" / "CourseStructure.xsd"
IMSCP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"


def export(runner, kind: str, target: str, tmp_path: Path) -> zipfile.ZipFile:
    out = tmp_path / f"{kind}.zip"
    result = runner.invoke(args=["export", kind, target, str(out)])
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(out)


def quiz_data(page: str) -> dict:
    return json.loads(html.unescape(re.search(r'data-quiz="([^"]*)"', page)[1]))


def test_a_scorm_package_of_a_series_has_one_sco_per_live_module(runner, synced, tmp_path):
    package = export(runner, "scorm", "basics", tmp_path)
    manifest = etree.fromstring(package.read("imsmanifest.xml"))
    assert manifest.findtext(f"{IMSCP}metadata/{IMSCP}schemaversion") == "1.2"
    items = manifest.findall(f".//{IMSCP}organization/{IMSCP}item")
    assert [item.findtext(f"{IMSCP}title") for item in items] == [
        "First steps", "Second steps", "A reading", "Optional extra"]
    assert items[0].findtext(f"{ADLCP}masteryscore") == "50"  # the module's pass mark
    scos = [r for r in manifest.iter(f"{IMSCP}resource") if r.get(f"{ADLCP}scormtype") == "sco"]
    assert [r.get("href") for r in scos] == ["basics/first-steps.html", "basics/second-steps.html",
                                             "basics/reading.html", "basics/optional.html"]
    names = set(package.namelist())
    listed = {f.get("href") for f in manifest.iter(f"{IMSCP}file")}
    assert listed == names - {"imsmanifest.xml"}  # every file listed, and every listed file there
    page = package.read("basics/first-steps.html").decode()
    assert '<link rel="stylesheet" href="../champion.css">' in page
    assert "The second slide, with a table" in page  # the rendered module itself
    assert package.read("champion.css").decode() == site_stylesheet()


def test_the_package_holds_the_pool_and_its_key_but_no_explanations_or_notes(
        runner, synced, tmp_path):
    package = export(runner, "scorm", "basics/first-steps", tmp_path)
    page = package.read("basics/first-steps.html").decode()
    quiz = quiz_data(page)
    assert [q["key"] for q in quiz["questions"]] == [[1], [0, 1]]
    assert quiz["pass_mark"] == 50 and quiz["per_attempt"] == 2
    everything = b"".join(package.read(name) for name in package.namelist()).decode()
    for never in ("You begin at the start", "Listening and asking are the steps",
                  "Lecturing is the pitfall", "secret note about slide one"):
        assert never not in everything


def test_questions_per_attempt_is_drawn_from_the_whole_pool(runner, content_dir, app, tmp_path):
    module = content_dir / "basics" / "01-first-steps.md"
    module.write_text(module.read_text().replace("pass_mark: 50", "pass_mark: 50\n"
                                                 "questions_per_attempt: 1"))
    sync(content_dir)
    quiz = quiz_data(export(runner, "scorm", "basics/first-steps", tmp_path)
                     .read("basics/first-steps.html").decode())
    assert len(quiz["questions"]) == 2 and quiz["per_attempt"] == 1


def test_a_modules_media_travel_with_it_and_its_pages_point_at_them(runner, synced, tmp_path):
    package = export(runner, "scorm", "extras/figure", tmp_path)
    page = package.read("extras/figure.html").decode()
    assert 'src="media/figure.gif"' in page
    assert package.read("extras/media/figure.gif") == (
        Path(runner.app.config["CHAMPION_MODULES_DIR"]) / "extras/media/figure.gif").read_bytes()


def test_a_media_path_cannot_leave_the_series_media_folder(app, tmp_path):
    from champion.packages.build import PackageModule
    from champion.packages.queries import PackageError, media_files

    (tmp_path / "basics" / "media").mkdir(parents=True)
    (tmp_path / "basics" / "index.md").write_text("not media")
    module = PackageModule(
        series="basics", slug="x", title="X", summary=None, duration=5, objectives=(),
        body_html='<img src="/modules/basics/media/../index.md" alt="">', references_html="",
        video=None, pass_mark=80, questions_per_attempt=None, quiz=None)
    with pytest.raises(PackageError, match=re.escape("basics/media/../index.md is not in")):
        media_files(module, tmp_path)


def test_the_cmi5_course_structure_validates_against_the_specs_schema(runner, synced, tmp_path):
    schema = etree.XMLSchema(etree.parse(str(CMI5_SCHEMA)))
    for target in ("basics", "extras/figure"):
        document = etree.fromstring(export(runner, "cmi5", target, tmp_path).read("cmi5.xml"))
        assert schema.validate(document), schema.error_log
    ns = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"
    document = etree.fromstring(export(runner, "cmi5", "basics", tmp_path).read("cmi5.xml"))
    aus = document.findall(f"{ns}au")
    assert [(au.get("id"), au.get("moveOn"), au.get("masteryScore"), au.findtext(f"{ns}url"))
            for au in aus[:3]] == [
        ("https://champion.test/modules/basics/first-steps", "CompletedAndPassed", "0.5",
         "basics/first-steps.html"),
        ("https://champion.test/modules/basics/second-steps", "CompletedAndPassed", "0.8",
         "basics/second-steps.html"),
        ("https://champion.test/modules/basics/reading", "Completed", None, "basics/reading.html"),
    ]
    assert 'data-standard="cmi5"' in export(runner, "cmi5", "basics", tmp_path).read(
        "basics/reading.html").decode()


def test_a_schema_check_that_can_fail_fails(synced):
    """The schema refuses what the spec forbids: an AU without its url."""
    schema = etree.XMLSchema(etree.parse(str(CMI5_SCHEMA)))
    from champion.packages.build import cmi5_course_structure

    xml = cmi5_course_structure(package_course("basics")).replace("<url>", "<link>").replace(
        "</url>", "</link>")
    assert not schema.validate(etree.fromstring(xml.encode()))


def test_a_package_is_a_pure_function_of_the_content(synced):
    course = package_course("basics")
    first = build_package("scorm", course, "body {}")
    assert build_package("scorm", course, "body {}") == first
    assert zipfile.ZipFile(io.BytesIO(first)).read("champion.css") == b"body {}"


@pytest.mark.parametrize(("target", "message"), [
    ("nowhere", "no live series 'nowhere'"),
    ("basics/nothing", "no live module 'basics/nothing'"),
])
def test_an_unknown_target_is_named_and_nothing_is_written(runner, synced, tmp_path, target,
                                                           message):
    out = tmp_path / "out.zip"
    result = runner.invoke(args=["export", "scorm", target, str(out)])
    assert result.exit_code == 1 and message in result.output
    assert not out.exists()


def test_a_package_needs_the_sites_address(runner, synced, tmp_path, app):
    app.config["CHAMPION_BASE_URL"] = None
    try:
        result = runner.invoke(args=["export", "cmi5", "basics", str(tmp_path / "o.zip")])
    finally:
        app.config["CHAMPION_BASE_URL"] = "https://champion.test"
    assert result.exit_code == 1 and "CHAMPION_BASE_URL" in result.output
