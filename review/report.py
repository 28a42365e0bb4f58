"""The period's counts by kind, by clause and by day; printed as plain text."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from review.sources import KINDS, LABELS, Asked

NO_CLAUSE = "(no clause near)"


@dataclass(frozen=True)
class Group:
    """One kind of outcome near one clause: how often, and a few of the questions."""

    kind: str
    clause: str | None
    section: str | None
    count: int
    examples: tuple[str, ...]
    comments: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        if not self.clause:
            return NO_CLAUSE
        return f"{self.clause} ({self.section})" if self.section else self.clause


@dataclass(frozen=True)
class Review:
    start: datetime
    end: datetime
    days: tuple[date, ...]
    totals: dict[str, int]
    per_day: dict[str, tuple[int, ...]]  # each kind's count on each of ``days``
    groups: tuple[Group, ...] = field(default=())

    def of_kind(self, kind: str) -> list[Group]:
        return [g for g in self.groups if g.kind == kind]


def build(asked: Iterable[Asked], start: datetime, end: datetime, examples: int = 3) -> Review:
    """The review of ``asked`` between ``start`` and ``end``: groups most frequent first,
    examples the most recent distinct questions."""
    items = [a for a in asked if start <= a.at <= end]
    days = tuple(
        start.date() + timedelta(days=n) for n in range((end.date() - start.date()).days + 1)
    )
    daily = Counter((a.kind, a.at.date()) for a in items)
    by_group: dict[tuple[str, str | None], list[Asked]] = defaultdict(list)
    for a in items:
        by_group[(a.kind, a.clause)].append(a)
    groups = [
        Group(
            kind=kind,
            clause=clause,
            section=members[-1].section,
            count=len(members),
            examples=_distinct(m.question for m in reversed(members))[:examples],
            comments=_distinct(m.comment for m in reversed(members) if m.comment)[:examples],
        )
        for (kind, clause), members in by_group.items()
    ]
    groups.sort(key=lambda g: (KINDS.index(g.kind), -g.count, g.clause or ""))
    return Review(
        start=start,
        end=end,
        days=days,
        totals={kind: sum(1 for a in items if a.kind == kind) for kind in KINDS},
        per_day={kind: tuple(daily[(kind, day)] for day in days) for kind in KINDS},
        groups=tuple(groups),
    )


def _distinct(texts: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for text in texts:
        if text and " ".join(text.split()).casefold() not in seen:
            seen[" ".join(text.split()).casefold()] = text
    return tuple(seen.values())


def as_text(review: Review) -> str:
    """The review as ``make review`` prints it."""
    lines = [
        f"Questions from {review.start:%Y-%m-%d %H:%M} to {review.end:%Y-%m-%d %H:%M} UTC",
        "  " + "   ".join(f"{LABELS[k]}: {review.totals[k]}" for k in KINDS),
    ]
    for kind in KINDS:
        groups = review.of_kind(kind)
        if not groups:
            continue
        lines += ["", f"{LABELS[kind].capitalize()}, by nearest clause:"]
        for group in groups:
            lines.append(f"  {group.count:4d}  {group.where}")
            lines += [f'          "{example}"' for example in group.examples]
            lines += [f"          looking for: {comment}" for comment in group.comments]
    return "\n".join(lines)
