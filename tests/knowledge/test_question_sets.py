"""The question sets' manifest: every set has a role, labels name real clauses, and no
held-out question ever reaches training or the choice of thresholds."""

from __future__ import annotations

from knowledge import question_sets
from knowledge.answering.text import in_context
from knowledge.builder import examples_of
from knowledge.clauses import load_policy
from knowledge.index import Inputs
from knowledge.question_sets import normalise
from knowledge.training.examples import training_examples
from settings import QUESTION_SETS, KnowledgeSettings


def _asked(question: question_sets.Question) -> set[str]:
    """What a question is as it is asked: alone, and with the turn it follows up."""
    return {
        normalise(question.question),
        normalise(in_context(question.question, question.previous)),
    }


def _texts(role: question_sets.Role) -> set[str]:
    return {text for q in question_sets.load_role(role) for text in _asked(q)}


def _held_out() -> set[str]:
    """Every held-out question as asked (a follow-up's first turn is context, not the
    question labelled, so it may be any question)."""
    return {
        normalise(in_context(q.question, q.previous)) for q in question_sets.load_role("held-out")
    }


def test_every_set_on_disk_is_in_the_manifest_and_back() -> None:
    on_disk = {p.stem for p in QUESTION_SETS.glob("*.jsonl")}
    assert on_disk == set(question_sets.manifest())


def test_every_role_has_sets_and_every_set_has_questions() -> None:
    for role in question_sets.ROLES:
        assert question_sets.names(role), role
    for name in question_sets.manifest():
        assert question_sets.load(name), name


def test_labels_name_clauses_the_policy_has() -> None:
    clauses = load_policy(KnowledgeSettings.from_env().policy_path).clauses
    ids = {i for c in clauses for i in (c.id, *c.folded)}
    for name in question_sets.manifest():
        for q in question_sets.load(name):
            assert set(q.expected) | set(q.near) <= ids, (name, q)


def test_a_follow_up_set_has_two_turns_and_the_others_one() -> None:
    for name, entry in question_sets.manifest().items():
        turns = {len(q.turns) for q in question_sets.load(name)}
        assert turns == ({2} if entry.schema == "follow-up" else {1}), name


def test_no_held_out_question_is_a_train_or_development_question() -> None:
    assert not _held_out() & _texts("train")
    assert not _held_out() & _texts("development")


def test_no_held_out_question_reaches_training() -> None:
    inputs = Inputs.read(KnowledgeSettings.from_env())
    taught = {normalise(e.text) for e in examples_of(inputs)}
    assert taught and not _held_out() & taught


def test_training_reads_only_train_sets(monkeypatch) -> None:
    read: list[str] = []
    original = question_sets.load

    def spy(name: str) -> list[question_sets.Question]:
        read.append(name)
        return original(name)

    monkeypatch.setattr(question_sets, "load", spy)
    inputs = Inputs.read(KnowledgeSettings.from_env())
    training_examples(list(inputs.policy.clauses), inputs.aliases)
    assert set(read) == set(question_sets.names("train"))


def test_a_rejection_that_asks_again_is_not_taught_as_answering_nothing(tmp_path) -> None:
    (tmp_path / "policy.yml").write_text(
        "nlu:\n"
        "- intent: wrong_answer\n"
        "  examples: |\n"
        "    - not that\n"
        "- intent: wrong_answer\n"
        "  metadata:\n"
        "    asks_the_policy: true\n"
        "  examples: |\n"
        "    - no. do you use [cookies](topic)\n"
    )
    assert question_sets.not_policy_messages(tmp_path) == ("not that",)
