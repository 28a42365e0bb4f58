"""Show the collected request, let the customer change or cancel it, then store it.

"Received" is said only after the request is in the outbox: the customer is never told
about a request that could still be lost. A request that needs the customer's address
proved is stored too, awaiting its code (``actions.verification``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import uuid

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.request_form import kind_of, reset_request
from actions.verification import VERIFYING, withdraw
from data_requests import verification
from data_requests.kinds import SLOT_LABELS, RequestKind
from data_requests.notices import notify_request_stored
from data_requests.outbox import Acceptance, OutboxUnavailable, open_outbox
from data_requests.outbox.records import PASSED_ON
from data_requests.validators import given
from monitoring.metrics import count_request
from settings import RequestSettings

log = logging.getLogger(__name__)

# Words a customer uses for each detail when asking to change it.
_FIELD_WORDS = (
    ("email", re.compile(r"e-?mail")),
    ("phone", re.compile(r"phone|mobile|number")),
    ("postcode", re.compile(r"post ?code|zip")),
    ("correction_new", re.compile(r"\bnew\b|should (be|say)|instead")),
    ("correction_current", re.compile(r"current|at the moment|now|old")),
    ("correction_field", re.compile(r"detail|which|field|address")),
    ("full_name", re.compile(r"name")),
)


# Notices in flight; a task nobody references may be garbage-collected before it runs.
_NOTICES: set[asyncio.Task] = set()


def notify_in_background(kind: str, reference: str) -> None:
    """Tell the support channel without making the customer wait for Slack."""
    task = asyncio.get_running_loop().create_task(
        asyncio.to_thread(notify_request_stored, kind, reference)
    )
    _NOTICES.add(task)
    task.add_done_callback(_NOTICES.discard)


def summary_lines(tracker: Tracker) -> str:
    kind = kind_of(tracker)
    slots = kind.slots if kind else ()
    return "\n".join(f"- {SLOT_LABELS[s]}: {tracker.get_slot(s)}" for s in slots)


def field_to_change(tracker: Tracker) -> str | None:
    """The detail the customer wants to change: from a button's entity, else their words."""
    kind = kind_of(tracker)
    allowed = set(kind.slots) if kind else set()
    entity = next(tracker.get_latest_entity_values("field"), None)
    if entity in allowed:
        return entity
    text = (tracker.latest_message.get("text") or "").lower()
    return next(
        (slot for slot, words in _FIELD_WORDS if slot in allowed and words.search(text)), None
    )


def change_buttons(tracker: Tracker) -> list[dict[str, str]]:
    kind = kind_of(tracker)
    slots = kind.slots if kind else ()
    return [{"title": SLOT_LABELS[s], "payload": f'/change_field{{"field": "{s}"}}'} for s in slots]


class ActionRequestSummary(Action):
    """Show what will be sent and ask for confirmation."""

    def name(self) -> str:
        return "action_request_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kind = kind_of(tracker)
        if kind is None:
            dispatcher.utter_message(response="utter_nothing_to_confirm")
            return []
        dispatcher.utter_message(
            response="utter_request_summary", kind_label=kind.label, summary=summary_lines(tracker)
        )
        key = tracker.get_slot("request_key") or uuid.uuid4().hex
        return [SlotSet("awaiting_confirmation", True), SlotSet("request_key", key)]


def ask_what_to_change(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    dispatcher.utter_message(response="utter_ask_what_to_change", buttons=change_buttons(tracker))


class ActionAskWhatToChange(Action):
    """Offer one button per detail of this request."""

    def name(self) -> str:
        return "action_ask_what_to_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ask_what_to_change(dispatcher, tracker)
        return []


class ActionChangeField(Action):
    """Clear the detail to change, so the form asks for it again.

    When the words name no detail, ask which one and wait, instead of re-running the
    form (which would only show the same summary again).
    """

    def name(self) -> str:
        return "action_change_field"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        field = field_to_change(tracker)
        if field is None:
            ask_what_to_change(dispatcher, tracker)
            return [FollowupAction("action_listen")]
        return [SlotSet(field, None), SlotSet("awaiting_confirmation", False)]


SLACK = "slack"


def slack_user(sender_id: str) -> str:
    """The Slack user of a Slack conversation: its id is "<user>_<channel>_<thread>"
    (channels/slack.py sets thread granularity), and Slack's ids have no underscore."""
    return sender_id.split("_", 1)[0]


def acceptance(kind: RequestKind, tracker: Tracker, settings: RequestSettings) -> Acceptance:
    """How this request reaches customer service: support staff in the Slack channel
    vouch for the customer they speak for (Slack names who); any other channel proves
    the address by a code, except an opt-out (``kinds.needs_code``)."""
    if tracker.get_latest_input_channel() == SLACK:
        staff = slack_user(tracker.sender_id)
        return Acceptance(needs_code=False, verified_by=f"support staff (Slack user {staff})")
    if not kind.needs_code:
        return PASSED_ON
    email = tracker.get_slot("email") or ""
    return Acceptance(
        needs_code=True,
        email_key=verification.email_key(verification.key(settings.verification), email),
    )


class ActionSubmitRequest(Action):
    """Store the confirmed request in the outbox, then tell the customer its reference
    and, when the address must be proved, ask for the code that is on its way."""

    def name(self) -> str:
        return "action_submit_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kind, key = kind_of(tracker), tracker.get_slot("request_key")
        if kind is None or not key:
            dispatcher.utter_message(response="utter_nothing_to_confirm")
            return [SlotSet("awaiting_confirmation", False)]
        # A skipped detail is stored as null: "not given" is the form's word for it.
        details = {slot: given(tracker.get_slot(slot)) for slot in kind.slots}
        channel = tracker.get_latest_input_channel() or "unknown"
        settings = RequestSettings.from_env()
        try:
            how = acceptance(kind, tracker, settings)
            stored = open_outbox(settings).submit(key, kind.name, details, channel, acceptance=how)
        except (sqlite3.Error, OSError, OutboxUnavailable) as error:
            log.error("could not store a %s request: %s", kind.name, type(error).__name__)
            dispatcher.utter_message(response="utter_request_not_stored")
            return []
        log.info("stored request %s (%s)", stored.reference, kind.name)
        count_request(kind.name)
        notify_in_background(kind.name, stored.reference)
        if how.needs_code:
            dispatcher.utter_message(
                response="utter_request_awaiting_code",
                kind_label=kind.label,
                reference=stored.reference,
                email=details["email"],
                minutes=f"{settings.verification.code_minutes:g}",
            )
            return [*reset_request(), SlotSet(VERIFYING, stored.reference)]
        dispatcher.utter_message(
            response="utter_request_received_for_staff"
            if how.verified_by
            else "utter_request_received",
            kind_label=kind.label,
            third_person=kind.third_person,
            reference=stored.reference,
            due_date=f"{stored.due_on:%d %B %Y}",
        )
        return reset_request()


class ActionCancelRequest(Action):
    """Stop the request wherever it is and forget its details: while it is being given,
    at its summary, or stored but still awaiting its code."""

    def name(self) -> str:
        return "action_cancel_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = tracker.get_slot(VERIFYING)
        if kind_of(tracker) is None and tracker.active_loop_name is None and reference:
            try:
                withdrawn = withdraw(reference)
            except (sqlite3.Error, OSError, OutboxUnavailable) as error:
                log.error("could not cancel a request: %s", type(error).__name__)
                dispatcher.utter_message(response="utter_request_not_withdrawn")
                return [ActiveLoop(None)]
            response = "utter_request_withdrawn" if withdrawn else "utter_no_code_awaited"
            dispatcher.utter_message(response=response, reference=reference)
            return [ActiveLoop(None), SlotSet(VERIFYING, None)]
        if kind_of(tracker) is None:
            dispatcher.utter_message(response="utter_nothing_to_confirm")
            return [ActiveLoop(None)]
        dispatcher.utter_message(response="utter_request_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_request()]
