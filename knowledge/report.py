"""`make eval`'s first half: retrieval-level figures of the answer path on every set.

One row per set of the manifest, with its role (train figures only show the model
learnt them; development and held-out ones are what counts). Written as JSON under
``var/eval/`` beside the previous run's, with each change in hit@1 printed.
"""

from __future__ import annotations

import json

from knowledge import question_sets
from knowledge.answering.pipeline import Pipeline
from knowledge.evaluation import evaluate
from settings import PROJECT_ROOT, KnowledgeSettings

COLUMNS = ("hit@1", "hit@3", "mrr", "answered", "hedged", "refused", "unanswerable_told")
OUT_DIR = PROJECT_ROOT / "var" / "eval"


def run_all(settings: KnowledgeSettings) -> dict[str, dict]:
    pipeline = Pipeline.from_settings(settings)
    return {
        name: {"role": entry.role} | evaluate(pipeline, question_sets.load(name))
        for name, entry in question_sets.manifest().items()
    }


def table(results: dict[str, dict]) -> str:
    header = f"{'set':<20}{'role':<13}" + "".join(f"{c[:12]:>13}" for c in COLUMNS)
    rows = [header, "-" * len(header)]
    for name, figures in results.items():
        cells = "".join(
            f"{'' if figures.get(c) is None else format(figures[c], '.3f'):>13}" for c in COLUMNS
        )
        rows.append(f"{name:<20}{figures['role']:<13}{cells}")
    return "\n".join(rows)


def report(settings: KnowledgeSettings) -> dict[str, dict]:
    results = run_all(settings)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    latest, previous = OUT_DIR / "latest.json", OUT_DIR / "previous.json"
    before = json.loads(latest.read_text()) if latest.exists() else {}
    if before:
        previous.write_text(json.dumps(before, indent=1))
    latest.write_text(json.dumps(results, indent=1))
    print(table(results))
    for name, figures in results.items():
        old, new = before.get(name, {}).get("hit@1"), figures["hit@1"]
        if None not in (old, new) and old != new:
            print(f"  {name}: hit@1 {old:.3f} -> {new:.3f}")
    for name in question_sets.names("held-out"):
        print(f"\nMisses on {name}:")
        for miss in results[name]["worst_misses"]:
            print(
                f"  {miss['question']!r}: expected {miss['expected']}, got {miss['got']} "
                f"(rank {miss['rank']}, {miss['verdict']}, none {miss['none']})"
            )
    print(f"\nWritten: {latest}")
    return results
