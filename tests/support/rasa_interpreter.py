"""Run code in the Rasa server's own interpreter (Python 3.10), from the tests' 3.11."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from settings import PROJECT_ROOT, RASA_BIN

RASA_QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def rasa_python(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A Rasa-interpreter process with the project importable; stdout and stderr piped."""
    return subprocess.Popen(
        [str(RASA_BIN / "python"), *args],
        cwd=PROJECT_ROOT,
        env={"PYTHONPATH": str(PROJECT_ROOT), **RASA_QUIET, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_in_rasa(code: str, env: dict[str, str] | None = None) -> Any:
    """Run ``code``; the JSON it prints last, or an AssertionError carrying its stderr."""
    process = rasa_python("-c", code, env=env)
    out, err = process.communicate()
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])
