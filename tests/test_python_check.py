"""CI warns when the interpreter is older than the newest patch release of its line."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "python-check"


def test_an_old_patch_release_is_warned_about_and_the_latest_is_not():
    advice = runpy.run_path(str(SCRIPT))["advice"]
    latest = {(3, 11): 15, (3, 12): 13}
    assert "older than 3.11.15" in advice((3, 11, 7), latest)
    assert "older than 3.12.13" in advice((3, 12, 1), latest)
    assert advice((3, 11, 15), latest) is None
    assert advice((3, 12, 13), latest) is None
    assert "not a supported version" in advice((3, 10, 13), latest)


def test_the_script_warns_but_never_fails_and_ci_runs_it_before_the_tests():
    result = subprocess.run([sys.executable, str(SCRIPT), sys.executable],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    version = ".".join(map(str, sys.version_info[:3]))
    assert version in result.stdout + result.stderr
    run = (ROOT / ".ci" / "run").read_text()
    assert run.index(".ci/python-check") < run.index("make test")
