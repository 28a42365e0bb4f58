"""End-to-end answer quality: every question set through NLU and dialogue, over REST.

`make eval` runs the retrieval report (``python -m knowledge eval``) and then this. It
starts the real stack (action server, Rasa server...) on free ports with a var/ of its
own, sends each question as a customer would, and judges the reply the customer sees:

- ``quote``: "From our privacy policy (...)" and a quote;
- ``hedge``: "Our privacy policy doesn't say that..." with the closest clause and contacts;
- ``silent``: "Our privacy policy doesn't cover that, so..." with the contacts;
- ``out_of_scope``: "Our privacy policy doesn't cover that: I can only help with privacy
  questions..." (the NLU took the question for something other than privacy, and the
  policy search agreed);
- ``away``: anything else (a greeting, the request form...): the NLU or the dialogue
  sent the question somewhere other than the policy answer.

The sets, their roles and schemas come from ``knowledge/evaluation/sets.yml`` (read by
``knowledge.question_sets``). By default every development and held-out set is run, in
the manifest's order; train sets only when named (``--sets``) or asked for by role
(``--role train``): the models learnt them, so their figures flatter.

A headline table comes first: the four figures the product's targets are set on, one
row per set with its role, and a row pooling the questions (not the averages) of every
held-out set run:

- plainly answered (target >= 0.92): answerable questions of the single-question sets
  whose reply quotes the answering sentence;
- right clause, told "doesn't say" (target <= 0.03): answerable questions whose reply is
  the hedge although it quotes the answering sentence;
- follow-ups answered (target >= 0.85): as plainly answered, for the follow-up sets;
- unanswerable told so, with a contact (target >= 0.90): unanswerable questions (silent
  and near-topic together) given the silent, out-of-scope or hedge reply with a
  contact to ask instead.

Then the full table. Per set it reports: for answerable questions the share *answered*
(the reply quotes the answering sentence: it contains one of the evidence strings, after
normalising whitespace, quotes and case; for the sets without evidence, a whole sentence
of an expected clause), quoted another sentence, routed away, hedged (and hedged though
it quoted the answering sentence), refused as silent; for silent questions the share
told the policy does not cover them (the silent or the out-of-scope reply), and the
share told that or that it "does not say"; for near-topic questions the share hedged
with the contacts; for all unanswerable questions the headline figure above. Follow-ups
(two turns in one conversation) are judged on their second reply.

Figures go to ``var/eval/answers.json``, the replies to ``var/eval/answers-replies.json``
(``--rejudge`` judges those again without a stack); the tables and the worst cases are
printed.

    python -m tools.answer_eval [--sets dev3,heldout,... | --role held-out] [--show N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import requests

from knowledge import question_sets
from knowledge.clauses import load_policy
from knowledge.evaluation import quotes_evidence
from knowledge.sentences import split_sentences
from settings import PROJECT_ROOT, KnowledgeSettings
from stack.ports import stack_on_free_ports
from stack.rest_client import new_sender

OUT = PROJECT_ROOT / "var" / "eval" / "answers.json"
REPLIES = PROJECT_ROOT / "var" / "eval" / "answers-replies.json"
CONTACTS = ("webmaster@jessops.com", "cs@jessops.com", "0845 458 7005")
KINDS = ("quote", "hedge", "silent", "out_of_scope", "away")
# The replies that tell a customer the policy does not answer them.
TELLS_UNANSWERABLE = frozenset({"silent", "out_of_scope", "hedge"})
# Train sets are left out unless asked for: the models learnt them.
DEFAULT_ROLES: tuple[question_sets.Role, ...] = ("development", "held-out")
POOLED = "held-out, all"
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

    @property
    def reply(self) -> str:
        """The reply judged: the last, so a follow-up is judged on its second turn."""
        return self.replies[-1]

    @property
    def kind(self) -> str:
        return kind_of(self.reply)


def cases_of(name: str) -> list[Case]:
    """A set's questions as cases, read through the one manifest whatever the schema."""
    return [
        Case(
            turns=list(q.turns),
            expected=list(q.expected),
            evidence=list(q.evidence),
            near=bool(q.near),
        )
        for q in question_sets.load(name)
    ]


class SentencesOf(Protocol):
    """Where the judge finds an expected clause's sentences (a stub will do in tests)."""

    def of(self, clause_id: str) -> list[str]: ...


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


def quotes_answer(case: Case, sentences: SentencesOf) -> bool:
    """The reply holds the answering text: an evidence string or, for the sets without
    evidence, a whole sentence of an expected clause; whatever kind of reply it is."""
    evidence = case.evidence or [s for i in case.expected for s in sentences.of(i)]
    return quotes_evidence(case.reply, evidence)


def right(case: Case, sentences: SentencesOf) -> bool:
    """Answered: quoted, and the quote is the answering text."""
    return case.kind == "quote" and quotes_answer(case, sentences)


def hedged_right_clause(case: Case, sentences: SentencesOf) -> bool:
    """Told the policy "doesn't say" while showing the very text that says it."""
    return case.kind == "hedge" and quotes_answer(case, sentences)


def told_unanswerable(case: Case) -> bool:
    """An unanswerable question told so (silent, out-of-scope or hedge) with a contact to
    ask instead (the out-of-scope reply names customer service, not the webmaster)."""
    return case.kind in TELLS_UNANSWERABLE and any(c in case.reply for c in CONTACTS)


@dataclass(frozen=True)
class Tally:
    """A count out of a total: sets are pooled by adding these, never by averaging shares."""

    count: int = 0
    total: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.total + other.total)

    @property
    def share(self) -> float | None:
        return share(self.count, self.total)


def tally(group: list[Case], test: Callable[[Case], bool]) -> Tally:
    return Tally(sum(1 for c in group if test(c)), len(group))


@dataclass(frozen=True)
class Groups:
    """A set's cases by what a right reply to them is."""

    answerable: list[Case]
    silent: list[Case]
    near: list[Case]

    @property
    def unanswerable(self) -> list[Case]:
        return self.silent + self.near


def groups(cases: list[Case]) -> Groups:
    return Groups(
        answerable=[c for c in cases if c.answerable],
        silent=[c for c in cases if not c.answerable and not c.near],
        near=[c for c in cases if c.near],
    )


def answerable_tallies(group: list[Case], sentences: SentencesOf) -> dict[str, Tally]:
    return {
        "answered": tally(group, lambda c: right(c, sentences)),
        "quoted_other": tally(group, lambda c: c.kind == "quote" and not right(c, sentences)),
        "routed_away": tally(group, lambda c: c.kind in ("away", "out_of_scope")),
        "hedged": tally(group, lambda c: c.kind == "hedge"),
        "hedged_right_clause": tally(group, lambda c: hedged_right_clause(c, sentences)),
        "refused": tally(group, lambda c: c.kind == "silent"),
    }


def unanswerable_tallies(g: Groups) -> dict[str, Tally]:
    def hedged_with_contacts(c: Case) -> bool:
        return c.kind == "hedge" and has_contacts(c.reply)

    return {
        "silent_recall": tally(g.silent, lambda c: says_policy_silent(c.reply)),
        "silent_out_of_scope": tally(g.silent, lambda c: c.kind == "out_of_scope"),
        "silent_not_answered": tally(
            g.silent, lambda c: says_policy_silent(c.reply) or c.kind == "hedge"
        ),
        "silent_routed_away": tally(g.silent, lambda c: c.kind == "away"),
        "near_hedged": tally(g.near, hedged_with_contacts),
        "near_not_answered": tally(
            g.near, lambda c: c.kind in ("hedge", "silent") and has_contacts(c.reply)
        ),
        "near_quoted": tally(g.near, lambda c: c.kind == "quote"),
        "unanswerable_told": tally(g.unanswerable, told_unanswerable),
    }


def worst_cases(g: Groups, sentences: SentencesOf, show: int) -> tuple[int, list[dict]]:
    """How many cases are not right, and the first ``show`` of them to print."""
    worst = [c for c in g.answerable if not right(c, sentences)]
    worst += [c for c in g.silent if not says_policy_silent(c.reply)]
    worst += [c for c in g.near if c.kind != "hedge"]
    shown = [
        {
            "turns": c.turns,
            "expected": c.expected or ("near" if c.near else "silent"),
            "got": c.kind,
            "reply": c.reply[:300],
        }
        for c in worst[:show]
    ]
    return len(worst), shown


def judge(name: str, cases: list[Case], sentences: SentencesOf, show: int) -> dict:
    """The figures of one set and its worst cases."""
    g = groups(cases)
    tallies = answerable_tallies(g.answerable, sentences) | unanswerable_tallies(g)
    misses, worst = worst_cases(g, sentences, show)
    return {
        "questions": len(cases),
        "answerable": len(g.answerable),
        "silent": len(g.silent),
        "near": len(g.near),
        "judged_by": "evidence" if any(c.evidence for c in g.answerable) else "clause",
        **{key: t.share for key, t in tallies.items()},
        "worst": worst,
        "misses": misses,
    }


@dataclass(frozen=True)
class Target:
    """A headline figure and the target the product sets on it."""

    key: str
    label: str
    at_least: bool
    value: float

    @property
    def goal(self) -> str:
        return f"{'>=' if self.at_least else '<='} {self.value:.2f}"

    def met(self, figure: float) -> bool:
        return figure >= self.value if self.at_least else figure <= self.value


HEADLINE = (
    Target("plainly_answered", "plainly answered", True, 0.92),
    Target("hedged_right_clause", "right clause, told 'doesn't say'", False, 0.03),
    Target("followups_answered", "follow-ups answered", True, 0.85),
    Target("unanswerable_told", "unanswerable told so, with a contact", True, 0.90),
)


def headline_tallies(cases: list[Case], schema: str, sentences: SentencesOf) -> dict[str, Tally]:
    """The headline counts of one set. A follow-up set's answered share is held to the
    follow-up target, the other sets' to the plainly-answered one, so neither mixes in."""
    g = groups(cases)
    answered = tally(g.answerable, lambda c: right(c, sentences))
    follow_up = schema == "follow-up"
    return {
        "plainly_answered": Tally() if follow_up else answered,
        "hedged_right_clause": tally(g.answerable, lambda c: hedged_right_clause(c, sentences)),
        "followups_answered": answered if follow_up else Tally(),
        "unanswerable_told": tally(g.unanswerable, told_unanswerable),
    }


def pooled(tallies: Iterable[dict[str, Tally]]) -> dict[str, Tally]:
    """Every set's questions counted together, so a big set weighs more than a small one."""
    total = {t.key: Tally() for t in HEADLINE}
    for one in tallies:
        total = {key: total[key] + one[key] for key in total}
    return total


HeadlineRow = tuple[str, str, dict[str, Tally]]


def headline_rows(heads: dict[str, dict[str, Tally]], roles: dict[str, str]) -> list[HeadlineRow]:
    """One row per set, then the held-out sets pooled (when any was run)."""
    rows = [(name, roles[name], tallies) for name, tallies in heads.items()]
    held_out = [tallies for name, tallies in heads.items() if roles[name] == "held-out"]
    if held_out:
        rows.append((POOLED, "held-out", pooled(held_out)))
    return rows


def headline_cell(target: Target, t: Tally) -> str:
    """The share, its count and a star when it misses the target; blank if none apply."""
    if t.share is None:
        return ""
    return f"{t.share:.3f} ({t.count}/{t.total}){' ' if target.met(t.share) else '*'}"


def headline_table(rows: list[HeadlineRow]) -> str:
    name_w = max(len(name) for name, _, _ in rows) + 2
    role_w = max(len(r) for r in question_sets.ROLES) + 2
    widths = [max(len(t.label), 18) + 3 for t in HEADLINE]

    def line(name: str, role: str, cells: list[str]) -> str:
        aligned = "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        return f"{name:<{name_w}}{role:<{role_w}}{aligned}"

    header = line("set", "role", [t.label + " " for t in HEADLINE])
    lines = [header, line("", "target", [t.goal + " " for t in HEADLINE]), "-" * len(header)]
    for name, role, tallies in rows:
        if name == POOLED:
            lines.append("-" * len(header))
        lines.append(line(name, role, [headline_cell(t, tallies[t.key]) for t in HEADLINE]))
    lines.append("* misses its target")
    return "\n".join(lines)


ROWS = (
    ("answered", "answerable: reply quotes the answering sentence"),
    ("quoted_other", "answerable: quoted, but not the answering sentence"),
    ("routed_away", "answerable: routed away from the policy answer"),
    ("hedged", "answerable: 'the policy does not say' hedge"),
    ("hedged_right_clause", "answerable: hedged, showing the answering sentence"),
    ("refused", "answerable: told the policy is silent"),
    ("silent_recall", "silent: told the policy doesn't cover it"),
    ("silent_out_of_scope", "silent: ...of which by the out-of-scope reply"),
    ("silent_not_answered", "silent: told it doesn't cover it or 'does not say'"),
    ("silent_routed_away", "silent: routed away (form, greeting...)"),
    ("near_hedged", "near-topic: 'does not say' with the contacts"),
    ("near_not_answered", "near-topic: 'does not say' or silent, with contacts"),
    ("near_quoted", "near-topic: quoted as if answered"),
    ("unanswerable_told", "silent + near: told so, with the contacts"),
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


def rejudge(names: list[str], cases: dict[str, list[Case]]) -> None:
    """Give the cases the replies the last run saved, to judge them without a stack."""
    saved = json.loads(REPLIES.read_text())
    missing = [name for name in names if name not in saved]
    if missing:
        sys.exit(f"{REPLIES} holds no replies for {missing}: run those sets without --rejudge")
    for name in names:
        for case, replies in zip(cases[name], saved[name], strict=True):
            case.replies = replies


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The options and the sets to run (development and held-out unless told otherwise)."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.answer_eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--sets", help="comma-separated set names (any role)")
    chosen.add_argument("--role", choices=question_sets.ROLES, help="every set of one role")
    parser.add_argument("--show", type=int, default=8, help="worst cases printed per set")
    parser.add_argument(
        "--rejudge", action="store_true", help="judge the replies saved by the last run again"
    )
    args = parser.parse_args(argv)
    return args, chosen_sets(parser, args)


def chosen_sets(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    manifest = question_sets.manifest()
    if args.sets is None:
        roles = (args.role,) if args.role else DEFAULT_ROLES
        return [name for name, s in manifest.items() if s.role in roles]
    names = [n for n in args.sets.split(",") if n]
    unknown = [n for n in names if n not in manifest]
    if unknown:
        parser.error(f"unknown sets: {unknown}")
    if not names:
        parser.error("no sets named")
    return names


def print_worst(results: dict[str, dict]) -> None:
    for name, figures in results.items():
        if not figures["worst"]:
            continue
        print(f"\nWorst cases of {name} ({figures['misses']} not right):")
        for w in figures["worst"]:
            reply = re.sub(r"\s+", " ", w["reply"])[:160]
            print(f"  {' / '.join(w['turns'])!r}: want {w['expected']}, got {w['got']}: {reply}")


def main(argv: list[str] | None = None) -> int:
    args, names = parse_args(argv)
    manifest = question_sets.manifest()
    sentences = ClauseSentences(KnowledgeSettings.from_env())
    cases = {n: cases_of(n) for n in names}
    started = time.perf_counter()
    if args.rejudge:
        rejudge(names, cases)
    else:
        converse_all(names, cases)
    results = {n: judge(n, cases[n], sentences, args.show) for n in names}
    heads = {n: headline_tallies(cases[n], manifest[n].schema, sentences) for n in names}
    for name, tallies in heads.items():
        results[name]["headline"] = {k: [t.count, t.total] for k, t in tallies.items()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(OUT.read_text()) if OUT.exists() else {}
    OUT.write_text(json.dumps({**previous, **results}, indent=1, ensure_ascii=False))
    print("\nEnd to end over REST (NLU + dialogue + actions): the figures with targets")
    print(headline_table(headline_rows(heads, {n: manifest[n].role for n in names})))
    print("\nShare of each set's questions:")
    print(table(results))
    print_worst(results)
    print(f"\nWritten: {OUT} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
