"""Find payment card numbers and mask personal values in text, with the standard library.

Both servers use it: the action server refuses card numbers in form answers, the Rasa
server's tracker store masks them (and a finished request's contact details) before a
conversation is written. One copy of the rules, so what is refused and what is masked
never drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# 13-19 digits, each optionally followed by one space or dash; never part of a longer run.
_CARD_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
KEPT_CARD_DIGITS = 4
MASK = "*"


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for i, digit in enumerate(reversed(digits)):
        n = int(digit) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


def card_numbers_in(text: str) -> list[str]:
    """Luhn-valid 13-19 digit runs (spaces or dashes allowed): payment card numbers."""
    return [m.group() for m in _CARD_CANDIDATE.finditer(text) if _is_card(m.group())]


def mask_card(number: str) -> str:
    """Every digit but the last four starred, separators kept: "**** **** **** 1111"."""
    digits_seen = 0
    total = sum(ch.isdigit() for ch in number)
    masked = []
    for ch in number:
        if ch.isdigit():
            digits_seen += 1
            masked.append(ch if digits_seen > total - KEPT_CARD_DIGITS else MASK)
        else:
            masked.append(ch)
    return "".join(masked)


def mask_cards(text: str) -> str:
    """``text`` with every card number in it masked; other digits untouched."""
    return _CARD_CANDIDATE.sub(
        lambda m: mask_card(m.group()) if _is_card(m.group()) else m.group(), text
    )


def mask_value(value: str) -> str:
    """A stand-in that keeps only the shape of a personal value: "J*** D**"."""
    return re.sub(r"(?<=\w)\w", MASK, value)


def mask_values(text: str, values: Iterable[str]) -> str:
    """``text`` with each of ``values`` (case-insensitively) replaced by its mask.

    Longest first, so a full name is masked before a part of it could be.
    """
    for value in sorted({v for v in values if v and v.strip()}, key=len, reverse=True):
        text = re.sub(re.escape(value), mask_value(value), text, flags=re.IGNORECASE)
    return text


def redact(data: Any, values: Iterable[str] = ()) -> Any:
    """A copy of JSON-like ``data`` with card numbers and ``values`` masked in every string."""
    values = tuple(values)
    if isinstance(data, str):
        return mask_values(mask_cards(data), values)
    if isinstance(data, dict):
        return {key: redact(item, values) for key, item in data.items()}
    if isinstance(data, list | tuple):
        return [redact(item, values) for item in data]
    return data


# A verification code as typed: six digits, perhaps split "482 913" (as
# data_requests.verification reads it).
_CODE = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}(?!\d)")
USER_EVENT = "user"  # Rasa's type name of a UserUttered event


def mask_codes(event: dict[str, Any]) -> dict[str, Any]:
    """A customer's message with any six-digit group masked, so a verification code
    typed in the chat is never stored readable. Only the message text: a detail taken
    from it into a slot (a phone number) stays in its slot event until its request is
    finished (``stores.personal_data``)."""
    if event.get("event") != USER_EVENT:
        return event
    masked = dict(event)
    if isinstance(event.get("text"), str):
        masked["text"] = _CODE.sub(MASK * 6, event["text"])
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict) and isinstance(parse_data.get("text"), str):
        masked["parse_data"] = {**parse_data, "text": _CODE.sub(MASK * 6, parse_data["text"])}
    return masked


# An email address, and a phone number as typed (7+ digits, spaces, dashes, brackets,
# a leading +): free text such as a feedback comment may carry either.
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w*])\+?\(?\d(?:[\d ()-]{5,}\d)(?![\w*])")
_MIN_PHONE_DIGITS = 7


def _mask_phone(match: re.Match[str]) -> str:
    number = match.group()
    if sum(ch.isdigit() for ch in number) < _MIN_PHONE_DIGITS:
        return number
    return re.sub(r"\d", MASK, number)


def redact_free_text(text: str, values: Iterable[str] = ()) -> str:
    """Text kept apart from its conversation (a question in the review, a feedback
    comment): card numbers, verification codes, email addresses, phone numbers and the
    conversation's own personal ``values`` all masked."""
    text = mask_values(mask_cards(text), values)
    text = _EMAIL.sub(lambda m: mask_value(m.group()), text)
    text = _PHONE.sub(_mask_phone, text)
    return _CODE.sub(MASK * 6, text)
