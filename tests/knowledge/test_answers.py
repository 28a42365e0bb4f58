"""What the customer is shown: the quote keeps the answering sentence, a follow-up is
answered for what it asks, a question next to a clause that does not answer it is told
the policy does not say, and one the policy never touches that it is silent."""

from __future__ import annotations

import pytest

from knowledge.answering import quotes
from knowledge.answering.pipeline import Pipeline
from knowledge.evaluation import quotes_evidence
from knowledge.sentences import split_sentences


def _position(pipeline: Pipeline, clause_id: str) -> int:
    return next(i for i, c in enumerate(pipeline.index.clauses) if c.id == clause_id)


def test_a_short_clause_is_quoted_whole(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Do you log my IP address?")
    top = answer.hits[0]
    assert top.clause.id == "log-files-1" and answer.verdict == "answer"
    assert top.quote == " ".join(split_sentences(top.clause.text))
    assert "internet protocol (IP) addresses" in top.quote


def test_a_longer_clause_is_quoted_by_the_sentences_that_answer(pipeline: Pipeline) -> None:
    """Every clause of this policy is quoted whole; a policy with longer ones gets the
    sentences most like the question, in the policy's order."""
    position = _position(pipeline, "our-cookies-google-analytics-cookie")
    query = pipeline.encoder.encode_one("who can see the data the google analytics cookies store?")
    quote = quotes.quote(pipeline.index, position, query, whole_clause_chars=300)
    sentences = pipeline.index.sentences[position]
    assert len(quote) < len(pipeline.index.clauses[position].text)
    assert "can only be seen by the relevant teams at Jessops and Google" in quote
    order = [quote.index(s) for s in sentences if s in quote]
    assert order == sorted(order) and len(order) <= quotes.MAX_QUOTE_SENTENCES


def test_who_to_email_is_answered_by_the_contact_clause(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Who do I email with a question about this privacy policy?")
    assert answer.hits[0].clause.id == "introduction-3" and answer.verdict == "answer"
    assert "webmaster@jessops.com" in answer.hits[0].quote


def test_a_follow_up_is_answered_for_what_it_asks(pipeline: Pipeline) -> None:
    answer = pipeline.ask("and who can see it?", previous="What's the Reevoo cookie for?")
    hit = answer.hits[0]
    assert hit.clause.id == "our-cookies-reevoo-cookie" and answer.verdict == "answer"
    assert quotes_evidence(hit.quote, ("can be seen only by the relevant teams at Jessops",))


def test_a_follow_up_stays_on_the_topic_it_leans_on(pipeline: Pipeline) -> None:
    answer = pipeline.ask(
        "is there a number I can ring instead?",
        previous="who should I contact with a privacy worry?",
    )
    assert answer.hits[0].clause.id == "introduction-4" and answer.verdict == "answer"
    assert "0845 458 7005" in answer.hits[0].quote


@pytest.mark.parametrize(
    ("question", "previous", "leans"),
    [
        ("and can I turn them off?", "what cookies do you use?", True),
        ("who sees it?", "do you keep my card number?", True),
        ("Do you sell my data to advertisers?", "what cookies do you use?", False),
        ("How do I unsubscribe from your newsletter?", "do you keep my card number?", False),
    ],
)
def test_a_question_is_read_after_the_one_before_only_when_it_leans_on_it(
    pipeline: Pipeline, question: str, previous: str, leans: bool
) -> None:
    """The learned detector, not a word list, decides (knowledge/answering/follow_up.py)."""
    answer = pipeline.ask(question, previous=previous)
    assert answer.question == (f"{previous} {question}" if leans else question)


@pytest.mark.parametrize(
    "question",
    [
        "How many months do you keep IP address logs for?",
        "Who are the sponsors of your surveys and competitions?",
        "Is there a PGP key for sending security reports to webmaster@jessops.com?",
    ],
)
def test_near_topic_questions_are_not_answered(pipeline: Pipeline, question: str) -> None:
    answer = pipeline.ask(question)
    assert answer.verdict != "answer", answer.as_json()
    assert answer.hits  # the closest clause is still there to show


def test_answerable_questions_next_to_them_are_answered(pipeline: Pipeline) -> None:
    for question in ("Do you log my IP address?", "Do I have to fill in your surveys?"):
        assert pipeline.ask(question).verdict == "answer", question


def test_unrelated_questions_are_silent(pipeline: Pipeline) -> None:
    assert pipeline.ask("What time does the Leeds shop open on Sunday?").verdict == "silent"


def test_folded_ids_stand_for_the_clause_they_were_folded_into(pipeline: Pipeline) -> None:
    assert pipeline.known(("introduction-2",)) == {"introduction-1"}


def test_json_contract_of_an_answer(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Do you keep my credit card number in cookies?").as_json()
    assert set(answer) == {"question", "verdict", "none", "results"}
    assert len(answer["results"]) == 3 and answer["verdict"] == "answer"
    for result in answer["results"]:
        assert set(result) == {"id", "section", "text", "score", "probability"}
    assert "our-cookies-2" in [r["id"] for r in answer["results"]]
    assert 0 <= answer["none"] <= 1


@pytest.mark.parametrize("question", ["", "   ", "?!?", "🍪🍪"])
def test_questions_without_words_are_silent(pipeline: Pipeline, question: str) -> None:
    answer = pipeline.ask(question)
    assert answer.verdict == "silent" and answer.hits == []


def test_very_long_and_odd_input_is_handled(pipeline: Pipeline) -> None:
    answer = pipeline.ask("cookies " * 5000 + "\x00\u202e\ufeff")
    assert answer.hits and answer.hits[0].clause.section
