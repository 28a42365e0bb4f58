"""What `make run` gives each server: commands, schedules and the paths they share."""

from __future__ import annotations

from pathlib import Path

from settings import StackSettings
from stack.processes import Stack


def test_make_run_purges_on_a_schedule(tmp_path: Path) -> None:
    settings = StackSettings.from_env({}, env={"VAR_DIR": str(tmp_path)})
    service = Stack(settings).service("retention")
    assert service.argv[1:] == ["-m", "stores.retention", "purge", "--every", "3600"]
    assert service.env["TRACKER_DB"] == str(settings.paths.tracker_db)
    assert service.env["OUTBOX_DB"] == str(settings.paths.outbox_db)


def test_every_server_gets_the_resolved_paths_even_when_a_variable_is_empty(
    tmp_path: Path,
) -> None:
    exported = tmp_path / "exported" / "outbox.db"
    env = {"VAR_DIR": str(tmp_path), "OUTBOX_DB": str(exported), "TRACKER_DB": ""}
    for service in Stack(StackSettings.from_env({}, env=env)).services:
        assert service.env["OUTBOX_DB"] == str(exported), service.name
        assert service.env["TRACKER_DB"] == str(tmp_path / "tracker.db"), service.name
