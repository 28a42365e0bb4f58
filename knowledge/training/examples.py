"""What the question encoder learns from: the train sets of the manifest, the aliases,
the silent topics, and the NLU's messages that ask the policy nothing.

Only sets whose role is ``train`` are read here (``tests/knowledge/test_question_sets``
checks that no held-out question gets in). Each example is a text and the clauses that
answer it; a question the policy does not answer, or only touches on (a near-topic
question), answers to none, and so does "what can you do?" or "that didn't help",
which the action server also searches. A follow-up is learnt as it is asked: after its
first turn.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge import question_sets
from knowledge.answering.text import in_context
from knowledge.clauses import Clause
from knowledge.enrichment import Aliases
from knowledge.question_sets import Question, normalise
from knowledge.sentences import split_sentences


@dataclass(frozen=True)
class Example:
    """One training text, the positions of the clauses that answer it (none: empty) and,
    when its evidence is labelled, the sentences that do (in the policy's order, counted
    over all clauses)."""

    text: str
    answers: tuple[int, ...]
    sentences: tuple[int, ...] = ()


def positions(clauses: tuple[Clause, ...] | list[Clause]) -> dict[str, int]:
    """Each clause id, and each id folded into a clause, to that clause's position."""
    found = {}
    for position, clause in enumerate(clauses):
        for clause_id in (clause.id, *clause.folded):
            found[clause_id] = position
    return found


def from_questions(questions: list[Question], clauses: list[Clause]) -> list[Example]:
    where = positions(clauses)
    said = [[normalise(s) for s in split_sentences(c.text)] for c in clauses]
    first = [sum(map(len, said[:p])) for p in range(len(said))]
    examples = []
    for q in questions:
        answers = tuple(sorted({where[e] for e in q.expected}))
        evidence = [normalise(e) for e in q.evidence if e.strip()]
        sentences = tuple(
            first[p] + i
            for p in answers
            for i, sentence in enumerate(said[p])
            if any(e in sentence for e in evidence)
        )
        examples.append(Example(in_context(q.question, q.previous), answers, sentences))
    return examples


def training_examples(clauses: list[Clause], aliases: Aliases) -> list[Example]:
    """Every train-role question, then every alias as a question its clause answers."""
    examples = from_questions(question_sets.load_role("train"), clauses)
    where = positions(clauses)
    for clause_id, wordings in aliases.items():
        examples += [Example(text, (where[clause_id],)) for text in wordings]
    return examples
