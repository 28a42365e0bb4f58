"""The one answer pipeline of this action server process, loaded when the server starts.

Loading the model and the index takes seconds; doing it per message would make every
answer slow, so the action modules share this instance. ``actions.server`` loads it
before it listens (a missing or stale index stops the server at start-up with a message
that says how to build it); importing this module loads nothing.
"""

from __future__ import annotations

from functools import lru_cache

from knowledge.answering.pipeline import Pipeline
from settings import KnowledgeSettings


@lru_cache(maxsize=1)
def pipeline() -> Pipeline:
    """The pipeline, with one question asked so the first customer's does not pay for
    the one-off work (opening the ONNX Runtime session and optimising its graph)."""
    loaded = Pipeline.from_settings(KnowledgeSettings.from_env())
    loaded.ask("Do you share my data?")
    return loaded
