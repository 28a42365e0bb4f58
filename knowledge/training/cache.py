"""Train the question encoder only when what it learns from changed.

The hash covers the base model's weights, the policy texts it is trained against, the
examples, the knobs, the code that trains it (``ENCODER_CODE``) and the export's code
without its docstrings (so a model exported another way, such as before quantization,
is not reused);
``reader.json`` records it beside the exported model, so a rebuild of the index with the
same inputs reuses the model.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import textwrap
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from knowledge import embedding
from knowledge.answering.reader import READER_FILE, Head
from knowledge.embedding import QUESTION_MODEL, Encoder, export_question_encoder, model_fingerprint
from knowledge.training.encoder import TrainingConfig, fine_tune
from knowledge.training.examples import Example

# The code that decides what the encoder learns, and how: not the follow-up detector's
# or the thresholds' (trained and chosen at every build after it).
ENCODER_CODE = tuple(
    Path(__file__).with_name(name) for name in ("cache.py", "encoder.py", "examples.py")
)
EXPORT_CODE = (embedding.export_question_encoder, embedding.export_transformer, embedding.quantize)


def training_digest(
    model: str, view_vectors: np.ndarray, examples: list[Example], config: TrainingConfig
) -> str:
    digest = hashlib.sha256()
    digest.update(model_fingerprint(model).encode())
    digest.update(np.ascontiguousarray(view_vectors.round(5)).tobytes())
    digest.update(json.dumps([asdict(e) for e in examples], sort_keys=True).encode())
    digest.update(json.dumps(config.as_dict(), sort_keys=True).encode())
    for path in ENCODER_CODE:
        digest.update(path.read_bytes())
    for export_step in EXPORT_CODE:
        digest.update(code_without_docstrings(export_step).encode())
    return digest.hexdigest()


def code_without_docstrings(function: Callable) -> str:
    """``function``'s syntax tree without docstrings or comments: what it does, so that
    rewording its documentation does not retrain the encoder."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def trained_digest(folder: Path) -> str | None:
    """The training hash of the question encoder in ``folder``, if there is one."""
    try:
        stored = json.loads((folder / READER_FILE).read_text())
    except (OSError, ValueError):
        return None
    return stored.get("training_sha256") if (folder / QUESTION_MODEL).exists() else None


def train_if_changed(
    folder: Path,
    encoder: Encoder,
    view_vectors: np.ndarray,
    view_owner: np.ndarray,
    sentence_rows: np.ndarray,
    examples: list[Example],
    config: TrainingConfig | None = None,
) -> dict:
    """Fine-tune and export the question encoder into ``folder`` unless the one there was
    trained on the same inputs; a short report either way."""
    config = config or TrainingConfig()
    digest = training_digest(encoder.model_name, view_vectors, examples, config)
    if trained_digest(folder) == digest:
        return {"trained": False}
    (folder / READER_FILE).unlink(missing_ok=True)  # a half-written model is never reused
    trained = fine_tune(encoder.load(), view_vectors, view_owner, sentence_rows, examples, config)
    export_question_encoder(trained.model, folder)
    Head(config.scale, trained.none_weights, trained.none_bias).save(
        folder / READER_FILE,
        training_sha256=digest,
        examples=len(examples),
        config=config.as_dict(),
        seconds=trained.seconds,
    )
    return {"trained": True, "examples": len(examples), "seconds": trained.seconds}
