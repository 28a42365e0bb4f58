"""End to end on the running stack: what is stored, what is logged, what is exposed, and
what the customer hears when the action server is down."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
import requests

from data_requests.outbox import Outbox
from monitoring.logs import conversation_hash
from stack.processes import Stack
from stack.rest_client import new_sender, reference_in, reply_text
from tests.support.smtp_servers import code_mailed, wait_for_mail
from tests.support.stored_events import events

pytestmark = pytest.mark.e2e

VISA = "4111 1111 1111 1111"
CUSTOMER = {
    "full_name": "Jane Quayle",
    "email": "p.quayle-ormsby@example.org",
    "phone": "07911 123456",
    "postcode": "LS1 4AP",
}


def on_disk(tracker_db: Path) -> bytes:
    """Every byte of the tracker store's files: the database and its write-ahead log."""
    return b"".join(p.read_bytes() for p in tracker_db.parent.glob(f"{tracker_db.name}*"))


def stored(stack: Stack, sender: str) -> str:
    """Everything stored for ``sender``, as one string."""
    return json.dumps(events(stack.settings.paths.tracker_db, sender))


def request_conversation(stack: Stack, sender: str) -> list[str]:
    turns = [
        "please delete my data",
        CUSTOMER["full_name"],
        f"my email is {CUSTOMER['email']}",
        CUSTOMER["phone"],
        CUSTOMER["postcode"],
        "yes",
    ]
    return [reply_text(stack.settings.rest_webhook, sender, turn) for turn in turns]


def test_a_card_number_is_never_stored_and_the_bot_warns(stack: Stack) -> None:
    sender = new_sender("card")
    reply = reply_text(stack.settings.rest_webhook, sender, f"my card number is {VISA}")
    assert "never send card details" in reply
    conversation = stored(stack, sender)
    assert "**** **** **** 1111" in conversation
    assert VISA not in conversation and "4111111111111111" not in conversation
    assert VISA.encode() not in on_disk(stack.settings.paths.tracker_db)


def test_contact_details_leave_the_conversation_once_the_request_is_stored(
    stack: Stack,
) -> None:
    sender = new_sender("mask")
    webhook = stack.settings.rest_webhook
    replies = [reply_text(webhook, sender, "please delete my data")]
    replies.append(reply_text(webhook, sender, CUSTOMER["full_name"]))
    # While the form runs the details stay readable: Rasa reloads them every turn.
    assert CUSTOMER["full_name"] in stored(stack, sender)
    replies += [
        reply_text(webhook, sender, turn)
        for turn in (CUSTOMER["email"], CUSTOMER["phone"], CUSTOMER["postcode"])
    ]
    assert CUSTOMER["full_name"] in replies[-1] and "Shall I send it" in replies[-1]
    reference = reference_in(reply_text(webhook, sender, "yes"))

    conversation = stored(stack, sender)
    raw = on_disk(stack.settings.paths.tracker_db)
    for value in (*CUSTOMER.values(), "07911123456", "+447911123456"):
        assert value not in conversation, value
        assert value.encode() not in raw, value
    assert "J*** Q*****" in conversation, "kept masked, the conversation reads on"

    request = Outbox(stack.settings.paths.outbox_db).get(reference)
    assert request is not None and request.details["full_name"] == CUSTOMER["full_name"]
    # The code the customer types is masked before the conversation is stored.
    mail_dir = stack.settings.paths.mail_dir
    code = code_mailed(mail_dir, reference, CUSTOMER["email"])
    assert "confirmed" in reply_text(webhook, sender, f"my code is {code}")
    assert code not in stored(stack, sender) and code.encode() not in on_disk(
        stack.settings.paths.tracker_db
    )
    assert "my code is ******" in stored(stack, sender)
    body = wait_for_mail(mail_dir, reference, "cs@jessops.com").get_body(("plain",)).get_content()
    assert CUSTOMER["email"] in body and CUSTOMER["postcode"] in body and code not in body


def test_a_cancelled_request_leaves_no_contact_details(stack: Stack) -> None:
    sender = new_sender("cancel")
    for turn in ("close my account", CUSTOMER["full_name"], CUSTOMER["email"], "never mind"):
        reply_text(stack.settings.rest_webhook, sender, turn)
    conversation = stored(stack, sender)
    assert CUSTOMER["full_name"] not in conversation and CUSTOMER["email"] not in conversation


def log_files(stack: Stack) -> dict[Path, str]:
    folder = stack.settings.paths.var_dir / "logs"
    return {path: path.read_text(errors="replace") for path in folder.iterdir() if path.is_file()}


def test_logs_hold_no_message_text_and_no_contact_details(stack: Stack) -> None:
    sender = new_sender("logs")
    question = "Does Jessops pass my shopping history to advertisers?"
    reply_text(stack.settings.rest_webhook, sender, question)
    request_conversation(stack, sender)
    reply_text(stack.settings.rest_webhook, sender, f"card {VISA}")
    hung_up = "What does Jessops do with the photos I upload?"
    with contextlib.suppress(requests.Timeout):  # a client that hangs up before the reply
        requests.post(
            stack.settings.rest_webhook, json={"sender": sender, "message": hung_up}, timeout=0.05
        )
    reply_text(stack.settings.rest_webhook, sender, "thanks")  # the server is still there
    secrets = [question, hung_up, *CUSTOMER.values(), VISA, "please delete my data"]
    logs = log_files(stack)
    assert any("rasa-server" in path.name for path in logs)
    for path, text in logs.items():
        for secret in [*secrets, sender]:
            assert secret not in text, f"{secret!r} in {path.name}"
    # One JSON line per event, tied to the turn and the conversation by ids only.
    ours = {name: json_lines(logs, name, conversation_hash(sender)) for name in SERVERS}
    turns = [line for line in ours["rasa-server"] if line["event"] == "turn"]
    actions = [line for line in ours["action-server"] if line["event"] == "action"]
    assert len(turns) >= 8 and actions and all(line["level"] == "INFO" for line in turns)
    assert {line["request_id"] for line in actions} <= {line["request_id"] for line in turns}
    assert all(line["request_id"] and line["seconds"] >= 0 for line in turns + actions)
    stored = [line for line in ours["action-server"] if line["event"].startswith("stored request")]
    assert len(stored) == 1 and stored[0]["request_id"] in {line["request_id"] for line in turns}


SERVERS = ("rasa-server", "action-server")


def json_lines(logs: dict[Path, str], server: str, conversation: str) -> list[dict]:
    """The JSON lines of ``server``'s log that belong to ``conversation``."""
    [text] = [text for path, text in logs.items() if path.name == f"{server}.log"]
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("conversation") == conversation]


def test_rasa_telemetry_is_off(stack: Stack) -> None:
    pid = stack.service("rasa-server").process.pid
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert b"RASA_TELEMETRY_ENABLED=false" in environ


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/conversations/someone/tracker"),
        ("POST", "/conversations/someone/messages"),
        ("POST", "/model/parse"),
        ("GET", "/domain"),
        ("PUT", "/model"),
    ],
)
def test_the_rasa_http_api_is_not_exposed(stack: Stack, method: str, path: str) -> None:
    response = requests.request(
        method, f"{stack.settings.rasa_url}{path}", json={"text": "hi"}, timeout=10
    )
    assert response.status_code in {403, 404, 405}


def test_without_the_action_server_the_bot_gives_the_contact_route_then_recovers(
    stack: Stack,
) -> None:
    sender = new_sender("down")
    stack.service("action-server").stop()
    try:
        reply = reply_text(stack.settings.rest_webhook, sender, "Do you sell my data?")
        assert "cs@jessops.com" in reply and "0845 458 7005" in reply
    finally:
        stack.restart("action-server")
    reply = reply_text(stack.settings.rest_webhook, sender, "Do you sell my data?")
    assert "From our privacy policy" in reply


def listening_addresses(port: int) -> set[str]:
    """Local IPv4/IPv6 addresses (hex, as /proc/net shows them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_the_servers_listen_on_loopback_only(stack: Stack) -> None:
    loopback = "0100007F"  # 127.0.0.1, little-endian hex
    assert listening_addresses(stack.settings.action_port) == {loopback}
    assert listening_addresses(stack.settings.rasa_port) == {loopback}
