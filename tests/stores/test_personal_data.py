"""When a finished request's contact details may be masked in the stored conversation."""

from __future__ import annotations

from stores.personal_data import personal_values, request_finished

CLEARED = {
    "request_type": None,
    "full_name": None,
    "email": None,
    "phone": None,
    "postcode": None,
    "correction_current": None,
    "correction_new": None,
}


def test_a_stored_or_cancelled_request_is_finished() -> None:
    assert request_finished(["full_name", "email", "request_type"], CLEARED, None)


def test_a_refused_answer_mid_form_is_not() -> None:
    slots = CLEARED | {"request_type": "deletion", "full_name": "Jane Doe"}
    assert not request_finished(["email"], slots, "data_request_form")


def test_a_turn_that_cleared_nothing_personal_is_not() -> None:
    assert not request_finished(["last_question", "correction_field"], CLEARED, None)


def test_a_new_request_starting_is_not() -> None:
    assert not request_finished(["full_name"], CLEARED | {"request_type": "correction"}, None)


def test_personal_values_are_every_string_a_personal_slot_held() -> None:
    events = [
        {"event": "slot", "name": "full_name", "value": "Jane Doe"},
        {"event": "slot", "name": "email", "value": "jane@example.com"},
        {"event": "slot", "name": "email", "value": None},
        {"event": "slot", "name": "correction_field", "value": "postal address"},
        {"event": "slot", "name": "correction_new", "value": "1 High St"},
        {"event": "user", "text": "Jane Doe"},
    ]
    assert personal_values(events) == {"Jane Doe", "jane@example.com", "1 High St"}
