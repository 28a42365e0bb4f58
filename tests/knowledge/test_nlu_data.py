"""The Rasa NLU's training data and the question sets: no held-out question is one of
its examples. The NLU reads each message alone, a follow-up's second turn too, so "why?"
after one question is the same message as "why?" after another."""

from __future__ import annotations

from knowledge import question_sets
from knowledge.question_sets import normalise
from settings import NLU_DATA


def test_no_held_out_question_is_an_nlu_example() -> None:
    taught_to_nlu = {normalise(m.text) for m in question_sets.nlu_messages(NLU_DATA)}
    assert taught_to_nlu and not taught_to_nlu & question_sets.asked_alone("held-out")
