"""The example alert rules name only metrics the assistant exports (a renamed metric
would leave a rule that never fires, and promtool cannot tell)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry

from data_requests.monitor import OutboxCollector
from data_requests.outbox import Outbox
from monitoring import metrics
from settings import PROJECT_ROOT

RULES = PROJECT_ROOT / "monitoring" / "rules.yml"
METRIC = re.compile(r"\bjessops_[a-z_]+\b")
SERIES_SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def exported_names(outbox_db: Path) -> set[str]:
    """Every family the monitor serves: the servers' metrics and the outbox gauges."""
    defined = {metrics.MESSAGES, metrics.REPLIES, metrics.REQUESTS, metrics.RELAY}
    defined |= {metrics.POLICY_ANSWER_SECONDS, metrics.TURN_SECONDS}
    names = {family.name for metric in defined for family in metric.describe()}
    registry = CollectorRegistry()
    outbox = Outbox(outbox_db)
    registry.register(OutboxCollector(lambda: outbox))
    return names | {family.name for family in registry.collect()}


def family(series: str) -> str:
    for suffix in SERIES_SUFFIXES:
        if series.endswith(suffix):
            return series.removesuffix(suffix)
    return series


def test_every_rule_names_exported_metrics(tmp_path: Path) -> None:
    rules = [
        rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
    ]
    used = {family(name) for rule in rules for name in METRIC.findall(rule["expr"])}
    exported = exported_names(tmp_path / "outbox.db")
    assert used and used <= exported, used - exported
    assert all(rule.get("record") or rule["annotations"].get("summary") for rule in rules)
