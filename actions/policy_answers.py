"""Answer policy questions by quoting the clause that answers them.

The customer sees the policy's own words and the section they come from, never text
the bot made up. When the policy is silent the bot says so and gives the contacts the
policy itself names. Every reply to a question is recorded in the ``policy_answer`` slot
(``feedback.answers``) for the review, and a quote gets 👍 / 👎 buttons in the same message.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import offer_person
from actions.knowledge_base import pipeline
from data_requests.form_questions import about_the_request
from data_requests.kinds import offers_after
from feedback.answers import (
    ANSWER_SLOT,
    DOES_NOT_SAY,
    QUOTE,
    RATED_KINDS,
    SILENT,
    AnswerRecord,
    new_feedback_id,
)
from knowledge.answering.pipeline import Answer, Hit
from monitoring.metrics import POLICY_ANSWER_SECONDS, count_reply, timed
from privacy.redaction import card_numbers_in, redact_free_text
from stores.personal_data import personal_values

# "nope. do you sell my info", "that's not it, who sees my card details?": a rejection,
# then the question the customer meant.
_AFTER_REJECTION = re.compile(r"^[^.!?,;:]+[.!?,;:]+\s*(?P<meant>\S.*)$")
OUT_OF_SCOPE = "out_of_scope"
HELP = "help"
# The buttons under a quote; each carries the answer's feedback id (actions/feedback.py).
# Their words say what they mean where the emoji is not seen or read out.
FEEDBACK_BUTTONS = (("👍 Helpful", "feedback_up"), ("👎 Not helpful", "feedback_down"))


def question_after_rejection(text: str) -> str | None:
    """What follows a rejection ("nope. do you sell my info" -> "do you sell my info")."""
    match = _AFTER_REJECTION.match(text.strip())
    return match.group("meant") if match else None


def ask(question: str, previous: str | None) -> Answer:
    """Search the policy for ``question``; the pipeline decides whether it leans on
    ``previous``, the question asked before it."""
    return pipeline().ask(question, previous=previous)


def utter_hit(
    dispatcher: CollectingDispatcher, hit: Hit, buttons: list[dict] | None = None
) -> None:
    """The quote, with the answer's 👍 / 👎 buttons in the same message."""
    dispatcher.utter_message(
        response="utter_policy_quote",
        section=hit.clause.section,
        quote=hit.quote,
        buttons=buttons or [],
    )


def utter_does_not_say(
    dispatcher: CollectingDispatcher, hit: Hit, buttons: list[dict] | None = None
) -> None:
    """The policy does not say: the closest clause, and who to ask instead."""
    dispatcher.utter_message(
        response="utter_policy_does_not_say",
        section=hit.clause.section,
        quote=hit.quote,
        buttons=buttons or [],
    )


def offer_requests(dispatcher: CollectingDispatcher, tracker: Tracker, hit: Hit) -> None:
    """After a clause about changing data or opting out, offer to take that request."""
    kinds = offers_after(hit.clause.id)
    if kinds and not request_open(tracker):
        buttons = [{"title": kind.button, "payload": f"/{kind.intent}"} for kind in kinds]
        dispatcher.utter_message(response="utter_offer_request", buttons=buttons)


def remember(answer: Answer, offered: list[str]) -> list[EventType]:
    return [SlotSet("last_question", answer.question), SlotSet("answered_clauses", offered)]


def answered(tracker: Tracker, answer: Answer, kind: str, hit: Hit | None) -> AnswerRecord:
    """The record of this reply, for feedback and the review: the question with any
    detail the customer gave a request in this conversation masked, as well as card
    numbers, codes and contact details."""
    return AnswerRecord(
        feedback_id=new_feedback_id(),
        question=redact_free_text(answer.question, personal_values(tracker.events)),
        kind=kind,
        verdict=answer.verdict,
        clause=hit.clause.id if hit else None,
        section=hit.clause.section if hit else None,
        score=round(hit.probability, 4) if hit else None,
    )


def feedback_buttons(tracker: Tracker, record: AnswerRecord) -> list[dict]:
    """👍 / 👎 for a reply that quotes a clause, carrying its feedback id; none while a
    request is being taken (its own buttons are the ones that matter then)."""
    if record.kind not in RATED_KINDS or request_open(tracker):
        return []
    return [
        {"title": title, "payload": f'/{intent}{{"feedback_id":"{record.feedback_id}"}}'}
        for title, intent in FEEDBACK_BUTTONS
    ]


def recorded(record: AnswerRecord) -> EventType:
    return SlotSet(ANSWER_SLOT, record.as_slot())


class ActionAnswerPolicy(Action):
    """Quote the best clause for the latest message, or say the policy is silent; to
    what the classifier took for a request for help, the help reply unless the policy
    plainly answers it."""

    def name(self) -> str:
        return "action_answer_policy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.latest_action_name == self.name():
            # Predicted again without a new message (Rasa's fallback can loop): say it once.
            return [FollowupAction("action_listen")]
        events = self.reply(dispatcher, tracker)
        if tracker.get_slot("awaiting_confirmation") and not tracker.active_loop_name:
            # The summary is further up: ask again, so a "yes" now answers this question.
            dispatcher.utter_message(response="utter_request_still_waiting")
        return events

    def reply(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Answer the latest message; the events that remember what was answered."""
        text = (tracker.latest_message.get("text") or "").strip()
        if not text:
            dispatcher.utter_message(response="utter_empty_message")
            return []
        if card_numbers_in(text):
            # It is masked before the conversation is stored; ask the customer never to resend it.
            dispatcher.utter_message(response="utter_card_warning")
            return []
        if request_open(tracker) and (response := about_the_request(text)):
            # "why do you need my phone?" halfway through a request is about the request.
            dispatcher.utter_message(response=response)
            return []
        asks_for_help = intent_of(tracker) == HELP
        with timed(POLICY_ANSWER_SECONDS):
            # "what can you do?" is no follow-up to the question before it.
            answer = ask(text, None if asks_for_help else tracker.get_slot("last_question"))
            if asks_for_help and not plainly_answered(answer):
                dispatcher.utter_message(response="utter_help")
                return []
            return reply_to(dispatcher, tracker, answer)


def request_open(tracker: Tracker) -> bool:
    """The customer is giving a request's details, or checking its summary."""
    return bool(tracker.active_loop_name or tracker.get_slot("awaiting_confirmation"))


def intent_of(tracker: Tracker) -> str | None:
    """The intent the classifier gave the latest message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def plainly_answered(answer: Answer) -> bool:
    """The policy answers the question outright: neither silent nor "does not say"."""
    return answer.verdict == "answer"


def reply_to(dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer) -> list[EventType]:
    """Say what the policy says about ``answer``'s question, count the reply by its kind;
    the events that remember it."""
    kind, events = say(dispatcher, tracker, answer)
    count_reply(kind)
    return events


def say(
    dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer
) -> tuple[str, list[EventType]]:
    """The reply to ``answer``: its kind (a metric label) and the events that remember it."""
    if not answer.answerable:
        # The classifier's "not a privacy question" stands only when the policy agrees:
        # "Do I have to make an account to buy a camera?" sounds like shopping.
        out_of_scope = intent_of(tracker) == OUT_OF_SCOPE
        dispatcher.utter_message(
            response="utter_out_of_scope" if out_of_scope else "utter_policy_silent"
        )
        nearest = answer.hits[0] if answer.hits else None
        silent = answered(tracker, answer, SILENT, nearest)
        return SILENT, [*remember(answer, []), recorded(silent)]
    hit = answer.hits[0]
    kind = QUOTE if answer.covered else DOES_NOT_SAY
    record = answered(tracker, answer, kind, hit)
    if kind == DOES_NOT_SAY:
        # On the topic of a clause that does not answer it: say so, show the clause.
        utter_does_not_say(dispatcher, hit, feedback_buttons(tracker, record))
    else:
        utter_hit(dispatcher, hit, feedback_buttons(tracker, record))
        offer_requests(dispatcher, tracker, hit)
    return kind, [*remember(answer, [hit.clause.id]), recorded(record)]


class ActionNextBestAnswer(Action):
    """After "that didn't help", quote the next clause not yet offered, or the contacts;
    when the rejection goes on to ask what was meant, answer that instead."""

    def name(self) -> str:
        return "action_next_best_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        meant = question_after_rejection(tracker.latest_message.get("text") or "")
        if meant:
            with timed(POLICY_ANSWER_SECONDS):
                answer = ask(meant, None)
                # Only a plain answer: "no, that's wrong" asks nothing of its own.
                if plainly_answered(answer):
                    return reply_to(dispatcher, tracker, answer)
        question = tracker.get_slot("last_question")
        offered = list(tracker.get_slot("answered_clauses") or [])
        if not question or not offered:
            dispatcher.utter_message(response="utter_no_more_answers")
            return []
        answer = pipeline().ask(question)
        fresh = [h for h in answer.hits if h.clause.id not in offered]
        if not answer.answerable or not fresh:
            dispatcher.utter_message(response="utter_no_more_answers")
            return [SlotSet("answered_clauses", [])]
        record = answered(tracker, answer, QUOTE, fresh[0])
        utter_hit(dispatcher, fresh[0], feedback_buttons(tracker, record))
        offer_person(dispatcher, tracker)
        return [SlotSet("answered_clauses", [*offered, fresh[0].clause.id]), recorded(record)]
