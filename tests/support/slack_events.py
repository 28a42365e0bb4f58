"""Signed Slack Events API requests, as Slack sends them to the Rasa server."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from itertools import count
from typing import Any
from urllib.parse import urlencode

import requests

from stack.processes import Stack
from stack.rest_client import TIMEOUT_S
from tests.support.fake_slack import BOT_USER, SIGNING_SECRET, SUPPORT_CHANNEL

STAFF = "U0STAFF"
_ts = count(1)


def new_ts() -> str:
    """A Slack message timestamp no other test uses."""
    return f"{int(time.time())}.{next(_ts):06d}"


def event(text: str, ts: str, **fields: Any) -> dict[str, Any]:
    """An Events API envelope around a message event; ``fields`` override the event's."""
    body = {"type": "message", "channel": SUPPORT_CHANNEL, "user": STAFF, "text": text, "ts": ts}
    return {
        "type": "event_callback",
        "team_id": "T0TEAM",
        "event_id": f"Ev{uuid.uuid4().hex[:10]}",
        "event_time": int(time.time()),
        "authorizations": [{"user_id": BOT_USER, "is_bot": True}],
        "event": {**body, **fields},
    }


def post(
    stack: Stack,
    payload: dict[str, Any],
    *,
    secret: str | None = SIGNING_SECRET,
    age_s: int = 0,
    headers: dict[str, str] | None = None,
    rasa_url: str | None = None,
) -> requests.Response:
    """POST ``payload`` to the Slack webhook as Slack would, signed with ``secret``; to
    the stack's Rasa URL, or ``rasa_url`` (one server of a cluster)."""
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()) - age_s)
    signed = {}
    if secret is not None:
        digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
        signed = {
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest.hexdigest()}",
        }
    return requests.post(
        f"{rasa_url or stack.settings.rasa_url}/webhooks/slack/webhook",
        data=body,
        headers={"Content-Type": "application/json", **signed, **(headers or {})},
        timeout=TIMEOUT_S,
    )


def ask(stack: Stack, text: str, **fields: Any) -> str:
    """Post a staff member's message; its timestamp, which names the reply's thread."""
    ts = new_ts()
    assert post(stack, event(text, ts, **fields)).status_code == 200
    return ts


def click(
    stack: Stack, value: str, thread_ts: str, message_ts: str, user: str = STAFF
) -> requests.Response:
    """A click on a button of the bot's message ``message_ts`` in ``thread_ts``, as Slack
    posts it: a form with a ``payload`` of JSON, signed like an event."""
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": SUPPORT_CHANNEL},
        "message": {"ts": message_ts, "thread_ts": thread_ts},
        "actions": [{"type": "button", "action_id": "feedback", "value": value}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return requests.post(
        f"{stack.settings.rasa_url}/webhooks/slack/webhook",
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest.hexdigest()}",
        },
        timeout=TIMEOUT_S,
    )
