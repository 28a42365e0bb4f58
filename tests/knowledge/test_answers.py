"""What the customer is shown: the quote keeps the answering sentence, follow-ups are
quoted for their own words, and a question next to a clause that does not answer it
is told the policy does not say."""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge.evaluation import quotes_evidence
from knowledge.retrieval import (
    RetrievalConfig,
    Retriever,
    asks_if_there_is_what_clause_never_names,
    asks_what_clause_cannot_answer,
    asks_what_clause_lacks,
    tokenize,
)
from knowledge.sentences import split_sentences


def test_a_short_clause_is_quoted_whole(retriever: Retriever) -> None:
    """The log-files clause answers "do you log my IP address?" in its second sentence."""
    answer = retriever.ask("Do you log my IP address?")
    top = answer.hits[0]
    assert top.clause.id == "log-files-1" and answer.verdict == "answer"
    assert top.quote == " ".join(split_sentences(top.clause.text))
    assert "internet protocol (IP) addresses" in top.quote


def test_a_long_clause_is_quoted_from_the_sentence_that_answers(
    sentence_quoting_retriever: Retriever,
) -> None:
    retriever = sentence_quoting_retriever
    answer = retriever.ask("who can see the data the google analytics cookies store?")
    hit = answer.hits[0]
    assert hit.clause.id == "our-cookies-google-analytics-cookie"
    assert len(hit.quote) < len(hit.clause.text)
    assert hit.quote.startswith("Google Analytics cookie")  # names the cookie
    assert "can only be seen by the relevant teams at Jessops and Google" in hit.quote


def test_the_best_sentence_is_always_in_the_quote(
    sentence_quoting_retriever: Retriever,
) -> None:
    """Scores mix MiniLM similarity with the question's words; the quote keeps the top one,
    in the policy's order."""
    retriever = sentence_quoting_retriever
    position = next(
        i
        for i, c in enumerate(retriever.index.clauses)
        if c.id == "our-cookies-ibm-coremetrics-analytics-cookie"
    )
    question = "does coremetrics make the customers who bought this also bought suggestions"
    query = retriever.encoder.encode_one(question)
    tokens = tuple(tokenize(question))
    scores = retriever.sentence_scores(position, query, tokens)
    sentences = retriever.index.sentences[position]
    best = sentences[int(scores.argmax())]
    quote = retriever.quote(position, query, tokens)
    assert "personalised product recommendations" in best
    assert best in quote
    order = [quote.index(s) for s in sentences if s in quote]
    assert order == sorted(order)


def test_the_table_of_contents_does_not_answer_who_to_email(retriever: Retriever) -> None:
    answer = retriever.ask("Who do I email with a question about this privacy policy?")
    assert answer.hits[0].clause.id == "introduction-3"
    assert "webmaster@jessops.com" in answer.hits[0].quote


def test_a_follow_up_is_quoted_for_its_own_words(retriever: Retriever) -> None:
    answer = retriever.ask("and who can see it?", previous="What's the Reevoo cookie for?")
    hit = answer.hits[0]
    assert hit.clause.id == "our-cookies-reevoo-cookie" and answer.verdict == "answer"
    assert quotes_evidence(hit.quote, ("can be seen only by the relevant teams at Jessops",))


def test_a_follow_up_of_stop_words_only_is_ranked_by_its_topic(retriever: Retriever) -> None:
    # "to who?" has no words of its own to rank by: alone they pulled the account clause.
    previous = "does my home address leave Jessops when you send out my order?"
    answer = retriever.ask("to who?", previous=previous)
    assert answer.verdict == "answer" and not answer.close_call
    assert answer.hits[0].clause.id == "third-party-intermediaries-1"
    assert "Parcelforce" in answer.hits[0].quote


def test_a_follow_up_stays_on_the_topic_it_leans_on(retriever: Retriever) -> None:
    # "a number I can ring" alone is nearest the customer-service clause; with the
    # question before it, the answer is the introduction's phone number.
    answer = retriever.ask(
        "is there a number I can ring instead?",
        previous="who should I contact with a privacy worry?",
    )
    assert answer.hits[0].clause.id == "introduction-4" and answer.verdict == "answer"
    assert "0845 458 7005" in answer.hits[0].quote


@pytest.mark.parametrize(
    "question",
    [
        "How many months do you keep IP address logs for?",
        "How long do you keep my survey answers?",
        "Who are the sponsors of your surveys and competitions?",
        "when does your ISIS accreditation run out or get renewed",
        "Is there a PGP key for sending security reports to webmaster@jessops.com?",
    ],
)
def test_near_topic_questions_get_the_policy_does_not_say(
    retriever: Retriever, question: str
) -> None:
    answer = retriever.ask(question)
    assert answer.verdict == "does_not_say", answer.as_json()
    assert answer.hits  # the closest clause is still shown
    assert not answer.close_call


def test_answerable_questions_next_to_them_are_answered(retriever: Retriever) -> None:
    for question in ("Do you log my IP address?", "Do I have to fill in your surveys?"):
        assert retriever.ask(question).verdict == "answer", question


def test_unrelated_questions_are_still_silent(retriever: Retriever) -> None:
    assert retriever.ask("What time does the Leeds shop open on Sunday?").verdict == "silent"


def test_asking_for_what_a_clause_never_states() -> None:
    log_files = "Like most standard Web site servers we use log files."
    assert asks_what_clause_lacks("How many months do you keep IP logs?", log_files)
    assert not asks_what_clause_lacks("how much does it cost to ring you", "call 0845 458 7005")
    assert not asks_what_clause_lacks("Do you log my IP address?", log_files)
    notice = "Users will be notified via a prominent notice on our Web site for 30 days prior"
    assert not asks_what_clause_lacks("How long before a change of owner am I told?", notice)
    # A period, a time or a name the clause never states is decisive on its own; a
    # number is not.
    assert asks_what_clause_cannot_answer("how often do you email me?", log_files)
    # "From time to time" answers how often, vague as it is.
    updates = "We send update emails to our registered users from time to time."
    assert not asks_what_clause_cannot_answer("how often do you email me?", updates)
    assert not asks_what_clause_cannot_answer("How long before a change am I told?", notice)
    assert not asks_what_clause_cannot_answer("do you tell brands how many I bought?", log_files)
    # "An extended period" answers how long, not how long exactly.
    cookies = "Persistent cookies stay on your hard drive for an extended period of time."
    assert not asks_what_clause_cannot_answer("how long do persistent cookies stay?", cookies)
    assert asks_what_clause_cannot_answer("How long exactly - a month, a year?", cookies)
    assert asks_what_clause_cannot_answer("do they expire after 30 days?", cookies)
    assert not asks_what_clause_cannot_answer("exactly how long is the notice kept?", notice)


def test_asking_when_or_who_of_a_clause_that_names_no_time_or_name() -> None:
    surveys = "Participation in these surveys or contests is completely voluntary."
    assert asks_what_clause_cannot_answer("Who are the sponsors of your contests?", surveys)
    assert asks_what_clause_cannot_answer("when does the contest close", surveys)
    # A name inside a sentence, an address, or a time told by an event answers them.
    reevoo = "Reviews are collected by our partner Reevoo."
    assert not asks_what_clause_cannot_answer("who are reevoo and why the cookies?", reevoo)
    contact = "Users can send an email to webmaster@jessops.com."
    assert not asks_what_clause_cannot_answer("Who is the contact for security?", contact)
    opt_out = "Users can opt out at the point where we request information."
    assert not asks_what_clause_cannot_answer("When do I get the chance to opt out?", opt_out)
    # "when" that is not a question of time is not asking for one.
    assert not asks_what_clause_cannot_answer("when ordering can I say no to marketing", surveys)


def test_the_coverage_model_is_fitted_only_on_what_the_rules_leave_open(
    retriever: Retriever,
) -> None:
    settled = "How long exactly does a persistent cookie stay on my hard drive - a month?"
    assert retriever.coverage_features_of(settled) is None
    assert retriever.coverage_features_of("Do you log my IP address?") is not None


def test_asking_if_there_is_a_thing_the_clause_never_names() -> None:
    security = frozenset(tokenize("Users can send an email to webmaster@jessops.com."))
    assert asks_if_there_is_what_clause_never_names("Is there a PGP key for it?", security)
    assert asks_if_there_is_what_clause_never_names("do you run a bug bounty", security)
    assert not asks_if_there_is_what_clause_never_names("is there an email for it", security)
    # A generic head names no thing; nor does a question that asks for none.
    assert not asks_if_there_is_what_clause_never_names("is there a way to ask?", security)
    assert not asks_if_there_is_what_clause_never_names("do I get a say in it?", security)
    assert not asks_if_there_is_what_clause_never_names("is it secure?", security)


def test_words_a_clause_never_mentions_are_counted_as_lacking(retriever: Retriever) -> None:
    # Words are compared in context: the policy's own words are matched, a detail the
    # clause never mentions ("mum", "second") is not.
    account = next(i for i, c in enumerate(retriever.index.clauses) if c.id == "your-account-1")

    def lacking(question: str, position: int) -> float:
        return retriever.words_lacking(retriever.word_matches(question), position)

    in_its_words = "Do I have to create an account to shop?"
    asks_more = "if I put my mum's house in as a second delivery address, who sees it?"
    assert lacking(in_its_words, account) < lacking(asks_more, account)
    assert lacking(in_its_words, account) <= 0.2
    assert lacking("?!", account) == 0.0  # no words to match


@pytest.mark.parametrize(
    "question",
    ["what is your privacy policy?", "Privacy policy", "what does your privacy policy say"],
)
def test_a_question_about_the_policy_itself_gets_its_overview(
    retriever: Retriever, question: str
) -> None:
    # It was told the policy is silent: nearer the topic of other companies' policies.
    answer = retriever.ask(question)
    assert answer.answerable and answer.covered and not answer.close_call
    assert answer.hits[0].clause.id == "introduction-1"
    assert "9. How users can contact us" in answer.hits[0].quote  # the table of contents
    assert not retriever.ask("what's amazon's privacy policy like").answerable


def test_a_greeting_changes_nothing_the_question_asks(retriever: Retriever) -> None:
    # "hi", in no clause, counted as a word the clause lacks: the question was hedged.
    assert tokenize("Hi, thanks! Hello there, please") == ["there"]
    question = "who gets my name and address when I pay by card?"
    for asked in (question, f"Hi, {question}", f"hello, {question} thanks"):
        answer = retriever.ask(asked)
        assert answer.answerable and answer.covered and not answer.close_call, asked
        assert answer.hits[0].clause.id == "third-party-intermediaries-1"


@pytest.mark.parametrize(
    ("question", "clause_id"),
    [
        (
            "How do I update my postcode?",
            "correcting-updating-deleting-deactivating-personal-information-1",
        ),
        (
            "I followed a link off jessops.com to a lens review site, "
            "whose privacy rules apply there?",
            "links-1",
        ),
    ],
)
def test_matching_word_by_word_puts_the_clause_that_holds_the_words_first(
    retriever: Retriever, question: str, clause_id: str
) -> None:
    # The sentence vectors alone prefer a clause on the next topic (address checks, the
    # site the policy covers); the clause holding the question's words wins with the
    # word-by-word ranking in the fusion.
    without = Retriever(retriever.index, retriever.encoder, RetrievalConfig(word_rank_weight=0))
    assert without.ask(question).hits[0].clause.id != clause_id
    assert retriever.ask(question).hits[0].clause.id == clause_id


def test_no_choice_is_offered_when_the_first_clause_holds_the_words(
    retriever: Retriever,
) -> None:
    # Two clauses' sentence vectors tie, but matched word by word the first leads.
    question = "do other companies put cookies on my computer when i'm on your site"
    answer = retriever.ask(question)
    assert answer.hits[0].clause.id == "third-party-cookies-1" and not answer.close_call
    undecided = replace(retriever.config, close_call_word_lead=1.0)
    assert Retriever(retriever.index, retriever.encoder, undecided).ask(question).close_call


def test_no_choice_is_offered_when_only_the_second_clause_names_a_rare_word(
    retriever: Retriever,
) -> None:
    # The two webmaster@ clauses tie; only the privacy-questions one (in its aliases)
    # names "query", a word at most two clauses hold.
    question = (
        "is webmaster@jessops.com the right place to send a privacy query or is there another one"
    )
    answer = retriever.ask(question)
    assert answer.hits[0].clause.id == "introduction-3"
    assert answer.hits[1].clause.id == "security-5"
    assert answer.verdict == "answer" and not answer.close_call
    no_rare_words = replace(retriever.config, rare_word_clauses=0)
    tied = Retriever(
        retriever.index, retriever.encoder, no_rare_words, retriever.answerability
    ).ask(question)
    assert tied.close_call and tied.hits[0].clause.id == "security-5"


def test_folded_ids_stand_for_the_clause_they_were_folded_into(retriever: Retriever) -> None:
    assert retriever.known(("introduction-2", "links-1")) == {"introduction-1", "links-1"}
