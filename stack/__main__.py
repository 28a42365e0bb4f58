"""``make run``: start the servers, say where to talk to the bot, stop all on Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time

from stack.processes import Stack, StackError
from stack.settings import StackSettings

WATCH_INTERVAL_S = 1.0


def banner(settings: StackSettings) -> str:
    mail = (
        f"saved as .eml files in {settings.mail_dir}"
        if settings.uses_mail_sink
        else f"sent via {settings.setting('SMTP_HOST')}"
    )
    return (
        "\nThe Jessops privacy assistant is running.\n"
        f"  REST webhook:   curl -s {settings.rest_webhook} "
        "-H 'Content-Type: application/json' "
        '-d \'{"sender": "me", "message": "Do you sell my data?"}\'\n'
        f"  Request mail:   {mail}\n"
        f"  Logs:           {settings.var_dir / 'logs'}\n"
        "Press Ctrl-C to stop.\n"
    )


def watch(stack: Stack) -> None:
    """Return when a server dies, so `make run` never pretends to be up."""
    while not (stopped := stack.stopped_services()):
        time.sleep(WATCH_INTERVAL_S)
    raise StackError(
        f"{', '.join(stopped)} stopped unexpectedly; see {stack.settings.var_dir}/logs"
    )


def main() -> int:
    settings = StackSettings.from_env()
    stack = Stack(settings)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("Starting the servers...", flush=True)
        stack.start()
        print(banner(settings), flush=True)
        watch(stack)
    except StackError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, SystemExit):
        print("\nStopping...", flush=True)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
