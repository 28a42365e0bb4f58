"""``make run``: start the servers, say where to talk to the bot, stop all on Ctrl-C."""

from __future__ import annotations

import signal
import sys

from stack.processes import Stack, StackError
from stack.settings import StackSettings


def banner(settings: StackSettings) -> str:
    return (
        "\nThe Jessops privacy assistant is running.\n"
        f"  REST webhook:  curl -s {settings.rest_webhook} "
        "-H 'Content-Type: application/json' "
        '-d \'{"sender": "me", "message": "Do you sell my data?"}\'\n'
        f"  Logs:          {settings.var_dir / 'logs'}\n"
        "Press Ctrl-C to stop.\n"
    )


def main() -> int:
    settings = StackSettings.from_env()
    stack = Stack(settings)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("Starting the action server and the Rasa server...", flush=True)
        stack.start()
        print(banner(settings), flush=True)
        signal.pause()
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
