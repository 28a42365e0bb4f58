"""End-to-end answer quality: every question set through NLU and dialogue, over REST.

`make eval` runs the retrieval report (``python -m knowledge eval``) and then this. It
starts the real stack (action server, Rasa server...) on free ports with a var/ of its
own, sends each question as a customer would, and judges the reply the customer sees:

- ``quote``: "From our privacy policy (...)" and a quote;
- ``hedge``: "Our privacy policy doesn't say that..." with the closest clause and contacts;
- ``silent``: "Our privacy policy doesn't cover that, so..." with the contacts;
- ``choice``: the "did you mean" buttons;
- ``out_of_scope``: "Our privacy policy doesn't cover that: I can only help with privacy
  questions..." (the NLU took the question for something other than privacy, and the
  policy search agreed);
- ``away``: anything else (a greeting, the request form...): the NLU or the dialogue
  sent the question somewhere other than the policy answer.

Per set it reports: for answerable questions the share *answered* (the reply quotes the
answering sentence: it contains one of the evidence strings, after normalising
whitespace, quotes and case; for the old sets without evidence, a whole sentence of an
expected clause), routed away, offered a choice, hedged, refused as silent; for silent
questions the share told the policy does not cover them (the silent or the out-of-scope
reply), and the share told that or that it "does not say"; for near-topic questions the
share hedged with the contacts; for follow-ups (two turns in one conversation) the share
whose second reply quotes the evidence.

Figures go to ``var/eval/answers.json``; a table and the worst cases are printed.

    python -m tools.answer_eval [--sets dev,dev-evidence,...] [--show N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from knowledge.clauses import load_policy
from knowledge.evaluation import quotes_evidence
from knowledge.sentences import split_sentences
from settings import PROJECT_ROOT, QUESTION_SETS, KnowledgeSettings
from tests.support.rest import new_sender
from tests.support.stacks import stack_on_free_ports

OUT = PROJECT_ROOT / "var" / "eval" / "answers.json"
REPLIES = PROJECT_ROOT / "var" / "eval" / "answers-replies.json"
DEV_SETS = (
    "dev",
    "dev-evidence",
    "dev-near",
    "dev-followups",
    "dev2",
    "dev2-near",
    "dev2-followups",
    "dev3",
    "dev3-near",
    "dev3-followups",
    "dev-basics",
    "dev-basics2",
    "dev-basics3",
    "dev-basics4",
)
HELDOUT_SETS = ("heldout", "heldout2", "heldout2-followups", "heldout-near")
ALL_SETS = DEV_SETS + HELDOUT_SETS
CONTACTS = ("webmaster@jessops.com", "cs@jessops.com", "0845 458 7005")
KINDS = ("quote", "hedge", "silent", "choice", "out_of_scope", "away")
TIMEOUT_S = 60


def kind_of(text: str) -> str:
    """What sort of reply the customer got (see the module docstring)."""
    if "From our privacy policy (" in text:
        return "quote"
    if "doesn't say that" in text:
        return "hedge"
    if "I can only help with privacy questions" in text:
        return "out_of_scope"
    if says_policy_silent(text):
        return "silent"
    if "Which did you mean?" in text:
        return "choice"
    return "away"


def says_policy_silent(text: str) -> bool:
    """The reply tells the customer plainly that the policy does not cover the question."""
    return "Our privacy policy doesn't cover that" in text


def has_contacts(text: str) -> bool:
    return all(c in text for c in CONTACTS)


@dataclass(eq=False)
class Case:
    """One question (or conversation) of a set, with what counts as the right answer."""

    turns: list[str]
    expected: list[str]
    evidence: list[str]
    near: bool = False
    replies: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return bool(self.expected)


def load_cases(name: str) -> list[Case]:
    cases = []
    for line in (QUESTION_SETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        turns = row.get("turns") or [row["question"]]
        cases.append(
            Case(
                turns=turns,
                expected=list(row.get("expected", [])),
                evidence=list(row.get("evidence", [])),
                near="near" in row,
            )
        )
    return cases


class ClauseSentences:
    """A clause's sentences by id, for judging sets that name clauses but no evidence.

    An id the parser retired by folding it into another clause stands for that clause.
    """

    def __init__(self, settings: KnowledgeSettings) -> None:
        policy = load_policy(settings.policy_path)
        self._sentences = {c.id: split_sentences(c.text) for c in policy.clauses}
        self._home = {old: c.id for c in policy.clauses for old in c.folded}

    def of(self, clause_id: str) -> list[str]:
        return self._sentences.get(self._home.get(clause_id, clause_id), [])


def ask(webhook: str, sender: str, message: str) -> str:
    response = requests.post(
        webhook, json={"sender": sender, "message": message}, timeout=TIMEOUT_S
    )
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


def run_cases(webhook: str, cases: list[Case]) -> None:
    for case in cases:
        sender = new_sender("eval")
        case.replies = [ask(webhook, sender, turn) for turn in case.turns]


def share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def judge(name: str, cases: list[Case], sentences: ClauseSentences, show: int) -> dict:
    """The figures of one set and its worst cases."""
    answerable = [c for c in cases if c.answerable]
    unanswered = [c for c in cases if not c.answerable and not c.near]
    near = [c for c in cases if c.near]
    kinds = {c: kind_of(c.replies[-1]) for c in cases}

    def right(case: Case) -> bool:
        reply = case.replies[-1]
        if kinds[case] != "quote":
            return False
        evidence = case.evidence or [s for i in case.expected for s in sentences.of(i)]
        return quotes_evidence(reply, evidence)

    def count(group: list[Case], test) -> int:
        return sum(1 for c in group if test(c))

    n = len(answerable)
    figures: dict = {
        "questions": len(cases),
        "answerable": n,
        "silent": len(unanswered),
        "near": len(near),
        "judged_by": "evidence" if any(c.evidence for c in answerable) else "clause",
        "answered": share(count(answerable, right), n),
        "quoted_other": share(count(answerable, lambda c: kinds[c] == "quote" and not right(c)), n),
        "routed_away": share(count(answerable, lambda c: kinds[c] in ("away", "out_of_scope")), n),
        "did_you_mean": share(count(answerable, lambda c: kinds[c] == "choice"), n),
        "hedged": share(count(answerable, lambda c: kinds[c] == "hedge"), n),
        "refused": share(count(answerable, lambda c: kinds[c] == "silent"), n),
        "silent_recall": share(
            count(unanswered, lambda c: says_policy_silent(c.replies[-1])), len(unanswered)
        ),
        "silent_out_of_scope": share(
            count(unanswered, lambda c: kinds[c] == "out_of_scope"), len(unanswered)
        ),
        "silent_not_answered": share(
            count(
                unanswered,
                lambda c: says_policy_silent(c.replies[-1]) or kinds[c] == "hedge",
            ),
            len(unanswered),
        ),
        "silent_routed_away": share(
            count(unanswered, lambda c: kinds[c] == "away"), len(unanswered)
        ),
        "near_hedged": share(
            count(near, lambda c: kinds[c] == "hedge" and has_contacts(c.replies[-1])), len(near)
        ),
        "near_not_answered": share(
            count(near, lambda c: kinds[c] in ("hedge", "silent") and has_contacts(c.replies[-1])),
            len(near),
        ),
        "near_quoted": share(count(near, lambda c: kinds[c] == "quote"), len(near)),
    }
    worst = [c for c in answerable if not right(c)]
    worst += [c for c in unanswered if not says_policy_silent(c.replies[-1])]
    worst += [c for c in near if kinds[c] != "hedge"]
    figures["worst"] = [
        {
            "turns": c.turns,
            "expected": c.expected or ("near" if c.near else "silent"),
            "got": kinds[c],
            "reply": c.replies[-1][:300],
        }
        for c in worst[:show]
    ]
    figures["misses"] = len(worst)
    return figures


ROWS = (
    ("answered", "answerable: reply quotes the answering sentence"),
    ("quoted_other", "answerable: quoted, but not the answering sentence"),
    ("routed_away", "answerable: routed away from the policy answer"),
    ("did_you_mean", "answerable: 'did you mean' buttons"),
    ("hedged", "answerable: 'the policy does not say' hedge"),
    ("refused", "answerable: told the policy is silent"),
    ("silent_recall", "silent: told the policy doesn't cover it"),
    ("silent_out_of_scope", "silent: ...of which by the out-of-scope reply"),
    ("silent_not_answered", "silent: told it doesn't cover it or 'does not say'"),
    ("silent_routed_away", "silent: routed away (form, greeting...)"),
    ("near_hedged", "near-topic: 'does not say' with the contacts"),
    ("near_not_answered", "near-topic: 'does not say' or silent, with contacts"),
    ("near_quoted", "near-topic: quoted as if answered"),
)


def table(results: dict[str, dict]) -> str:
    names = list(results)
    width = max(len(label) for _, label in ROWS) + 2
    header = f"{'':<{width}}" + "".join(f"{n:>20}" for n in names)
    counts = f"{'questions (answerable/silent/near)':<{width}}" + "".join(
        f"{'{}/{}/{}'.format(r['answerable'], r['silent'], r['near']):>20}"
        for r in results.values()
    )
    lines = [header, counts, "-" * len(header)]
    for key, label in ROWS:
        if all(results[n][key] is None for n in names):
            continue
        cells = "".join(
            f"{'' if results[n][key] is None else format(results[n][key], '.3f'):>20}"
            for n in names
        )
        lines.append(f"{label:<{width}}{cells}")
    return "\n".join(lines)


def converse_all(names: list[str], cases: dict[str, list[Case]]) -> None:
    """Ask every set's questions of a stack of our own; the replies are kept on disk."""
    with (
        tempfile.TemporaryDirectory(prefix="answer-eval-") as var_dir,
        stack_on_free_ports(Path(var_dir), {}) as stack,
    ):
        webhook = stack.settings.rest_webhook
        ask(webhook, "warm-up", "hello")
        for name in names:
            run_cases(webhook, cases[name])
    REPLIES.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(REPLIES.read_text()) if REPLIES.exists() else {}
    saved |= {n: [c.replies for c in cases[n]] for n in names}
    REPLIES.write_text(json.dumps(saved, indent=1, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.answer_eval", description=__doc__)
    parser.add_argument("--sets", default=",".join(ALL_SETS), help="comma-separated set names")
    parser.add_argument("--show", type=int, default=8, help="worst cases printed per set")
    parser.add_argument(
        "--rejudge", action="store_true", help="judge the replies saved by the last run again"
    )
    args = parser.parse_args(argv)
    names = [n for n in args.sets.split(",") if n]
    unknown = [n for n in names if n not in ALL_SETS]
    if unknown:
        parser.error(f"unknown sets: {unknown}")
    sentences = ClauseSentences(KnowledgeSettings.from_env())
    cases = {n: load_cases(n) for n in names}
    started = time.perf_counter()
    if args.rejudge:
        saved = json.loads(REPLIES.read_text())
        for name in names:
            for case, replies in zip(cases[name], saved[name], strict=True):
                case.replies = replies
    else:
        converse_all(names, cases)
    results = {n: judge(n, cases[n], sentences, args.show) for n in names}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(OUT.read_text()) if OUT.exists() else {}
    OUT.write_text(json.dumps({**previous, **results}, indent=1, ensure_ascii=False))
    print("\nEnd to end over REST (NLU + dialogue + actions), share of each set's questions:")
    print(table(results))
    for name, figures in results.items():
        if not figures["worst"]:
            continue
        print(f"\nWorst cases of {name} ({figures['misses']} not right):")
        for w in figures["worst"]:
            reply = re.sub(r"\s+", " ", w["reply"])[:160]
            print(f"  {' / '.join(w['turns'])!r}: want {w['expected']}, got {w['got']}: {reply}")
    print(f"\nWritten: {OUT} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
