"""Chosen questions of the review as a development question set, for a content owner.

``make review ARGS='export --kind hedged --out knowledge/evaluation/review-2026-12-07.jsonl'``
writes one line per distinct question of that kind (and ``--clause``, if given) in the
``answerable`` schema of ``knowledge/evaluation/sets.yml``:

    {"question": "...", "expected": ["<nearest clause>"], "evidence": [],
     "unchecked": true, "review": {"kind": "hedged", "nearest": "...", "comment": "..."}}

``expected`` is filled with the clause the assistant found nearest (empty when it found
none), because that is the content owner's likeliest answer and the one to confirm or
correct; an empty list would mean "the policy does not answer this", which only they
can say. Every line is marked ``unchecked``: the loader (``knowledge.question_sets``)
leaves such lines out, so nothing unconfirmed chooses a threshold. The content owner
corrects ``expected``, adds ``evidence`` if they like, and deletes ``"unchecked": true``
line by line. A file written into ``knowledge/evaluation/`` is added to its manifest as
a ``development`` set; one written elsewhere is left for them to place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import yaml

from knowledge.question_sets import MANIFEST, UNCHECKED
from review.sources import Asked
from settings import QUESTION_SETS


def lines(asked: Iterable[Asked], kind: str, clause: str | None = None) -> list[dict]:
    """One set line per distinct question of ``kind`` (near ``clause``), latest first."""
    chosen: dict[str, dict] = {}
    for item in sorted(asked, key=lambda a: a.at, reverse=True):
        if item.kind != kind or (clause and item.clause != clause):
            continue
        key = " ".join(item.question.split()).casefold()
        if not key or key in chosen:
            continue
        review = {"kind": kind, "nearest": item.clause, "asked": f"{item.at:%Y-%m-%d}"}
        if item.comment:
            review["comment"] = item.comment
        chosen[key] = {
            "question": item.question,
            "expected": [item.clause] if item.clause else [],
            "evidence": [],
            UNCHECKED: True,
            "review": review,
        }
    return list(chosen.values())


def write(rows: list[dict], out: Path, kind: str, now: datetime) -> bool:
    """Write the set file; add it to the manifest when it is among the sets (True then)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    if out.resolve().parent != QUESTION_SETS.resolve() or out.suffix != ".jsonl":
        return False
    manifest = QUESTION_SETS / MANIFEST
    entries = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    if out.stem not in entries:
        entry = {
            "role": "development",
            "schema": "answerable",
            "tests": f"customers' {kind} questions from the review of {now:%Y-%m-%d}",
            "origin": "make review export: expected is the nearest clause, unchecked "
            "until a content owner confirms each line (docs/review.md)",
        }
        with manifest.open("a", encoding="utf-8") as file:
            file.write(yaml.safe_dump({out.stem: entry}, sort_keys=False, allow_unicode=True))
    return True
