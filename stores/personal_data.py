"""Which stored values are a customer's personal data, and when they may be masked.

Rasa-free, so the rules are unit-tested on plain event dicts; ``stores.tracker_store``
applies them inside the Rasa server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from data_requests.kinds import PERSONAL_SLOTS, REQUEST_SLOT

SLOT_EVENT = "slot"  # Rasa's type name of a SlotSet event


def request_finished(
    slots_set_this_turn: Iterable[str], slots: Mapping[str, Any], active_loop: str | None
) -> bool:
    """Whether this turn finished a request: stored or cancelled, its details set back to
    None (``actions.request_form.reset_request``) and no request or form under way.

    A refused answer is also set back to None, but mid-form: that one must stay.
    """
    cleared = any(slot in PERSONAL_SLOTS for slot in slots_set_this_turn)
    under_way = slots.get(REQUEST_SLOT) is not None or bool(active_loop)
    return cleared and not under_way and all(slots.get(s) is None for s in PERSONAL_SLOTS)


def personal_values(events: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every value the conversation's personal slots were ever set to."""
    return {
        event["value"]
        for event in events
        if event.get("event") == SLOT_EVENT
        and event.get("name") in PERSONAL_SLOTS
        and isinstance(event.get("value"), str)
    }
