"""The request guard on real Rasa Messages, in the Rasa server's own interpreter.

A request intent for a message that names no request is replaced by the next intent
DIET ranked, and the request intents leave the ranking; every training example of the
request intents (read by Rasa's own loader) keeps its intent; other intents are never
touched; FallbackClassifier, after the guard, turns a weak second choice into
nlu_fallback; and a button's payload keeps its intent. One interpreter run checks them
all (Rasa takes seconds to import).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from data_requests.request_words import REQUEST_INTENTS
from settings import PROJECT_ROOT
from tests.support.rasa_interpreter import run_in_rasa

CHECK = """
import json
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa_server.request_guard import RequestGuard

from data_requests.request_words import REQUEST_INTENTS


def classified(text, ranking):
    # As DIET leaves a message: the top intent, and the ranking that starts with it.
    ranking = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})


def outcome(message):
    return {"intent": message.get("intent"),
            "ranking": [[i["name"], i["confidence"]] for i in message.get("intent_ranking")]}


guard = RequestGuard.create({}, None, None, None)
fallback = FallbackClassifier({"threshold": 0.45, "ambiguity_threshold": 0.05})
RANKING = [("request_unsubscribe", 0.62), ("out_of_scope", 0.2), ("request_deletion", 0.1),
           ("ask_policy", 0.05), ("greet", 0.03)]
result = {}
for name, text in [("vat", "What's your VAT number?"), ("dslr", "Can I trade in my old DSLR?"),
                   ("delete", "please delete my account"),
                   ("jessops_photo", "unsubscribe me from the Jessops Photo emails")]:
    [message] = guard.process([classified(text, RANKING)])
    result[name] = outcome(message)

result["only_requests"] = outcome(guard.process([classified(
    "What's your VAT number?", [("request_deletion", 0.9), ("request_unsubscribe", 0.1)])])[0])

result["others"] = [outcome(m) for m in guard.process([
    classified("What's your VAT number?", [(intent, 0.9), ("request_deletion", 0.1)])
    for intent in ("ask_policy", "out_of_scope", "inform", "stop", "nlu_fallback")])]

examples = [e for e in load_data("data/nlu/requests.yml").intent_examples
            if e.get("intent") in REQUEST_INTENTS]
kept = guard.process([classified(e.get("text"), [(e.get("intent"), 0.9), ("ask_policy", 0.1)])
                      for e in examples])
result["examples"] = {"count": len(examples),
                      "demoted": [m.get("text") for m in kept
                                  if m.get("intent")["name"] not in REQUEST_INTENTS]}

weak = guard.process([classified("What's your VAT number?",
                                 [("request_correction", 0.7), ("ask_policy", 0.2)])])
result["with_fallback"] = outcome(fallback.process(weak)[0])
# A button's payload: "/request_unsubscribe" names no request by the word list ("_" is a
# word character, so no word starts at "unsubscribe"), and the guard demotes what DIET
# made of it; Rasa's RegexMessageHandler, which runs after the whole pipeline, sets the
# payload's intent.
payload = guard.process([classified("/request_unsubscribe",
                                    [("request_unsubscribe", 0.8), ("ask_policy", 0.2)])])
result["payload_after_guard"] = payload[0].get("intent")["name"]
result["payload"] = RegexMessageHandler.create({}, None, None, None).process(payload)[0].get(
    "intent")
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def outcome() -> dict[str, Any]:
    return run_in_rasa(CHECK)


@pytest.mark.parametrize("case", ["vat", "dslr", "jessops_photo"])
def test_a_request_intent_for_a_message_that_names_no_request_is_demoted(
    outcome: dict, case: str
) -> None:
    assert outcome[case] == {
        "intent": {"name": "out_of_scope", "confidence": 0.2},
        "ranking": [["out_of_scope", 0.2], ["ask_policy", 0.05], ["greet", 0.03]],
    }


def test_a_message_that_names_a_request_keeps_its_intent_and_ranking(outcome: dict) -> None:
    assert outcome["delete"]["intent"] == {"name": "request_unsubscribe", "confidence": 0.62}
    assert [name for name, _ in outcome["delete"]["ranking"]] == [
        "request_unsubscribe",
        "out_of_scope",
        "request_deletion",
        "ask_policy",
        "greet",
    ]


def test_with_only_request_intents_ranked_the_policy_answer_is_left(outcome: dict) -> None:
    assert outcome["only_requests"] == {
        "intent": {"name": "ask_policy", "confidence": 0.0},
        "ranking": [["ask_policy", 0.0]],
    }


def test_other_intents_are_never_touched(outcome: dict) -> None:
    assert [o["intent"]["name"] for o in outcome["others"]] == [
        "ask_policy",
        "out_of_scope",
        "inform",
        "stop",
        "nlu_fallback",
    ]
    assert all(len(o["ranking"]) == 2 for o in outcome["others"])


def test_every_request_training_example_keeps_its_intent(outcome: dict) -> None:
    """Read by Rasa's own loader, as `rasa train` reads them; but for the one opt-out the
    policy sends to the Jessops Photo website (data/nlu/requests.yml says why)."""
    blocks = yaml.safe_load((Path(PROJECT_ROOT) / "data/nlu/requests.yml").read_text())["nlu"]
    expected = sum(
        line.startswith("- ")
        for block in blocks
        if block.get("intent") in REQUEST_INTENTS
        for line in block["examples"].splitlines()
    )
    made_elsewhere = ["unsubscribe me from the jessops photo emails"]
    assert outcome["examples"] == {"count": expected, "demoted": made_elsewhere}


def test_a_weak_second_choice_becomes_nlu_fallback(outcome: dict) -> None:
    """The guard runs before FallbackClassifier, which judges what the guard left."""
    assert outcome["with_fallback"]["intent"] == {"name": "nlu_fallback", "confidence": 0.45}
    assert outcome["with_fallback"]["ranking"] == [["nlu_fallback", 0.45], ["ask_policy", 0.2]]


def test_a_button_payload_keeps_its_intent(outcome: dict) -> None:
    """The e2e button tests (test_request_dialogs.py) show the same through the server."""
    assert outcome["payload_after_guard"] == "ask_policy"
    assert outcome["payload"] == {"name": "request_unsubscribe", "confidence": 1.0}


def test_the_pipeline_runs_the_guard_between_diet_and_the_fallback() -> None:
    config = yaml.safe_load((Path(PROJECT_ROOT) / "config.yml").read_text())
    names = [component["name"] for component in config["pipeline"]]
    guard = names.index("rasa_server.request_guard.RequestGuard")
    assert names.index("DIETClassifier") < guard < names.index("FallbackClassifier")
