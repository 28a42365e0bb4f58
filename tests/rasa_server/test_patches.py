"""The Rasa server's patches, run in the Rasa server's own interpreter (Python 3.10).

A valid action response passes; an invalid one is still rejected with Rasa's own error;
another Rasa version refuses to start; a tracker store that fails to import stops the
server, where Rasa alone falls back to memory. One interpreter run checks them all (Rasa
takes seconds to import): first Rasa as shipped, then patched.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.rasa_interpreter import run_in_rasa

CHECK = """
import json
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import create_tracker_store
from rasa.utils.endpoints import EndpointConfig
from rasa_server import patches

MISSING_STORE = EndpointConfig(type="stores.no_such_module.Store")
outcome = {}
try:
    create_tracker_store(MISSING_STORE)
except Exception as error:
    outcome["store_unpatched"] = type(error).__name__
else:
    outcome["store_unpatched"] = "in-memory store"

patches.apply()
action = RemoteAction("action_answer_policy", None)
valid = {"events": [{"event": "slot", "name": "last_question", "value": "q"}],
         "responses": [{"response": "utter_policy_quote", "quote": "q", "section": "s"}]}
outcome |= {"patched": RemoteAction._validate_action_result is patches.validate_action_result,
            "valid": action._validate_action_result(valid)}
try:
    action._validate_action_result({"events": "not a list"})
except ValidationError as error:
    outcome["error"] = error.message
try:
    patches.check_version("3.7.0")
except patches.UnsupportedRasa as refusal:
    outcome["refusal"] = str(refusal)
try:
    create_tracker_store(MISSING_STORE)
except patches.TrackerStoreNotLoaded as refusal:
    outcome["store_patched"] = str(refusal)
print(json.dumps(outcome))
"""


@pytest.fixture(scope="module")
def outcome() -> dict[str, Any]:
    return run_in_rasa(CHECK)


def test_valid_responses_pass_and_invalid_ones_get_rasas_own_error(outcome: dict) -> None:
    assert outcome["patched"] and outcome["valid"] is True
    assert outcome["error"].startswith("'not a list' is not of type 'array'")
    assert "Failed to validate Action server response from API" in outcome["error"]
    assert "3.6.21" in outcome["refusal"] and "3.7.0" in outcome["refusal"]


def test_a_tracker_store_that_fails_to_import_stops_the_server(outcome: dict) -> None:
    """Rasa alone falls back to memory (conversations unshared, lost on restart)."""
    assert outcome["store_unpatched"] == "in-memory store"
    assert "stores.no_such_module.Store" in outcome["store_patched"]
    assert "No module named 'stores.no_such_module'" in outcome["store_patched"]
