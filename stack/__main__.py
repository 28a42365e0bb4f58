"""``make run``: start the servers, say where to talk to the bot, stop all on Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time

from settings import ChannelSettings, StackSettings
from stack.processes import Stack, StackError

WATCH_INTERVAL_S = 1.0


def banner(settings: StackSettings, channels: ChannelSettings) -> str:
    token = ' -H "Authorization: Bearer $REST_API_TOKEN"' if channels.rest_api_token else ""
    slack = (
        f"{settings.rasa_url}/webhooks/slack/webhook"
        if channels.slack_enabled
        else "off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"
    )
    mail = (
        f"saved as .eml files in {settings.paths.mail_dir}"
        if settings.uses_mail_sink
        else f"sent via {settings.setting('SMTP_HOST')}"
    )
    return (
        "\nThe Jessops privacy assistant is running.\n"
        f"  Shop page:      {settings.web_url}  (chat widget in the corner)\n"
        f"  REST webhook:   curl -s {settings.rest_webhook}{token} "
        "-H 'Content-Type: application/json' "
        '-d \'{"sender": "me", "message": "Do you sell my data?"}\'\n'
        f"  Slack events:   {slack}\n"
        f"  Request mail:   {mail}\n"
        f"  Logs:           {settings.paths.logs_dir}\n"
        "Press Ctrl-C to stop.\n"
    )


def watch(stack: Stack) -> None:
    """Return when a server dies, so `make run` never pretends to be up."""
    while not (stopped := stack.stopped_services()):
        time.sleep(WATCH_INTERVAL_S)
    raise StackError(
        f"{', '.join(stopped)} stopped unexpectedly; see {stack.settings.paths.logs_dir}"
    )


def main() -> int:
    settings = StackSettings.from_env()
    stack = Stack(settings)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Ctrl-C stops everything, even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        print("Starting the servers...", flush=True)
        stack.start()
        channels = settings.channels()
        print(banner(settings, channels), flush=True)
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
