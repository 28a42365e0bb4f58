"""Start a data request and collect its details with the ``data_request_form``.

What is asked depends on the kind of request (``request_kinds``); each answer is
checked by ``validators``, and a refused answer gets its reason and the same question
again rather than a crash or a silent accept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.policy_answers import ask, plainly_answered, remember, utter_hit
from data_requests import names, validators
from data_requests.kinds import BY_INTENT, BY_NAME, FORM_SLOTS, RequestKind
from knowledge.answering.pipeline import Answer, Hit

# Which validator checks a corrected value, by words in the detail the customer named
# (first match wins: "email address" is an email, "postal address" free text).
_CORRECTION_CHECKS = (
    (re.compile(r"e-?mail"), validators.check_email),
    (re.compile(r"phone|mobile|landline|(?<!house )(?<!flat )\bnumber"), validators.check_phone),
    (re.compile(r"post ?code"), validators.check_postcode),
    (re.compile(r"\bname\b|surname|forename"), validators.check_name),
)
# How Rasa marks a message that is an intent sent by a button, not typed words.
PAYLOAD_PREFIX = "/"
# Intents the form does not take as answers (domain.yml) that the NLU gives names too
# ("Li Wei" -> ask_policy, "Harry Hill" -> greet). The customer's own controls (stop,
# ask_for_person, the thumbs) are not among them: "cancel" always cancels.
MISREAD_NAME_INTENTS = frozenset(
    {"ask_policy", "wrong_answer", "greet", "goodbye", "thank", "bot_challenge", "help"}
    | {"out_of_scope"}
)


def kind_of(tracker: Tracker) -> RequestKind | None:
    return BY_NAME.get(tracker.get_slot("request_type") or "")


def reset_request() -> list[EventType]:
    """Forget everything the customer gave for a request (after storing or cancelling)."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [
        SlotSet("request_type", None),
        SlotSet("request_key", None),
        SlotSet("awaiting_confirmation", False),
    ]


def typed_words(tracker: Tracker) -> str | None:
    """The customer's own words, or None for a button's payload ("/request_deletion")."""
    text = (tracker.latest_message.get("text") or "").strip()
    return None if not text or text.startswith(PAYLOAD_PREFIX) else text


def typed_name(tracker: Tracker) -> str | None:
    """The name the customer just typed when the form asked for it and the NLU took it
    for something else; None when it is not a name or is a question the policy answers
    ("what about cookies?"), which the form's rules then answer."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    words = typed_words(tracker)
    if (
        tracker.get_slot(REQUESTED_SLOT) != "full_name"
        or intent not in MISREAD_NAME_INTENTS
        or words is None
    ):
        return None
    if not names.is_name(words):
        return None
    return None if plainly_answered(ask(words, None)) else words


def grounding(tracker: Tracker, kind: RequestKind, answer: Answer) -> Hit | None:
    """The policy clause that gives the customer this request, when the answer pipeline
    finds it plainly answers their words ("how do I get my address changed?" is asked
    as often as it is demanded), unless the last answer quoted it already."""
    if not plainly_answered(answer):
        return None
    hit = answer.hits[0]
    just_quoted = tracker.get_slot("answered_clauses") or []
    return hit if hit.clause.id in kind.offered_after and hit.clause.id not in just_quoted else None


class ActionStartRequest(Action):
    """Set the kind of request from the intent and clear any earlier request's details;
    open with the clause that gives the customer the request, when it answers them."""

    def name(self) -> str:
        return "action_start_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        kind = BY_INTENT[intent]
        events = [*reset_request(), SlotSet("request_type", kind.name)]
        if words := typed_words(tracker):
            answer = ask(words, None)
            hit = grounding(tracker, kind, answer)
            if hit:
                utter_hit(dispatcher, hit)
            # What a follow-up leans on: "I need to change my email" -> "how?".
            events += remember(answer, [hit.clause.id] if hit else [])
        dispatcher.utter_message(response=kind.intro, kind_label=kind.label)
        return events


def check_corrected_value(field: str | None, value: Any) -> validators.Checked:
    """A new or current value is checked like the detail it is, when we know which."""
    named = (field or "").lower()
    for words, check in _CORRECTION_CHECKS:
        if words.search(named):
            result = check(value)
            return result if result.value != validators.SKIPPED else validators.check_detail(value)
    return validators.check_detail(value)


def _field(tracker: Tracker) -> str | None:
    return tracker.get_slot("correction_field")


def _phone(tracker: Tracker, value: Any) -> validators.Checked:
    """Optional for finding an account; the whole point of a callback."""
    kind = kind_of(tracker)
    if kind is not None and kind.name == "callback":
        return validators.check_phone_to_call(value)
    return validators.check_phone(value)


# How each slot's answer is checked; the tracker gives the context some checks need.
CHECKS: dict[str, Callable[[Tracker, Any], validators.Checked]] = {
    "full_name": lambda tracker, value: validators.check_name(value),
    "email": lambda tracker, value: validators.check_email(value),
    "phone": _phone,
    "postcode": lambda tracker, value: validators.check_postcode(value),
    "correction_field": lambda tracker, value: validators.check_detail(value),
    "correction_current": lambda tracker, value: check_corrected_value(_field(tracker), value),
    "correction_new": lambda tracker, value: check_corrected_value(_field(tracker), value),
}


class ValidateDataRequestForm(FormValidationAction):
    """Decide what to ask for this kind of request and check every answer.

    When the form starts, Rasa validates the slots filled before it (none, or all but
    the one being changed) and, if that validation names no slot to ask, validates
    again every slot set since the customer's last message: the ones
    ``action_start_request`` cleared. So this action always names the next slot, for
    every kind of request, and a cleared slot (``None``) is never checked as if the
    customer had typed an empty answer.
    """

    def name(self) -> str:
        return "validate_data_request_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        kind = kind_of(tracker)
        return list(kind.slots) if kind else domain_slots

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType:
        """The first detail this request still needs, or None when it has them all.

        rasa-sdk leaves the choice to Rasa when the request needs every slot of the form
        (a correction), and Rasa then re-validates the cleared slots as answers.
        """
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = (slot for slot in required if tracker.slots.get(slot) is None)
        return SlotSet(REQUESTED_SLOT, next(missing, None))

    @staticmethod
    def _check(
        slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """One slot's answer through its check in ``CHECKS``; a refusal says why."""
        if value is None:
            return {slot: None}
        result = CHECKS[slot](tracker, value)
        if not result.ok:
            dispatcher.utter_message(text=result.problem)
        return {slot: result.value}

    async def extract_full_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A name the NLU took for something the form ignores (domain.yml's
        ``ignored_intents``) is still the answer to "What's your name?"."""
        name = typed_name(tracker)
        return {"full_name": name} if name else {}

    # rasa-sdk calls validate_<slot> for each slot set since the last message.

    async def validate_full_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check("full_name", value, dispatcher, tracker)

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check("email", value, dispatcher, tracker)

    async def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check("phone", value, dispatcher, tracker)

    async def validate_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check("postcode", value, dispatcher, tracker)

    async def validate_correction_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check("correction_field", value, dispatcher, tracker)

    async def validate_correction_current(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check("correction_current", value, dispatcher, tracker)

    async def validate_correction_new(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._check("correction_new", value, dispatcher, tracker)
