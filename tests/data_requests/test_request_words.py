"""The request guard's word list: every request the classifier learnt from names a request,
and questions that name none do not.

The guard itself (in the Rasa pipeline) is tested in tests/rasa_server/test_request_guard.py;
this is the list alone, in plain Python.
"""

from __future__ import annotations

import re

import pytest
import yaml

from data_requests.kinds import KINDS
from data_requests.request_words import (
    REQUEST_INTENTS,
    REQUEST_WORDS,
    made_elsewhere,
    names_a_request,
)
from settings import PROJECT_ROOT

REQUESTS_NLU = PROJECT_ROOT / "data" / "nlu" / "requests.yml"


def training_examples() -> dict[str, list[str]]:
    """data/nlu/requests.yml: each intent's examples (they carry no entity annotations)."""
    blocks = yaml.safe_load(REQUESTS_NLU.read_text(encoding="utf-8"))["nlu"]
    return {
        block["intent"]: [
            line.removeprefix("- ").strip()
            for line in block["examples"].splitlines()
            if line.strip().startswith("- ")
        ]
        for block in blocks
        if "intent" in block
    }


REQUEST_EXAMPLES = [
    (intent, example)
    for intent, examples in training_examples().items()
    if intent in REQUEST_INTENTS
    for example in examples
]


def test_the_guarded_intents_are_the_request_kinds_and_all_have_examples() -> None:
    assert {kind.intent for kind in KINDS} == REQUEST_INTENTS
    assert {intent for intent, _ in REQUEST_EXAMPLES} == REQUEST_INTENTS


@pytest.mark.parametrize(("intent", "example"), REQUEST_EXAMPLES, ids=lambda v: v)
def test_every_training_example_of_a_request_names_a_request(intent: str, example: str) -> None:
    """If the list ever drops one, the guard would demote what DIET was taught."""
    assert names_a_request(example), f"{intent}: {example!r} names no request"


@pytest.mark.parametrize(
    "message",
    [
        # The end-to-end tests' openings (tests/e2e/test_request_dialogs.py).
        "My delivery address is wrong, I need to correct it",
        "my surname changed when I got married, can you update it",
        "the phone number on my account is out of date",
        "I want you to erase all my personal information",
        "can you suspend my account for a while",
        "I don't want any more promotional emails from you",
        # Other wordings and spellings.
        "I don’t want your emails",  # a typographic apostrophe
        "pls unsub me",
        "I've got a new mobile no. and a new e-mail",
        "OPT ME OUT",
        "my address is outdated",
        "I was sent junk",
        "I've changed my email",  # an apostrophe inside a word opens no quotation
        "delete the 'Your Account' I made",  # a request around a quoted name
    ],
)
def test_requests_in_other_words_name_a_request(message: str) -> None:
    assert names_a_request(message)


@pytest.mark.parametrize(
    "message",
    [
        "What's your VAT number?",
        "Can I trade in my old DSLR?",
        "Do you sell my data?",
        "what newsletters do you send?",
        "Can I exchange a lens I bought online?",  # "exchange" is not "change"
        "who can see my email address?",
        "how much is the Nikon D800",
        "I forgot my password",
        "is my card number encrypted?",
        # Words in quotation marks are cited, not asked for.
        "I got a 'site temporarily suspended for maintenance' email from you - what was that?",
        'what does "unsubscribe" in the subject line do?',
        "why did an email say \u2018your details were updated\u2019?",
    ],
)
def test_questions_that_name_no_request(message: str) -> None:
    assert not names_a_request(message)


@pytest.mark.parametrize(("why", "pattern"), REQUEST_WORDS, ids=[why for why, _ in REQUEST_WORDS])
def test_every_pattern_matches_the_example_its_comment_gives(
    why: str, pattern: re.Pattern[str]
) -> None:
    """The comments are worded as examples, so a pattern and its reason cannot drift."""
    assert pattern.search(why)


@pytest.mark.parametrize(
    "message",
    [
        "unsubscribe from jessops photo newsletter",
        "stop CEWE emailing me",
        "unsubscribe me from the prints site mailing list",
        "take me off the JessopsPhoto marketing list",
    ],
)
def test_an_opt_out_from_jessops_photo_is_made_elsewhere(message: str) -> None:
    # The policy: "may do so from the Jessops Photo website" (choice-opt-out-2).
    assert names_a_request(message) and made_elsewhere("request_unsubscribe", message)


def test_other_requests_and_other_opt_outs_are_customer_services() -> None:
    assert not made_elsewhere("request_unsubscribe", "unsubscribe me from your newsletter")
    assert not made_elsewhere("request_deletion", "delete my jessops photo account")
    elsewhere = [
        example
        for intent, examples in training_examples().items()
        for example in examples
        if made_elsewhere(intent, example)
    ]
    assert elsewhere == ["unsubscribe me from the jessops photo emails"]  # requests.yml: why
