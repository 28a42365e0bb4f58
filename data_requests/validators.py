"""Check and normalise what a customer types into the data-request form.

Each validator returns a :class:`Checked`: the normalised value, or the reason it was
refused, worded for the customer. Well-kept libraries do the hard parts:
``email-validator`` for addresses (syntax only: no DNS lookups from the action
server) and ``phonenumbers`` for UK phone numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from privacy.redaction import card_numbers_in
from privacy.text import plain_text

MAX_NAME_LENGTH = 100
MAX_DETAIL_LENGTH = 300
PHONE_REGION = "GB"
SKIPPED = "not given"

_SKIP_WORDS = frozenset(
    {
        "skip",
        "none",
        "no",
        "n/a",
        "na",
        "nope",
        "no thanks",
        "rather not",
        "no phone",
        "no postcode",
        "i don't have one",
        "dont have one",
        "-",
        # The form checks details it already holds again when it restarts (after a
        # change at the summary): a skipped detail must stay skipped.
        SKIPPED,
    }
)
# Royal Mail format: outward code (area, district) + inward code (sector, unit).
_UK_POSTCODE = re.compile(r"\b(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b")
# "my name is Jane Doe", "it's Jane Doe": the lead-in is not part of the name.
_NAME_LEAD_IN = re.compile(
    r"^(my (full )?name is|my name's|name:|it's|it is|i'm|i am|this is)\s+", re.I
)
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Apostrophes (typed and typographic), hyphens and full stops, as in "O'Neill-Brown" or
# "J. R. Hartley"; anything else (<, >, digits, slashes...) is not part of a name.
_NAME_PUNCTUATION = frozenset("'\u2019\u02bc-\u2010\u2011\u2013.")
_EMAIL_LEAD_IN = re.compile(
    r"^(my |the |it's |it is )?(e-?mail( address)?|address)?( is|:)?\s+", re.I
)


@dataclass(frozen=True)
class Checked:
    """A validated value, or the reason it was refused (exactly one is set)."""

    value: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def clean(text: object) -> str:
    """Normalise Unicode (NFKC), drop control and invisible format characters, and
    collapse whitespace: what the customer meant, without what could break a header."""
    kept = (" " if ch.isspace() else ch for ch in plain_text(str(text or "")))
    text = "".join(ch for ch in kept if unicodedata.category(ch) != "Cc")
    return " ".join(text.split())


def _common_problem(text: str, limit: int) -> str | None:
    if not text:
        return "I didn't get anything there."
    if len(text) > limit:
        return f"That's too long: please keep it under {limit} characters."
    if card_numbers_in(text):
        return "That looks like a payment card number. Please never send card details in chat."
    return None


def is_skip(text: str) -> bool:
    return clean(text).lower().rstrip(".!") in _SKIP_WORDS


def given(value: str | None) -> str | None:
    """A detail as the customer gave it, or ``None`` for one they skipped or were not
    asked: the form's "not given" marks a skipped detail, it is not the detail."""
    return None if value in (None, SKIPPED) else value


def _is_name_character(ch: str) -> bool:
    """Letters and their accents in any script, spaces, and a name's own punctuation."""
    return ch == " " or ch in _NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LM"


def check_name(raw: object) -> Checked:
    """A person's name: letters of any script with the spaces, hyphens, apostrophes and
    full stops names have ("Siân O'Neill-Brown", "José Ángel", "Dr. A. Khan"); not
    markup, numbers, addresses or a refusal to give one."""
    text = _NAME_LEAD_IN.sub("", clean(raw))
    problem = _common_problem(text, MAX_NAME_LENGTH)
    if problem:
        return Checked(problem=problem)
    if "@" in text:
        return Checked(problem="That looks like an email address, not a name.")
    if is_skip(text):
        return Checked(problem="Customer service need your name to find your account.")
    if not all(map(_is_name_character, text)) or not _HAS_LETTER.match(text):
        return Checked(
            problem="That doesn't look like a name: a name has only letters, spaces, "
            "hyphens and apostrophes."
        )
    return Checked(text)


def check_email(raw: object) -> Checked:
    text = str(raw or "").strip()
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in text) or len(text) > 254:
        return Checked(problem="That isn't a valid email address.")
    address = _EMAIL_LEAD_IN.sub("", text).strip("<>.,;:() ")
    try:
        email = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        return Checked(problem=f"That isn't a valid email address: {error}")
    return Checked(email.normalized)


def check_phone(raw: object) -> Checked:
    text = clean(raw)
    if is_skip(text):
        return Checked(SKIPPED)
    problem = _common_problem(text, 40)
    if problem:
        return Checked(problem=problem)
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return Checked(
            problem="That isn't a phone number I recognise. Try e.g. 07911 123456, or say 'skip'."
        )
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == phonenumbers.country_code_for_region(PHONE_REGION)
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return Checked(phonenumbers.format_number(number, fmt))


def check_phone_to_call(raw: object) -> Checked:
    """The number for a callback: without it there is nothing to do, so no "skip"."""
    checked = check_phone(raw)
    if checked.ok and checked.value != SKIPPED:
        return checked
    return Checked(problem="I need a number to call you back on, e.g. 07911 123456.")


def check_postcode(raw: object) -> Checked:
    text = clean(raw)
    if is_skip(text):
        return Checked(SKIPPED)
    match = _UK_POSTCODE.search(text.upper()) if len(text) <= MAX_NAME_LENGTH else None
    if not match:
        return Checked(problem="That isn't a UK postcode. Try e.g. SW1A 1AA, or say 'skip'.")
    compact = match.group(1).replace(" ", "")
    return Checked(f"{compact[:-3]} {compact[-3:]}")


def check_detail(raw: object) -> Checked:
    """Free text of a correction (which detail, its current or new value)."""
    text = clean(raw)
    problem = _common_problem(text, MAX_DETAIL_LENGTH)
    return Checked(problem=problem) if problem else Checked(text)
