"""Run the action server in one process: ``python -m actions.server``.

rasa-sdk's own entry point (``python -m rasa_sdk``) starts Sanic's manager process and
a worker process; both import the actions, so the sentence model and the index were
loaded twice (about 1.1 GB together). Serving from a single process halves the memory
and the start-up time. The listening address comes from ``ACTION_HOST`` (default
127.0.0.1: only the local Rasa server needs to reach it) and ``ACTION_PORT``.
"""

from __future__ import annotations

import logging
import os

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic

ACTIONS_PACKAGE = "actions"


def main() -> None:
    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    executor = ActionExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    app = create_app(executor, cors_origins=None)
    host = os.environ.get("ACTION_HOST", "127.0.0.1")
    port = int(os.environ.get("ACTION_PORT", 5055))
    logging.getLogger(__name__).info("action server on http://%s:%s", host, port)
    app.prepare(host=host, port=port, single_process=True, access_log=False, motd=False)
    Sanic.serve_single(app)


if __name__ == "__main__":
    main()
