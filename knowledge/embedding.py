"""Sentence embeddings with all-MiniLM-L6-v2, loaded from disk and never from a hub."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

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
        that bookkeeping, which is about a tenth of a query's time (3 ms at p95 here)."""
        import torch

        features = self._model.preprocess([text])
        with torch.inference_mode():
            vector = self._model(features)["sentence_embedding"]
        embedded = torch.nn.functional.normalize(vector, dim=1)[0].numpy().astype(np.float32)
        embedded.setflags(write=False)  # shared by every later ask of the same question
        return embedded

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
