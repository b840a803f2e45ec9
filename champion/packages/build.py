"""Building SCORM 1.2 and cmi5 packages: a pure function from plain records to a zip.

A package holds, for each module, one page with the module as the site renders it (the
sanitized HTML stored at sync), the site's stylesheet, the module's media, and the quiz,
which runs in the page with its own scoring (``runtime/package.js``) and reports to the LMS
through the SCORM 1.2 API or as cmi5 statements. Nothing in it needs the network.

What a package gives away, by necessity: the quiz is scored in the learner's browser, so
every question of the pool and its answer key are in the package for anyone who unzips it
or opens the browser's developer tools. Explanations, per-choice feedback, presenter notes
and case guides are left out; they are not needed to take or score the quiz.

The same records always give the same bytes (fixed timestamps, sorted entries), so a
package can be rebuilt and compared.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from jinja2 import Environment, FileSystemLoader, select_autoescape

RUNTIME = Path(__file__).resolve().parent / "runtime"
KINDS = ("scorm", "cmi5")
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
CMI5_NAMESPACE = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


@dataclass(frozen=True)
class PackageModule:
    """One module as a package shows it: its rendered content and its quiz, as stored."""

    series: str
    slug: str
    title: str
    summary: str | None
    duration: int
    objectives: tuple[str, ...]
    body_html: str
    references_html: str
    video: str | None  # "media/..." or an outside URL
    pass_mark: int
    questions_per_attempt: int | None
    quiz: Mapping | None  # the stored quiz (content.render.quiz_to_data), or None

    @property
    def key(self) -> str:
        return f"{self.series}/{self.slug}"

    @property
    def has_quiz(self) -> bool:
        return bool(self.quiz and self.quiz["questions"])

    @property
    def page(self) -> str:
        """Where its page is in the package: beside its series' media, as on the site."""
        return f"{self.series}/{self.slug}.html"


@dataclass(frozen=True)
class PackageCourse:
    """What a package holds: one module, or every live module of a series."""

    slug: str  # "series" or "series/module"
    title: str
    description: str
    base_url: str  # activity IRIs (cmi5) and links back to the site
    modules: tuple[PackageModule, ...]
    # Media files the modules use, by their path in the package ("series/media/x.png").
    media: Mapping[str, bytes] = field(default_factory=dict)


def media_paths(module: PackageModule) -> list[str]:
    """The ``media/...`` files ``module``'s page refers to, relative to its series folder."""
    found = {match[1] for match in _MEDIA_URL.finditer(_texts(module))
             if match[0].startswith(f"/modules/{module.series}/")}
    if module.video and module.video.startswith("media/"):
        found.add(module.video)
    return sorted(found)


_MEDIA_URL = re.compile(r"/modules/[A-Za-z0-9_-]+/(media/[^\"'\s<>?#]+)")


def _texts(module: PackageModule) -> str:
    quiz = module.quiz or {"questions": []}
    parts = [module.body_html, module.references_html]
    for question in quiz["questions"]:
        parts.append(question["prompt"])
        parts += [choice["html"] for choice in question["choices"]]
    return "\n".join(parts)


def _localise(html: str, module: PackageModule, base_url: str) -> str:
    """The module's own media become package paths; other links on the site become
    absolute, so they still lead somewhere from inside an LMS."""
    html = html.replace(f'"/modules/{module.series}/media/', '"media/')
    return re.sub(r'(href|src)="/(?!/)', lambda m: f'{m[1]}="{base_url}/', html)


def quiz_for_package(module: PackageModule) -> dict | None:
    """What the page's quiz needs: the pool, each question's choices and key; nothing else
    (no explanations, no feedback, no "where taught")."""
    if not module.has_quiz:
        return None
    questions = []
    for question in module.quiz["questions"]:
        questions.append({
            "prompt": _localise(question["prompt"], module, ""),
            "choices": [{"html": _localise(c["html"], module, ""), "pinned": bool(c.get("pinned"))}
                        for c in question["choices"]],
            "key": [i for i, c in enumerate(question["choices"]) if c["correct"]],
        })
    pool = len(questions)
    return {"questions": questions, "pass_mark": module.pass_mark,
            "per_attempt": min(pool, module.questions_per_attempt or pool)}


_ENV = Environment(loader=FileSystemLoader(RUNTIME), autoescape=select_autoescape(["html"]),
                   keep_trailing_newline=True)


def module_page(module: PackageModule, standard: str, base_url: str) -> str:
    """The module's page in the package (``standard``: "scorm12" or "cmi5")."""
    quiz = quiz_for_package(module)
    return _ENV.get_template("module.html").render(
        module=module, standard=standard,
        body_html=_localise(module.body_html, module, base_url),
        references_html=_localise(module.references_html, module, base_url),
        # In an attribute (the page has no inline script), escaped there by Jinja.
        quiz_json=json.dumps(quiz, ensure_ascii=False) if quiz else None,
    )


def build_package(kind: str, course: PackageCourse, stylesheet: str) -> bytes:
    """The zip of ``course`` as a SCORM 1.2 (``kind`` "scorm") or cmi5 ("cmi5") package."""
    if kind not in KINDS:
        raise ValueError(f"unknown package kind {kind!r}: scorm or cmi5")
    standard = "scorm12" if kind == "scorm" else "cmi5"
    files: dict[str, bytes] = {
        "champion.css": stylesheet.encode(),
        "champion-package.js": (RUNTIME / "package.js").read_bytes(),
    }
    for module in course.modules:
        files[module.page] = module_page(module, standard, course.base_url).encode()
    files.update(course.media)
    if kind == "scorm":
        files["imsmanifest.xml"] = scorm_manifest(course, sorted(files)).encode()
    else:
        files["cmi5.xml"] = cmi5_course_structure(course).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _identifier(text: str) -> str:
    """An xs:ID made of ``text`` (SCORM identifiers can't hold "/")."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


_SCHEMA_LOCATION = ("http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
                    "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd")


def scorm_manifest(course: PackageCourse, files: list[str]) -> str:
    """imsmanifest.xml (SCORM 1.2, IMS Content Packaging 1.1.2): one SCO per module."""
    shared = [name for name in files if name in ("champion.css", "champion-package.js")]
    items, resources = [], []
    for module in course.modules:
        ident = _identifier(module.key)
        mastery = (f"\n        <adlcp:masteryscore>{module.pass_mark}</adlcp:masteryscore>"
                   if module.has_quiz else "")
        items.append(
            f'      <item identifier="item-{ident}" identifierref="sco-{ident}">\n'
            f"        <title>{escape(module.title)}</title>{mastery}\n"
            f"      </item>")
        own = [module.page, *(f"{module.series}/{path}" for path in media_paths(module))]
        listed = "\n".join(f"      <file href={quoteattr(name)}/>" for name in own)
        resources.append(
            f'    <resource identifier="sco-{ident}" type="webcontent" '
            f'adlcp:scormtype="sco" href={quoteattr(module.page)}>\n{listed}\n'
            '      <dependency identifierref="shared"/>\n    </resource>')
    shared_files = "\n".join(f"      <file href={quoteattr(name)}/>" for name in shared)
    resources.append(f'    <resource identifier="shared" type="webcontent" '
                     f'adlcp:scormtype="asset">\n{shared_files}\n    </resource>')
    ident = _identifier(course.slug)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="champion-{ident}" version="1"
          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="{_SCHEMA_LOCATION}">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="org-{ident}">
    <organization identifier="org-{ident}">
      <title>{escape(course.title)}</title>
{chr(10).join(items)}
    </organization>
  </organizations>
  <resources>
{chr(10).join(resources)}
  </resources>
</manifest>
"""


def _text(tag: str, value: str, indent: str) -> str:
    return (f'{indent}<{tag}>\n{indent}  <langstring lang="en-US">{escape(value)}</langstring>\n'
            f"{indent}</{tag}>")


def cmi5_course_structure(course: PackageCourse) -> str:
    """cmi5.xml: the course, and one assignable unit per module, opened by its page."""
    aus = []
    for module in course.modules:
        if module.has_quiz:
            rule = f' moveOn="CompletedAndPassed" masteryScore="{module.pass_mark / 100:g}"'
        else:
            rule = ' moveOn="Completed"'
        aus.append(
            f'  <au id={quoteattr(f"{course.base_url}/modules/{module.key}")}{rule} '
            'launchMethod="AnyWindow">\n'
            f"{_text('title', module.title, '    ')}\n"
            f"{_text('description', module.summary or module.title, '    ')}\n"
            f"    <url>{escape(module.page)}</url>\n  </au>")
    # The series page for a series; a module's package is a course of its own.
    course_id = (f"{course.base_url}/modules/{course.slug}/" if "/" not in course.slug
                 else f"{course.base_url}/modules/{course.slug}#course")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<courseStructure xmlns="{CMI5_NAMESPACE}">
  <course id={quoteattr(course_id)}>
{_text("title", course.title, "    ")}
{_text("description", course.description, "    ")}
  </course>
{chr(10).join(aus)}
</courseStructure>
"""
