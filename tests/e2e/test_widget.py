"""The chat widget on the shop page, as a customer meets it: Debian's chromium, headless,
driven by Playwright against the stack's own web server and Rasa's socket.io channel.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route, expect

from settings import PROJECT_ROOT
from stack.ports import free_port
from stack.processes import Stack
from stack.rest_client import REFERENCE, new_sender, send
from tests.support.smtp_servers import code_mailed
from tests.support.stored_events import user_texts
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

SCREENSHOT = PROJECT_ROOT / "var" / "widget.png"
SESSION_KEY = "jessops-chat:session"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    """The shop page in a fresh browser profile: no session, no transcript."""
    with shop_page(browser, stack.settings.web_url) as page:
        yield page


def rest_quote(stack: Stack, question: str) -> tuple[str, str]:
    """Section and quote the bot gives over REST: what the widget must show."""
    sender = new_sender("widget-check")
    header, quote = (m["text"] for m in send(stack.settings.rest_webhook, sender, question).json())
    return header.removeprefix("From our privacy policy (").removesuffix("):"), quote.strip('"')


def test_question_gets_the_quote_captioned_with_its_section(page: Page, stack: Stack) -> None:
    question = "Do you store my card details?"
    section, quote = rest_quote(stack, question)
    open_chat(page)
    # The typing indicator may show for only a few milliseconds: record that it did.
    page.evaluate(
        """() => new MutationObserver(() => {
             if (!document.getElementById("chat-typing").hidden) window.typingShown = true;
           }).observe(document.getElementById("chat-typing"), {attributes: true})"""
    )
    ask(page, question)
    answer = page.locator(".msg.bot figure")
    expect(answer.locator("figcaption")).to_have_text(
        f"Privacy policy · {section}", timeout=ANSWER_TIMEOUT_MS
    )
    expect(answer.locator("blockquote")).to_have_text(quote)
    expect(page.locator("#chat-typing")).to_be_hidden()
    assert page.evaluate("window.typingShown") is True
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOT)


def test_a_near_topic_question_shows_the_closest_quote_between_lead_and_contacts(
    page: Page, stack: Stack
) -> None:
    question = "Who are the sponsors of your surveys and competitions?"
    sender = new_sender("widget-check")
    heading, quoted, note = (
        m["text"] for m in send(stack.settings.rest_webhook, sender, question).json()
    )
    lead, section = re.fullmatch(r"(.*?) \((.*)\):", heading).groups()
    quote = quoted.strip('"')
    open_chat(page)
    ask(page, question)
    answer = page.locator(".msg.bot").filter(has=page.locator("figure"))
    expect(answer.locator("figcaption")).to_have_text(
        f"Privacy policy · {section}", timeout=ANSWER_TIMEOUT_MS
    )
    expect(answer.locator("blockquote")).to_have_text(quote)
    expect(answer.locator("p")).to_have_text([f"{lead}:", note])
    expect(answer.get_by_role("link", name="webmaster@jessops.com")).to_have_attribute(
        "href", "mailto:webmaster@jessops.com"
    )


def test_button_sends_its_payload_and_shows_its_title(page: Page) -> None:
    open_chat(page)
    page.get_by_role("group", name="Suggested questions").get_by_role(
        "button", name="What can you help with?"
    ).click()
    expect(page.locator(".msg.user")).to_have_text(["What can you help with?"])
    bot_says(page, "I can answer questions about the Jessops privacy policy")


def test_conversation_continues_after_a_reload(page: Page, stack: Stack) -> None:
    open_chat(page)
    ask(page, "are you a bot?")
    bot_says(page, "automated assistant")
    session = page.evaluate(f"localStorage.getItem('{SESSION_KEY}')")

    page.reload()
    expect(page.get_by_role("log", name="Conversation")).to_be_visible()  # still open
    expect(page.locator(".msg.user")).to_have_text(["are you a bot?"])
    bot_says(page, "automated assistant")
    email = page.get_by_role("link", name="cs@jessops.com")  # restored text keeps its links
    expect(email).to_have_attribute("href", "mailto:cs@jessops.com")

    ask(page, "what is the Reevoo cookie for")
    expect(page.locator(".msg.bot figcaption")).to_contain_text(
        "Our cookies", timeout=ANSWER_TIMEOUT_MS
    )
    assert page.evaluate(f"localStorage.getItem('{SESSION_KEY}')") == session
    assert user_texts(stack.settings.paths.tracker_db, session) == [
        "are you a bot?",
        "what is the Reevoo cookie for",
    ]


def test_usable_with_the_keyboard_alone(page: Page) -> None:
    toggle = page.get_by_role("button", name="Privacy questions?")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("region", name="Jessops privacy assistant")).to_be_visible()
    expect(page.get_by_label("Your question")).to_be_focused()
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    bot_says(page, "I'm the Jessops privacy assistant")
    page.keyboard.press("Escape")
    expect(page.get_by_role("log", name="Conversation")).to_be_hidden()
    expect(toggle).to_be_focused()


def test_typed_markup_stays_text(page: Page) -> None:
    open_chat(page)
    typed = '<img src=x onerror="window.pwned=1"><b>bold</b>'
    ask(page, typed)
    expect(page.locator(".msg.user")).to_have_text([typed])
    expect(replies(page).first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)  # whatever it says
    assert page.locator(".chat-log img, .chat-log b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_unreachable_assistant_is_reported(browser: Browser, stack: Stack) -> None:
    dead_socket = f"http://127.0.0.1:{free_port()}"

    def nobody_listening(route: Route) -> None:
        route.fulfill(
            content_type="text/javascript",
            body=f'window.JESSOPS_CHAT = {{"socketUrl": "{dead_socket}"}};',
        )

    context = browser.new_context(bypass_csp=True)  # the page's CSP allows only the real socket
    try:
        page = context.new_page()
        page.route("**/config.js", nobody_listening)
        page.goto(stack.settings.web_url)
        open_chat(page)
        expect(page.get_by_role("alert")).to_contain_text("can't be reached")
        ask(page, "Do you sell my data?")
        expect(page.locator(".msg.user")).to_have_text(["Do you sell my data?"])
    finally:
        context.close()


def test_a_request_in_the_widget_ends_with_a_code_field_that_is_accessible(
    page: Page, stack: Stack
) -> None:
    """The whole widget passes axe-core with the code field showing; the field is labelled,
    numeric, offered the emailed code by the phone (one-time-code), and the code is shown
    masked once sent."""
    email = "widget.code@example.com"
    open_chat(page)
    for answer, asked in [
        ("please delete my data", "What's your full name"),
        ("Ann Lee", "What email address"),
        (email, "What phone number"),
        ("skip", "And the postcode"),
        ("skip", "Shall I send it"),
        ("yes", "I'm emailing a 6-digit code"),
    ]:
        ask(page, answer)
        expect(replies(page).last).to_contain_text(asked, timeout=ANSWER_TIMEOUT_MS)
    field = page.get_by_label("The 6-digit code from the email")
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    expect(field).to_have_attribute("inputmode", "numeric")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    reference = REFERENCE.search(replies(page).last.inner_text()).group()
    code = code_mailed(stack.settings.paths.mail_dir, reference, email)
    field.fill(code)
    page.get_by_role("button", name="Confirm code").click()
    expect(page.locator(".msg.user").last).to_have_text("••••••")
    bot_says(page, "your email address is confirmed")
    assert code not in page.evaluate("localStorage.getItem('jessops-chat:transcript')")


def test_helpful_and_not_helpful_under_a_quote_are_labelled_and_axe_clean(
    page: Page, stack: Stack
) -> None:
    """👍 / 👎 sit under the quote in a group named by its question, each button named by
    its word; 👎 asks what the customer was looking for, and the button stays pressed."""
    open_chat(page)
    ask(page, "Do you store my card details?")
    group = page.get_by_role("group", name="Was this answer helpful?")
    expect(group).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(group.get_by_role("button")).to_have_text(["👍 Helpful", "👎 Not helpful"])
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    group.get_by_role("button", name="Not helpful", exact=True).click()
    expect(page.locator(".msg.user").last).to_have_text("👎 Not helpful")
    bot_says(page, "What were you looking for?")
    expect(group.get_by_role("button", name="Not helpful", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.screenshot(path=SCREENSHOT.with_name("widget-feedback.png"))
    ask(page, "how long you keep them")
    bot_says(page, "passed that on to the team")

    page.reload()  # the rating is part of the transcript; the panel stays open
    pressed = page.get_by_role("button", name="Not helpful", exact=True)
    expect(pressed).to_have_attribute("aria-pressed", "true")


def test_helpful_is_thanked(page: Page, stack: Stack) -> None:
    open_chat(page)
    ask(page, "What cookies do you use?")
    helpful = page.get_by_role("button", name="Helpful", exact=True)
    expect(helpful).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    helpful.click()
    bot_says(page, "Thanks for letting us know.")
