"""👍 / 👎 on a policy answer, and what a customer who was not helped was looking for.

The buttons under a quote (``actions.policy_answers.ask_for_feedback``) send
``/feedback_up`` or ``/feedback_down`` with the answer's feedback id. The rating is kept
in the feedback store with the answer's question (redacted), clause, verdict and score,
found in this conversation's ``policy_answer`` records; never who gave it. A 👎 then
asks once what the customer was looking for (``feedback_form``), and their next message,
redacted, is kept as its comment. The question offers the email and phone route; in the
widget, a person from the support team instead (``ask_for_person``, docs/handoff.md),
which is no comment.

If the store cannot be written the customer is thanked all the same: a rating is not
worth an error message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from feedback import DOWN, UP, Feedback, FeedbackStore, opened_once
from feedback.answers import ANSWER_SLOT, AnswerRecord
from monitoring.metrics import count_feedback, count_feedback_comment
from privacy.redaction import redact_free_text
from settings import FeedbackSettings
from stores.personal_data import personal_values

log = logging.getLogger(__name__)
RATING_INTENTS = {"feedback_up": UP, "feedback_down": DOWN}
COMMENT_FOR = "feedback_comment_for"  # the 👎'd answer whose comment is awaited
COMMENT = "feedback_comment"
store = opened_once(FeedbackSettings.from_env())


def answer_rated(tracker: Tracker) -> AnswerRecord | None:
    """The answer the buttons name (by feedback id), else the latest: "👍" typed."""
    wanted = next(
        (
            e.get("value")
            for e in tracker.latest_message.get("entities") or []
            if e.get("entity") == "feedback_id"
        ),
        None,
    )
    records = [AnswerRecord.from_slot(e.get("value")) for e in slot_events(tracker.events)]
    records = [r for r in records if r is not None]
    if wanted:
        return next((r for r in reversed(records) if r.feedback_id == wanted), None)
    return records[-1] if records else None


def slot_events(events: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    return (e for e in events if e.get("event") == "slot" and e.get("name") == ANSWER_SLOT)


def redacted(text: str, tracker: Tracker) -> str:
    """``text`` with card numbers, codes, contact details and any detail the customer
    gave a request in this conversation masked."""
    return redact_free_text(text, personal_values(tracker.events))


def keep(write: Callable[[FeedbackStore], object]) -> bool:
    """Write to the feedback store; False (logged) if it cannot be opened or written now."""
    try:
        write(store())
    except Exception as error:  # sqlite3.Error, OSError, StoreUnavailable
        log.warning("feedback not stored: %s", type(error).__name__)
        return False
    return True


class ActionRateAnswer(Action):
    """Keep a 👍 or 👎; a 👎 goes on to ask what the customer was looking for."""

    def name(self) -> str:
        return "action_rate_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        rating = RATING_INTENTS.get(intent or "", UP)
        answer = answer_rated(tracker)
        if answer is not None:
            rated = Feedback(
                id=answer.feedback_id,
                given_at=datetime.now(timezone.utc),
                rating=rating,
                question=redacted(answer.question, tracker),
                clause=answer.clause,
                section=answer.section,
                verdict=answer.verdict,
                score=answer.score,
            )
            if keep(lambda feedback: feedback.rate(rated)):
                count_feedback(rating)
        if rating == UP:
            dispatcher.utter_message(response="utter_feedback_thanks")
            return []
        return [SlotSet(COMMENT_FOR, answer.feedback_id if answer else None)]


class ActionKeepFeedbackComment(Action):
    """The message after a 👎, redacted, as that rating's comment."""

    def name(self) -> str:
        return "action_keep_feedback_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        feedback_id = tracker.get_slot(COMMENT_FOR)
        comment = (tracker.get_slot(COMMENT) or "").strip()
        if (
            feedback_id
            and comment
            and keep(lambda feedback: feedback.comment(feedback_id, redacted(comment, tracker)))
        ):
            count_feedback_comment()
        dispatcher.utter_message(response="utter_feedback_comment_thanks")
        return [SlotSet(COMMENT_FOR, None), SlotSet(COMMENT, None)]
