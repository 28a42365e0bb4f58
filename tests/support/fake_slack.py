"""A local stand-in for Slack's Web API: records what the bot posts, answers like Slack.

It serves ``POST /api/<method>`` on a free port in a thread. Like Slack, it takes JSON or
form bodies, wants a bearer token, and knows only its own channels; tests point
``SLACK_API_URL`` at ``FakeSlack.url`` and read back ``posts``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qsl

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER = "U0BOT"
SUPPORT_CHANNEL = "C0SUPPORT"
OTHER_CHANNEL = "C0OTHER"


def notice_env(api_url: str) -> dict[str, str]:
    """Variables that send the support channel's notices and alerts to a fake at ``api_url``."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_CHANNEL": SUPPORT_CHANNEL,
        "SLACK_API_URL": api_url,
    }


class FakeSlack:
    """Slack's Web API methods the project uses: chat.postMessage and auth.test."""

    def __init__(self, channels: frozenset[str] = frozenset({SUPPORT_CHANNEL, OTHER_CHANNEL})):
        self.channels = channels
        self.posts: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._ts = count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def answer(self, method: str, params: dict[str, Any], authorization: str) -> dict[str, Any]:
        """What Slack would answer; records each accepted chat.postMessage."""
        if authorization != f"Bearer {BOT_TOKEN}":
            return {"ok": False, "error": "not_authed"}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "team_id": "T0TEAM"}
        if method != "chat.postMessage":
            return {"ok": False, "error": "unknown_method"}
        if params.get("channel") not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        ts = f"{time.time():.0f}.{next(self._ts):06d}"
        with self._changed:
            self.posts.append({**params, "ts": ts})
            self._changed.notify_all()
        return {"ok": True, "channel": params["channel"], "ts": ts, "message": params}

    def posts_in(self, channel: str, thread_ts: str | None) -> list[dict[str, Any]]:
        """Posts in a thread (``thread_ts=None``: posts that are not replies), oldest first."""
        with self._changed:
            return [
                p for p in self.posts if p["channel"] == channel and p.get("thread_ts") == thread_ts
            ]

    def wait_for_posts(
        self,
        channel: str,
        thread_ts: str,
        until: Callable[[list[dict[str, Any]]], bool] = bool,
        timeout: float = 60,
    ) -> list[dict[str, Any]]:
        """The posts in a thread once ``until`` holds for them (by default: once there are any)."""
        with self._changed:
            if not self._changed.wait_for(
                lambda: until(self.posts_in(channel, thread_ts)), timeout
            ):
                raise AssertionError(f"posts in {channel} thread {thread_ts} never came")
            return self.posts_in(channel, thread_ts)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    params = dict(parse_qsl(body))
                method = self.path.removeprefix("/api/")
                answer = fake.answer(method, params, self.headers.get("Authorization", ""))
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass  # the test output is the record

        return Handler

    @contextmanager
    def running(self) -> Iterator[FakeSlack]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
