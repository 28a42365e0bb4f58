"""Run code in the Rasa server's own interpreter (Python 3.10), where Rasa is installed;
pytest itself runs in the action server's."""

from __future__ import annotations

import json
import subprocess

from settings import PROJECT_ROOT, RASA_BIN


def run_in_rasa(code: str) -> dict:
    """Runs ``code``, which prints one JSON object on its last line; returns that object."""
    done = subprocess.run(
        [str(RASA_BIN / "python"), "-c", code],
        cwd=PROJECT_ROOT,
        env={"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
