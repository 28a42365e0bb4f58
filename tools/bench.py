"""`make bench`: latency, throughput and memory of the real stack, printed, not asserted.

Measures, in one run: clause-index build time and retrieval latency per question
(embedding, both searches, fusion, answerability, quote); over REST against a stack it
starts on free ports, canned replies (greet) and policy questions one at a time, with
the ratio of their medians; throughput and p95 with 1, 4 and 16 senders at once; and
each server's resident memory. ``make bench ARGS=--profile`` also records each server
with py-spy while it answers policy questions, and the Rasa server again while it
answers greetings, writes the folded stacks under ``var/profiles/`` (flamegraph input),
and prints where each server spends its time and what a question costs the Rasa server
more than a greeting, function by function.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from knowledge import question_sets
from knowledge.answering.pipeline import Pipeline
from knowledge.builder import build
from knowledge.embedding import Encoder
from settings import ACTIONS_BIN, KnowledgeSettings, Paths
from stack.ports import stack_on_free_ports
from stack.processes import Stack
from stack.rest_client import new_sender, reply_text
from tools.answer_eval import kind_of

ROUNDS = 3  # passes over the question set for retrieval latency
REST_SAMPLES = 60
CONCURRENT_SENDERS = (1, 4, 16)
TURNS_PER_SENDER = 8
PROFILE_SECONDS = 20
RASA = "rasa-server"
PROFILED = (RASA, "action-server")
SAMPLES_PER_S = 200
TOP_FRAMES = 12
EVERYWHERE = 0.8  # share of samples above which a frame is the server's loop
# Every policy reply quotes the policy, says the policy is silent, or says it does not
# say that (with the closest clause); anything else (a fallback, an error) is counted apart.
POLICY_REPLIES = frozenset({"quote", "silent", "hedge"})


def percentiles(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[max(0, int(len(ms) * 0.95) - 1)], 1),
    }


def timed(call: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


def questions_of(role: question_sets.Role) -> list[str]:
    return [q.question for q in question_sets.load_role(role) if q.answerable]


def bench_index(folder: Path) -> dict:
    """Rebuild a copy of the project's index (its trained question encoder is reused: the
    training is cached on its inputs) and time the pipeline on held-out questions."""
    project = KnowledgeSettings.from_env()
    if project.index_dir.is_dir():
        shutil.copytree(project.index_dir, folder, dirs_exist_ok=True)
    settings = replace(project, index_dir=folder)
    report = build(settings, Encoder.from_settings(settings), force=True)
    pipeline = Pipeline.from_settings(settings)
    questions = questions_of("held-out")
    pipeline.ask("warm-up")
    first = [timed(pipeline.ask, q) for q in questions]
    # The same questions again hit the recent-question cache, as repeated questions do.
    again = [timed(pipeline.ask, q) for _ in range(ROUNDS - 1) for q in questions]
    return {
        "index_build_s": report["seconds"],
        "retrieval_first_ask": percentiles(first),
        "retrieval_asked_again": percentiles(again),
    }


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


def is_answer(reply: str) -> bool:
    return kind_of(reply) in POLICY_REPLIES


def sequential(hook: str, questions: list[str]) -> dict:
    """Canned replies and policy answers one at a time, each from a new sender."""
    policy, answers = [], []
    for i in range(REST_SAMPLES):
        started = time.perf_counter()
        answers.append(reply_text(hook, new_sender("bench"), questions[i % len(questions)]))
        policy.append(time.perf_counter() - started)
    greet = [timed(reply_text, hook, new_sender("bench"), "hello") for _ in range(REST_SAMPLES)]
    figures = {"policy_question": percentiles(policy), "greet": percentiles(greet)}
    figures["policy_replies_not_from_the_policy"] = sum(not is_answer(a) for a in answers)
    figures["ratio_of_p50s"] = round(
        figures["policy_question"]["p50_ms"] / figures["greet"]["p50_ms"], 2
    )
    return figures


def one_sender(hook: str, questions: list[str], offset: int) -> tuple[list[float], Counter]:
    """A customer asking ``TURNS_PER_SENDER`` questions in a row: latencies, and counts of
    errors (no reply, or no 200) and of replies that were not a policy answer (the NLU
    took the question for something else)."""
    sender, latencies, outcomes = new_sender("load"), [], Counter()
    for turn in range(TURNS_PER_SENDER):
        started = time.perf_counter()
        try:
            question = questions[(offset + turn) % len(questions)]
            answered = is_answer(reply_text(hook, sender, question))
            outcomes["not_from_the_policy"] += not answered
        except (OSError, ValueError):
            outcomes["errors"] += 1
        latencies.append(time.perf_counter() - started)
    return latencies, outcomes


def concurrent(hook: str, questions: list[str], senders: int) -> dict:
    """Throughput and latency with ``senders`` customers asking at the same time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(senders) as pool:
        results = list(
            pool.map(lambda n: one_sender(hook, questions, n * TURNS_PER_SENDER), range(senders))
        )
    wall = time.perf_counter() - started
    latencies = [s for samples, _ in results for s in samples]
    outcomes = sum((counts for _, counts in results), Counter())
    return {
        "senders": senders,
        "messages_per_s": round(len(latencies) / wall, 1),
        **percentiles(latencies),
        "errors": outcomes["errors"],
        "not_from_the_policy": outcomes["not_from_the_policy"],
    }


@contextmanager
def profiling(stack: Stack, folder: Path, names: tuple[str, ...] = PROFILED) -> Iterator[None]:
    """py-spy recording each named server for ``PROFILE_SECONDS`` while the body runs."""
    folder.mkdir(parents=True, exist_ok=True)
    recorders = [
        subprocess.Popen(
            [
                str(ACTIONS_BIN / "py-spy"),
                "record",
                "--pid",
                str(stack.service(name).process.pid),
                "--duration",
                str(PROFILE_SECONDS),
                "--rate",
                str(SAMPLES_PER_S),
                "--format",
                "raw",
                "--output",
                str(folder / f"{name}.folded"),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in names
    ]
    try:
        yield
    finally:
        for recorder in recorders:
            recorder.wait()


def function_of(frame: str) -> str:
    """A py-spy frame without its line number: "f (file.py:12)" is "f (file.py)"."""
    return re.sub(r":\d+\)$", ")", frame)


def frame_samples(folded: Path) -> tuple[Counter[str], int]:
    """Samples per function, counting a function once per stack it is on, and in all."""
    totals: Counter[str] = Counter()
    samples = 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples += int(count)
        for frame in {function_of(f) for f in stack.split(";")}:
            totals[frame] += int(count)
    return totals, samples


def hottest(folded: Path) -> dict:
    """Share of samples per function; frames on nearly every stack (the server's own
    loop) are left out."""
    totals, samples = frame_samples(folded)
    return {
        "samples": samples,
        "on_stack_share": dict(
            itertools.islice(
                (
                    (frame, round(n / samples, 2))
                    for frame, n in totals.most_common()
                    if n / samples < EVERYWHERE
                ),
                TOP_FRAMES,
            )
        ),
    }


def own_samples(folded: Path) -> Counter[str]:
    """Samples per function at the top of the stack: where the time is spent itself."""
    totals: Counter[str] = Counter()
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        totals[function_of(stack.split(";")[-1])] += int(count)
    return totals


def extra_ms(policy: Path, policy_turns: int, greet: Path, greet_turns: int) -> dict:
    """Milliseconds a turn each function spends itself (not in what it calls) more on a
    policy question than on a greeting: where the ratio of their medians goes."""
    answered, greeted = own_samples(policy), own_samples(greet)
    ms_per_sample = 1000 / SAMPLES_PER_S
    extra = {
        frame: answered[frame] * ms_per_sample / policy_turns
        - greeted[frame] * ms_per_sample / greet_turns
        for frame in answered
    }
    return {
        frame: round(ms, 2)
        for frame, ms in sorted(extra.items(), key=lambda item: -item[1])[:TOP_FRAMES]
    }


def asked_while_profiled(
    stack: Stack, folder: Path, names: tuple[str, ...], messages: list[str]
) -> int:
    """Send ``messages`` in turn, each from a new sender, while ``names`` are profiled;
    how many were answered."""
    hook = stack.settings.rest_webhook
    turns = 0
    with profiling(stack, folder, names):
        deadline = time.monotonic() + PROFILE_SECONDS
        while time.monotonic() < deadline:
            reply_text(hook, new_sender("profile"), messages[turns % len(messages)])
            turns += 1
    return turns


def profile(stack: Stack) -> dict:
    """Profiles while questions not asked before in this run (no cached vectors) come in,
    then the Rasa server's again while greetings do, and what a question costs it more."""
    root = Paths.from_env().var_dir / "profiles"
    policy, greet = root / "policy", root / "greet"
    turns = asked_while_profiled(stack, policy, PROFILED, questions_of("development"))
    figures = {name: hottest(policy / f"{name}.folded") for name in PROFILED}
    greetings = asked_while_profiled(stack, greet, (RASA,), ["hello"])
    figures["rasa-server, ms a turn more for a question than a greeting"] = extra_ms(
        policy / f"{RASA}.folded", turns, greet / f"{RASA}.folded", greetings
    )
    return figures


def bench_rest(var_dir: Path, with_profile: bool) -> dict:
    # The first held-out set, as in every run since the latency issue: figures compare.
    questions = [q.question for q in question_sets.load("heldout") if q.answerable]
    with stack_on_free_ports(var_dir, {}) as stack:
        hook = stack.settings.rest_webhook
        for question in ("hello", *questions[:5]):  # warm-up: lazily built graphs
            reply_text(hook, "warm-up", question)
        figures = {"rest": sequential(hook, questions)}
        figures["concurrent"] = [concurrent(hook, questions, n) for n in CONCURRENT_SENDERS]
        figures["resident_memory_mb"] = {s.name: resident_mb(s.process.pid) for s in stack.services}
        if with_profile:
            figures["profile"] = profile(stack)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="py-spy profiles under var/")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        figures = bench_index(Path(tmp) / "index")
        figures |= bench_rest(Path(tmp) / "var", args.profile)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
