"""What `make run` gives each server: commands, schedules and the paths they share."""

from __future__ import annotations

from pathlib import Path

from settings import ChannelSettings, StackSettings
from stack.__main__ import banner
from stack.processes import Stack, fresh_metrics_dir


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


def test_make_run_says_where_the_metrics_and_health_checks_are(tmp_path: Path) -> None:
    settings = StackSettings.from_env({}, env={"VAR_DIR": str(tmp_path), "METRICS_PORT": "9999"})
    printed = banner(settings, ChannelSettings.from_env({}))
    assert "Metrics:        http://127.0.0.1:9999/metrics" in printed
    assert "http://127.0.0.1:9999/health/{live,ready} (monitor)" in printed
    rasa = f"{settings.rasa_url}/webhooks/rest/health/{{live,ready}} (Rasa)"
    assert rasa in printed and f"{settings.action_url}/health/{{live,ready}}" in printed


def test_each_run_starts_with_empty_metrics(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_12345.db").write_bytes(b"an earlier run's values")
    fresh_metrics_dir(folder)
    assert folder.is_dir() and not any(folder.iterdir())
