"""Retrieval quality on customer-worded questions, with floors that catch regressions.

The figures are printed (run with -s to see them); `make eval` prints the full table.
"""

from __future__ import annotations

import json

import pytest

from knowledge.evaluation import evaluate, load_questions
from knowledge.retrieval import Retriever

# Floors a little under the measured figures (docs/answers.md, `make eval`). Matching
# word by word (RetrievalConfig.word_rank_weight) moved some both ways: heldout2 hit@1
# 0.895 -> 0.952 and quoted 0.855 -> 0.903, but dev hit@1 0.985 -> 0.975 (the aliases
# were written from dev's misses; the word match weighs them less), old heldout hit@3
# 0.976 -> 0.963 (one question) and heldout-near hedged 0.667 -> 0.644 (one). Saying
# "data" as the policy's "information" (knowledge/wording.py) answered the commonest
# questions (dev-basics2, written apart: refused 0.12 -> 0.04, quoted 0.80 -> 0.88) and
# moved the old heldout's hit@3 0.963 -> 0.951 (one question). dev-basics3, written
# apart from the project after that, measured hit@1 0.983, silent recall 0.933, quoted 0.950.
# dev-basics4 (short first messages, written apart) measured hit@1 0.900, quoted 0.900.
FLOORS = {
    "dev": {"hit@1": 0.96, "hit@3": 0.99, "unanswerable_recall": 0.95},
    "dev-basics2": {"hit@1": 0.88, "hit@3": 0.95, "unanswerable_recall": 0.80, "quoted": 0.85},
    "dev-basics3": {"hit@1": 0.95, "hit@3": 0.95, "unanswerable_recall": 0.86, "quoted": 0.91},
    "dev-basics4": {"hit@1": 0.88, "hit@3": 0.95, "unanswerable_recall": 0.90, "quoted": 0.88},
    "heldout": {"hit@1": 0.91, "hit@3": 0.95, "unanswerable_recall": 0.99},
    # The new sets: the quote must hold the answering sentence; near-topic questions
    # should be told the policy does not say.
    "heldout2": {"hit@1": 0.93, "hit@3": 0.99, "unanswerable_recall": 0.85, "quoted": 0.88},
    "heldout-near": {"near_hedged": 0.64},
}
# At most this share of answerable questions may be refused as "the policy doesn't say".
MAX_REFUSED = 0.05


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_retrieval_meets_its_floors(retriever: Retriever, name: str) -> None:
    questions = load_questions(name)
    figures = evaluate(retriever, questions)
    print(json.dumps({k: v for k, v in figures.items() if k != "worst_misses"}))
    for metric, floor in FLOORS[name].items():
        assert figures[metric] >= floor, (metric, figures[metric], figures["worst_misses"])
    assert figures["answerable_refused"] <= MAX_REFUSED


def test_question_sets_are_big_enough_and_name_real_clauses(retriever: Retriever) -> None:
    ids = {c.id for c in retriever.index.clauses}
    dev, heldout = load_questions("dev"), load_questions("heldout")
    assert sum(q.answerable for q in dev) >= 60 and sum(not q.answerable for q in dev) >= 15
    for q in dev + heldout:
        assert retriever.known(q.expected) <= ids, q
    assert not {q.question for q in dev} & {q.question for q in heldout}


def test_json_contract_of_an_answer(retriever: Retriever) -> None:
    answer = retriever.ask("Do you keep my credit card number in cookies?").as_json()
    assert set(answer) == {"question", "answerable", "verdict", "results"}
    assert len(answer["results"]) == 3
    scores = [r["score"] for r in answer["results"]]
    for result in answer["results"]:
        assert set(result) == {"id", "section", "text", "score"}
    assert answer["answerable"] is True and answer["verdict"] == "answer"
    assert "our-cookies-2" in [r["id"] for r in answer["results"]]
    assert all(isinstance(s, float) for s in scores)


@pytest.mark.parametrize("question", ["", "   ", "?!?", "🍪🍪"])
def test_questions_without_words_are_not_answerable(retriever: Retriever, question: str) -> None:
    answer = retriever.ask(question)
    assert answer.answerable is False and answer.hits == []


def test_a_clause_of_this_policy_is_quoted_whole(retriever: Retriever) -> None:
    answer = retriever.ask("Do you use Google Analytics? who can see the data it collects?")
    top = answer.hits[0]
    assert top.clause.id == "our-cookies-google-analytics-cookie"
    assert top.quote == " ".join(
        retriever.index.sentences[retriever.index.clauses.index(top.clause)]
    )
    assert "can only be seen by the relevant teams at Jessops and Google" in top.quote


def test_a_longer_clause_is_quoted_by_its_relevant_sentences(
    sentence_quoting_retriever: Retriever,
) -> None:
    """A policy with longer clauses than this one gets the sentences that answer."""
    retriever = sentence_quoting_retriever
    long_clause = retriever.ask("what does the Coremetrics cookie do")
    hit = long_clause.hits[0]
    assert hit.clause.id == "our-cookies-ibm-coremetrics-analytics-cookie"
    assert hit.quote.startswith("IBM Coremetrics Analytics cookie")  # names the cookie
    assert len(hit.quote) < len(hit.clause.text)


def test_very_long_and_odd_input_is_handled(retriever: Retriever) -> None:
    answer = retriever.ask("cookies " * 5000 + "\x00\u202e\ufeff")
    assert answer.hits and answer.hits[0].clause.section
