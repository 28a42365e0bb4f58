"""The Rasa server's patch, run in the Rasa server's own interpreter (Python 3.10).

A valid action response passes; an invalid one is still rejected with Rasa's own error;
another Rasa version refuses to start.
"""

from __future__ import annotations

from tests.support.rasa_interpreter import run_in_rasa

CHECK = """
import json
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa_server import patches

patches.apply()
action = RemoteAction("action_answer_policy", None)
valid = {"events": [{"event": "slot", "name": "last_question", "value": "q"}],
         "responses": [{"response": "utter_policy_quote", "quote": "q", "section": "s"}]}
outcome = {"patched": RemoteAction._validate_action_result is patches.validate_action_result,
           "valid": action._validate_action_result(valid)}
try:
    action._validate_action_result({"events": "not a list"})
except ValidationError as error:
    outcome["error"] = error.message
try:
    patches.check_version("3.7.0")
except patches.UnsupportedRasa as refusal:
    outcome["refusal"] = str(refusal)
print(json.dumps(outcome))
"""


def test_valid_responses_pass_and_invalid_ones_get_rasas_own_error() -> None:
    outcome = run_in_rasa(CHECK)
    assert outcome["patched"] and outcome["valid"] is True
    assert outcome["error"].startswith("'not a list' is not of type 'array'")
    assert "Failed to validate Action server response from API" in outcome["error"]
    assert "3.6.21" in outcome["refusal"] and "3.7.0" in outcome["refusal"]


MISSING_STORE = """
import json
from rasa.core.tracker_store import InMemoryTrackerStore, create_tracker_store
from rasa.utils.endpoints import EndpointConfig
from rasa_server import patches

outcome = {}
try:
    create_tracker_store(EndpointConfig(type="stores.no_such_module.Store"))
except Exception as error:
    outcome["unpatched"] = type(error).__name__
else:
    outcome["unpatched"] = "in-memory store"
patches.apply()
try:
    create_tracker_store(EndpointConfig(type="stores.no_such_module.Store"))
except patches.TrackerStoreNotLoaded as refusal:
    outcome["patched"] = str(refusal)
print(json.dumps(outcome))
"""


def test_a_tracker_store_that_fails_to_import_stops_the_server() -> None:
    """Rasa alone falls back to memory (conversations unshared, lost on restart)."""
    outcome = run_in_rasa(MISSING_STORE)
    assert outcome["unpatched"] == "in-memory store"
    assert "stores.no_such_module.Store" in outcome["patched"]
    assert "No module named 'stores.no_such_module'" in outcome["patched"]
