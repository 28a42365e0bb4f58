"""The answer path: each stage called by name, in order. Start reading here.

    question ─ text.plain ─ QuestionEncoder ─ candidates.clause_scores ─ reader.read
             ─ answerability (Thresholds.verdict) ─ quotes.quote ─▶ Answer

With the question before it, ``follow_up`` first decides from the question's vector
whether it leans on that one; a follow-up then takes the same path after
``text.in_context`` has put the earlier question in front of it. Nothing here is a hand
rule: the ranking, the reader and the follow-up detector are trained, the thresholds
are chosen on development sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from knowledge.answering import candidates, quotes, reader, text
from knowledge.answering.answerability import THRESHOLDS_FILE, Thresholds, Verdict
from knowledge.answering.follow_up import FOLLOW_UP_FILE, FollowUpDetector
from knowledge.answering.reader import READER_FILE, Head
from knowledge.clauses import Clause
from knowledge.embedding import QuestionEncoder
from knowledge.index import ClauseIndex, load
from settings import KnowledgeSettings

HITS = 3


@dataclass(frozen=True)
class Hit:
    """One ranked clause: its similarity, the reader's probability, the words to quote."""

    clause: Clause
    score: float
    probability: float
    quote: str

    def as_json(self) -> dict:
        c = self.clause
        return {
            "id": c.id,
            "section": c.section,
            "text": c.text,
            "score": round(self.score, 4),
            "probability": round(self.probability, 4),
        }


@dataclass(frozen=True)
class Answer:
    """The pipeline's verdict on one question; ``hits`` best first."""

    question: str
    verdict: Verdict
    hits: list[Hit] = field(default_factory=list)
    none: float = 1.0  # the reader's probability that no clause answers

    @property
    def answerable(self) -> bool:
        """The policy speaks to the question (it answers it, or is on its topic)."""
        return self.verdict != "silent"

    @property
    def covered(self) -> bool:
        """The first clause answers the question (not only touches on it)."""
        return self.verdict == "answer"

    def as_json(self) -> dict:
        return {
            "question": self.question,
            "verdict": self.verdict,
            "none": round(self.none, 4),
            "results": [h.as_json() for h in self.hits],
        }


class Pipeline:
    """Answers questions from a loaded index; build one per process and reuse it."""

    def __init__(
        self,
        index: ClauseIndex,
        encoder: QuestionEncoder,
        head: Head,
        follow_up: FollowUpDetector,
        thresholds: Thresholds | None = None,
    ) -> None:
        """Without ``thresholds`` (while the build chooses them) every verdict is "answer"."""
        self.index = index
        self.encoder = encoder
        self.head = head
        self.follow_up = follow_up
        self.thresholds = thresholds
        self._home = {old: c.id for c in index.clauses for old in (c.id, *c.folded)}

    @classmethod
    def from_settings(cls, settings: KnowledgeSettings) -> Pipeline:
        """Load the index (raising if missing or stale), its model and thresholds, once."""
        folder = settings.index_dir
        return cls(
            load(settings),
            QuestionEncoder(folder, threads=settings.threads),
            Head.load(folder / READER_FILE),
            FollowUpDetector.load(folder / FOLLOW_UP_FILE),
            Thresholds.load(folder / THRESHOLDS_FILE),
        )

    def ask(self, question: str, previous: str | None = None, k: int = HITS) -> Answer:
        """Rank the clauses for ``question`` and say whether the first one answers it;
        ``previous`` is the question asked before it, if any: when ``question`` leans on
        it, it is read as a follow-up to it."""
        question = text.plain(question)
        if not text.has_words(question):
            return Answer(question, "silent")
        query = self.encoder.encode_one(question)
        if previous and self.follow_up.leans_on_previous(query):
            question = text.in_context(question, previous)
            query = self.encoder.encode_one(question)
        scores = candidates.clause_scores(self.index, query)
        reading = reader.read(self.head, query, scores)
        ranking = candidates.ranking(scores)[:k]
        verdict: Verdict = "answer"
        if self.thresholds is not None:
            verdict = self.thresholds.verdict(reading.none, float(scores[ranking[0]]))
        hits = [self._hit(p, query, scores, reading) for p in ranking]
        return Answer(question, verdict, hits, reading.none)

    def known(self, clause_ids: tuple[str, ...]) -> set[str]:
        """The clause ids that stand for ``clause_ids``: an id folded into another clause
        (a table of contents, a table's introduction) is answered by that one."""
        return {self._home.get(i, i) for i in clause_ids}

    def _hit(
        self, position: int, query: np.ndarray, scores: np.ndarray, reading: reader.Reading
    ) -> Hit:
        return Hit(
            clause=self.index.clauses[position],
            score=float(scores[position]),
            probability=reading.probability(position),
            quote=quotes.quote(self.index, position, query),
        )
