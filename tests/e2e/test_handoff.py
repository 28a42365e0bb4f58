"""End to end: a customer in the widget asks for a person, a person in the support
team's Slack channel (the local fake Slack) answers in a thread, and hands the chat back
(issue 29). Real Rasa server, action server and shop page; Debian's chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from handoff.hours import SupportHours
from handoff.messages import (
    CUSTOMER_LEFT,
    ENDED_FOR_CUSTOMER,
    ENDED_IN_THREAD,
    STAFF_NAME,
    UNANSWERED_IN_THREAD,
)
from stack.processes import Stack
from stack.rest_client import converse, new_sender, reference_in
from tests.support.fake_slack import BOT_TOKEN, SIGNING_SECRET, SUPPORT_CHANNEL, FakeSlack
from tests.support.handoff import (
    STARTED,
    ask_for_a_person,
    new_thread,
    staff_says,
    thread_texts,
)
from tests.support.slack_events import click
from tests.support.smtp_servers import wait_for_mail
from tests.support.stacks import CLOSED_NOW, new_stack
from tests.support.widget import (
    ANSWER_TIMEOUT_MS,
    ask,
    bot_says,
    chromium,
    open_chat,
    replies,
    shop_page,
)

pytestmark = pytest.mark.e2e

CARD = "4111 1111 1111 1111"
OPENING = re.compile(r"A customer in the shop's chat asked for a person\.")
WIDGET_ONLY = (
    "Chatting with a person from the support team is a feature of the chat on the Jessops "
    "website. Here, you can email customer service at cs@jessops.com, or I can ask them "
    "to call you back."
)
UNANSWERED = (
    "Sorry, nobody from the support team is free to chat just now. You can email customer "
    "service at cs@jessops.com, or I can ask them to call you back."
)
BACK = "You're talking to the assistant. What would you like to know about your privacy?"


@pytest.fixture(scope="module")
def handoff_stack(
    tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack
) -> Iterator[Stack]:
    """A stack whose support team takes chats at any hour, in the fake Slack's channel."""
    with new_stack(tmp_path_factory, support_always(fake_slack)) as running:
        yield running


def support_always(fake_slack: FakeSlack) -> dict[str, str]:
    """Settings for a support team in the fake Slack's channel at any hour."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_CHANNEL": SUPPORT_CHANNEL,
        "SLACK_API_URL": fake_slack.url,
        "SUPPORT_HOURS": "always",
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser, handoff_stack: Stack) -> Iterator[Page]:
    with shop_page(browser, handoff_stack.settings.web_url) as page:
        yield page


def test_a_person_answers_in_slack_and_hands_the_chat_back(
    page: Page, handoff_stack: Stack, fake_slack: FakeSlack
) -> None:
    open_chat(page)
    ask(page, f"Is it safe to type my card number {CARD} here?")
    expect(replies(page)).not_to_have_count(0, timeout=ANSWER_TIMEOUT_MS)
    opening = ask_for_a_person(page, fake_slack, "can I talk to a real person")
    thread = opening["ts"]
    assert OPENING.match(opening["text"])
    assert (
        "Customer: Is it safe to type my card number **** **** **** 1111 here?" in (opening["text"])
    )
    assert CARD not in opening["text"] and "4111" not in opening["text"]
    assert "Customer: can I talk to a real person" in opening["text"]
    assert opening["blocks"][-1]["elements"][0]["value"] == "/end_handoff"

    staff_says(handoff_stack, thread, "Hello, I'm Sam from Jessops. How can I help?")
    staff = page.locator("#chat-log > .msg.staff")
    expect(staff).to_have_text(f"{STAFF_NAME}Hello, I'm Sam from Jessops. How can I help?")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    ask(page, f"My order hasn't come. I paid with {CARD.replace(' ', '')}, call me on 07911 123456")
    assert thread_texts(fake_slack, thread, 1) == [
        "Customer: My order hasn't come. I paid with ************1111, call me on 07911 123456"
    ]
    staff_says(handoff_stack, thread, "done")
    bot_says(page, ENDED_FOR_CUSTOMER)
    assert thread_texts(fake_slack, thread, 2)[1] == ENDED_IN_THREAD

    count = replies(page).count()
    ask(page, "Do you sell my data?")
    expect(replies(page)).to_have_count(count + 1, timeout=ANSWER_TIMEOUT_MS)
    expect(replies(page).last.locator("figcaption")).to_contain_text("Privacy policy")
    assert len(fake_slack.posts_in(SUPPORT_CHANNEL, thread)) == 2  # the question stayed here


def test_the_customer_goes_back_to_the_assistant(
    page: Page, handoff_stack: Stack, fake_slack: FakeSlack
) -> None:
    open_chat(page)
    thread = ask_for_a_person(page, fake_slack, "can I talk to a real person")["ts"]
    ask(page, "can you send the receipt back to me")  # "back", but not to the assistant
    assert thread_texts(fake_slack, thread, 1) == ["Customer: can you send the receipt back to me"]
    ask(page, "back to the assistant")
    bot_says(page, BACK)
    assert thread_texts(fake_slack, thread, 2)[1] == CUSTOMER_LEFT
    staff_says(handoff_stack, thread, "Sorry, were you still there?")  # too late: the bot's
    ask(page, "are you a bot?")
    bot_says(page, "automated assistant")
    expect(page.locator("#chat-log > .msg.staff")).to_have_count(0)


def test_the_thread_shows_no_request_details(
    page: Page, handoff_stack: Stack, fake_slack: FakeSlack
) -> None:
    """A request made before asking for a person: its reference reaches the thread, the
    name and email address given for it do not."""
    open_chat(page)
    for answer, asked in [
        ("stop sending me marketing emails", "What's your full name"),
        ("Priya Raman", "What email address"),
        ("priya.raman@example.com", "Shall I send it"),
        ("yes", "recorded with reference"),
    ]:
        ask(page, answer)
        expect(replies(page).last).to_contain_text(asked, timeout=ANSWER_TIMEOUT_MS)
    reference = re.search(r"JES-\d{4}-\d{6}", replies(page).last.inner_text()).group()
    text = ask_for_a_person(page, fake_slack, "I'd like to speak to someone at Jessops about it")[
        "text"
    ]
    assert f"Request reference: {reference}" in text
    assert "Priya" not in text and "Raman" not in text and "priya.raman" not in text
    assert "example.com" not in text


@pytest.mark.parametrize("channel_turns", [["can I talk to a real person"]])
def test_rest_callers_are_told_handoff_is_a_widget_feature(
    handoff_stack: Stack, channel_turns: list[str]
) -> None:
    webhook = handoff_stack.settings.rest_webhook
    assert converse(webhook, channel_turns, new_sender("rest-handoff")) == [WIDGET_ONLY]


def test_outside_hours_the_customer_gets_the_email_route_and_a_callback(stack: Stack) -> None:
    """The plain stack's support hours exclude now (conftest.CLOSED_NOW): a callback
    request instead, passed to cs@jessops.com through the outbox like any request."""
    hours = SupportHours.parse(CLOSED_NOW).describe()
    replies = converse(
        stack.settings.rest_webhook,
        [
            "can I talk to a real person",
            "/request_callback",
            "Sam Jones",
            "skip",
            "07911 123456",
            "yes",
        ],
        new_sender("callback"),
    )
    reference = reference_in(replies[-1])
    assert replies == [
        f"Nobody from the support team can chat just now: they are here {hours}. You can "
        "email customer service at cs@jessops.com, or I can ask them to call you back.",
        "I'll ask Jessops customer service (cs@jessops.com) to call you back. They need only "
        'your name and a number to ring. You can say "cancel" at any point.\nWhat\'s your name?',
        "What number should customer service call you on?",
        "I need a number to call you back on, e.g. 07911 123456.\n"
        "What number should customer service call you on?",
        "Here is your request to be called back:\n- Name: Sam Jones\n- Phone: 07911 123456\n\n"
        "Shall I send it to customer service?",
        "Thank you. I've passed your request to be called back to Jessops customer service "
        f"with reference {reference}: they will ring the number you gave. If you don't hear "
        "from them, email cs@jessops.com or call 0845 458 7005 and quote your reference.",
    ]
    mail = wait_for_mail(stack.settings.paths.mail_dir, reference, "cs@jessops.com")
    body = mail.get_body(("plain",)).get_content()
    assert "A customer asked the privacy assistant to call them back." in body
    assert "Sam Jones" in body and "07911 123456" in body


def test_outside_hours_no_callback_is_fine(stack: Stack) -> None:
    replies = converse(
        stack.settings.rest_webhook,
        ["I want to speak to a human", "/deny"],
        new_sender("no-callback"),
    )
    assert replies[1:] == ["OK. Is there anything else you'd like to know about your privacy?"]
    assert replies[0].startswith("Nobody from the support team can chat just now")


def test_a_silent_policy_reply_offers_a_person(
    page: Page, handoff_stack: Stack, fake_slack: FakeSlack
) -> None:
    open_chat(page)
    ask(page, "do you use my data to train AI")
    offer = page.get_by_role("group", name="Suggested replies").get_by_role(
        "button", name="Talk to a person"
    )
    expect(offer).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    known = len(fake_slack.posts_in(SUPPORT_CHANNEL, None))
    offer.click()
    bot_says(page, STARTED)
    opening = new_thread(fake_slack, known)["text"]
    assert opening.endswith(
        "Customer: do you use my data to train AI\n"
        "Assistant: Our privacy policy doesn't cover that, so I can't answer it from the "
        "policy. For questions about the policy, email webmaster@jessops.com. For anything "
        "else, contact customer service at cs@jessops.com or call 0845 458 7005."
    )


@pytest.fixture(scope="module")
def impatient_stack(
    tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack
) -> Iterator[Stack]:
    """A stack whose customers wait 6 seconds for a person."""
    env = support_always(fake_slack) | {"HANDOFF_WAIT_MINUTES": "0.1"}
    with new_stack(tmp_path_factory, env) as running:
        yield running


def test_nobody_answering_in_time_gets_the_email_route_and_a_callback(
    browser: Browser, impatient_stack: Stack, fake_slack: FakeSlack
) -> None:
    with shop_page(browser, impatient_stack.settings.web_url) as page:
        open_chat(page)
        known = len(fake_slack.posts_in(SUPPORT_CHANNEL, None))
        ask(page, "can I talk to a real person")
        bot_says(page, STARTED.replace("within 5 minutes", "within 0.1 minutes"))
        thread = new_thread(fake_slack, known)["ts"]
        bot_says(page, UNANSWERED)
        expect(replies(page).last).to_have_text(f"{UNANSWERED}Call me backNo, thanks")
        assert thread_texts(fake_slack, thread, 1) == [UNANSWERED_IN_THREAD.format(minutes="0.1")]
        page.get_by_role("button", name="Call me back").click()
        bot_says(page, "I'll ask Jessops customer service (cs@jessops.com) to call you back.")


def test_staff_end_the_chat_with_the_button(
    page: Page, handoff_stack: Stack, fake_slack: FakeSlack
) -> None:
    open_chat(page)
    thread = ask_for_a_person(page, fake_slack, "put me through to an agent")["ts"]
    pressed = click(handoff_stack, "/end_handoff", thread_ts=thread, message_ts=thread)
    assert pressed.status_code == 200
    bot_says(page, ENDED_FOR_CUSTOMER)
    assert thread_texts(fake_slack, thread, 1) == [ENDED_IN_THREAD]


def test_that_didnt_help_offers_a_person(
    page: Page, handoff_stack: Stack, fake_slack: FakeSlack
) -> None:
    open_chat(page)
    ask(page, "What cookies do you use?")
    expect(page.locator(".msg.bot figcaption")).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    ask(page, "that didn't help")
    offer = replies(page).filter(has_text="Still not what you need?")
    expect(offer).to_have_text(
        "Still not what you need? A person from the support team can help.Talk to a person",
        timeout=ANSWER_TIMEOUT_MS,
    )
    expect(page.locator(".msg.bot figcaption")).to_have_count(2)
    known = len(fake_slack.posts_in(SUPPORT_CHANNEL, None))
    offer.get_by_role("button", name="Talk to a person").click()
    bot_says(page, STARTED)
    opening = new_thread(fake_slack, known)["text"]
    assert "\nCustomer: What cookies do you use?\n" in opening
    assert "\nCustomer: that didn't help\n" in opening


def test_not_helpful_offers_a_person_instead_of_a_comment(
    page: Page, handoff_stack: Stack, fake_slack: FakeSlack
) -> None:
    open_chat(page)
    ask(page, "Do you store my card details?")
    page.get_by_role("button", name="Not helpful", exact=True).click()
    asked = replies(page).filter(has_text="What were you looking for?")
    expect(asked).to_have_text(
        "Sorry that didn't help. What were you looking for? Your answer helps us improve "
        "these replies; please leave out personal details. Or talk to a person from the "
        "support team.Talk to a person",
        timeout=ANSWER_TIMEOUT_MS,
    )
    known = len(fake_slack.posts_in(SUPPORT_CHANNEL, None))
    asked.get_by_role("button", name="Talk to a person").click()
    bot_says(page, STARTED)
    new_thread(fake_slack, known)
    expect(replies(page).filter(has_text="passed that on")).to_have_count(0)


def test_halfway_through_a_request_the_request_comes_first(stack: Stack) -> None:
    replies = converse(
        stack.settings.rest_webhook,
        ["please close my account", "can I talk to a real person", "cancel"],
        new_sender("mid-form"),
    )
    assert replies[1:] == [
        'Let\'s finish your request first (or say "cancel" to stop it); then I can put you '
        "in touch with a person.\nWhat's your full name, as it appears on your Jessops account?",
        "OK, I've cancelled that request and discarded the details you gave me. Nothing was sent.",
    ]
