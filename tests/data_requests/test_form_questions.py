"""Questions about the open request itself are told apart from policy questions."""

from __future__ import annotations

import pytest

from data_requests.form_questions import WHAT_NEXT, WHY_DETAILS, about_the_request


@pytest.mark.parametrize(
    "text",
    [
        "why do you need my phone?",
        "Why are you asking for my postcode",
        "what do you want my email for",
        "is the phone number necessary?",
        "why do u need that",
    ],
)
def test_why_a_detail_is_asked_for(text: str) -> None:
    assert about_the_request(text) == WHY_DETAILS


@pytest.mark.parametrize(
    "text",
    [
        "what happens next?",
        "what will you do with my request",
        "how long will it take",
        "when will I hear back",
    ],
)
def test_what_happens_once_it_is_sent(text: str) -> None:
    assert about_the_request(text) == WHAT_NEXT


@pytest.mark.parametrize(
    "text",
    [
        "Jane Smith",
        "jane.smith@example.com",
        "07700 900123",
        "skip",
        "do you use cookies",
        "who do you share my data with",
        "what happens to my data if jessops is sold",
    ],
)
def test_answers_and_policy_questions_are_not_about_the_request(text: str) -> None:
    assert about_the_request(text) is None
