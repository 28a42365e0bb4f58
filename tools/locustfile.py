"""Locust customers for `make loadtest`, run by Locust in its own environment.

Standard library and Locust only: this file runs under Locust's gevent, apart from the
project's interpreters. Each simulated customer does what ``make soak``'s do, with no
pause between messages (a closed loop: the figure is how much the stack can carry): half
the visits ask one policy question, half make a whole marketing opt-out request (four
turns, confirmed). A message fails when its reply is not a 200 with at least one message,
when a question's reply does not quote the policy, or when a request's last reply gives
no reference.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable

from locust import HttpUser, constant, task

WEBHOOK = "/webhooks/rest/webhook"
QUESTIONS = (
    "Do you sell my data?",
    "What cookies do you use?",
    "How do I stop marketing emails?",
    "Is my card safe when I pay online?",
    "Who do you share my information with?",
)
REQUEST_TURNS = ("please stop sending me marketing emails", "Kim Park", "{email}", "yes")
REFERENCE = re.compile(r"\bJES-\d{4}-\d{6}\b")
_questions = itertools.cycle(QUESTIONS)


def anything(_reply: str) -> bool:
    return True


class Customer(HttpUser):
    wait_time = constant(0)

    def say(
        self, sender: str, message: str, name: str, expect: Callable[[str], bool] = anything
    ) -> bool:
        """Send one message; False (and the message marked failed) when the reply is not
        a 200 with messages, or does not meet ``expect``."""
        with self.client.post(
            WEBHOOK, json={"sender": sender, "message": message}, name=name, catch_response=True
        ) as response:
            messages = response.json() if response.status_code == 200 else []
            reply = " ".join(m.get("text", "") for m in messages)
            if not messages or not expect(reply):
                response.failure(f"HTTP {response.status_code}: {reply[:80]!r}")
                return False
            return True

    @task
    def ask(self) -> None:
        question = next(_questions)
        self.say(new_sender(), question, "policy question", lambda r: "privacy policy" in r)

    @task
    def request(self) -> None:
        sender = new_sender()
        *opening, last = [turn.format(email=f"{sender}@example.com") for turn in REQUEST_TURNS]
        if all(self.say(sender, turn, "request turn") for turn in opening):
            self.say(sender, last, "request confirmed", lambda r: bool(REFERENCE.search(r)))


def new_sender() -> str:
    return f"locust-{uuid.uuid4().hex[:10]}"
