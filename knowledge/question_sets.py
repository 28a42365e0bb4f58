"""The labelled questions: the sets of one manifest (``evaluation/sets.yml``), and the
NLU's messages that ask the policy nothing.

Like BEIR's data loader, one reader for every set, and each set's role named in one
place: ``train`` sets teach the models, ``development`` sets choose their thresholds,
``held-out`` sets are only ever reported. Three schemas share one :class:`Question`:
an answerable (or unanswerable) question, a near-topic one (``near``: the clause next
to it that does not answer it) and a two-turn follow-up (``turns``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple

import yaml

from settings import QUESTION_SETS

Role = Literal["train", "development", "held-out"]
ROLES: tuple[Role, ...] = ("train", "development", "held-out")
SCHEMAS = ("answerable", "near", "follow-up")
MANIFEST = "sets.yml"
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "`": "'"})


@dataclass(frozen=True)
class Question:
    """One labelled question; a follow-up's ``turns`` end with the question labelled."""

    turns: tuple[str, ...]
    expected: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    near: tuple[str, ...] = ()

    @property
    def question(self) -> str:
        return self.turns[-1]

    @property
    def previous(self) -> str | None:
        """The turn a follow-up leans on (None for a question that stands alone)."""
        return self.turns[-2] if len(self.turns) > 1 else None

    @property
    def answerable(self) -> bool:
        return bool(self.expected)


@dataclass(frozen=True)
class QuestionSet:
    """A set as the manifest describes it."""

    name: str
    role: Role
    schema: str
    tests: str
    origin: str

    @property
    def path(self) -> Path:
        return QUESTION_SETS / f"{self.name}.jsonl"


@cache
def manifest() -> dict[str, QuestionSet]:
    """Every set the manifest names, in its order (read once: it is fixed per release)."""
    entries = yaml.safe_load((QUESTION_SETS / MANIFEST).read_text(encoding="utf-8"))
    sets = {name: QuestionSet(name=name, **entry) for name, entry in entries.items()}
    for entry in sets.values():
        if entry.role not in ROLES or entry.schema not in SCHEMAS:
            raise ValueError(
                f"{MANIFEST}: {entry.name} has role {entry.role!r}, schema {entry.schema!r}"
            )
    return sets


def names(role: Role, schema: str | None = None) -> tuple[str, ...]:
    """The sets of ``role`` (and ``schema``), in the manifest's order."""
    return tuple(
        s.name for s in manifest().values() if s.role == role and schema in (None, s.schema)
    )


# A line a content owner has yet to check (``make review ARGS='export ...'`` writes its
# labels from what the assistant found): the loader leaves it out until they have.
UNCHECKED = "unchecked"


def load(name: str) -> list[Question]:
    """Read one set, whatever its schema; lines still unchecked are left out."""
    return load_file(manifest()[name].path)


def asked_alone(role: Role) -> set[str]:
    """The messages a role's questions end with, normalised: what the Rasa NLU reads of
    each (it reads a follow-up's second turn without the first)."""
    return {normalise(q.question) for q in load_role(role)}


def load_file(path: Path, unchecked: bool = False) -> list[Question]:
    """Read a set file; with ``unchecked``, the lines waiting for a check too."""
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [_question(row) for row in rows if unchecked or not row.get(UNCHECKED)]


def load_role(role: Role) -> list[Question]:
    """Every question of every set of ``role``."""
    return [q for name in names(role) for q in load(name)]


def _question(row: dict) -> Question:
    turns = row.get("turns") or [row["question"]]
    return Question(
        turns=tuple(turns),
        expected=tuple(row.get("expected", ())),
        evidence=tuple(row.get("evidence", ())),
        near=tuple(row.get("near", ())),
    )


def normalise(text: str) -> str:
    """Whitespace collapsed, curly quotes straightened, case folded: how a question or an
    evidence string is compared with another text."""
    return " ".join(text.translate(_QUOTES).split()).casefold()


class NluMessage(NamedTuple):
    """One training message of the Rasa NLU."""

    intent: str | None
    text: str
    asks_the_policy: bool


# Intents of the Rasa NLU whose messages ask the policy nothing (data/nlu/*.yml).
NOT_POLICY_INTENTS = frozenset(
    {"greet", "goodbye", "thank", "bot_challenge", "help", "affirm", "deny"}
    | {"out_of_scope", "wrong_answer"}
)
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def nlu_messages(nlu_folder: Path, skip: frozenset[str] = frozenset()) -> list[NluMessage]:
    """Every training message of the Rasa NLU (``data/nlu/*.yml`` but the file names in
    ``skip``), entity marks removed, with its intent and whether its block is marked
    ``asks_the_policy`` (a rejection with the question asked again)."""
    messages = []
    for path in sorted(nlu_folder.glob("*.yml")):
        if path.name in skip:
            continue
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", ()):
            asks = bool((block.get("metadata") or {}).get("asks_the_policy", False))
            lines = str(block.get("examples", "")).splitlines()
            texts = (_plain(line.strip()[2:]) for line in lines if line.strip())
            messages += [NluMessage(block.get("intent"), t, asks) for t in texts if t]
    return messages


def not_policy_messages(nlu_folder: Path) -> tuple[str, ...]:
    """The NLU's training messages of :data:`NOT_POLICY_INTENTS`; a block marked
    ``asks_the_policy`` is left out, since teaching the index its question answers
    nothing would be wrong."""
    return tuple(
        m.text
        for m in nlu_messages(nlu_folder)
        if m.intent in NOT_POLICY_INTENTS and not m.asks_the_policy
    )


def _plain(example: str) -> str:
    return _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), example).strip()
