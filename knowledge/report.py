"""`make eval`: compare retriever configurations on both question sets.

Prints a table (hit@1, hit@3, MRR, unanswerable precision and recall, answerable
questions refused) and the shipped configuration's worst misses; writes the same as
JSON under ``var/eval/`` beside the previous run's, with the change in hit@1; draws a
bar chart of hit@1 per configuration (``var/eval/retrieval.png``).
"""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.answerability import FEATURES
from knowledge.embedding import Encoder
from knowledge.evaluation import calibrate, evaluate, load_questions
from knowledge.index import load
from knowledge.retrieval import RetrievalConfig, Retriever
from settings import PROJECT_ROOT, KnowledgeSettings

SHIPPED = "hybrid+aliases"
# name -> (ranking, answerability features); each gets its own model fitted on dev.
CONFIGURATIONS: dict[str, tuple[RetrievalConfig, tuple[str, ...]]] = {
    "bm25": (RetrievalConfig(mode="bm25", use_aliases=False), FEATURES),
    "dense": (RetrievalConfig(mode="dense", use_aliases=False), FEATURES),
    "hybrid": (RetrievalConfig(mode="hybrid", use_aliases=False), FEATURES),
    "dense+aliases": (RetrievalConfig(mode="dense"), FEATURES),
    "hybrid+aliases, no word match": (RetrievalConfig(word_rank_weight=0), FEATURES),
    SHIPPED: (RetrievalConfig(), FEATURES),
    "hybrid+aliases, one threshold": (RetrievalConfig(), ("best_similarity",)),
}
SETS = ("dev", "heldout")
# Sets measured for the shipped configuration only: answerable with evidence (the quote
# must hold the answering sentence) and silent, and near-topic questions.
SHIPPED_SETS = (
    "dev-evidence",
    "dev2",
    "dev3",
    "dev-basics",
    "dev-basics2",
    "dev-basics3",
    "dev-basics4",
    "heldout2",
    "dev-near",
    "dev2-near",
    "dev3-near",
    "heldout-near",
)
COLUMNS = (
    "hit@1",
    "hit@3",
    "mrr",
    "unanswerable_precision",
    "unanswerable_recall",
    "answerable_refused",
    "quoted",
    "hedged",
    "near_hedged",
)
OUT_DIR = PROJECT_ROOT / "var" / "eval"


def run_all(settings: KnowledgeSettings) -> dict[str, dict[str, dict]]:
    index, encoder = load(settings), Encoder.from_settings(settings)
    questions = {name: load_questions(name) for name in SETS}
    results: dict[str, dict[str, dict]] = {}
    for name, (config, features) in CONFIGURATIONS.items():
        retriever = Retriever(index, encoder, config)
        retriever = Retriever(index, encoder, config, calibrate(retriever, features))
        if name != SHIPPED:
            # The coverage model is fitted on the shipped ranking's first clauses only.
            retriever.coverage = None
        results[name] = {s: evaluate(retriever, questions[s]) for s in SETS}
    shipped = Retriever(index, encoder)  # the index's own fitted models, as served
    for set_name in SHIPPED_SETS:
        results[SHIPPED][set_name] = evaluate(shipped, load_questions(set_name))
    return results


def table(results: dict[str, dict[str, dict]]) -> str:
    header = f"{'configuration':<31}{'set':<14}" + "".join(f"{c[:14]:>16}" for c in COLUMNS)
    rows = [header, "-" * len(header)]
    for name, by_set in results.items():
        for set_name, figures in by_set.items():
            cells = "".join(
                f"{'' if figures.get(c) is None else format(figures[c], '.3f'):>16}"
                for c in COLUMNS
            )
            rows.append(f"{name:<31}{set_name:<14}{cells}")
    return "\n".join(rows)


def chart(results: dict[str, dict[str, dict]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
    width = 0.38
    for offset, set_name in ((-width / 2, "dev"), (width / 2, "heldout")):
        values = [results[n][set_name]["hit@1"] for n in names]
        bars = ax.bar([i + offset for i in range(len(names))], values, width, label=set_name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.axhline(0.9, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xticks(range(len(names)), [n.replace(", ", ",\n") for n in names], fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("hit@1")
    ax.set_title("Right clause first, by retriever configuration")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def report(settings: KnowledgeSettings) -> dict[str, dict[str, dict]]:
    results = run_all(settings)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    latest, previous = OUT_DIR / "latest.json", OUT_DIR / "previous.json"
    before = json.loads(latest.read_text()) if latest.exists() else None
    if before:
        previous.write_text(json.dumps(before, indent=1))
    latest.write_text(json.dumps(results, indent=1))
    chart(results, OUT_DIR / "retrieval.png")
    print(table(results))
    if before:
        for name, by_set in results.items():
            for set_name, figures in by_set.items():
                old = before.get(name, {}).get(set_name, {}).get("hit@1")
                if old is not None and figures["hit@1"] is not None and old != figures["hit@1"]:
                    print(f"  {name} {set_name}: hit@1 {old:.3f} -> {figures['hit@1']:.3f}")
    for set_name in ("heldout", "heldout2"):
        print(f"\nWorst misses of {SHIPPED} ({set_name}):")
        for miss in results[SHIPPED][set_name]["worst_misses"]:
            print(
                f"  {miss['question']!r}: expected {miss['expected']}, got {miss['got']} "
                f"(rank {miss['rank']})"
            )
    print(f"\nWritten: {latest}, {OUT_DIR / 'retrieval.png'}")
    return results
