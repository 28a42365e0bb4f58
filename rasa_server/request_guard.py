"""A request intent only for a message that names a request (config.yml's pipeline).

DIET moves a few messages between intents with every retraining, and a message that
names no request ("What's your VAT number?") sometimes comes out as ``request_unsubscribe``
and opens the request form. This component runs after DIETClassifier and before
FallbackClassifier: when the top intent is a request intent and the text holds none of
the words that name one (``data_requests/request_words.py``), the request intents leave
the ranking and the next intent takes their place, with the confidence DIET gave it.
So does an opt-out from Jessops Photo's emails, which the policy says is made on the
Jessops Photo website (``request_words.made_elsewhere``): it gets that answer.

It sits before the fallback on purpose: the intent left standing is only DIET's second
choice, and FallbackClassifier then judges it like any other prediction, so a weak one
becomes ``nlu_fallback`` (the policy search, data/rules/policy.yml) rather than being
acted on as if DIET had been sure of it.

Button payloads (``/request_deletion``) are not affected: Rasa's RegexMessageHandler sets
their intent after the whole pipeline has run.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from data_requests.request_words import (
    POLICY_INTENT,
    REQUEST_INTENTS,
    made_elsewhere,
    names_a_request,
)

logger = logging.getLogger(__name__)

# The confidence of the policy intent put in when DIET ranked nothing else: none at all,
# so that FallbackClassifier turns it into nlu_fallback (also the policy answer).
NO_CONFIDENCE = 0.0


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RequestGuard(GraphComponent, IntentClassifier):
    """Demotes a request intent when the message names no request."""

    @classmethod
    def required_components(cls) -> list[type]:
        """An intent classifier must have ranked the intents first."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No settings: the word list is code (data_requests/request_words.py)."""
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RequestGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Demote the request intent of every message that names no request."""
        for message in messages:
            demote_unnamed_request(message)
        return messages


def demote_unnamed_request(message: Message) -> bool:
    """Replace a request intent that ``message``'s words do not name, or that the policy
    sends elsewhere; True if it did.

    The request intents leave the ranking (none of them fits a message that names no
    request), so the ranking still starts with the intent chosen, and FallbackClassifier's
    ambiguity check compares the two intents that are really left.
    """
    intent = message.get(INTENT) or {}
    name, text = intent.get(INTENT_NAME_KEY), message.get(TEXT) or ""
    if name not in REQUEST_INTENTS:
        return False
    if names_a_request(text) and not made_elsewhere(name, text):
        return False
    ranking = [
        candidate
        for candidate in message.get(INTENT_RANKING_KEY) or []
        if candidate.get(INTENT_NAME_KEY) not in REQUEST_INTENTS
    ]
    if not ranking:
        ranking = [{INTENT_NAME_KEY: POLICY_INTENT, PREDICTED_CONFIDENCE_KEY: NO_CONFIDENCE}]
    logger.debug(
        "No request for customer service in the message: intent %s replaced by %s.",
        name,
        ranking[0][INTENT_NAME_KEY],
    )
    message.set(INTENT, dict(ranking[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    return True
