"""Answer policy questions by quoting the clause that answers them.

The customer sees the policy's own words and the section they come from, never text
the bot made up. When the policy is silent the bot says so and gives the contacts the
policy itself names.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_base import retriever
from actions.request_kinds import offers_after
from knowledge.retrieval import Answer, Hit

# "and can I turn them off?", "what about the other ones" lean on the last question.
_FOLLOW_UP = re.compile(
    r"^(and|but|also|what about|how about|so)\b|\b(it|they|them|those|these|that one|this one)\b",
    re.IGNORECASE,
)
_FOLLOW_UP_MAX_WORDS = 8


def contextual_question(question: str, previous: str | None) -> str:
    """Join a short follow-up to the question before it, so pronouns find their topic."""
    short = len(question.split()) <= _FOLLOW_UP_MAX_WORDS
    if previous and short and _FOLLOW_UP.search(question):
        return f"{previous} {question}"
    return question


def utter_hit(dispatcher: CollectingDispatcher, hit: Hit) -> None:
    dispatcher.utter_message(
        response="utter_policy_quote",
        section=hit.clause.section,
        quote=hit.quote,
    )


def offer_requests(dispatcher: CollectingDispatcher, tracker: Tracker, hit: Hit) -> None:
    """After a clause about changing data or opting out, offer to take that request."""
    kinds = offers_after(hit.clause.id)
    if kinds and not tracker.active_loop_name and not tracker.get_slot("awaiting_confirmation"):
        buttons = [{"title": kind.button, "payload": f"/{kind.intent}"} for kind in kinds]
        dispatcher.utter_message(response="utter_offer_request", buttons=buttons)


def remember(answer: Answer, offered: list[str]) -> list[EventType]:
    return [SlotSet("last_question", answer.question), SlotSet("answered_clauses", offered)]


class ActionAnswerPolicy(Action):
    """Quote the best clause for the latest message, or say the policy is silent."""

    def name(self) -> str:
        return "action_answer_policy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = (tracker.latest_message.get("text") or "").strip()
        if not text:
            dispatcher.utter_message(response="utter_empty_message")
            return []
        question = contextual_question(text, tracker.get_slot("last_question"))
        answer = retriever().ask(question)
        if not answer.answerable:
            dispatcher.utter_message(response="utter_policy_silent")
            return remember(answer, [])
        utter_hit(dispatcher, answer.hits[0])
        offer_requests(dispatcher, tracker, answer.hits[0])
        return remember(answer, [answer.hits[0].clause.id])


class ActionNextBestAnswer(Action):
    """After "that didn't help", quote the next clause not yet offered, or the contacts."""

    def name(self) -> str:
        return "action_next_best_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        question = tracker.get_slot("last_question")
        offered = list(tracker.get_slot("answered_clauses") or [])
        if not question or not offered:
            dispatcher.utter_message(response="utter_no_more_answers")
            return []
        answer = retriever().ask(question)
        fresh = [h for h in answer.hits if h.clause.id not in offered]
        if not answer.answerable or not fresh:
            dispatcher.utter_message(response="utter_no_more_answers")
            return [SlotSet("answered_clauses", [])]
        utter_hit(dispatcher, fresh[0])
        return [SlotSet("answered_clauses", [*offered, fresh[0].clause.id])]
