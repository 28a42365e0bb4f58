"""👍 / 👎 on answers against the running stack: over REST (the whole text of every bot
turn), in Slack through the fake Slack Web API, and what is kept, reviewed and forgotten.
The widget's buttons are tested in a real browser in ``test_widget.py``."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from typing import Any

import pytest
import requests

from settings import PROJECT_ROOT
from stack.processes import Stack
from stack.rest_client import TIMEOUT_S, new_sender, send
from tests.support.fake_slack import SUPPORT_CHANNEL, FakeSlack
from tests.support.slack_events import ask, click

pytestmark = pytest.mark.e2e

QUESTION = "Is my card number safe when I pay online?"
CARD = "4111 1111 1111 1111"
ASK_COMMENT = (
    "Sorry that didn't help. What were you looking for? Your answer helps us improve these "
    "replies; please leave out personal details. To ask a person instead, email "
    "cs@jessops.com or call 0845 458 7005."
)
COMMENT_THANKS = (
    "Thank you, I've passed that on to the team who look after these answers. Is there "
    "anything else you'd like to know about your privacy?"
)
THANKS = "Thanks for letting us know."


def turn(stack: Stack, sender: str, message: str) -> list[dict[str, Any]]:
    response = send(stack.settings.rest_webhook, sender, message)
    assert response.status_code == 200
    return [{k: v for k, v in m.items() if k != "recipient_id"} for m in response.json()]


def feedback_rows(stack: Stack) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(stack.settings.paths.feedback_db)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM feedback")]


def stack_command(stack: Stack, *argv: str) -> str:
    env = {"PYTHONPATH": str(PROJECT_ROOT), **stack.settings.paths.as_env()}
    return subprocess.run(
        [sys.executable, *argv], env=env, capture_output=True, text=True, check=True
    ).stdout


def monitor_review(stack: Stack) -> str:
    """The monitor's /review page, with the token the monitor made in the stack's var/."""
    url = stack.settings.monitor.metrics_url.removesuffix("/metrics") + "/review"
    assert requests.get(url, timeout=TIMEOUT_S).status_code == 401
    token = stack.settings.monitor.token_file.read_text().strip()
    page = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT_S)
    assert page.status_code == 200
    return page.text


def test_rest_thumbs_down_asks_once_what_was_wanted_and_keeps_it_redacted(stack: Stack) -> None:
    sender = new_sender("feedback")
    header, quote = turn(stack, sender, QUESTION)
    assert header == {"text": "From our privacy policy (Sharing › Security):"}
    assert quote["text"].startswith('"') and "SSL" in quote["text"]
    helpful, unhelpful = quote["buttons"]
    assert helpful["title"] == "👍 Helpful" and unhelpful["title"] == "👎 Not helpful"
    feedback_id = json.loads(unhelpful["payload"].removeprefix("/feedback_down"))["feedback_id"]
    assert helpful["payload"] == f'/feedback_up{{"feedback_id":"{feedback_id}"}}'

    assert turn(stack, sender, unhelpful["payload"]) == [{"text": ASK_COMMENT}]
    comment = f"whether you keep my card {CARD} after I pay"
    assert turn(stack, sender, comment) == [{"text": COMMENT_THANKS}]
    # Asked once: the next message is a question again, answered with its own buttons.
    *_, answer = turn(stack, sender, "what cookies do you use?")
    assert "ookie" in answer["text"] and len(answer["buttons"]) == 2
    assert turn(stack, sender, answer["buttons"][0]["payload"]) == [{"text": THANKS}]

    rows = {row["id"]: row for row in feedback_rows(stack)}
    down = rows[feedback_id]
    assert (down["rating"], down["clause"], down["verdict"]) == ("down", "security-2", "answer")
    assert down["question"] == QUESTION and 0 < down["score"] <= 1
    assert down["comment"] == "whether you keep my card **** **** **** 1111 after I pay"
    assert set(down) == {
        "id",
        "given_at",
        "rating",
        "question",
        "clause",
        "section",
        "verdict",
        "score",
        "comment",
    }  # nothing names the customer
    assert CARD.encode() not in stack.settings.paths.feedback_db.read_bytes()

    review = stack_command(stack, "-m", "review")
    assert "looking for: whether you keep my card **** **** **** 1111 after I pay" in review
    assert CARD not in review
    page = monitor_review(stack)
    assert "looking for: whether you keep my card **** **** **** 1111 after I pay" in page
    assert CARD not in page

    forgot = stack_command(stack, "-m", "stores.retention", "forget", sender)
    assert "and 2 feedback on its answers" in forgot
    assert feedback_id not in {row["id"] for row in feedback_rows(stack)}


def test_slack_thumbs_down_in_the_thread_asks_what_was_wanted(
    secured_stack: Stack, fake_slack: FakeSlack
) -> None:
    thread = ask(secured_stack, QUESTION)
    [answer] = fake_slack.wait_for_posts(SUPPORT_CHANNEL, thread)
    assert answer["text"].startswith("From our privacy policy (Sharing › Security):")
    section, buttons = answer["blocks"]
    assert section["text"]["text"].startswith("From our privacy policy")
    labels = [(b["text"]["text"], b["accessibility_label"]) for b in buttons["elements"]]
    assert labels == [
        ("👍 Helpful", "This answer was helpful"),
        ("👎 Not helpful", "This answer was not helpful"),
    ]
    down = buttons["elements"][1]["value"]
    assert click(secured_stack, down, thread, answer["ts"]).status_code == 200
    asked = fake_slack.wait_for_posts(SUPPORT_CHANNEL, thread, until=lambda p: len(p) > 1)
    assert asked[1]["text"] == ASK_COMMENT
    ask(secured_stack, "how long you keep card details", thread_ts=thread)
    posts = fake_slack.wait_for_posts(SUPPORT_CHANNEL, thread, until=lambda p: len(p) > 2)
    assert posts[2]["text"] == COMMENT_THANKS
    kept = [
        r for r in feedback_rows(secured_stack) if r["comment"] == "how long you keep card details"
    ]
    assert [r["rating"] for r in kept] == ["down"]
