"""``python -m review``: print the review of the last ``REVIEW_DAYS`` and draw its page.

``make review`` prints it and writes the page under ``var/review/``;
``make review ARGS='export --kind hedged --out knowledge/evaluation/review-YYYY-MM-DD.jsonl'``
writes those questions as a development set for a content owner to check
(``review.export``). ``--days`` overrides ``REVIEW_DAYS`` for one run.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from review import export
from review.page import as_html
from review.period import collect, review_of
from review.report import as_text
from review.sources import KINDS
from settings import Paths, ReviewSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, help="the period, in days (default REVIEW_DAYS)")
    commands = parser.add_subparsers(dest="command")
    show = commands.add_parser("show", help="print the review and write its page (the default)")
    show.add_argument("--html", type=Path, help="where to write the page")
    out = commands.add_parser("export", help="write chosen questions as a development set")
    out.add_argument("--kind", required=True, choices=KINDS)
    out.add_argument("--clause", help="only questions nearest this clause id")
    out.add_argument("--out", required=True, type=Path, help="the .jsonl file to write")
    args = parser.parse_args(argv)

    settings = ReviewSettings.from_env()
    if args.days:
        settings = ReviewSettings(**{**settings.__dict__, "days": args.days})
    now = datetime.now(timezone.utc)
    if args.command == "export":
        asked, _, _ = collect(settings, now)
        rows = export.lines(asked, args.kind, args.clause)
        listed = export.write(rows, args.out, args.kind, now)
        where = "added to knowledge/evaluation/sets.yml" if listed else "not in the manifest"
        print(f"wrote {len(rows)} {args.kind} questions to {args.out} ({where}); each is")
        print('marked "unchecked": confirm or correct "expected", then delete that mark')
        return
    review = review_of(settings, now)
    page = (
        getattr(args, "html", None)
        or Paths.from_env().var_dir / "review" / f"review-{now:%Y-%m-%d}.html"
    )
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(as_html(review), encoding="utf-8")
    print(as_text(review))
    print(f"\nchart and page: {page}")


if __name__ == "__main__":
    main()
