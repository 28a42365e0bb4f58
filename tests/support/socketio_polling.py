"""A minimal socket.io client over Engine.IO v4 long-polling, with ``requests`` only.

Enough to talk to Rasa's socket.io channel as the shop widget does (session request,
user message, bot messages) without adding a socket.io client to the test environment.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from tests.support.rest import TIMEOUT_S

PACKET_SEPARATOR = "\x1e"
EVENT = "42"  # Engine.IO "message" + socket.io "event"


class PollingSocket:
    """One socket.io connection to ``rasa_url``'s default namespace."""

    def __init__(self, rasa_url: str) -> None:
        self.url = f"{rasa_url}/socket.io/"
        self.http = requests.Session()
        opened = self.http.get(self.url, params={"EIO": "4", "transport": "polling"}, timeout=10)
        self.params = {
            "EIO": "4",
            "transport": "polling",
            "sid": json.loads(opened.text[1:])["sid"],
        }
        self._post("40")  # connect to the namespace
        self.events()  # its acknowledgement

    def _post(self, packet: str) -> None:
        self.http.post(self.url, params=self.params, data=packet, timeout=10).raise_for_status()

    def emit(self, event: str, data: dict[str, Any]) -> None:
        self._post(EVENT + json.dumps([event, data]))

    def events(self) -> list[tuple[str, Any]]:
        """The events the server sent since the last call (waits for at least one packet)."""
        body = self.http.get(self.url, params=self.params, timeout=TIMEOUT_S).text
        return [
            tuple(json.loads(packet[len(EVENT) :]))
            for packet in body.split(PACKET_SEPARATOR)
            if packet.startswith(EVENT)
        ]
