"""The name reader on names and questions it was not trained on."""

from __future__ import annotations

from data_requests import names
from knowledge import question_sets
from knowledge.question_sets import normalise

# Names of many origins, as customers type them, written for this test; the NLU took
# "Li Wei", "Sanjay Gupta", "Aoife Kelly" and "Brian O'Reilly" for policy questions and
# "Harry Hill" and "Lucy Green" for greetings.
NAMES = (
    "Ann Lee", "Jane Doe", "Li Wei", "Anna Kowalska", "Mohammed Ali", "Chloe Martin",
    "Lucy Green", "Harry Hill", "Ruth Ann Smith", "Mr Fred Bloggs", "ann lee",
    "Holly Summers", "Robin Banks", "Jun Wang", "Xiao Li", "Priyanka Desai", "Sanjay Gupta",
    "Kofi Boateng", "Adaeze Nwosu", "Piotr Zielinski", "Olga Ivanova", "Noor Khalil",
    "Brian O'Reilly", "Aoife Kelly", "Morag Stewart", "Autumn Rose", "Joy Brown",
    "my name is Peter Wood", "it's Lily Chan", "Dr Sara Malik", "tom", "Ho Yin Lau",
    "Eva Novak", "Luca Bianchi",
)  # fmt: skip


def test_names_of_many_origins_are_read_as_names() -> None:
    assert [name for name in NAMES if not names.is_name(name)] == []


def test_questions_never_trained_on_are_rarely_read_as_names() -> None:
    """Development and held-out questions that pass the name check and read as names
    would be taken for the customer's name at "What's your name?" (3 of 2,678 when the
    reader was built: "GuestUser cookie", "warranty on cameras", "STOP EMAILING ME
    PROMOTIONS")."""
    questions = [
        q.question for role in ("development", "held-out") for q in question_sets.load_role(role)
    ]
    misread = [question for question in questions if names.is_name(question)]
    assert len(questions) > 2000
    assert len(misread) <= len(questions) // 500, misread


def test_the_reader_trains_on_no_development_or_held_out_question() -> None:
    taught = {normalise(text) for text in names.not_names()}
    for role in ("development", "held-out"):
        assert not taught & {normalise(q.question) for q in question_sets.load_role(role)}, role


def test_the_names_it_trains_on_are_the_same_every_build() -> None:
    assert names.sample_names(50) == names.sample_names(50)
    assert len(set(names.sample_names(1000))) > 950
