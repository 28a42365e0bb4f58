"""The email customer service receives for one request: plain, complete, and safe.

Customer text only ever goes in the body and the JSON attachment. The one header
built from customer input is Reply-To, and only from an address that passed
``email-validator``. The Message-ID is derived from the request, so a message sent
twice after a crash is recognisably the same message.
"""

from __future__ import annotations

import json
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from data_requests.kinds import BY_NAME, SLOT_LABELS
from data_requests.outbox import UK, StoredRequest
from data_requests.validators import SKIPPED, check_email, given
from settings import RequestSettings


def message_id(request: StoredRequest, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{request.reference}.{request.submission_key[:16]}@{domain}>"


def as_record(request: StoredRequest) -> dict:
    """The machine-readable form of the request (the JSON attachment)."""
    return {
        "reference": request.reference,
        "type": request.kind,
        "received_at": request.received_at.isoformat(),
        "due_on": request.due_on.isoformat(),
        "channel": request.channel,
        # A detail the customer skipped is null, not the words "not given".
        "customer": {slot: given(value) for slot, value in request.details.items()},
    }


def body(request: StoredRequest) -> str:
    kind = BY_NAME[request.kind]
    received = request.received_at.astimezone(UK)
    lines = [
        f"A customer asked the privacy assistant to {kind.third_person}.",
        "",
        f"Reference:   {request.reference}",
        f"Request:     {request.kind}",
        f"Received:    {received:%d %B %Y, %H:%M %Z}",
        f"Respond by:  {request.due_on:%d %B %Y} (one calendar month from receipt)",
        f"Channel:     {request.channel}",
        "",
        "Customer details as given (the email address was checked for form only):",
    ]
    lines += [
        f"  {SLOT_LABELS[slot] + ':':<19}{given(request.details[slot]) or SKIPPED}"
        for slot in SLOT_LABELS
        if slot in request.details
    ]
    lines += ["", "The same details are attached as request.json.", ""]
    return "\n".join(lines)


def compose(request: StoredRequest, settings: RequestSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[{request.reference}] Data request: {request.kind}"
    message["From"] = Address("Jessops privacy assistant", addr_spec=settings.sender)
    message["To"] = settings.mailbox
    message["Date"] = format_datetime(request.received_at)
    message["Message-ID"] = message_id(request, settings.sender)
    reply_to = check_email(request.details.get("email"))
    if reply_to.ok:
        message["Reply-To"] = reply_to.value
    message.set_content(body(request))
    message.add_attachment(
        json.dumps(as_record(request), indent=2, ensure_ascii=False).encode(),
        maintype="application",
        subtype="json",
        filename="request.json",
    )
    return message
