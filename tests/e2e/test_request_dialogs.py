"""End to end over REST: every request dialog, turn by turn, as the customer reads it.

Each bot turn is compared whole (the joined text of all its messages), so a stray
message anywhere fails the test. The reference and the due date change from run to
run: expected texts name them (and the time received) as {reference}, {due_date} and
{received_at}, matched by pattern.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from stack.processes import Stack
from stack.rest_client import REFERENCE, new_sender, reference_in, reply_text, send
from tests.support.smtp_servers import RECEIPT_SUBJECT, code_mailed, mails_about, wait_for_mail

pytestmark = pytest.mark.e2e

# --- what the customer reads (domain.yml's responses, filled in) -----------------------

LABELS = {
    "correction": "correct or update your personal details",
    "deletion": "delete your personal data and close your account",
    "deactivation": "deactivate your account",
    "marketing_opt_out": "stop marketing emails to your address",
    "access": "send you a copy of the personal data Jessops holds about you",
}
THIRD_PERSON = {
    "correction": "correct or update their personal details",
    "deletion": "delete their personal data and close their account",
    "deactivation": "deactivate their account",
    "marketing_opt_out": "stop marketing emails to their address",
    "access": "send them a copy of the personal data Jessops holds about them",
}
# Every kind but the opt-out waits for the code mailed to the customer's address.
NEEDS_CODE = {"correction", "deletion", "deactivation", "access"}
GREETING = (
    "Hello! I'm the Jessops privacy assistant. Ask me anything about how Jessops handles "
    "your personal information."
)
ASK_NAME = "What's your full name, as it appears on your Jessops account?"
ASK_EMAIL = "What email address is on your account?"
ASK_PHONE = 'What phone number is on your account? This is optional: say "skip" to leave it out.'
ASK_POSTCODE = 'And the postcode on your account? Also optional: say "skip" to leave it out.'
ASK_FIELD = (
    "Which detail is wrong or out of date? (for example: name, email, phone, postal address "
    "or postcode)"
)
ASK_CURRENT = "What does it say at the moment?"
ASK_NEW = "What should it say instead?"
ASK_WHAT_TO_CHANGE = "Which detail would you like to change?"
NOT_A_NAME = (
    "That doesn't look like a name: a name has only letters, spaces, hyphens and apostrophes."
)
PHONE_PROBLEM = "That isn't a phone number I recognise. Try e.g. 07911 123456, or say 'skip'."
EMAIL_PROBLEM = "That isn't a valid email address: There must be something after the @-sign."
OFFER = "Would you like me to pass a request to customer service for you?"
LINES = {
    "full_name": "Name",
    "email": "Email",
    "phone": "Phone",
    "postcode": "Postcode",
    "correction_field": "Detail to correct",
    "correction_current": "Currently",
    "correction_new": "Should be",
}
# Where a text has the run's reference or due date, and what they look like.
VARIABLE = {"{reference}": REFERENCE.pattern, "{due_date}": r"\d{2} [A-Z][a-z]+ \d{4}"}
RECEIVED_AT = r"\d{2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} (GMT|BST)"


CHANGING_DATA = (
    "From our privacy policy (Sharing › Correcting/Updating/Deleting/Deactivating Personal "
    "Information):\n\"If a user's personally identifiable information changes (such as "
    "postcode, phone, email or postal address), or if a user no longer desires our service, "
    "we provide a way to correct, update or delete/deactivate users' personally identifiable "
    "information. This can be done by emailing our Customer Support at cs@jessops.com. Or, "
    "contact us by telephone or postal mail at the contact information listed at the bottom "
    'of this page."\n'
)
YOUR_ACCOUNT = (
    "From our privacy policy (Information collection and use › Your Account):\n"
    '"Creating "Your Account" is optional, and registration is not essential to make a '
    "purchase. Customers who choose to create an account are subject to the same Privacy "
    "Policy as non-account users. We may ask for additional information from users who sign "
    "up for an account, including an additional, alternate delivery address. We will not "
    "share this information with third parties, except for the purposes of fulfilling an "
    "order. We send update emails to our registered users from time to time, to keep them up "
    "to date with product launches, promotions and site news. Registered users can opt-out "
    "of these emails at the time of registration, or by replying to the original email with "
    'the word "unsubscribe" in the subject line, or by emailing webmaster@jessops.com."\n'
)
NEWSLETTER = (
    'From our privacy policy (Communications from the site › Newsletter):\n"If a user '
    "wishes to subscribe to our newsletter, we ask for contact information such as name and "
    "email address. Out of respect for our users privacy we provide a way to opt-out of these "
    'communications. Please see the Choice and Opt-out sections."\n'
)
# A request opens with the clause that gives it when the answer pipeline finds that
# clause answers the customer's words (actions/request_form.py, ``grounding``); these
# are the openings it answers so. The rest, and a button's payload, open with the form.
GROUNDED = {
    "My delivery address is wrong, I need to correct it": CHANGING_DATA,
    "I need to update my email address": CHANGING_DATA,
    "my surname changed when I got married, can you update it": CHANGING_DATA,
    "the phone number on my account is out of date": CHANGING_DATA,
    "I've got a new phone number": CHANGING_DATA,
    "my surname is spelt wrong on my account": CHANGING_DATA,
    "please delete my data": CHANGING_DATA,
    "I want you to erase all my personal information": CHANGING_DATA,
    "close my account please": CHANGING_DATA,
    "deactivate my account": CHANGING_DATA,
    "I'd like to disable my account for now": CHANGING_DATA,
    "stop sending me marketing emails": YOUR_ACCOUNT,
    "unsubscribe me from your newsletter": NEWSLETTER,
    "I don't want any more promotional emails from you": YOUR_ACCOUNT,
}


def opening(kind: str, message: str) -> str:
    """The first reply to ``message`` when it opens a request of ``kind``."""
    return (
        GROUNDED.get(message, "")
        + f"I can pass a request to {LABELS[kind]} to Jessops customer service "
        "(cs@jessops.com). I'll ask only for the details they need to find your account. "
        'You can say "cancel" at any point.\n' + ASK_NAME
    )


def summary(kind: str, details: dict[str, str | None]) -> str:
    lines = "".join(f"- {LINES[slot]}: {value or 'not given'}\n" for slot, value in details.items())
    return f"Here is your request to {LABELS[kind]}:\n{lines}\nShall I send it to customer service?"


def received(kind: str) -> str:
    return (
        f"Thank you. Your request to {LABELS[kind]} has been recorded with reference "
        "{reference} and passed to Jessops customer service. They must respond within one "
        "calendar month, by {due_date}. If you hear nothing by then, email cs@jessops.com or "
        "call 0845 458 7005 and quote your reference."
    )


def awaiting_code(kind: str, email: str) -> str:
    return (
        f"Thank you. Your request to {LABELS[kind]} is saved with reference {{reference}}. "
        f"To check that the email address is yours, I'm emailing a 6-digit code to {email}. "
        "Please type it here: it is valid for 30 minutes. Customer service acts on the "
        'request once it is confirmed. No email? Check your spam folder, or say "send a new '
        'code".'
    )


def verified(kind: str) -> str:
    return (
        f"Thank you, your email address is confirmed. Your request to {LABELS[kind]} "
        "(reference {reference}) has been passed to Jessops customer service. They must "
        "respond within one calendar month, by {due_date}. A receipt is on its way to your "
        "inbox."
    )


WRONG_CODE = (
    'That code isn\'t right. You have 4 more tries with this code, or say "send a new code".'
)


def mail_body(kind: str, details: dict[str, str | None]) -> str:
    lines = "".join(
        f"  {LINES[slot] + ':':<19}{value or 'not given'}\n" for slot, value in details.items()
    )
    verification = (
        "Email address verified: yes, {received_at}"
        if kind in NEEDS_CODE
        else "Email address verified: no (a marketing opt-out is passed on unverified)"
    )
    start = "verification" if kind in NEEDS_CODE else "receipt"
    return (
        f"A customer asked the privacy assistant to {THIRD_PERSON[kind]}.\n\n"
        "Reference:   {reference}\n"
        f"Request:     {kind}\n"
        "Received:    {received_at}\n"
        f"Respond by:  {{due_date}} (one calendar month from {start})\n"
        "Channel:     rest\n"
        f"{verification}\n\n"
        "Customer details as given:\n"
        f"{lines}\n"
        "The same details are attached as request.json.\n"
    )


def pattern(expected: str) -> re.Pattern[str]:
    """``expected`` as an exact pattern, with its variable parts as their patterns."""
    variable = {**VARIABLE, "{received_at}": RECEIVED_AT}
    text = re.escape(expected)
    for name, part in variable.items():
        text = text.replace(re.escape(name), f"(?:{part})")
    return re.compile(text)


def assert_turns(webhook: str, sender: str, turns: list[tuple[str, str]]) -> list[str]:
    """Send each message and compare the bot's whole reply with the expected text."""
    replies = []
    for message, expected in turns:
        reply = reply_text(webhook, sender, message)
        assert pattern(expected).fullmatch(reply), f"after {message!r}:\n{reply}\n!=\n{expected}"
        replies.append(reply)
    return replies


# --- opening a request -------------------------------------------------------------------

OPENINGS = [
    ("correction", "My delivery address is wrong, I need to correct it"),
    ("correction", "I need to update my email address"),
    ("correction", "my surname changed when I got married, can you update it"),
    ("correction", "the phone number on my account is out of date"),
    ("deletion", "please delete my data"),
    ("deletion", "I want you to erase all my personal information"),
    ("deletion", "close my account please"),
    ("deactivation", "deactivate my account"),
    ("deactivation", "can you suspend my account for a while"),
    ("deactivation", "I'd like to disable my account for now"),
    ("marketing_opt_out", "stop sending me marketing emails"),
    ("marketing_opt_out", "unsubscribe me from your newsletter"),
    ("marketing_opt_out", "I don't want any more promotional emails from you"),
    ("access", "send me a copy of all the data you hold about me"),
    ("access", "I'd like to make a subject access request"),
]


@pytest.mark.parametrize(("kind", "message"), OPENINGS, ids=[m for _, m in OPENINGS])
def test_a_request_opens_with_the_introduction_and_the_first_question_only(
    stack: Stack, kind: str, message: str
) -> None:
    webhook = stack.settings.rest_webhook
    assert_turns(webhook, new_sender("open"), [(message, opening(kind, message))])


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("correction", "My delivery address is wrong, I need to correct it"),
        ("deletion", "please delete my data"),
        ("deactivation", "deactivate my account"),
        ("marketing_opt_out", "stop sending me marketing emails"),
    ],
)
def test_a_request_after_a_greeting_opens_the_same(stack: Stack, kind: str, message: str) -> None:
    turns = [("hello", GREETING), (message, opening(kind, message))]
    assert_turns(stack.settings.rest_webhook, new_sender("greet"), turns)


# --- a question that names no request never opens one ---------------------------------

POLICY_SILENT = (
    "Our privacy policy doesn't cover that, so I can't answer it from the policy. For "
    "questions about the policy, email webmaster@jessops.com. For anything else, contact "
    "customer service at cs@jessops.com or call 0845 458 7005."
)
OUT_OF_SCOPE = (
    "Our privacy policy doesn't cover that: I can only help with privacy questions. For "
    "anything else, please contact customer service at cs@jessops.com or 0845 458 7005."
)


@pytest.mark.parametrize("message", ["What's your VAT number?", "Can I trade in my old DSLR?"])
def test_a_question_that_names_no_request_opens_no_form(stack: Stack, message: str) -> None:
    """Classifiers have sent both to a request form (rasa_server/request_guard.py).

    Which of the two replies a question gets depends on the intent DIET ranks after the
    request intents, which moves with retraining; either is a whole reply that sends the
    customer to the contacts, and neither opens a form.
    """
    sender = new_sender("no-request")
    reply = reply_text(stack.settings.rest_webhook, sender, message)
    assert reply in (POLICY_SILENT, OUT_OF_SCOPE), reply
    # Nothing is waiting for an answer: a name now is not taken as a form's answer.
    assert_turns(stack.settings.rest_webhook, sender, [("hello", GREETING)])


def test_an_out_of_scope_question_while_giving_details_then_the_request_carries_on(
    stack: Stack,
) -> None:
    """The classifier's out-of-scope messages go to the policy search (the policy may
    answer them); one the policy is silent on gets the out-of-scope reply, mid-form too."""
    turns = [
        ("please delete my data", opening("deletion", "please delete my data")),
        ("which lens is best for portraits", f"{OUT_OF_SCOPE}\n{ASK_NAME}"),
        ("Jane Doe", ASK_EMAIL),
    ]
    assert_turns(stack.settings.rest_webhook, new_sender("mid-form"), turns)


@pytest.mark.parametrize("name", ["Li Wei", "Harry Hill", "Aoife Kelly"])
def test_a_name_the_classifier_takes_for_something_else_is_taken_as_the_name(
    stack: Stack, name: str
) -> None:
    """The NLU took "Li Wei" and "Aoife Kelly" for policy questions and "Harry Hill" for
    a greeting, and the form asked for the name again (data_requests/names.py)."""
    turns = [
        ("please delete my data", opening("deletion", "please delete my data")),
        (name, ASK_EMAIL),
        ("jane@example.com", ASK_PHONE),
        ("skip", ASK_POSTCODE),
    ]
    details = {"full_name": name, "email": "jane@example.com", "phone": None, "postcode": None}
    turns.append(("skip", summary("deletion", details)))
    assert_turns(stack.settings.rest_webhook, new_sender("misread-name"), turns)


def test_a_follow_up_to_the_words_that_opened_a_request_is_read_after_them(
    stack: Stack,
) -> None:
    """Alone, "how?" was told the policy doesn't cover it; it asks how to do what the
    customer just said, and the clause that answers that is quoted again."""
    message = "I need to update my email address"
    turns = [
        (message, opening("correction", message)),
        ("how?", f"{CHANGING_DATA}{ASK_NAME}"),
        ("Jane Doe", ASK_EMAIL),
    ]
    assert_turns(stack.settings.rest_webhook, new_sender("follow-up-mid-form"), turns)


WHY_DETAILS = (
    "Customer service needs your name and email address to find your account and to reply "
    "to you. The phone number and postcode only help them find it, so they are optional: "
    'say "skip" to leave them out. Your details go only to Jessops customer service, with '
    "this request, and are kept as its record."
)
WHAT_NEXT = (
    "Once you've checked the summary of your request and said to send it, it goes to "
    "Jessops customer service (cs@jessops.com) with a reference number, and they must "
    "respond within one calendar month."
)


def test_questions_about_the_request_while_giving_details_are_answered_about_it(
    stack: Stack,
) -> None:
    """Searched in the policy, "why do you need my phone?" was told the policy doesn't
    cover it, and "what happens next?" got the help reply."""
    turns = [
        ("please delete my data", opening("deletion", "please delete my data")),
        ("Jane Doe", ASK_EMAIL),
        ("jane@example.com", ASK_PHONE),
        ("why do you need my phone?", f"{WHY_DETAILS}\n{ASK_PHONE}"),
        ("skip", ASK_POSTCODE),
        ("what happens next?", f"{WHAT_NEXT}\n{ASK_POSTCODE}"),
    ]
    assert_turns(stack.settings.rest_webhook, new_sender("about-request"), turns)


def test_a_question_at_the_summary_is_answered_and_the_summary_asked_again(
    stack: Stack,
) -> None:
    """The summary is further up by then: a "yes" after the answer must be a yes to sending."""
    details = {"full_name": "Jane Doe", "email": "jane@example.com"}
    turns = [
        (
            "stop sending me marketing emails",
            opening("marketing_opt_out", "stop sending me marketing emails"),
        ),
        ("Jane Doe", ASK_EMAIL),
        ("jane@example.com", summary("marketing_opt_out", details)),
        (
            "what is AFD software",
            "From our privacy policy (Sharing › Address Verification):\n"
            "\"We use AFD software to verify a user's address to gain authorisation for sales "
            'charged to their credit/debit card."\n'
            "Your request is still waiting. Shall I send it to customer service?",
        ),
        (
            "how long will it take?",
            f"{WHAT_NEXT}\nYour request is still waiting. Shall I send it to customer service?",
        ),
        ("yes", received("marketing_opt_out")),
    ]
    assert_turns(stack.settings.rest_webhook, new_sender("summary-question"), turns)


# The policy answers after which the assistant offers each request, and the offer's button.
BUTTONS = [
    ("correction", "how do I correct or delete my personal information?", "/request_correction"),
    ("deletion", "how do I correct or delete my personal information?", "/request_deletion"),
    (
        "deactivation",
        "how do I correct or delete my personal information?",
        "/request_deactivation",
    ),
    ("access", "how do I correct or delete my personal information?", "/request_access"),
    ("marketing_opt_out", "how do I unsubscribe from your newsletter?", "/request_unsubscribe"),
]
BUTTON_TITLES = {
    "/request_correction": "Correct my details",
    "/request_deletion": "Delete my data",
    "/request_deactivation": "Deactivate my account",
    "/request_unsubscribe": "Stop marketing emails",
    "/request_access": "Get a copy of my data",
}


def offer_turn(webhook: str, sender: str, question: str) -> dict[str, str]:
    """Ask a policy question: the reply is a quote, then the offer; its buttons."""
    response = send(webhook, sender, question)
    response.raise_for_status()
    # Rasa's REST channel sends each paragraph of a message without buttons on its own.
    *quote, offer = response.json()
    quoted = "\n".join(message["text"] for message in quote)
    assert re.fullmatch(r'From our privacy policy \([^)]+\):\n".+"', quoted, re.DOTALL), quoted
    assert offer["text"] == OFFER
    return {button["payload"]: button["title"] for button in offer["buttons"]}


@pytest.mark.parametrize(("kind", "question", "payload"), BUTTONS)
def test_the_button_offered_after_a_policy_answer_opens_the_request(
    stack: Stack, kind: str, question: str, payload: str
) -> None:
    """The widget sends a button's payload as the message; so does this test."""
    webhook, sender = stack.settings.rest_webhook, new_sender("offer")
    buttons = offer_turn(webhook, sender, question)
    assert buttons[payload] == BUTTON_TITLES[payload]
    assert_turns(webhook, sender, [(payload, opening(kind, payload))])


CALLBACK_OPENING = (
    "I'll ask Jessops customer service (cs@jessops.com) to call you back. They need only "
    'your name and a number to ring. You can say "cancel" at any point.\nWhat\'s your name?'
)


def test_the_clause_on_how_customer_service_replies_offers_a_callback(stack: Stack) -> None:
    """ "We reply via email or phone, in accordance with the users wishes": the customer
    who asks may take up the phone."""
    webhook, sender = stack.settings.rest_webhook, new_sender("offer-callback")
    buttons = offer_turn(webhook, sender, "when you answer my account query, is it by phone?")
    assert buttons == {"/request_callback": "Call me back"}
    assert_turns(webhook, sender, [("/request_callback", CALLBACK_OPENING)])


# --- whole requests, to the reference and the email ---------------------------------------

ASKS = {
    "full_name": ASK_NAME,
    "email": ASK_EMAIL,
    "phone": ASK_PHONE,
    "postcode": ASK_POSTCODE,
    "correction_field": ASK_FIELD,
    "correction_current": ASK_CURRENT,
    "correction_new": ASK_NEW,
}


@dataclass(frozen=True)
class Dialog:
    """One request from the first message to the email customer service receives."""

    kind: str
    turns: list[tuple[str, str]]  # what the customer says, the bot's whole reply
    details: dict[str, str | None]  # what customer service is sent (None: not given)


def dialog(
    kind: str,
    first: str,
    answers: dict[str, str | tuple[str, str | None]],
    refused: dict[str, list[tuple[str, str]]] | None = None,
    change: tuple[str, str, str, str, str] | None = None,
) -> Dialog:
    """The turns of a request of ``kind``, opened with ``first``.

    ``answers`` holds, for each detail asked in order, what the customer types, or what
    they type and the value stored (when the check normalises it; None when skipped).
    ``refused`` holds answers given before, each with the reason it is refused.
    ``change`` is (how the customer asks to change something, how they name the detail,
    the detail, what they type, the value stored): a change at the summary before "yes".
    """
    typed = {slot: a if isinstance(a, str) else a[0] for slot, a in answers.items()}
    details = {slot: a if isinstance(a, str) else a[1] for slot, a in answers.items()}
    slots = list(answers)
    asks = [*(ASKS[slot] for slot in slots[1:]), summary(kind, details)]
    turns = [(first, opening(kind, first))]
    for slot, ask in zip(slots, asks, strict=True):
        turns += [
            (text, f"{problem}\n{ASKS[slot]}") for text, problem in (refused or {}).get(slot, [])
        ]
        turns.append((typed[slot], ask))
    if change:
        ask, named, slot, text, value = change
        details = {**details, slot: value}
        turns += [
            (ask, ASK_WHAT_TO_CHANGE),
            (named, ASKS[slot]),
            (text, summary(kind, details)),
        ]
    confirmed = awaiting_code(kind, details["email"]) if kind in NEEDS_CODE else received(kind)
    turns.append(("yes", confirmed))
    return Dialog(kind, turns, details)


SKIPPED = ("skip", None)
DIALOGS = {
    "correct-an-email": dialog(
        "correction",
        "I need to update my email address",
        {
            "full_name": "Jane Doe",
            "email": "jane.doe@example.com",
            "phone": SKIPPED,
            "postcode": SKIPPED,
            "correction_field": "my email address",
            "correction_current": "jane.doe@example.com",
            "correction_new": ("Jane.D@EXAMPLE.co.uk", "Jane.D@example.co.uk"),
        },
    ),
    "correct-a-phone-number": dialog(
        "correction",
        "I've got a new phone number",
        {
            "full_name": "Siân O'Neill-Brown",
            "email": "sian@example.com",
            "phone": "020 7946 0958",
            "postcode": ("le1 6sd", "LE1 6SD"),
            "correction_field": "phone number",
            "correction_current": ("02079460958", "020 7946 0958"),
            "correction_new": ("+44 20 7946 0123", "020 7946 0123"),
        },
        refused={"correction_new": [("0207 946", PHONE_PROBLEM)]},
    ),
    "correct-a-postal-address": dialog(
        "correction",
        "My delivery address is wrong, I need to correct it",
        {
            "full_name": "José Ángel",
            "email": "jose@example.com",
            "phone": ("no", None),
            "postcode": "SW1A 1AA",
            "correction_field": "delivery address",
            "correction_current": "1 Old Road, Leicester",
            "correction_new": "Flat 3, 12 High Street, Leicester",
        },
    ),
    "correct-a-name": dialog(
        "correction",
        "my surname is spelt wrong on my account",
        {
            "full_name": "Anne Smyth",
            "email": "anne@example.com",
            "phone": "07911 123456",
            "postcode": SKIPPED,
            "correction_field": "surname",
            "correction_current": "Smyth",
            "correction_new": "Smith",
        },
        refused={"correction_new": [("<b>Smith</b>", NOT_A_NAME)]},
    ),
    "delete": dialog(
        "deletion",
        "please delete my data",
        {
            "full_name": "Ann Lee",
            "email": "ann.lee@example.com",
            "phone": "020 7946 0958",
            "postcode": ("postcode is cr2 6xh", "CR2 6XH"),
        },
        refused={"full_name": [("<script>alert(3)</script>", NOT_A_NAME)]},
    ),
    "deactivate": dialog(
        "deactivation",
        "deactivate my account",
        {
            "full_name": ("my name is Seán O'Brien", "Seán O'Brien"),
            "email": "sean@example.com",
            "phone": SKIPPED,
            "postcode": ("none", None),
        },
        refused={"email": [("sean@", EMAIL_PROBLEM)]},
        # With the buttons: "Change something", then the detail's button.
        change=(
            "/deny",
            '/change_field{"field": "phone"}',
            "phone",
            "07911 123456",
            "07911 123456",
        ),
    ),
    "a-copy-of-my-data": dialog(
        "access",
        "send me a copy of all the data you hold about me",
        {
            "full_name": "Priya Patel",
            "email": "priya@example.com",
            "phone": SKIPPED,
            "postcode": ("b1 1bb", "B1 1BB"),
        },
    ),
    "opt-out-and-change-the-email-at-the-summary": dialog(
        "marketing_opt_out",
        "stop sending me marketing emails",
        {"full_name": "Kim Park", "email": "kim@example.com"},
        change=("change", "email", "email", "kim.park@example.org", "kim.park@example.org"),
    ),
}


@pytest.mark.parametrize("name", list(DIALOGS))
def test_a_request_from_first_message_to_the_customer_service_mailbox(
    stack: Stack, name: str
) -> None:
    """Every turn, then (all but an opt-out) the code mailed to the customer's address,
    a wrong code and the right one, then the email customer service receives."""
    dialog, webhook, sender = DIALOGS[name], stack.settings.rest_webhook, new_sender(name)
    mail_dir, email = stack.settings.paths.mail_dir, dialog.details["email"]
    replies = assert_turns(webhook, sender, dialog.turns)
    reference = reference_in(replies[-1])
    if dialog.kind in NEEDS_CODE:
        code = code_mailed(mail_dir, reference, email)
        assert [m["To"] for m in mails_about(mail_dir, reference)] == [email]  # nothing to cs
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        codes = [(wrong, WRONG_CODE), (code, verified(dialog.kind))]
        assert_turns(
            webhook,
            sender,
            [(c, expected.replace("{reference}", reference)) for c, expected in codes],
        )
    message = wait_for_mail(mail_dir, reference, "cs@jessops.com")
    assert message["Subject"] == f"[{reference}] Data request: {dialog.kind}"
    assert message["Reply-To"] == email
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    expected = mail_body(dialog.kind, dialog.details).replace("{reference}", reference)
    assert pattern(expected).fullmatch(body), f"{body}\n!=\n{expected}"
    [attachment] = list(message.iter_attachments())
    record = json.loads(attachment.get_content())
    assert record["reference"] == reference and record["type"] == dialog.kind
    assert record["channel"] == "rest" and record["customer"] == dialog.details
    receipt = wait_for_mail(mail_dir, reference, email, RECEIPT_SUBJECT)
    assert reference in receipt.get_body(("plain",)).get_content()
