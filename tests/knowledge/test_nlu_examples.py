"""The train sets' questions taught to the Rasa NLU: the right kinds, the file current,
and no held-out question among any of the NLU's examples."""

from __future__ import annotations

from knowledge import nlu_examples, question_sets
from knowledge.nlu_examples import examples, taught
from knowledge.question_sets import Question, normalise
from settings import NLU_DATA


def test_short_questions_and_second_turns_are_taught_but_no_request() -> None:
    assert taught(Question(("who gets it?",), ("a",)))
    assert taught(Question(("do you sell my details", "and by phone?"), ("a",)))
    assert not taught(Question(("delete my data",), ("a",)))  # a request to take
    assert not taught(Question(("what time do you open",), ()))  # nothing answers it
    long = "I bought a lens last year and now I get emails about tripods every week, why?"
    assert not taught(Question((long,), ("a",)))


def test_a_question_left_out_or_asked_twice_is_written_once_or_not_at_all() -> None:
    questions = [Question((text,), ("a",)) for text in ("Who gets it?", "who  gets it?", "why?")]
    assert examples(questions, left_out={"why?"}) == ["Who gets it?"]


def test_the_file_is_what_the_train_sets_give() -> None:
    path = NLU_DATA / nlu_examples.FILE_NAME
    assert path.read_text(encoding="utf-8") == nlu_examples.written(NLU_DATA), (
        "the train sets changed: run `python -m knowledge nlu`"
    )


def test_no_held_out_question_is_an_nlu_example() -> None:
    # The NLU reads each message alone, a follow-up's second turn too.
    taught_to_nlu = {normalise(m.text) for m in question_sets.nlu_messages(NLU_DATA)}
    assert taught_to_nlu and not taught_to_nlu & question_sets.asked_alone("held-out")
