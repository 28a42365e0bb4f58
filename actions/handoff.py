"""Hand the chat to a person from the support team, or say how else to reach one.

``action_hand_off`` answers "can I talk to a person?" (``ask_for_person``):

- outside ``SUPPORT_HOURS``: when staff are there, the email route and a callback;
- on any channel but the widget: a person can only join the widget's chat (REST and
  Slack get no pushed messages), so the email route and a callback;
- otherwise it opens a thread in the support channel with the chat so far, masked
  (``handoff.transcript``), records the handoff for the Rasa servers' channels, which
  carry messages both ways from then on (``channels/handoff.py``), and sets a reminder:
  if nobody replies within ``HANDOFF_WAIT_MINUTES``, ``action_handoff_unanswered``
  ends the wait and offers the email route and a callback.

The callback is a request like the others (``data_requests.kinds``: name and phone),
passed to cs@jessops.com through the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import slot_events
from feedback.answers import PERSON, PERSON_SLOT, AnswerRecord, new_feedback_id
from handoff import STORE_ERRORS, open_store
from handoff.hours import SupportHours
from handoff.messages import UNANSWERED_IN_THREAD
from handoff.records import Handoff, utc_now
from handoff.slack import end_button, post
from handoff.transcript import opening
from monitoring.metrics import (
    CLOSED,
    STARTED,
    UNANSWERED,
    UNAVAILABLE,
    WIDGET_ONLY,
    count_handoff,
)
from privacy.redaction import redact_free_text
from settings import HandoffSettings
from stores.personal_data import personal_values

log = logging.getLogger(__name__)
WIDGET = "socketio"  # Rasa's name of the widget's channel
UNANSWERED_INTENT = "EXTERNAL_handoff_unanswered"
REMINDER = "handoff_unanswered"


def offer_person(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """In the widget, where a person can join, offer one after "that didn't help"."""
    if tracker.get_latest_input_channel() == WIDGET:
        dispatcher.utter_message(response="utter_offer_person")


def minutes(settings: HandoffSettings) -> str:
    return f"{settings.wait_minutes:g}"


def asked_for_person(tracker: Tracker) -> EventType:
    """The record of this ask for the weekly review: the question of the last reply, and
    its clause; the ask itself, masked, when nothing was asked before."""
    records = (AnswerRecord.from_slot(e.get("value")) for e in slot_events(tracker.events))
    last = next((r for r in reversed(list(records)) if r is not None), None)
    question = (
        last.question
        if last
        else redact_free_text(
            tracker.latest_message.get("text") or "", personal_values(tracker.events)
        )
    )
    record = AnswerRecord(
        new_feedback_id(),
        question,
        PERSON,
        verdict="",
        clause=last.clause if last else None,
        section=last.section if last else None,
    )
    return SlotSet(PERSON_SLOT, record.as_slot())


class ActionHandOff(Action):
    """Start a handoff in the support channel, or give the other routes to a person."""

    def name(self) -> str:
        return "action_hand_off"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [asked_for_person(tracker), *await self._hand_off(dispatcher, tracker)]

    async def _hand_off(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        settings = HandoffSettings.from_env()
        hours = SupportHours.parse(settings.support_hours)
        if not hours.open_at(utc_now()):
            dispatcher.utter_message(response="utter_handoff_closed", hours=hours.describe())
            count_handoff(CLOSED)
            return []
        if tracker.get_latest_input_channel() != WIDGET:
            dispatcher.utter_message(response="utter_handoff_widget_only")
            count_handoff(WIDGET_ONLY)
            return []
        thread = await self._open_thread(settings, tracker)
        if thread is None:
            dispatcher.utter_message(response="utter_handoff_unavailable")
            count_handoff(UNAVAILABLE)
            return []
        now = utc_now()
        try:
            open_store(settings).start(Handoff(tracker.sender_id, thread, now))
        except STORE_ERRORS as error:
            log.error("handoff not recorded: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            count_handoff(UNAVAILABLE)
            return []
        log.info("handoff started in Slack thread %s", thread)
        count_handoff(STARTED)
        dispatcher.utter_message(response="utter_handoff_started", minutes=minutes(settings))
        due = now + timedelta(minutes=settings.wait_minutes)
        return [
            ReminderScheduled(UNANSWERED_INTENT, due, name=REMINDER, kill_on_user_message=False)
        ]

    @staticmethod
    async def _open_thread(settings: HandoffSettings, tracker: Tracker) -> str | None:
        """The new thread's timestamp; None when handoff is off or Slack failed."""
        if not settings.enabled:
            return None
        text = opening(tracker.events, personal_values(tracker.events))
        return await asyncio.to_thread(post, settings.slack, text, None, end_button())


class ActionHandoffUnanswered(Action):
    """The reminder's turn: if nobody replied in time, end the wait and offer the other
    routes; if someone did, or the chat already ended, say nothing."""

    def name(self) -> str:
        return "action_handoff_unanswered"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = HandoffSettings.from_env()
        store = open_store(settings)
        waiting = store.by_sender(tracker.sender_id)
        if waiting is None or waiting.taken or store.end(tracker.sender_id) is None:
            return []
        note = UNANSWERED_IN_THREAD.format(minutes=minutes(settings))
        await asyncio.to_thread(post, settings.slack, note, waiting.thread_ts)
        dispatcher.utter_message(response="utter_handoff_unanswered")
        count_handoff(UNANSWERED)
        return []
