"""Customers' "data" and "info" are searched as the policy's "information"; law terms not."""

from __future__ import annotations

import pytest

from knowledge.retrieval import Retriever
from knowledge.wording import in_policy_words


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("what do you do with my data", "what do you do with my information"),
        ("Is my personal Data safe?", "Is my personal information safe?"),
        ("who is your data protection officer", "who is your data protection officer"),
        ("has there been a data breach", "has there been a data breach"),
        ("can I get data portability", "can I get data portability"),
        ("metadata and database", "metadata and database"),
        ("what info do you keep", "what information do you keep"),
        ("informal", "informal"),
    ],
)
def test_data_is_said_as_the_policy_says_it(typed: str, searched: str) -> None:
    assert in_policy_words(typed) == searched


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("what do you do with my data", "order-1"),
        ("is my data safe", "security-1"),
        ("who owns my data", "information-collection-1"),
    ],
)
def test_the_commonest_questions_about_data_are_answered(
    retriever: Retriever, question: str, clause: str
) -> None:
    answer = retriever.ask(question)
    assert answer.verdict == "answer" and not answer.close_call, answer.verdict
    assert answer.hits[0].clause.id == clause
