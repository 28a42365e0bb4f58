"""Random and hostile input at the REST webhook and the form validators: nothing crashes.

The webhook examples go to the running stack, so they are few and have no deadline; the
validators are plain functions, so they get many.
"""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_requests import validators
from stack.processes import Stack
from stack.rest_client import TIMEOUT_S

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
MESSAGES = st.text(max_size=200) | st.text(min_size=2000, max_size=6000) | JSON_VALUES
# Valid JSON bodies: the usual shape with odd values, or any JSON at all.
BODIES = (
    st.fixed_dictionaries(
        {"message": MESSAGES},
        optional={"sender": st.text(max_size=40) | JSON_SCALARS, "metadata": JSON_VALUES},
    )
    | JSON_VALUES
)
MALFORMED = st.sampled_from(
    [b"{", b'{"sender": "x", "message": }', b"\xff\xfe", b"not json", b'{"a": 1}}']
)
CHECKS = [
    validators.check_name,
    validators.check_email,
    validators.check_phone,
    validators.check_postcode,
    validators.check_detail,
]


def post(stack: Stack, body: bytes) -> requests.Response:
    return requests.post(
        stack.settings.rest_webhook,
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT_S,
    )


@pytest.mark.e2e
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODIES)
def test_any_json_body_gets_200_and_a_reply(stack: Stack, body: object) -> None:
    if isinstance(body, dict) and not isinstance(body.get("sender"), str):
        body["sender"] = f"fuzz-{uuid.uuid4().hex[:8]}"  # keep each example's conversation apart
    response = post(stack, json.dumps(body).encode())
    assert response.status_code == 200, response.text
    assert any(message.get("text") for message in response.json())


@pytest.mark.e2e
@settings(max_examples=10, deadline=None)
@given(body=MALFORMED)
def test_malformed_json_is_a_client_error_and_the_server_stays_up(
    stack: Stack, body: bytes
) -> None:
    assert 400 <= post(stack, body).status_code < 500
    assert requests.get(f"{stack.settings.rasa_url}/webhooks/rest/", timeout=10).ok
    assert not stack.stopped_services()


@settings(max_examples=500)
@given(value=st.text() | st.text(min_size=300, max_size=3000) | JSON_SCALARS)
def test_validators_accept_or_explain_anything(value: object) -> None:
    for check in CHECKS:
        result = check(value)
        assert (result.value is None) != (result.problem is None), check.__name__
