"""The layout's promises, read from the code's own imports: imports point one way.

- ``knowledge``, ``data_requests``, ``monitoring``, ``privacy`` and ``settings`` never
  import Rasa, so they run in either interpreter and in plain scripts;
- nothing imports ``actions``, ``channels``, ``rasa_server`` or ``stack`` (the entry points
  Rasa, the action server and ``make run`` load), tests and tools aside;
- no two packages import each other, directly or round a longer circle; nor do two
  modules (an import inside a function counts too);
- nothing outside ``tests`` imports the tests: what tools share with them (starting a
  stack on free ports, talking to it over REST) lives in ``stack``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from settings import PROJECT_ROOT

PACKAGES = (
    "actions",
    "channels",
    "data_requests",
    "knowledge",
    "monitoring",
    "privacy",
    "rasa_server",
    "stack",
    "storage",
    "stores",
    "feedback",
    "review",
    "handoff",
)
# stack/ starts the Rasa server as a process of the other interpreter, never imports it.
RASA_FREE = (
    "knowledge",
    "data_requests",
    "monitoring",
    "privacy",
    "settings",
    "stack",
    "storage",
    "feedback",
    "review",
    "handoff",
)
ENTRY_POINTS = ("actions", "channels", "rasa_server", "stack")
# Modules of otherwise Rasa-free packages that exist to hold logic outside Rasa.
RASA_FREE_MODULES = (
    "channels/auth.py",
    "channels/buttons.py",
    "channels/limits.py",
    "channels/shared_limits.py",
    "channels/slack_messages.py",
    "stores/personal_data.py",
    "stores/retention.py",
    "stores/sqlite.py",
)


def modules(top: str) -> Iterator[Path]:
    path = PROJECT_ROOT / top
    yield from [path.with_suffix(".py")] if path.with_suffix(".py").exists() else path.rglob("*.py")


def imported(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (absolute imports only)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def package_imports() -> dict[str, set[str]]:
    return {
        package: {name for m in modules(package) for name in imported(m)}
        & set(PACKAGES) - {package}
        for package in PACKAGES
    }


@pytest.mark.parametrize(
    "path",
    [m for top in RASA_FREE for m in modules(top)] + [PROJECT_ROOT / m for m in RASA_FREE_MODULES],
    ids=lambda p: str(p.relative_to(PROJECT_ROOT)),
)
def test_rasa_free_code_imports_no_rasa(path: Path) -> None:
    assert not imported(path) & {"rasa", "rasa_sdk", "sanic"}


@pytest.mark.parametrize("top", [*PACKAGES, "tools", "settings"])
def test_only_tests_import_the_tests(top: str) -> None:
    assert not [m for m in modules(top) if "tests" in imported(m)]


def test_nothing_imports_the_entry_points() -> None:
    for package, uses in package_imports().items():
        assert not uses & set(ENTRY_POINTS), f"{package} imports {uses & set(ENTRY_POINTS)}"


def in_a_cycle(graph: dict[str, set[str]]) -> list[str]:
    """Every node from which its own imports lead back to it."""

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                if reaches(nxt, goal, seen):
                    return True
        return False

    return sorted(node for node in graph if reaches(node, node, set()))


def test_no_package_cycle() -> None:
    assert in_a_cycle(package_imports()) == []


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_imports() -> dict[str, set[str]]:
    """Each project module and the project modules it imports; ``from pkg import mod``
    names the submodule when there is one."""
    paths = [m for top in PACKAGES for m in modules(top)]
    known = {module_name(path) for path in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                subs = {f"{node.module}.{alias.name}" for alias in node.names}
                targets |= (subs & known) or {node.module}
        graph[module_name(path)] = targets & known
    return graph


def test_no_module_cycle() -> None:
    """e.g. the outbox's SQLite and PostgreSQL stores once imported each other."""
    assert in_a_cycle(module_imports()) == []
