"""YAML front matter, with the line of every key so problems can be located."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

# libyaml's loader when PyYAML was built with it (the wheels are): far faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Document:
    """A Markdown file split into its front matter and body."""

    meta: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # file line number of the body's first line
    has_front_matter: bool = False
    node: Any = None  # the front matter's YAML node: lines of nested keys (credit, disclosures)


def parse_yaml(text: str, first_line: int = 1) -> tuple[Any, Any]:
    """Parse YAML, returning ``(value, node)``; line numbers in errors are file lines.

    ``first_line`` is the file line on which ``text`` starts.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", line) from exc
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
        raise YamlError(f"invalid YAML: {exc}", first_line) from exc
    finally:
        loader.dispose()
    return value, node


def mapping_key_lines(node: Any, first_line: int) -> dict[str, int]:
    """File line of each key of a YAML mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): first_line + key.start_mark.line
        for key, _value in node.value
        if isinstance(key, yaml.ScalarNode)
    }


# One line and its ending: only \n, \r\n and \r end a line (see split_lines).
_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|\Z)")


def split_front_matter(text: str) -> Document:
    """Split ``---``-fenced front matter from the body. Raises YamlError if it is broken."""
    # Lines are read only as far as the closing ---: the body is sliced off whole.
    lines = _LINE.finditer(text)
    first = next(lines)
    if not text or first[1].rstrip() != "---":
        return Document(body=text, body_line=1)
    for index, line in enumerate(lines, start=1):
        if line.start() == len(text):  # past the last line
            break
        if line[1].rstrip() in ("---", "..."):
            value, node = parse_yaml(text[first.end():line.start()], first_line=2)
            if value is None:
                value = {}
            if not isinstance(value, dict):
                raise YamlError("front matter must be a mapping of keys to values", 2)
            return Document(
                meta={str(k): v for k, v in value.items()},
                key_lines=mapping_key_lines(node, first_line=2),
                body=text[line.end():],
                body_line=index + 2,
                has_front_matter=True,
                node=node,
            )
    raise YamlError("front matter is not closed: add a line holding only ---", 1)
