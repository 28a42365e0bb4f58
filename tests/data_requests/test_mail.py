"""The email customer service receives: about the customer, in the third person; a
detail the customer did not give is null in request.json and "not given" in the body."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from data_requests.kinds import KINDS
from data_requests.mail import as_record, body, compose
from data_requests.outbox import Outbox
from data_requests.validators import SKIPPED
from settings import RequestSettings

RECEIVED = datetime(2026, 1, 31, 9, 30, tzinfo=timezone.utc)
THIRD_PERSON = {
    "correction": "correct or update their personal details",
    "deletion": "delete their personal data and close their account",
    "deactivation": "deactivate their account",
    "marketing_opt_out": "stop marketing emails to their address",
    "access": "send them a copy of the personal data Jessops holds about them",
    "callback": "call them back",
}


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox.db")


def settings(tmp_path: Path) -> RequestSettings:
    """The shipped defaults: the mail goes to cs@jessops.com as a customer's would."""
    return RequestSettings.from_env({"VAR_DIR": str(tmp_path)})


def test_every_kind_has_a_third_person_wording() -> None:
    assert {kind.name: kind.third_person for kind in KINDS} == THIRD_PERSON
    for kind in KINDS:
        assert "your" not in kind.third_person.split()


@pytest.mark.parametrize("kind", sorted(THIRD_PERSON))
def test_the_body_speaks_of_the_customer_in_the_third_person(outbox: Outbox, kind: str) -> None:
    details = {"full_name": "Jane Doe", "email": "jane@example.com"}
    request = outbox.submit(f"key-{kind}", kind, details, "rest", now=RECEIVED)
    first_line = body(request).splitlines()[0]
    assert first_line == f"A customer asked the privacy assistant to {THIRD_PERSON[kind]}."


def test_a_detail_not_given_is_null_in_the_record_and_said_in_the_body(
    outbox: Outbox, tmp_path: Path
) -> None:
    details = {
        "full_name": "Jane Doe",
        "email": "jane@example.com",
        "phone": None,  # skipped, as the assistant stores it
        "postcode": SKIPPED,  # as a request stored before skipped details were null
    }
    request = outbox.submit("key-1", "deletion", details, "rest", now=RECEIVED)
    message = compose(request, settings(tmp_path))
    text = message.get_body(("plain",)).get_content()
    assert "  Phone:             not given\n" in text
    assert "  Postcode:          not given\n" in text
    [attachment] = list(message.iter_attachments())
    customer = json.loads(attachment.get_content())["customer"]
    assert customer == {
        "full_name": "Jane Doe",
        "email": "jane@example.com",
        "phone": None,
        "postcode": None,
    }
    assert as_record(request)["customer"] == customer
