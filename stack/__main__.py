"""``make run``: start the servers, say where to talk to the bot, stop all on Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys

from channels.settings import ChannelSettings
from stack.processes import Stack, StackError
from stack.settings import StackSettings


def banner(settings: StackSettings, channels: ChannelSettings) -> str:
    token = ' -H "Authorization: Bearer $REST_API_TOKEN"' if channels.rest_api_token else ""
    slack = (
        f"{settings.rasa_url}/webhooks/slack/webhook"
        if channels.slack_enabled
        else "off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"
    )
    return (
        "\nThe Jessops privacy assistant is running.\n"
        f"  Shop page:     {settings.web_url}  (chat widget in the corner)\n"
        f"  REST webhook:  curl -s {settings.rest_webhook}{token} "
        "-H 'Content-Type: application/json' "
        '-d \'{"sender": "me", "message": "Do you sell my data?"}\'\n'
        f"  Slack events:  {slack}\n"
        f"  Logs:          {settings.var_dir / 'logs'}\n"
        "Press Ctrl-C to stop.\n"
    )


def main() -> int:
    settings = StackSettings.from_env()
    stack = Stack(settings)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("Starting the action server, the Rasa server and the shop page...", flush=True)
        stack.start()
        channels = ChannelSettings.from_env({**os.environ, **settings.env})
        print(banner(settings, channels), flush=True)
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
