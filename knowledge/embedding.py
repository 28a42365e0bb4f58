"""Sentence embeddings with all-MiniLM-L6-v2, loaded from disk and never from a hub."""

from __future__ import annotations

import hashlib
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from settings import KnowledgeSettings

# These machines (and many deployments) reach no model hub: refuse to try. The Hugging
# Face libraries read these once, when first imported, so they are set just before.
OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}


# What the tokenizer gives a BERT model, in the order the traced transformer takes them.
TRANSFORMER_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Vectors of this many recent distinct questions are kept (384 floats each: 1.5 MB).
RECENT_QUESTIONS = 1024


class Encoder:
    """Turns texts into L2-normalised vectors, so inner product is cosine similarity."""

    def __init__(self, model: str, *, threads: int | None = None) -> None:
        for name, value in OFFLINE_ENVIRONMENT.items():
            os.environ.setdefault(name, value)
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.model_name = model
        self._model = SentenceTransformer(model, device="cpu")
        self.dimension = int(self._model.get_embedding_dimension())
        self._lowercases = bool(getattr(self._model.tokenizer, "do_lower_case", False))
        self._recent = lru_cache(maxsize=RECENT_QUESTIONS)(self._embed_one)
        self._transformer: Any = None  # traced on the first question (see _embed_one)

    @classmethod
    def from_settings(cls, settings: KnowledgeSettings) -> Encoder:
        return cls(settings.model, threads=settings.threads)

    def encode_one(self, text: str) -> np.ndarray:
        """One question's vector, the same as ``encode([text])[0]``, read-only.

        The forward pass is most of a question's time, and many customers ask the same
        things (the widget's suggested questions verbatim), so the vectors of recent
        questions are kept, keyed by the text as the tokenizer sees it.
        """
        key = " ".join(text.split())
        return self._recent(key.lower() if self._lowercases else key)

    def _embed_one(self, text: str) -> np.ndarray:
        """``encode`` sorts, batches and converts for many texts; a single question skips
        that bookkeeping, which is about a tenth of a query's time (3 ms at p95 here), and
        runs the transformer as a frozen TorchScript graph (see :meth:`_traced`)."""
        import torch

        features = self._model.preprocess([text])
        inputs = tuple(features[name] for name in TRANSFORMER_INPUTS)
        with torch.inference_mode():
            features["token_embeddings"] = self._traced(inputs)(*inputs)
            for module in list(self._model)[1:]:  # the model's own pooling and normalising
                features = module(features)
        embedded = features["sentence_embedding"][0].numpy().astype(np.float32)
        embedded.setflags(write=False)  # shared by every later ask of the same question
        return embedded

    def _traced(self, inputs: tuple) -> Any:
        """The model's transformer traced and frozen, once.

        The forward pass is about 85% of a question's time in the action server (py-spy);
        as a frozen graph it takes about 30% less, with the same vectors to within 1e-6
        (the shapes are not baked in: any question length runs on it).
        """
        if self._transformer is None:
            import torch

            class LastHiddenState(torch.nn.Module):
                """The transformer with positional inputs and one output, as tracing needs."""

                def __init__(self, transformer: torch.nn.Module) -> None:
                    super().__init__()
                    self.transformer = transformer

                def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
                    named = dict(zip(TRANSFORMER_INPUTS, inputs, strict=True))
                    return self.transformer(**named).last_hidden_state

            # torch marks TorchScript deprecated in favour of torch.compile, which needs a
            # C++ compiler at run time; tracing warns of branches fixed for one question,
            # which hold for every single question (no padding).
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = LastHiddenState(self._model[0].auto_model).eval()
                traced = torch.jit.trace(module, inputs, check_trace=False)
                # Frozen: weights as constants. optimize_for_inference on top took 40 MB
                # more for no measurable gain.
                self._transformer = torch.jit.freeze(traced)
        return self._transformer

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def model_fingerprint(model: str) -> str:
    """SHA-256 over a model folder's files, or of its name when it is not a folder.

    The manifest keeps this so an index built with other weights is seen as stale.
    """
    folder = Path(model)
    digest = hashlib.sha256()
    if not folder.is_dir():
        digest.update(model.encode())
        return digest.hexdigest()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
