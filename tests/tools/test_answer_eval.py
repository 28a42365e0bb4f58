"""`make eval` judges replies by their wording: it must know every reply the domain has."""

from __future__ import annotations

import pytest
import yaml

from settings import PROJECT_ROOT
from tools.answer_eval import kind_of, says_policy_silent

RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def text_of(response: str) -> str:
    return RESPONSES[response][0]["text"]


@pytest.mark.parametrize(
    ("response", "kind", "silent"),
    [
        ("utter_policy_quote", "quote", False),
        ("utter_policy_does_not_say", "hedge", False),
        ("utter_policy_silent", "silent", True),
        ("utter_out_of_scope", "out_of_scope", True),
        ("utter_did_you_mean", "choice", False),
        ("utter_greet", "away", False),
    ],
)
def test_each_reply_is_judged_by_its_kind(response: str, kind: str, silent: bool) -> None:
    text = text_of(response)
    assert kind_of(text) == kind
    assert says_policy_silent(text) is silent
