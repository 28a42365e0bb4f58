"""The customer proves the request's email address is theirs, by the code mailed to it.

``action_submit_request`` stores a request that needs a code and sets
``verifying_reference``; from then on a message holding a code is checked here against
the outbox (``data_requests.verification``), which every Rasa and action server of a
cluster shares: the code may be typed against a different server from the one that
stored the request. What the customer reads for each outcome is in domain.yml.
"""

from __future__ import annotations

import logging
import sqlite3

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.policy_answers import ActionAnswerPolicy
from data_requests import verification
from data_requests.kinds import BY_NAME
from data_requests.outbox import OutboxUnavailable, RequestStore, open_outbox
from settings import RequestSettings, VerificationSettings

log = logging.getLogger(__name__)
VERIFYING = "verifying_reference"
STORE_ERRORS = (sqlite3.Error, OSError, OutboxUnavailable)
# What the customer reads for each outcome of a typed code that is not the right one.
_REPLIES = {
    verification.USED_UP: "utter_code_used_up",
    verification.EXPIRED: "utter_code_expired",
    verification.NOT_A_CODE: "utter_code_not_a_code",
    verification.NO_CODE_YET: "utter_code_on_its_way",
    verification.TOO_MANY: "utter_code_too_many",
}


def tries_text(left: int) -> str:
    return "1 more try" if left == 1 else f"{left} more tries"


class AboutTheCode:
    """What the actions on the request awaiting a code share: when none is awaited, or
    the outbox cannot be reached, the customer is told so the same way by each. A mixin,
    not an ``Action``: the SDK registers every ``Action`` subclass it finds, and this one
    has no name."""

    def name(self) -> str:
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = tracker.get_slot(VERIFYING)
        if not reference:
            return self.nothing_awaited(dispatcher, tracker)
        settings = RequestSettings.from_env()
        try:
            store = open_outbox(settings)
            return self.answer(dispatcher, tracker, reference, store, settings.verification)
        except STORE_ERRORS as error:
            log.error("%s: outbox unreachable (%s)", self.name(), type(error).__name__)
            dispatcher.utter_message(response="utter_code_not_checked")
            return []

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        reference: str,
        store: RequestStore,
        settings: VerificationSettings,
    ) -> list[EventType]:
        raise NotImplementedError

    def nothing_awaited(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_no_code_awaited")
        return []


class ActionCheckCode(AboutTheCode, Action):
    """Check a typed code; right, and the request goes to customer service."""

    def name(self) -> str:
        return "action_check_code"

    def nothing_awaited(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[EventType]:
        """No code is awaited and the message holds none: the classifier took digits
        for a code ("can kids under 13 use the site"), so it is answered as the
        question it is."""
        text = tracker.latest_message.get("text") or ""
        if verification.typed_code(text) is None:
            return ActionAnswerPolicy().reply(dispatcher, tracker)
        return super().nothing_awaited(dispatcher, tracker)

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        reference: str,
        store: RequestStore,
        settings: VerificationSettings,
    ) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        check = verification.check_code(store, settings, reference, text, tracker.sender_id)
        if check.outcome == verification.VERIFIED:
            request = store.get(reference)
            log.info("request %s verified", reference)
            dispatcher.utter_message(
                response="utter_code_verified",
                kind_label=BY_NAME[request.kind].label,
                reference=reference,
                due_date=f"{request.due_on:%d %B %Y}",
            )
            return [SlotSet(VERIFYING, None)]
        if check.outcome == verification.WRONG:
            dispatcher.utter_message(
                response="utter_code_wrong", tries=tries_text(check.tries_left)
            )
            return []
        if check.outcome == verification.NOT_AWAITING:
            dispatcher.utter_message(response="utter_no_code_awaited")
            return [SlotSet(VERIFYING, None)]
        dispatcher.utter_message(response=_REPLIES[check.outcome], reference=reference)
        return []


class ActionNewCode(AboutTheCode, Action):
    """Mail another code for the request awaiting one, within its limits."""

    def name(self) -> str:
        return "action_new_code"

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        reference: str,
        store: RequestStore,
        settings: VerificationSettings,
    ) -> list[EventType]:
        sent = verification.ask_new_code(store, settings, reference)
        dispatcher.utter_message(
            response="utter_new_code_sent" if sent else "utter_new_code_refused"
        )
        return []


def withdraw(reference: str) -> bool:
    """Cancel a request still awaiting its code: closed, its details deleted."""
    return open_outbox(RequestSettings.from_env()).cancel(reference)
