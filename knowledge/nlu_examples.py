"""The train sets' short questions and second turns, written as the Rasa NLU's
``ask_policy`` examples (``data/nlu/train_questions.yml``).

The NLU decides whether a message is a policy question before the answer path sees it,
and on questions written apart from the project it sent some away (issue 26): a short
question or a second turn ("who gets it?", "and by phone?") was read as a request for
help or a greeting. The train sets hold hundreds of labelled questions of that kind, so
the NLU learns from them as the question encoder does: every answerable train question
of four words or fewer, and every follow-up's second turn.

Left out: any that names a request (``data_requests.request_words``). The train sets
label "delete my data" and "how do I unsubscribe?" alike as answered by a clause, but
the first is a request the assistant must take, and teaching such messages as policy
questions would open fewer request forms. The rest of the train sets' questions are
left out too: the NLU already routes long questions right, and they would double the
Rasa model's training time.

A message the hand-written NLU data already has, in any intent, is left to that data.
Only train sets are read, and a train question that a development or held-out question
also asks as its last turn is left out: the NLU reads a second turn alone, so "why?"
after one question is the same message as "why?" after another.
``tests/knowledge/test_nlu_examples.py`` checks that no NLU example at all is such a
question, and that the file is what this module writes (``python -m knowledge nlu``
rewrites it).
"""

from __future__ import annotations

from pathlib import Path

from data_requests.request_words import names_a_request
from knowledge import question_sets
from knowledge.question_sets import Question, normalise

FILE_NAME = "train_questions.yml"
INTENT = "ask_policy"
SHORT_WORDS = 4


def taught(question: Question) -> bool:
    """Whether the NLU learns ``question``: one of the kinds it sent away."""
    text = question.question
    if not question.answerable or names_a_request(text):
        return False
    return question.previous is not None or len(text.split()) <= SHORT_WORDS


def examples(questions: list[Question], left_out: set[str]) -> list[str]:
    """The questions to teach, once each, in their sets' order; none of ``left_out``
    (normalised: what the NLU already has, and what it must never be taught)."""
    chosen: dict[str, str] = {}
    for question in questions:
        key = normalise(question.question)
        marked = question_sets.has_entity_marks(question.question)  # Rasa would read them
        if taught(question) and not marked and key not in left_out and key not in chosen:
            chosen[key] = " ".join(question.question.split())
    return list(chosen.values())


def render(texts: list[str]) -> str:
    """Rasa's NLU format: the examples are one literal block, a line each."""
    lines = [
        "# Written by `python -m knowledge nlu` from the train sets (knowledge/nlu_examples.py).",
        "# Do not edit: edit the train sets and run it again.",
        'version: "3.1"',
        "nlu:",
        f"- intent: {INTENT}",
        "  examples: |",
    ]
    return "\n".join([*lines, *(f"    - {text}" for text in texts)]) + "\n"


def written(nlu_folder: Path) -> str:
    """The file's text for the train sets and the hand-written NLU data as they are."""
    known = {
        normalise(m.text)
        for m in question_sets.nlu_messages(nlu_folder, skip=frozenset({FILE_NAME}))
    }
    left_out = (
        known | question_sets.asked_alone("development") | question_sets.asked_alone("held-out")
    )
    return render(examples(question_sets.load_role("train"), left_out))


def write(nlu_folder: Path) -> Path:
    path = nlu_folder / FILE_NAME
    path.write_text(written(nlu_folder), encoding="utf-8")
    return path
