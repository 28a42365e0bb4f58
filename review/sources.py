"""What customers asked in a period, each turned into one :class:`Asked`.

Two sources today: every reply to a question, as the conversation recorded it
(``feedback.answers``), and every 👎 in the feedback store. A handoff to a person (issue
29's first item) is to be a third: a function that yields ``Asked(kind=HANDED_OFF, ...)``
from wherever handoffs are kept, listed in :func:`asked_in`; the report, the page and
the export take any kind in :data:`KINDS`.

Questions are redacted twice: the answer action records them with the conversation's
request details masked, and here card numbers, codes, email addresses and phone numbers
are masked again (``privacy.redaction.redact_free_text``), so no customer's details reach
the review whatever a record holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from feedback import DOWN, FeedbackStore
from feedback.answers import ANSWER_SLOT, DOES_NOT_SAY, QUOTE, SILENT, AnswerRecord
from privacy.redaction import redact_free_text
from storage.conversations import TrackerLocation, slot_values

ANSWERED, HEDGED, TOLD_SILENT, THUMBS_DOWN = "answered", "hedged", "silent", "thumbs_down"
HANDED_OFF = "handed_off"  # reserved for the handoff (issue 29, item 1): no source yet
KINDS = (ANSWERED, HEDGED, TOLD_SILENT, THUMBS_DOWN, HANDED_OFF)
LABELS = {
    ANSWERED: "answered",
    HEDGED: "hedged (the policy doesn't say)",
    TOLD_SILENT: "told silent",
    THUMBS_DOWN: "👎 not helpful",
    HANDED_OFF: "handed off",
}
_KIND_OF_REPLY = {QUOTE: ANSWERED, DOES_NOT_SAY: HEDGED, SILENT: TOLD_SILENT}


@dataclass(frozen=True)
class Asked:
    """One question and what became of it; ``clause`` is the nearest one, if any."""

    at: datetime
    kind: str
    question: str
    clause: str | None = None
    section: str | None = None
    comment: str | None = None


def answers(where: TrackerLocation, since: datetime) -> Iterator[Asked]:
    """Every reply to a question since ``since``, from the conversations."""
    for _, timestamp, value in slot_values(where, ANSWER_SLOT, since.timestamp()):
        record = AnswerRecord.from_slot(value)
        if record is None or record.kind not in _KIND_OF_REPLY:
            continue
        yield Asked(
            at=datetime.fromtimestamp(timestamp, timezone.utc),
            kind=_KIND_OF_REPLY[record.kind],
            question=redact_free_text(record.question),
            clause=record.clause,
            section=record.section,
        )


def thumbs_down(store: FeedbackStore, since: datetime) -> Iterator[Asked]:
    """Every 👎 since ``since``, with what the customer said they were looking for."""
    for item in store.since(since):
        if item.rating == DOWN:
            yield Asked(
                at=item.given_at,
                kind=THUMBS_DOWN,
                question=redact_free_text(item.question),
                clause=item.clause,
                section=item.section,
                comment=redact_free_text(item.comment) if item.comment else None,
            )


def asked_in(where: TrackerLocation, store: FeedbackStore | None, since: datetime) -> list[Asked]:
    """Everything of the period, oldest first; ``store`` None when there is no feedback."""
    found = list(answers(where, since))
    if store is not None:
        found += thumbs_down(store, since)
    return sorted(found, key=lambda asked: asked.at)
