"""Build the index, ask it questions, evaluate it: for people and for scripts.

python -m knowledge build [--force]
python -m knowledge ask "Do you sell my data?"      # one JSON object
printf 'q1\\nq2\\n' | python -m knowledge ask        # one JSON object per line
python -m knowledge eval                            # retrieval figures per set
python -m knowledge clauses                         # the clauses, one JSON per line
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict

from knowledge.builder import build
from knowledge.clauses import load_policy
from knowledge.index import IndexNotReady
from settings import KnowledgeSettings


def _print(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _questions(args: argparse.Namespace) -> Iterable[str]:
    if args.question:
        yield " ".join(args.question)
        return
    for line in sys.stdin:
        if line.strip():
            yield line.strip()


def cmd_build(args: argparse.Namespace, settings: KnowledgeSettings) -> int:
    _print(build(settings, force=args.force))
    return 0


def cmd_ask(args: argparse.Namespace, settings: KnowledgeSettings) -> int:
    from knowledge.answering.pipeline import Pipeline

    pipeline = Pipeline.from_settings(settings)
    for question in _questions(args):
        _print(pipeline.ask(question).as_json())
    return 0


def cmd_eval(args: argparse.Namespace, settings: KnowledgeSettings) -> int:
    from knowledge.report import report

    report(settings)
    return 0


def cmd_clauses(args: argparse.Namespace, settings: KnowledgeSettings) -> int:
    for clause in load_policy(settings.policy_path).clauses:
        _print(asdict(clause))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m knowledge",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the index if an input changed")
    b.add_argument("--force", action="store_true", help="rebuild even if current")
    b.set_defaults(run=cmd_build)
    a = sub.add_parser("ask", help="answer questions (argument, or one per stdin line)")
    a.add_argument("question", nargs="*")
    a.set_defaults(run=cmd_ask)
    e = sub.add_parser("eval", help="retrieval figures on every question set")
    e.set_defaults(run=cmd_eval)
    c = sub.add_parser("clauses", help="list the clauses")
    c.set_defaults(run=cmd_clauses)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args, KnowledgeSettings.from_env())
    except IndexNotReady as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
