"""The layout's promises, read from the code's own imports: imports point one way.

- ``knowledge``, ``data_requests``, ``monitoring``, ``privacy`` and ``settings`` never
  import Rasa, so they run in either interpreter and in plain scripts;
- nothing imports ``actions``, ``channels``, ``rasa_server`` or ``stack`` (the entry points
  Rasa, the action server and ``make run`` load), tests and tools aside;
- no two packages import each other, directly or round a longer circle.
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
    "stores",
)
# stack/ starts the Rasa server as a process of the other interpreter, never imports it.
RASA_FREE = ("knowledge", "data_requests", "monitoring", "privacy", "settings", "stack")
ENTRY_POINTS = ("actions", "channels", "rasa_server", "stack")
# Modules of otherwise Rasa-free packages that exist to hold logic outside Rasa.
RASA_FREE_MODULES = (
    "channels/auth.py",
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


def test_nothing_imports_the_entry_points() -> None:
    for package, uses in package_imports().items():
        assert not uses & set(ENTRY_POINTS), f"{package} imports {uses & set(ENTRY_POINTS)}"


def test_no_package_cycle() -> None:
    graph = package_imports()

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in graph[start]
        )

    assert [p for p in PACKAGES if reaches(p, p)] == []
