"""The data-request actions on small trackers: form checks, summary, storing, cancelling."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import policy_answers
from actions.request_confirmation import (
    ActionCancelRequest,
    ActionChangeField,
    ActionRequestSummary,
    ActionSubmitRequest,
)
from actions.request_form import CHECKS, ActionStartRequest, ValidateDataRequestForm
from data_requests.kinds import FORM_SLOTS
from data_requests.outbox import Outbox
from knowledge.answering.pipeline import Pipeline
from tests.support.trackers import tracker

FILLED = {
    "request_type": "deletion",
    "full_name": "Jane Doe",
    "email": "jane@example.com",
    "phone": "020 7946 0958",
    "postcode": "SW1A 1AA",
}


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


@pytest.fixture
def answers_from_test_index(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """A request's opening asks the answer pipeline: the test run's own index, not the
    server's ``var/index``."""
    monkeypatch.setattr(policy_answers, "pipeline", lambda: pipeline)


@pytest.fixture
def outbox_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "outbox.db"
    monkeypatch.setenv("OUTBOX_DB", str(path))
    return path


@pytest.mark.parametrize(
    ("intent", "kind"),
    [
        ("request_deletion", "deletion"),
        ("request_correction", "correction"),
        ("request_deactivation", "deactivation"),
        ("request_unsubscribe", "marketing_opt_out"),
    ],
)
@pytest.mark.usefixtures("answers_from_test_index")
def test_start_sets_the_kind_and_clears_old_details(intent: str, kind: str) -> None:
    dispatcher = CollectingDispatcher()
    events = run(ActionStartRequest().run(dispatcher, tracker("x", intent, slots=FILLED), {}))
    assert SlotSet("request_type", kind) in events
    assert SlotSet("email", None) in events
    assert dispatcher.messages[0]["response"] == "utter_request_intro"


CHANGING_DATA = "correcting-updating-deleting-deactivating-personal-information-1"


@pytest.mark.parametrize(
    ("text", "remembered"),
    [("please delete my data", ["please delete my data"]), ("/request_deletion", [])],
)
@pytest.mark.usefixtures("answers_from_test_index")
def test_the_words_that_open_a_request_are_what_a_follow_up_leans_on(
    text: str, remembered: list[str]
) -> None:
    """ "I need to change my email" then "how?": the second is read after the first."""
    events = run(
        ActionStartRequest().run(CollectingDispatcher(), tracker(text, "request_deletion"), {})
    )
    assert [e["value"] for e in events if e.get("name") == "last_question"] == remembered


@pytest.mark.parametrize(
    ("text", "slots", "quoted"),
    [
        ("please delete my data", {}, True),
        # The answer before quoted that clause, and the customer took its offer.
        ("please delete my data", {"answered_clauses": [CHANGING_DATA]}, False),
        ("/request_deletion", {}, False),
        ("x", {}, False),
    ],
)
@pytest.mark.usefixtures("answers_from_test_index")
def test_a_request_opens_with_its_clause_when_that_answers_the_customer(
    text: str, slots: dict, quoted: bool
) -> None:
    dispatcher = CollectingDispatcher()
    run(ActionStartRequest().run(dispatcher, tracker(text, "request_deletion", slots=slots), {}))
    responses = [message["response"] for message in dispatcher.messages]
    if quoted:
        assert responses == ["utter_policy_quote", "utter_request_intro"]
        assert "Correcting/Updating/Deleting" in dispatcher.messages[0]["section"]
        assert "emailing our Customer Support" in dispatcher.messages[0]["quote"]
    else:
        assert responses == ["utter_request_intro"]


@pytest.mark.parametrize(
    ("text", "intent", "requested", "taken"),
    [
        ("Li Wei", "ask_policy", "full_name", "Li Wei"),
        ("Harry Hill", "greet", "full_name", "Harry Hill"),
        # A question the policy answers is answered, not taken for a name.
        ("what about cookies", "ask_policy", "full_name", None),
        ("which lens is best for portraits", "out_of_scope", "full_name", None),
        # The customer's own controls always act.
        ("Holly Summers", "stop", "full_name", None),
        # Only the name: an email is never taken from a misread message.
        ("Li Wei", "ask_policy", "email", None),
    ],
)
@pytest.mark.usefixtures("answers_from_test_index")
def test_a_name_the_nlu_took_for_something_else_is_taken_as_the_name(
    text: str, intent: str, requested: str, taken: str | None
) -> None:
    track = tracker(text, intent, slots={"requested_slot": requested, "request_type": "deletion"})
    extracted = run(ValidateDataRequestForm().extract_full_name(CollectingDispatcher(), track, {}))
    assert extracted == ({"full_name": taken} if taken else {})


@pytest.mark.parametrize(
    ("kind", "asked"),
    [
        ("marketing_opt_out", ["full_name", "email"]),
        ("deletion", ["full_name", "email", "phone", "postcode"]),
        (
            "correction",
            [
                "full_name",
                "email",
                "phone",
                "postcode",
                "correction_field",
                "correction_current",
                "correction_new",
            ],
        ),
    ],
)
def test_the_form_asks_only_what_the_request_needs(kind: str, asked: list[str]) -> None:
    form = ValidateDataRequestForm()
    track = tracker(slots={"request_type": kind})
    assert run(form.required_slots(list(FORM_SLOTS), CollectingDispatcher(), track, {})) == asked


def cleared_by_start(kind: str) -> Tracker:
    """The tracker Rasa's form sends for validation right after ``action_start_request``:
    every slot that action cleared counts as "set since the last message"."""
    track = tracker("My delivery address is wrong", f"request_{kind}", slots={"request_type": kind})
    track.events += [
        {"event": "action", "name": "action_start_request"},
        *[{"event": "slot", "name": slot, "value": None} for slot in FORM_SLOTS],
        {"event": "slot", "name": "request_type", "value": kind},
        {"event": "active_loop", "name": "data_request_form"},
        {"event": "slot", "name": "requested_slot", "value": None},
        {"event": "action", "name": "data_request_form"},
        *[{"event": "slot", "name": slot, "value": None} for slot in FORM_SLOTS],
    ]
    track.slots.update(dict.fromkeys(FORM_SLOTS))
    return track


@pytest.mark.parametrize("kind", ["correction", "deletion"])
def test_slots_cleared_by_starting_a_request_are_not_checked_as_answers(kind: str) -> None:
    dispatcher = CollectingDispatcher()
    domain = {"forms": {"data_request_form": {"required_slots": list(FORM_SLOTS)}}}
    events = run(ValidateDataRequestForm().run(dispatcher, cleared_by_start(kind), domain))
    assert dispatcher.messages == []
    assert events[-1] == SlotSet("requested_slot", "full_name")
    assert all(e["value"] is None for e in events[:-1])


@pytest.mark.parametrize("kind", ["correction", "deletion", "deactivation", "marketing_opt_out"])
def test_the_form_names_the_first_question_when_it_starts_for_every_kind(kind: str) -> None:
    """Rasa validates the slots cleared by starting a request only when the form's first
    validation names no slot to ask (rasa-sdk's default for a correction, which needs
    every slot of the form)."""
    track = cleared_by_start(kind)
    track.events = track.events[: -len(FORM_SLOTS)]  # activation: nothing filled before
    domain = {"forms": {"data_request_form": {"required_slots": list(FORM_SLOTS)}}}
    dispatcher = CollectingDispatcher()
    events = run(ValidateDataRequestForm().run(dispatcher, track, domain))
    assert events == [SlotSet("requested_slot", "full_name")] and dispatcher.messages == []


def test_every_slot_has_its_own_validate_method() -> None:
    for slot in FORM_SLOTS:
        assert f"validate_{slot}" in vars(ValidateDataRequestForm)
        assert slot in CHECKS
    with pytest.raises(AttributeError):
        ValidateDataRequestForm().validate_shoe_size  # noqa: B018


def test_markup_is_refused_as_a_name_with_a_reason() -> None:
    form, dispatcher = ValidateDataRequestForm(), CollectingDispatcher()
    result = run(form.validate_full_name("<script>alert(3)</script>", dispatcher, tracker(), {}))
    assert result == {"full_name": None}
    assert "doesn't look like a name" in dispatcher.messages[0]["text"]
    ok = run(form.validate_full_name("Siân O'Neill-Brown", CollectingDispatcher(), tracker(), {}))
    assert ok == {"full_name": "Siân O'Neill-Brown"}


def test_a_corrected_name_is_checked_as_a_name() -> None:
    form = ValidateDataRequestForm()
    track = tracker(slots={"correction_field": "my surname"})
    bad = run(form.validate_correction_new("<b>Smith</b>", CollectingDispatcher(), track, {}))
    assert bad == {"correction_new": None}
    ok = run(form.validate_correction_new("José Ángel", CollectingDispatcher(), track, {}))
    assert ok == {"correction_new": "José Ángel"}


def test_a_bad_answer_gets_its_reason_and_is_asked_again() -> None:
    form, dispatcher = ValidateDataRequestForm(), CollectingDispatcher()
    result = run(form.validate_email("jane@", dispatcher, tracker(), {}))
    assert result == {"email": None}
    assert "valid email" in dispatcher.messages[0]["text"]
    good = run(form.validate_email("Jane@Example.com", CollectingDispatcher(), tracker(), {}))
    assert good == {"email": "Jane@example.com"}


def test_a_corrected_email_is_checked_as_an_email() -> None:
    form = ValidateDataRequestForm()
    track = tracker(slots={"correction_field": "my email address"})
    bad = run(form.validate_correction_new("not-an-email", CollectingDispatcher(), track, {}))
    assert bad == {"correction_new": None}
    other = tracker(slots={"correction_field": "my postal address"})
    ok = run(form.validate_correction_new("12 High St", CollectingDispatcher(), other, {}))
    assert ok == {"correction_new": "12 High St"}
    house = tracker(slots={"correction_field": "my house number"})
    ok = run(form.validate_correction_new("12", CollectingDispatcher(), house, {}))
    assert ok == {"correction_new": "12"}


def test_summary_lists_the_details_and_fixes_a_submission_key() -> None:
    dispatcher = CollectingDispatcher()
    events = run(ActionRequestSummary().run(dispatcher, tracker(slots=FILLED), {}))
    summary = dispatcher.messages[0]["summary"]
    assert "- Email: jane@example.com" in summary and "- Postcode: SW1A 1AA" in summary
    assert SlotSet("awaiting_confirmation", True) in events
    key = next(e["value"] for e in events if e["name"] == "request_key")
    again = run(
        ActionRequestSummary().run(
            CollectingDispatcher(), tracker(slots={**FILLED, "request_key": key}), {}
        )
    )
    assert SlotSet("request_key", key) in again


def test_confirming_stores_once_gives_a_reference_and_clears_contact_details(
    outbox_db: Path,
) -> None:
    slots = {**FILLED, "request_key": "abc123", "awaiting_confirmation": True}
    dispatcher = CollectingDispatcher()
    events = run(ActionSubmitRequest().run(dispatcher, tracker("yes", "affirm", slots=slots), {}))
    [message] = dispatcher.messages
    assert message["response"] == "utter_request_awaiting_code"  # a deletion needs a code
    assert message["reference"].startswith("JES-") and message["email"] == "jane@example.com"
    for slot in ("full_name", "email", "phone", "postcode", "request_key"):
        assert SlotSet(slot, None) in events
    assert SlotSet("verifying_reference", message["reference"]) in events
    # The same confirmation again (a retried HTTP call, a double click): one request.
    run(
        ActionSubmitRequest().run(CollectingDispatcher(), tracker("yes", "affirm", slots=slots), {})
    )
    [stored] = Outbox(outbox_db).list()
    assert stored.reference == message["reference"]
    assert stored.status == "awaiting_verification"
    assert stored.details == {k: v for k, v in FILLED.items() if k != "request_type"}


def test_a_skipped_detail_is_stored_as_null(outbox_db: Path) -> None:
    slots = {**FILLED, "phone": "not given", "request_key": "k", "awaiting_confirmation": True}
    confirmed = tracker("yes", "affirm", slots=slots)
    run(ActionSubmitRequest().run(CollectingDispatcher(), confirmed, {}))
    [stored] = Outbox(outbox_db).list()
    assert stored.details["phone"] is None and stored.details["postcode"] == "SW1A 1AA"


def test_an_outbox_that_cannot_be_written_never_claims_receipt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("OUTBOX_DB", str(blocker / "outbox.db"))
    slots = {**FILLED, "request_key": "abc123", "awaiting_confirmation": True}
    dispatcher = CollectingDispatcher()
    events = run(ActionSubmitRequest().run(dispatcher, tracker("yes", "affirm", slots=slots), {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_request_not_stored"]
    assert events == []  # details kept, so the customer can try again


@pytest.mark.parametrize(
    ("text", "entities", "cleared"),
    [
        ("", [{"entity": "field", "value": "email"}], "email"),
        ("the postcode is wrong", [], "postcode"),
        ("change my name", [], "full_name"),
    ],
)
def test_change_clears_the_named_detail(text: str, entities: list, cleared: str) -> None:
    track = tracker(text, "change_field", slots={**FILLED, "awaiting_confirmation": True})
    track.latest_message["entities"] = entities
    events = run(ActionChangeField().run(CollectingDispatcher(), track, {}))
    assert events == [SlotSet(cleared, None), SlotSet("awaiting_confirmation", False)]


def test_change_without_a_detail_offers_buttons() -> None:
    dispatcher = CollectingDispatcher()
    track = tracker("change something", "change_field", slots=FILLED)
    events = run(ActionChangeField().run(dispatcher, track, {}))
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["Name", "Email", "Phone", "Postcode"]
    assert events[0]["name"] == "action_listen"


def test_cancel_forgets_everything(outbox_db: Path) -> None:
    dispatcher = CollectingDispatcher()
    events = run(ActionCancelRequest().run(dispatcher, tracker("cancel", "stop", slots=FILLED), {}))
    assert ActiveLoop(None) in events and SlotSet("email", None) in events
    assert dispatcher.messages[0]["response"] == "utter_request_cancelled"
    assert Outbox(outbox_db).list() == []
