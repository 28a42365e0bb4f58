"""deploy/: the systemd units per role pass ``systemd-analyze verify``, start what is in
the checkout, and their example environment files name only settings that exist.

``verify`` runs against a root of the test's own (``--root``): the system's unit
directory copied in (the targets the units order themselves after), the units installed
under etc/, and each ``ExecStart`` program in place, as ``make setup`` puts it in
/opt/jessops. Any warning fails, not only errors: an unknown key is only a warning.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
INSTALLED_AT = Path("/opt/jessops")  # where docs/deploy.md clones the project
SYSTEM_UNITS = Path("/lib/systemd/system")


def directives(unit: Path, key: str) -> list[str]:
    return re.findall(rf"^{key}=(.+)$", unit.read_text(), re.M)


def program(unit: Path) -> Path:
    [command] = directives(unit, "ExecStart")
    return Path(command.split()[0])


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A file system root with systemd's own units, ours, and our programs in place."""
    shutil.copytree(SYSTEM_UNITS, tmp_path / "usr/lib/systemd/system", symlinks=True)
    installed = tmp_path / "etc/systemd/system"
    installed.mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(unit, installed)
        placed = tmp_path / program(unit).relative_to("/")
        placed.parent.mkdir(parents=True, exist_ok=True)
        placed.write_text("#!/bin/sh\n")
        placed.chmod(0o755)
    return tmp_path


def test_there_is_a_unit_per_role() -> None:
    assert [unit.name for unit in UNITS] == [
        "jessops-application.service",
        "jessops-database.service",
        "jessops-edge.service",
    ]


def test_systemd_analyze_verifies_every_unit_without_a_warning(root: Path) -> None:
    checked = subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", *[unit.name for unit in UNITS]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.stem)
def test_a_unit_starts_its_role_with_the_checkouts_python(unit: Path) -> None:
    """The program is the one ``make setup`` installs, and the role is one the launcher
    knows (its --role choices)."""
    role = unit.stem.removeprefix("jessops-")
    assert (PROJECT_ROOT / program(unit).relative_to(INSTALLED_AT)).exists()
    assert directives(unit, "ExecStart")[0].endswith(f"-m stack --cluster --role {role}")
    assert directives(unit, "WorkingDirectory") == [str(INSTALLED_AT)]


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.stem)
def test_every_environment_file_has_an_example_of_settings_that_exist(unit: Path) -> None:
    read = (PROJECT_ROOT / "settings.py").read_text()
    for environment_file in directives(unit, "EnvironmentFile"):
        example = DEPLOY / "env" / Path(environment_file).name
        names = re.findall(r"^([A-Z_]+)=", example.read_text(), re.M)
        assert names, example
        unknown = [name for name in names if f'"{name}"' not in read]
        assert not unknown, f"{example.name}: {unknown}"
