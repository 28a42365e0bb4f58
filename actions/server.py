"""Run the action server in one process: ``python -m actions.server``.

rasa-sdk's own entry point (``python -m rasa_sdk``) starts Sanic's manager process and
a worker process; both import the actions, so the sentence model and the index were
loaded twice (about 1.1 GB together). Serving from a single process halves the memory
and the start-up time. The model and index are loaded before the server listens, so
the first customer does not wait for them.
"""

from __future__ import annotations

import logging

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic

from actions.knowledge_base import retriever
from settings import ActionServerSettings

ACTIONS_PACKAGE = "actions"


def main() -> None:
    settings = ActionServerSettings.from_env()
    utils.configure_colored_logging(settings.log_level)
    utils.update_sanic_log_level()
    retriever()
    executor = ActionExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    app = create_app(executor, cors_origins=None)
    logging.getLogger(__name__).info("action server on %s", settings.url)
    app.prepare(
        host=settings.host, port=settings.port, single_process=True, access_log=False, motd=False
    )
    Sanic.serve_single(app)


if __name__ == "__main__":
    main()
