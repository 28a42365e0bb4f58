"""Two targeted fixes to the pinned Rasa.

**A custom tracker store that cannot be loaded stops the server.** Rasa 3.6 catches the
``ImportError`` of a tracker store named by module path, warns, and carries on with an
in-memory store: conversations would then live in one process and vanish with it, and
replicas would not share them. :func:`load_tracker_store_or_fail` raises instead, so
the Rasa server refuses to start and says which store and why.

**Validate action responses with a compiled validator.** A py-spy profile of the Rasa
server answering policy questions put 61% of its samples in
``RemoteAction._validate_action_result``: it calls ``jsonschema.validate(result,
schema)`` for every action-server response, which checks the schema itself against the
metaschema and builds a new validator each time. The schema never changes, so one
validator, checked and built once, answers the same question. A valid response passes
at once; an invalid one goes to Rasa's own method, so it is rejected exactly as before,
with Rasa's error and message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import rasa
import rasa.core.tracker_store
import rasa.shared.utils.common
from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

PINNED_RASA = "3.6.21"
_RASA_VALIDATE: Callable[[RemoteAction, dict[str, Any]], bool] = (
    RemoteAction._validate_action_result
)


class UnsupportedRasa(RuntimeError):
    """The patch was written against another Rasa; starting anyway could misbehave."""


class TrackerStoreNotLoaded(RuntimeError):
    """The configured tracker store could not be imported: no silent in-memory store."""


def check_version(version: str = rasa.__version__) -> None:
    if version != PINNED_RASA:
        raise UnsupportedRasa(
            f"rasa_server patches Rasa {PINNED_RASA}, but Rasa {version} is installed: "
            "review rasa_server/patches.py against the new version, then update PINNED_RASA."
        )


@lru_cache(maxsize=1)
def response_validator() -> Any:
    """A validator for Rasa's action response schema, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(action: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check, reusing one validator; failures are Rasa's own, error and all."""
    if response_validator().is_valid(result):
        return True
    return _RASA_VALIDATE(action, result)


def load_tracker_store_or_fail(
    domain: Domain, store: EndpointConfig, event_broker: EventBroker | None = None
) -> TrackerStore:
    """Rasa's loader of a tracker store named by module path, without its fallback."""
    try:
        store_class = rasa.shared.utils.common.class_from_module_path(store.type)
    except (AttributeError, ImportError) as error:
        raise TrackerStoreNotLoaded(
            f"tracker store '{store.type}' could not be loaded: {error}"
        ) from error
    return store_class(host=store.url, domain=domain, event_broker=event_broker, **store.kwargs)


def apply() -> None:
    """Check the Rasa version, then replace the two functions."""
    check_version()
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    rasa.core.tracker_store._load_from_module_name_in_endpoint_config = load_tracker_store_or_fail
