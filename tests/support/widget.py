"""The shop page's chat widget driven as a customer drives it: Debian's chromium,
headless, through Playwright (the widget and handoff tests share it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps trying hosts this machine can't reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSWER_TIMEOUT_MS = 30_000


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def shop_page(browser: Browser, url: str) -> Iterator[Page]:
    """The shop page in a fresh browser profile: no session, no transcript."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    yield page
    context.close()


def open_chat(page: Page) -> None:
    page.get_by_role("button", name="Privacy questions?").click()
    expect(page.get_by_label("Your question")).to_be_focused()


def ask(page: Page, question: str) -> None:
    page.get_by_label("Your question").fill(question)
    page.keyboard.press("Enter")


def replies(page: Page) -> Locator:
    """The bot's messages in the conversation (not the widget's own welcome)."""
    return page.locator("#chat-log > .msg.bot")


def bot_says(page: Page, text: str) -> None:
    expect(replies(page).filter(has_text=text)).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
