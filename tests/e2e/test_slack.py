"""Slack, as support staff meet it: signed Events API requests to the running Rasa server,
answers read back from a fake Slack Web API; and the notice of a stored data request.
"""

from __future__ import annotations

import pytest
import requests

from data_requests.outbox import Outbox
from stack.processes import Stack
from stack.rest_client import TIMEOUT_S, new_sender, reference_in
from tests.support.fake_slack import (
    BOT_USER,
    OTHER_CHANNEL,
    SIGNING_SECRET,
    SUPPORT_CHANNEL,
    FakeSlack,
)
from tests.support.slack_events import STAFF, ask, event, new_ts, post
from tests.support.smtp_servers import CODE_SUBJECT, RECEIPT_SUBJECT, mails_about, wait_for_mail

pytestmark = pytest.mark.e2e

QUESTION = "is my card number encrypted when I pay?"
GREETING = "I'm the Jessops privacy assistant"  # utter_greet, the answer to "hello"


def answers_before_a_follow_up(
    stack: Stack, fake: FakeSlack, channel: str, thread: str
) -> list[str]:
    """What the bot posted in a thread, read once a follow-up "hello" there is answered.

    A thread is one conversation, and Rasa handles a conversation's messages one at a
    time, in order: whatever reached the thread before has been answered by then, if at
    all. The follow-up mentions the bot, so it is answered in any channel.
    """
    ask(stack, f"<@{BOT_USER}> hello", type="app_mention", channel=channel, thread_ts=thread)
    posts = fake.wait_for_posts(
        channel, thread, until=lambda posts: any(GREETING in p["text"] for p in posts)
    )
    return [p["text"] for p in posts if GREETING not in p["text"]]


def test_url_verification_is_answered_with_the_challenge(secured_stack: Stack) -> None:
    response = post(secured_stack, {"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRN"})
    assert response.status_code == 200
    assert response.text == "3eZbrw1aBm2rZgRN"


def test_question_in_the_channel_gets_the_quote_in_its_thread(
    secured_stack: Stack, fake_slack: FakeSlack
) -> None:
    ts = ask(secured_stack, QUESTION)
    [reply] = fake_slack.wait_for_posts(SUPPORT_CHANNEL, ts)  # section and quote together
    assert reply["text"].startswith("From our privacy policy (Sharing › Security):")
    assert "SSL" in reply["text"]
    assert "as_user" not in reply


def test_follow_up_in_the_thread_is_answered_there(
    secured_stack: Stack, fake_slack: FakeSlack
) -> None:
    parent = ask(secured_stack, "what cookies do you use?")
    fake_slack.wait_for_posts(SUPPORT_CHANNEL, parent)
    ask(secured_stack, "and can I turn them off?", thread_ts=parent)
    follow_up = fake_slack.wait_for_posts(SUPPORT_CHANNEL, parent, until=lambda p: len(p) > 1)[1]
    assert "ookie" in follow_up["text"]  # the thread is one conversation: "them" = cookies


def test_mention_in_another_channel_is_answered_there(
    secured_stack: Stack, fake_slack: FakeSlack
) -> None:
    """Where the bot is a member, Slack sends the plain message first: it must not count."""
    ts = new_ts()
    text = f"<@{BOT_USER}> {QUESTION}"
    assert post(secured_stack, event(text, ts, channel=OTHER_CHANNEL)).status_code == 200
    mention = event(text, ts, type="app_mention", channel=OTHER_CHANNEL)
    assert post(secured_stack, mention).status_code == 200
    [answer] = answers_before_a_follow_up(secured_stack, fake_slack, OTHER_CHANNEL, ts)
    assert "SSL" in answer and f"<@{BOT_USER}>" not in answer


def test_plain_message_in_another_channel_is_left_alone(
    secured_stack: Stack, fake_slack: FakeSlack
) -> None:
    ts = ask(secured_stack, QUESTION, channel=OTHER_CHANNEL)
    assert answers_before_a_follow_up(secured_stack, fake_slack, OTHER_CHANNEL, ts) == []


def test_mention_in_the_channel_is_answered_once(
    secured_stack: Stack, fake_slack: FakeSlack
) -> None:
    """Slack delivers a mention in a watched channel twice: as message and as app_mention."""
    ts = new_ts()
    text = f"<@{BOT_USER}> {QUESTION}"
    assert post(secured_stack, event(text, ts)).status_code == 200
    assert post(secured_stack, event(text, ts, type="app_mention")).status_code == 200
    [answer] = answers_before_a_follow_up(secured_stack, fake_slack, SUPPORT_CHANNEL, ts)
    assert "SSL" in answer


@pytest.mark.parametrize("reason", ["http_error", "http_timeout", "connection_failed"])
def test_retries_never_produce_a_second_answer(
    secured_stack: Stack, fake_slack: FakeSlack, reason: str
) -> None:
    ts = new_ts()
    delivery = event(QUESTION, ts)
    assert post(secured_stack, delivery).status_code == 200
    fake_slack.wait_for_posts(SUPPORT_CHANNEL, ts)
    retry = post(
        secured_stack,
        delivery,
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": reason},
    )
    assert retry.status_code < 300
    [answer] = answers_before_a_follow_up(secured_stack, fake_slack, SUPPORT_CHANNEL, ts)
    assert "SSL" in answer


@pytest.mark.parametrize(
    ("secret", "age_s"),
    [("wrong-secret", 0), (None, 0), (SIGNING_SECRET, 6 * 60), (SIGNING_SECRET, -6 * 60)],
    ids=["wrong-secret", "unsigned", "stale", "from-the-future"],
)
def test_badly_signed_requests_are_rejected(
    secured_stack: Stack, fake_slack: FakeSlack, secret: str | None, age_s: int
) -> None:
    ts = new_ts()
    response = post(secured_stack, event(QUESTION, ts), secret=secret, age_s=age_s)
    assert 400 <= response.status_code < 500
    assert answers_before_a_follow_up(secured_stack, fake_slack, SUPPORT_CHANNEL, ts) == []


def test_badly_signed_url_verification_is_rejected(secured_stack: Stack) -> None:
    payload = {"type": "url_verification", "challenge": "abc"}
    response = post(secured_stack, payload, secret="wrong-secret")
    assert 400 <= response.status_code < 500 and "abc" not in response.text


def test_system_messages_are_not_questions(secured_stack: Stack, fake_slack: FakeSlack) -> None:
    ts = ask(secured_stack, f"<@{STAFF}> has joined the channel", subtype="channel_join")
    assert answers_before_a_follow_up(secured_stack, fake_slack, SUPPORT_CHANNEL, ts) == []


def test_slack_is_off_without_token_and_secret(stack: Stack) -> None:
    response = post(stack, event(QUESTION, new_ts()))
    assert response.status_code == 404


# --- the notice of a stored data request, end to end ----------------------------------


def test_a_request_stored_over_rest_is_announced_in_the_support_channel(
    secured_stack: Stack, fake_slack: FakeSlack
) -> None:
    token = {"Authorization": f"Bearer {secured_stack.settings.env['REST_API_TOKEN']}"}
    sender = new_sender("notice")
    # The fake Slack serves the whole run, and every stack's outbox numbers its requests
    # from 1: only this test's posts can be about its request.
    earlier = len(fake_slack.posts_in(SUPPORT_CHANNEL, None))
    reply = ""
    for message in ["unsubscribe me", "Lee Chan", "lee.chan@example.com", "yes"]:
        response = requests.post(
            secured_stack.settings.rest_webhook,
            json={"sender": sender, "message": message},
            headers=token,
            timeout=TIMEOUT_S,
        )
        reply = " ".join(m.get("text", "") for m in response.json())
    reference = reference_in(reply)
    posts = fake_slack.wait_for_posts(
        SUPPORT_CHANNEL,
        None,
        until=lambda posts: any(reference in p["text"] for p in posts[earlier:]),
    )
    [notice] = [p for p in posts[earlier:] if reference in p["text"]]
    assert notice["text"] == f"New data request: marketing_opt_out, reference {reference}"
    assert "Lee" not in notice["text"] and "example.com" not in notice["text"]


# --- a request made by support staff for a customer -------------------------------------


def test_support_staff_request_for_a_customer_skips_the_code_and_names_who(
    secured_stack: Stack, fake_slack: FakeSlack
) -> None:
    """A customer phoned: the staff member makes the request in the support channel. No
    code is mailed; customer service is told who vouched for the customer, and so is the
    request's audit trail; the customer gets a receipt."""
    parent = ask(secured_stack, "please deactivate my account")
    posts = fake_slack.wait_for_posts(SUPPORT_CHANNEL, parent)
    for answer in ["Rita Gomez", "rita.gomez@example.com", "skip", "skip"]:
        seen = len(posts)
        ask(secured_stack, answer, thread_ts=parent)
        posts = fake_slack.wait_for_posts(
            SUPPORT_CHANNEL, parent, until=lambda p, seen=seen: len(p) > seen
        )
    ask(secured_stack, "yes", thread_ts=parent)
    # A turn may post more than once: wait for the confirmation itself.
    posts = fake_slack.wait_for_posts(
        SUPPORT_CHANNEL, parent, until=lambda p: p[-1]["text"].startswith("Recorded")
    )
    confirmation = posts[-1]["text"]
    reference = reference_in(confirmation)
    assert confirmation.startswith(f"Recorded with reference {reference}: a request to deactivate")
    assert "no email code is needed" in confirmation
    mail_dir = secured_stack.settings.paths.mail_dir
    message = wait_for_mail(mail_dir, reference, "cs@jessops.com")
    body = message.get_body(("plain",)).get_content()
    assert f"submitted by support staff (Slack user {STAFF})" in body
    assert wait_for_mail(mail_dir, reference, "rita.gomez@example.com", RECEIPT_SUBJECT)
    assert not [m for m in mails_about(mail_dir, reference) if CODE_SUBJECT in m["Subject"]]
    stored, *_ = Outbox(secured_stack.settings.paths.outbox_db).history(reference)
    assert stored.event == "stored" and STAFF in stored.detail
