"""The supply chain: every imported package is declared, every declared one is locked.

``requirements.lock`` (scripts/setup, CI) and ``requirements-runtime.lock`` (the
Dockerfile) pin each package to one version with its hashes; ``scripts/lock``
regenerates both from pyproject.toml. When someone adds a dependency and forgets the
lock, the test below fails and says to run it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL = {"kohtaanto", "ml", "search", "jobs", "tests", "bench", "__future__"}
RUNTIME_CODE = ("src", "ml", "search", "jobs")
TEST_CODE = ("tests", "bench")


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (PEP 503)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _project() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = {"runtime": list(project["dependencies"])}
    groups.update(project.get("optional-dependencies", {}))
    return groups


def _locked(path: Path) -> dict[str, str]:
    """Name -> the one pinned version, for every package in a lockfile."""
    pins: dict[str, str] = {}
    text = path.read_text()
    for block in re.split(r"\n(?=\S)", text):
        line = block.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)", line)
        assert match, f"{path.name}: not pinned to one version: {line.splitlines()[0]}"
        assert "--hash=sha256:" in block, f"{path.name}: {match.group(1)} has no hash"
        pins[_name(match.group(1))] = match.group(3)
    return pins


def test_every_dependency_is_in_the_lock() -> None:
    locked = _locked(ROOT / "requirements.lock")
    runtime_locked = _locked(ROOT / "requirements-runtime.lock")
    missing = sorted({_name(r) for group in _project().values() for r in group} - set(locked))
    assert not missing, f"not in requirements.lock: {missing}: run scripts/lock and commit"
    runtime_missing = sorted({_name(r) for r in _project()["runtime"]} - set(runtime_locked))
    assert not runtime_missing, (
        f"not in requirements-runtime.lock: {runtime_missing}: run scripts/lock and commit"
    )
    # The image runs the versions CI tested.
    differ = {n: (v, locked.get(n)) for n, v in runtime_locked.items() if locked.get(n) != v}
    assert not differ, f"the two lockfiles disagree: {differ}: run scripts/lock"


def _imports(folders: tuple[str, ...]) -> dict[str, str]:
    """Top-level third-party modules imported under ``folders`` -> one file importing it."""
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in LOCAL:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _distributions(module: str) -> set[str]:
    installed = importlib.metadata.packages_distributions().get(module)
    # Not installed here (an optional extra): its module name is its distribution's.
    return {_name(d) for d in installed} if installed else {_name(module)}


def test_every_imported_package_is_declared() -> None:
    groups = _project()
    # Extras other than dev (demo) are imported lazily by the code that needs them.
    runtime = {_name(r) for name, group in groups.items() if name != "dev" for r in group}
    anywhere = {_name(r) for group in groups.values() for r in group}
    undeclared = {
        module: where
        for module, where in _imports(RUNTIME_CODE).items()
        if not _distributions(module) & runtime
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
    undeclared_in_tests = {
        module: where
        for module, where in _imports(TEST_CODE).items()
        if not _distributions(module) & anywhere
    }
    assert not undeclared_in_tests, (
        f"imported by tests but not declared (dev extra): {undeclared_in_tests}"
    )
