"""What customers asked in a period, each turned into one :class:`Asked`.

Three sources: every reply to a question, and every ask for a person (with what the
customer had asked before it), as the conversation recorded them (``feedback.answers``),
and every 👎 in the feedback store. The report, the page and the export take any kind in
:data:`KINDS`.

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
from feedback.answers import (
    ANSWER_SLOT,
    DOES_NOT_SAY,
    PERSON,
    PERSON_SLOT,
    QUOTE,
    SILENT,
    AnswerRecord,
)
from privacy.redaction import redact_free_text
from storage.conversations import TrackerLocation, slot_values

ANSWERED, HEDGED, TOLD_SILENT, THUMBS_DOWN = "answered", "hedged", "silent", "thumbs_down"
HANDED_OFF = "handed_off"  # asked for a person (actions/handoff.py), in hours or not
KINDS = (ANSWERED, HEDGED, TOLD_SILENT, THUMBS_DOWN, HANDED_OFF)
LABELS = {
    ANSWERED: "answered",
    HEDGED: "hedged (the policy doesn't say)",
    TOLD_SILENT: "told silent",
    THUMBS_DOWN: "👎 not helpful",
    HANDED_OFF: "asked for a person",
}
_KIND_OF_RECORD = {
    QUOTE: ANSWERED,
    DOES_NOT_SAY: HEDGED,
    SILENT: TOLD_SILENT,
    PERSON: HANDED_OFF,
}


@dataclass(frozen=True)
class Asked:
    """One question and what became of it; ``clause`` is the nearest one, if any."""

    at: datetime
    kind: str
    question: str
    clause: str | None = None
    section: str | None = None
    comment: str | None = None


def recorded(where: TrackerLocation, slot: str, since: datetime) -> Iterator[Asked]:
    """Every record in ``slot`` since ``since``, from the conversations: the replies to
    questions (``ANSWER_SLOT``), the asks for a person (``PERSON_SLOT``)."""
    for _, timestamp, value in slot_values(where, slot, since.timestamp()):
        record = AnswerRecord.from_slot(value)
        if record is None or record.kind not in _KIND_OF_RECORD:
            continue
        yield Asked(
            at=datetime.fromtimestamp(timestamp, timezone.utc),
            kind=_KIND_OF_RECORD[record.kind],
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
    found = [*recorded(where, ANSWER_SLOT, since), *recorded(where, PERSON_SLOT, since)]
    if store is not None:
        found += thumbs_down(store, since)
    return sorted(found, key=lambda asked: asked.at)
