"""End to end: a data request over the REST webhook arrives as an email at the SMTP sink."""

from __future__ import annotations

import pytest

from data_requests.outbox import Outbox
from stack.processes import Stack
from stack.rest_client import converse as talk
from stack.rest_client import new_sender, reference_in
from tests.support.smtp_servers import code_mailed, wait_for_mail

pytestmark = pytest.mark.e2e


def converse(stack: Stack, turns: list[str]) -> list[str]:
    return talk(stack.settings.rest_webhook, turns, new_sender("req"))


def test_delete_my_data_from_chat_to_customer_service_mailbox(stack: Stack) -> None:
    webhook, customer = stack.settings.rest_webhook, new_sender("req")
    replies = talk(
        webhook,
        ["please delete my data", "Jane Doe", "jane.doe@example.com", "skip", "SW1A 1AA", "yes"],
        customer,
    )
    assert "full name" in replies[0]
    assert "email address" in replies[1]
    assert "phone" in replies[2] and "postcode" in replies[3]
    assert "Jane Doe" in replies[4] and "Shall I send it" in replies[4]
    assert "6-digit code to jane.doe@example.com" in replies[5]
    reference = reference_in(replies[5])
    mail_dir = stack.settings.paths.mail_dir
    code = code_mailed(mail_dir, reference, "jane.doe@example.com")
    # A code typed in another conversation verifies nothing.
    assert "no request waiting for a code" in talk(webhook, [code], new_sender("other"))[0]
    assert "email address is confirmed" in talk(webhook, [code], customer)[0]
    message = wait_for_mail(mail_dir, reference, "cs@jessops.com")
    assert message["Reply-To"] == "jane.doe@example.com"
    body = message.get_body(("plain",)).get_content()
    assert "Jane Doe" in body and "SW1A 1AA" in body and "Channel:     rest" in body


def test_bad_email_gets_a_reason_and_a_second_chance(stack: Stack) -> None:
    replies = converse(
        stack, ["unsubscribe me from marketing emails", "Sam Smith", "sam@", "sam@example.com"]
    )
    assert "isn't a valid email address" in replies[2]
    assert "Shall I send it" in replies[3] and "sam@example.com" in replies[3]


def test_policy_question_in_the_middle_then_carry_on(stack: Stack) -> None:
    replies = converse(
        stack, ["close my account", "Ann Lee", "do you keep my card details?", "ann@example.com"]
    )
    assert "From our privacy policy" in replies[2] and "email address" in replies[2]
    assert "phone" in replies[3]


def test_cancel_sends_nothing(stack: Stack) -> None:
    before = len(Outbox(stack.settings.paths.outbox_db).list())
    replies = converse(stack, ["deactivate my account", "Ann Lee", "never mind"])
    assert "cancelled" in replies[2]
    assert len(Outbox(stack.settings.paths.outbox_db).list()) == before


def test_request_confirmed_while_relay_down_is_sent_after_the_action_server_restarts(
    stack: Stack,
) -> None:
    stack.service("relay").stop()
    try:
        replies = converse(
            stack, ["stop sending me marketing emails", "Kim Park", "kim@example.com", "yes"]
        )
        reference = reference_in(replies[-1])
        stack.service("action-server").kill()  # killed after confirmation, before sending
        stack.restart("action-server")
    finally:
        stack.restart("relay")
    message = wait_for_mail(stack.settings.paths.mail_dir, reference, "cs@jessops.com")
    assert "marketing_opt_out" in message["Subject"]
