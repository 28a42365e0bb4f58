"""`make bench`: latency and memory figures of the real stack, printed, not asserted.

Measures, in one run: clause-index build time; retrieval latency per question
(embedding, both searches, fusion, answerability, quote extraction); REST round trips
for policy questions and for a canned reply (greet), with the ratio of their medians;
and each server's resident memory.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

from knowledge.builder import build
from knowledge.embedding import Encoder
from knowledge.evaluation import load_questions
from knowledge.retrieval import Retriever
from settings import KnowledgeSettings
from tests.support.rest import reply_text
from tests.support.stacks import stack_on_free_ports

ROUNDS = 3  # passes over the question set for retrieval latency
REST_SAMPLES = 60
# Every policy reply either quotes the policy, offers a choice of clauses, says the
# policy is silent, or says it does not say that (with the closest clause).
ANSWER_MARKS = (
    "From our privacy policy",
    "Which did you mean",
    "doesn't cover that",
    "doesn't say that",
)


def percentiles(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[max(0, int(len(ms) * 0.95) - 1)], 1),
    }


def timed(call: object, *args: object) -> float:
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


def bench_index(folder: Path) -> tuple[dict, Retriever]:
    settings = replace(KnowledgeSettings.from_env(), index_dir=folder)
    encoder = Encoder(settings.model)
    report = build(settings, encoder, force=True)
    retriever = Retriever.from_settings(settings)
    questions = [q.question for q in load_questions("dev") + load_questions("heldout")]
    retriever.ask(questions[0])  # warm-up
    samples = [timed(retriever.ask, q) for _ in range(ROUNDS) for q in questions]
    return {"index_build_s": report["seconds"], "retrieval": percentiles(samples)}, retriever


def resident_mb(pid: int) -> float:
    """Resident memory of a process and its children (the server's whole tree)."""
    total_kb = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            continue
        if int(fields.get("NSpgid", "0").split()[-1] or 0) == pid and "VmRSS" in fields:
            total_kb += int(fields["VmRSS"].split()[0])
    return round(total_kb / 1024, 1)


def bench_rest(var_dir: Path) -> dict:
    questions = [q.question for q in load_questions("heldout") if q.answerable]
    with stack_on_free_ports(var_dir, {}) as stack:
        hook = stack.settings.rest_webhook
        for _ in range(5):  # warm-up: first calls load lazily-built graphs
            reply_text(hook, "warm-up", "hello")
            reply_text(hook, "warm-up", questions[0])
        policy, answers = [], []
        for i in range(REST_SAMPLES):
            question = questions[i % len(questions)]
            started = time.perf_counter()
            answers.append(reply_text(hook, f"b-{uuid.uuid4().hex[:6]}", question))
            policy.append(time.perf_counter() - started)
        greet = [
            timed(reply_text, hook, f"b-{uuid.uuid4().hex[:6]}", "hello")
            for _ in range(REST_SAMPLES)
        ]
        memory = {s.name: resident_mb(s.process.pid) for s in stack.services}
    figures = {"policy_question": percentiles(policy), "greet": percentiles(greet)}
    # A fast reply that is not an answer (say, the action server failing) is no result.
    figures["policy_replies_not_from_the_policy"] = sum(
        not any(mark in a for mark in ANSWER_MARKS) for a in answers
    )
    figures["ratio_of_p50s"] = round(
        figures["policy_question"]["p50_ms"] / figures["greet"]["p50_ms"], 2
    )
    return {"rest": figures, "resident_memory_mb": memory}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        figures, _ = bench_index(Path(tmp) / "index")
        figures |= bench_rest(Path(tmp) / "var")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
