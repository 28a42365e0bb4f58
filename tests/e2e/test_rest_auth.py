"""The REST webhook behind REST_API_TOKEN: no token, no conversation.

The open webhook (no token configured) is covered by test_e2e_rest.py.
"""

from __future__ import annotations

import pytest
import requests

from stack.processes import Stack
from stack.rest_client import TIMEOUT_S, new_sender, send
from tests.support.stored_events import events

pytestmark = pytest.mark.e2e

QUESTION = "Is my card number safe when I pay online?"


def token(stack: Stack) -> str:
    return stack.settings.env["REST_API_TOKEN"]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong-token",
        "Bearer test-rest-token-and-more",
        "Bearer ",
        "test-rest-token",  # no scheme
        "Basic test-rest-token",
    ],
    ids=["missing", "wrong", "longer", "empty", "no-scheme", "basic"],
)
def test_request_without_the_token_is_refused_before_the_dialogue(
    secured_stack: Stack, authorization: str | None
) -> None:
    sender = new_sender("rest-auth")
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = send(secured_stack.settings.rest_webhook, sender, QUESTION, **headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "From our privacy policy" not in response.text
    assert events(secured_stack.settings.paths.tracker_db, sender) == []


def test_request_with_the_token_is_answered(secured_stack: Stack) -> None:
    sender = new_sender("rest-auth")
    response = send(
        secured_stack.settings.rest_webhook,
        sender,
        QUESTION,
        Authorization=f"Bearer {token(secured_stack)}",
    )
    assert response.status_code == 200
    text = "\n".join(m["text"] for m in response.json())
    assert "From our privacy policy" in text and "SSL" in text
    assert events(secured_stack.settings.paths.tracker_db, sender)


def test_scheme_is_case_insensitive(secured_stack: Stack) -> None:
    response = send(
        secured_stack.settings.rest_webhook,
        new_sender("rest-auth"),
        "hello",
        Authorization=f"bearer {token(secured_stack)}",
    )
    assert response.status_code == 200 and response.json()


def test_health_check_stays_open_for_load_balancers(secured_stack: Stack) -> None:
    health = requests.get(f"{secured_stack.settings.rasa_url}/webhooks/rest/", timeout=TIMEOUT_S)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
