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
