"""JSON log lines: the turn's ids on every line, and no exception text."""

from __future__ import annotations

import json
import logging

import pytest

from monitoring.logs import JsonLines, conversation_hash, fields, turn

SECRET = "jane.doe@example.com"


def test_a_line_has_the_turns_ids_and_an_exception_only_by_type(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("tests.monitoring")
    with caplog.at_level(logging.INFO, logger="tests.monitoring"), turn("m-1", SECRET):
        log.info("turn", extra=fields(channel="rest", replies=2))
        try:
            raise ValueError(f"could not parse {SECRET}")
        except ValueError:
            log.exception("handling failed")
    ok, failed = (json.loads(JsonLines().format(record)) for record in caplog.records)
    assert ok["request_id"] == "m-1" and ok["replies"] == 2 and ok["level"] == "INFO"
    assert ok["conversation"] == conversation_hash(SECRET) and len(ok["conversation"]) == 16
    assert failed["error"] == "ValueError" and "test_logs.py" in failed["raised_at"]
    assert SECRET not in JsonLines().format(caplog.records[1])
