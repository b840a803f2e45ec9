"""The package's shape: no import cycle inside ``champion/`` and no oversized view file.

Imports inside functions count too: a deferred import is how a cycle hides, not how it
goes away. Imports under ``if TYPE_CHECKING:`` don't run, so they don't count.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "champion"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The ``champion`` modules ``path`` imports, wherever in the file the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree)
               if isinstance(node, ast.If) and _type_checking_only(node)
               for n in ast.walk(node)}
    found: set[str] = set()
    here = module_name(path)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                package = here.split(".")[: -node.level or None]
                if path.name == "__init__.py":
                    package = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*package, node.module])
            for alias in node.names:  # a submodule, else a name defined in ``base``
                name = f"{base}.{alias.name}"
                found.add(name if name in modules else base)
    # importing a.b.c runs a/__init__ and a/b/__init__ too, but those are the package's
    # own business; a cycle through them is still a cycle between real modules.
    return {name for name in found if name in modules and name != here}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: imports_of(path, modules) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_inside_the_package():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


def view_files() -> list[Path]:
    return sorted([*PACKAGE.rglob("views.py"), *PACKAGE.rglob("*_views.py")])


def test_no_view_file_is_oversized():
    """A view file past ~350 lines holds more than one part of a feature: split it."""
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines())
             for p in view_files()}
    assert {name: n for name, n in sizes.items() if n > 350} == {}


WRITES = {"add", "add_all", "delete", "flush", "merge", "bulk_save_objects"}


def writes_in(path: Path) -> list[str]:
    """Where a view file writes through the session itself, or records an audit event:
    both belong in a service (``operations.py``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if (node.func.attr in WRITES and isinstance(target, ast.Attribute)
                    and target.attr == "session"):
                found.append(f"{path.name}:{node.lineno}: session.{node.func.attr}")
        if isinstance(node, ast.ImportFrom) and node.module == "champion.audit.operations":
            found.append(f"{path.name}:{node.lineno}: imports the audit log's writer")
    return found


def test_the_write_finder_finds_writes(tmp_path):
    view = tmp_path / "views.py"
    view.write_text("from champion.audit.operations import record\n"
                    "def v():\n    db.session.add(x)\n    db.session.commit()\n"
                    "    db.session.execute(select(y))\n")
    assert writes_in(view) == ["views.py:1: imports the audit log's writer",
                               "views.py:3: session.add"]


def test_views_write_only_through_services():
    """docs/architecture.md: a view adds, deletes or flushes nothing itself and records no
    audit event; it calls an operation and commits the request's one transaction."""
    found = [w for path in view_files() for w in writes_in(path)]
    assert found == []
