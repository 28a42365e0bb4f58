"""End to end: the real action server and Rasa server, questions over the REST webhook."""

from __future__ import annotations

import pytest

from stack.rest_client import new_sender, reply_text, send

pytestmark = pytest.mark.e2e


def sender() -> str:
    return new_sender("e2e")


@pytest.mark.parametrize(
    ("question", "section", "quoted"),
    [
        ("Is my card number safe when I pay online?", "Sharing › Security", "SSL"),
        (
            "do you pass my address to the delivery company",
            "Third Party Intermediaries",
            "Parcelforce",
        ),
        ("what is the Reevoo cookie for", "Our cookies", "Reevoo"),
        ("would you give my details to the police", "Legal Disclaimer", "court order"),
    ],
)
def test_policy_questions_are_answered_with_a_quote(
    stack: object, question: str, section: str, quoted: str
) -> None:
    text = reply_text(stack.settings.rest_webhook, sender(), question)
    assert "From our privacy policy" in text
    assert section in text and quoted in text


def test_unanswered_question_says_so_and_gives_contacts(stack: object) -> None:
    text = reply_text(
        stack.settings.rest_webhook, sender(), "What are your shop opening hours on Sunday?"
    )
    assert "cs@jessops.com" in text and "0845 458 7005" in text


def test_small_talk_gets_canned_replies(stack: object) -> None:
    who = sender()
    assert "privacy assistant" in reply_text(stack.settings.rest_webhook, who, "hello")
    assert "automated assistant" in reply_text(stack.settings.rest_webhook, who, "are you a bot?")


@pytest.mark.parametrize(
    "message",
    [
        "",
        "cookies? " * 2223,  # just over 20,000 characters
        "do you\x00 sell\x07 my\x1b[31m data\r\n\t?",
        "🍪🍪 do you use cookies?? 🍪🍪 \u202eevil\u202c \ufeff",
        "\ud7ff\ue000 ẞ Ω ﷽",
    ],
    ids=["empty", "20k-chars", "control-chars", "emoji-bidi", "odd-unicode"],
)
def test_bad_input_gets_a_sensible_reply_and_servers_stay_up(stack: object, message: str) -> None:
    webhook = stack.settings.rest_webhook
    response = send(webhook, sender(), message)
    assert response.status_code == 200
    replies = response.json()
    assert replies and all(r.get("text") for r in replies)
    assert all(service.is_ready() for service in stack.services)
    assert "SSL" in reply_text(webhook, sender(), "is my card number encrypted?")
