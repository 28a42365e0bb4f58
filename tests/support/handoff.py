"""A handoff driven from both sides: the customer in the widget, a person in the fake
Slack's support channel (the handoff tests on ``make run`` and ``make cluster``)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from stack.processes import Stack
from tests.support.fake_slack import SUPPORT_CHANNEL, FakeSlack
from tests.support.slack_events import event, new_ts, post
from tests.support.widget import ask, bot_says, replies

STARTED = (
    "I've asked the Jessops support team to join this chat. Someone should be with you "
    "within 5 minutes: their replies appear here as from Jessops support. Anything you "
    'type now goes to them. Say "back to the assistant" at any time to return to me.'
)


def new_thread(fake_slack: FakeSlack, known: int) -> dict[str, Any]:
    """The thread the bot opened after the first ``known`` top-level posts."""
    posts = fake_slack.wait_for_posts(SUPPORT_CHANNEL, None, lambda p: len(p) > known)
    return posts[known]


def ask_for_a_person(page: Page, fake_slack: FakeSlack, words: str) -> dict[str, Any]:
    """Ask in the widget in ``words``; the thread's first post once the bot said so."""
    known = len(fake_slack.posts_in(SUPPORT_CHANNEL, None))
    ask(page, words)
    bot_says(page, STARTED)
    expect(replies(page).last).to_have_text(STARTED)
    return new_thread(fake_slack, known)


def staff_says(stack: Stack, thread_ts: str, text: str, rasa_url: str | None = None) -> None:
    """A person's reply in the thread, as Slack delivers it (to ``rasa_url``: one server)."""
    delivery = event(text, new_ts(), thread_ts=thread_ts)
    assert post(stack, delivery, rasa_url=rasa_url).status_code == 200


def thread_texts(fake_slack: FakeSlack, thread_ts: str, count: int) -> list[str]:
    """The bot's posts in the thread, once there are ``count``."""
    posts = fake_slack.wait_for_posts(SUPPORT_CHANNEL, thread_ts, lambda p: len(p) >= count)
    return [p["text"] for p in posts]
