from handoff.transcript import opening

EVENTS = [
    {"event": "user", "text": "stop sending me marketing emails"},
    {"event": "bot", "text": "What's your full name?"},
    {"event": "user", "text": "Priya Raman"},
    {"event": "slot", "name": "full_name", "value": "Priya Raman"},
    {"event": "user", "text": "priya.raman@example.com"},
    {
        "event": "bot",
        "text": "Thank you. Your request to stop marketing emails to your address has been "
        "recorded with reference JES-2026-000042 and passed to Jessops customer service.",
    },
    {"event": "user", "text": "my card 4111 1111 1111 1111 was charged twice, code 123456"},
    {
        "event": "bot",
        "text": None,
        "data": {"custom": {"data": {"quote": "We use SSL.", "section": "Security"}}},
    },
    {"event": "bot", "text": "I'm emailing a code to priya.raman@example.com, Priya Raman."},
    {"event": "user", "text": "/ask_for_person"},
]


def test_the_thread_opens_with_the_chat_masked_and_the_reference() -> None:
    text = opening(EVENTS, {"Priya Raman", "priya.raman@example.com"})
    assert text.splitlines()[1:] == [
        "Request reference: JES-2026-000042",
        "The chat so far (personal details masked):",
        "Customer: stop sending me marketing emails",
        "Assistant: What's your full name?",
        "Customer: P**** R****",
        "Customer: p****.r****@e******.c**",
        "Assistant: Thank you. Your request to stop marketing emails to your address has been "
        "recorded with reference JES-2026-000042 and passed to Jessops customer service.",
        "Customer: my card **** **** **** 1111 was charged twice, code ******",
        "Assistant: We use SSL.",
        "Assistant: I'm emailing a code to p****.r****@e******.c**, P**** R****.",
    ]


def test_only_the_last_messages_are_shown() -> None:
    events = [{"event": "user", "text": f"question {n}"} for n in range(25)]
    lines = opening(events, set()).splitlines()
    assert lines[2] == "Customer: question 15" and lines[-1] == "Customer: question 24"
