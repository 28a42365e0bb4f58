"""What is said on each side of a handoff while it lasts, standard library only.

The customer sees staff replies as from ``STAFF_NAME``; the thread is told when the
customer leaves or the chat ends. What the customer types to the person is theirs to
tell, so it goes to the thread as typed, except card numbers, which are always masked.
"""

from __future__ import annotations

from privacy.redaction import mask_cards

STAFF_NAME = "Jessops support"
# What ends a handoff from the thread: the word, or the payload of the End chat button.
END_WORDS = frozenset({"done", "/end_handoff"})
END_PAYLOAD = "/end_handoff"
BACK_INTENT = "back_to_assistant"
# Ending a person's chat by mistake costs more than a retype: "take me back to the bot"
# scores 0.99, "can you send the receipt back to me" 0.65 (model of 2026-12-07).
BACK_CONFIDENCE = 0.8

ENDED_FOR_CUSTOMER = (
    "Jessops support has left the chat. You're talking to the assistant again: "
    "what would you like to know about your privacy?"
)
NOT_PASSED_ON = (
    "Sorry, I couldn't pass that to the support team just now. Please try again in a "
    'moment, or say "back to the assistant".'
)
ENDED_IN_THREAD = "Chat ended. The assistant answers the customer again."
CUSTOMER_LEFT = "The customer went back to the assistant. Chat ended."
UNANSWERED_IN_THREAD = (
    "Nobody replied within {minutes} minutes, so the customer was offered the email "
    "route and a callback instead. Chat ended."
)


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack reads as markup in message text (the Slack
    connector's answers and the handoff threads alike)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_mrkdwn(text: str) -> str:
    """A staff message as typed: Slack delivers ``&``, ``<`` and ``>`` escaped."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_end(text: str) -> bool:
    """Whether a staff message in the thread ends the chat ("done", or the button)."""
    return text.strip().lower().rstrip(".!") in END_WORDS


def from_customer(text: str) -> str:
    """A customer's message as the thread shows it."""
    return f"Customer: {mask_cards(text)}"
