"""Misspelt policy words are mended before the search; names and real words are not."""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest

from knowledge.evaluation import Question, evaluate, load_questions
from knowledge.retrieval import Retriever
from knowledge.spelling import Speller

POLICY_WORDS = ["Your courier gets your address.", "Enter a competition.", "Persistent cookies."]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(POLICY_WORDS)


@pytest.mark.parametrize(
    ("typed", "mended"),
    [
        ("does the courrier get given my adress", "does the courier get given my address"),
        ("if i enter a competiton", "if i enter a competition"),
        ("Persistant cookeis?", "persistent cookies?"),
        ("a cometitin", "a competition"),  # two edits in a long word
    ],
)
def test_misspelt_policy_words_are_mended(speller: Speller, typed: str, mended: str) -> None:
    assert speller.correct(typed) == mended


@pytest.mark.parametrize(
    "typed",
    [
        "Who issued it - Verisign?",  # a name: capitalised inside the sentence
        "are you GDPR compliant",  # an acronym
        "does the wifi track me",  # too short to mend safely
        "it is clogging my inbox",  # English, though not the policy's
        "my adrss",  # two edits from "address": too many for a short word
    ],
)
def test_names_acronyms_and_real_words_are_left_as_typed(speller: Speller, typed: str) -> None:
    assert speller.correct(typed) == typed


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        ("does the courrier get given my adress", "third-party-intermediaries-1"),
        ("what details do u want if i enter a competiton", "surveys-contests-1"),
    ],
)
def test_a_misspelt_question_is_answered_from_its_clause(
    retriever: Retriever, question: str, clause: str
) -> None:
    answer = retriever.ask(question)
    assert answer.verdict == "answer" and answer.hits[0].clause.id == clause


def with_a_typo(question: Question, rng: random.Random) -> Question:
    """``question`` with one word of six letters or more swapped, short a letter or
    doubled one, as fast typing does."""
    words = list(re.finditer(r"[a-z]{6,}", question.question))
    if not words:
        return question
    word = rng.choice(words)
    text, at = word.group(0), rng.randrange(1, len(word.group(0)) - 1)
    typo = rng.choice(
        [
            text[:at] + text[at + 1] + text[at] + text[at + 2 :],
            text[:at] + text[at + 1 :],
            text[:at] + text[at] + text[at:],
        ]
    )
    typed = question.question[: word.start()] + typo + question.question[word.end() :]
    return replace(question, question=typed)


def test_questions_with_a_typo_are_still_answered(retriever: Retriever) -> None:
    """With one typo in each development question, the answering sentence is still
    quoted for most (0.897, against 0.913 typed right; 0.738 before words were mended)."""
    rng = random.Random(7)
    questions = [with_a_typo(q, rng) for q in load_questions("dev-evidence")]
    figures = evaluate(retriever, questions)
    assert figures["quoted"] >= 0.87, figures["worst_misses"]
