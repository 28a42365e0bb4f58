"""Sentence embeddings with all-MiniLM-L6-v2, loaded from disk and never from a hub.

Two towers share the base model's architecture. The policy's texts (clauses, sentences,
aliases: at index build) are embedded by the base model on torch (:class:`Encoder`).
Questions (every customer turn) go through the question encoder that
``knowledge.training`` fine-tuned from the base model, exported to ONNX at build with
8-bit weights and run by ONNX Runtime (:class:`QuestionEncoder`): half the float
model's time for a question in ``make bench``, which was itself 40% less than torch's,
and the action server never loads torch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from settings import KnowledgeSettings

if TYPE_CHECKING:
    import onnxruntime
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

# These machines (and many deployments) reach no model hub: refuse to try. The Hugging
# Face libraries read these once, when first imported, so they are set just before.
OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}

# What the tokenizer gives a BERT model, in the order the exported transformer takes them.
TRANSFORMER_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# The question encoder in the index folder, written by :func:`export_question_encoder`.
QUESTION_MODEL = "minilm.onnx"
QUESTION_TOKENIZER = "minilm-tokenizer.json"
# The vectors of this many recent distinct questions are kept (384 floats each: 1.5 MB).
RECENT_QUESTIONS = 1024


class Encoder:
    """The base model on torch: embeds the policy's texts in bulk, and is the starting
    point of the question encoder's fine-tuning. Only the index build uses it."""

    def __init__(self, model: str, *, threads: int | None = None) -> None:
        for name, value in OFFLINE_ENVIRONMENT.items():
            os.environ.setdefault(name, value)
        self.model_name = model
        self.threads = threads

    @classmethod
    def from_settings(cls, settings: KnowledgeSettings) -> Encoder:
        return cls(settings.model, threads=settings.threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised vectors, so that inner product is cosine similarity."""
        vectors = self.model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    @cached_property
    def model(self) -> SentenceTransformer:
        return self.load()

    def load(self) -> SentenceTransformer:
        """A fresh copy of the base model, on ``threads`` threads too: with torch's
        default (one per core) the index build took 31-50 s here instead of 20-24 s."""
        import torch
        from sentence_transformers import SentenceTransformer

        if self.threads:
            torch.set_num_threads(self.threads)
        return SentenceTransformer(self.model_name, device="cpu")


def export_question_encoder(model: SentenceTransformer, folder: Path) -> None:
    """Write ``model``'s transformer as ONNX (any question length) with 8-bit weights,
    and its tokenizer set up as the model uses it, for :class:`QuestionEncoder`."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        exported = Path(tmp) / QUESTION_MODEL
        export_transformer(model, exported)
        quantize(exported, folder / QUESTION_MODEL)
    tokenizer = model.tokenizer.backend_tokenizer
    tokenizer = type(tokenizer).from_str(tokenizer.to_str())  # a copy: the model's is stateful
    tokenizer.no_padding()
    tokenizer.enable_truncation(model.max_seq_length)
    tokenizer.save(str(folder / QUESTION_TOKENIZER))


def quantize(model: Path, to: Path) -> None:
    """``model`` with its weights as 8-bit integers, one scale per output channel
    (ONNX Runtime's dynamic quantization). With one scale per tensor instead it was
    hardly faster, but some questions' vectors moved to cosine 0.86 of the float
    model's."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # It logs advice to pre-process the graph first, which fails on this graph
    # ("incomplete symbolic shape inference"): not worth a line in every build.
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(model, to, per_channel=True, weight_type=QuantType.QInt8)
    finally:
        logging.disable(logging.NOTSET)


def export_transformer(model: SentenceTransformer, to: Path) -> None:
    """``model``'s transformer as a float ONNX graph taking questions of any length."""
    import torch

    class LastHiddenState(torch.nn.Module):
        """The transformer with positional inputs and one output, as export needs."""

        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            named = dict(zip(TRANSFORMER_INPUTS, inputs, strict=True))
            return self.transformer(**named).last_hidden_state

    features = model.preprocess(["Do you sell my data?"])
    axes = {0: "batch", 1: "sequence"}
    # The TorchScript-based exporter: the newer one (dynamo) needs onnxscript. It warns
    # of branches fixed while tracing, which hold for unpadded questions.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(model[0].auto_model).eval(),
            tuple(features[name] for name in TRANSFORMER_INPUTS),
            str(to),
            input_names=list(TRANSFORMER_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=dict.fromkeys((*TRANSFORMER_INPUTS, "last_hidden_state"), axes),
            opset_version=17,
            dynamo=False,
        )


class QuestionEncoder:
    """The fine-tuned question encoder in ``folder`` (the index folder), on ONNX Runtime."""

    def __init__(self, folder: Path, *, threads: int | None = None) -> None:
        self.folder = folder
        self.threads = threads
        self._recent = lru_cache(maxsize=RECENT_QUESTIONS)(self._encode)

    def encode_one(self, text: str) -> np.ndarray:
        """One question's L2-normalised vector, read-only.

        The forward pass is most of a question's time, and many customers ask the same
        things (the widget's suggested questions verbatim), so recent questions' vectors
        are kept, keyed by the text as the tokenizer sees it.
        """
        key = " ".join(text.split())
        normalizer = self._tokenizer.normalizer
        return self._recent(normalizer.normalize_str(key) if normalizer else key)

    def _encode(self, text: str) -> np.ndarray:
        """The transformer, then the model's mean pooling and L2 normalisation; one
        question has no padding, so the mean is over every token."""
        encoding = self._tokenizer.encode(text)
        tokens = (encoding.ids, encoding.attention_mask, encoding.type_ids)
        feeds = {
            name: np.asarray([values], dtype=np.int64)
            for name, values in zip(TRANSFORMER_INPUTS, tokens, strict=True)
        }
        (hidden,) = self._session.run(None, feeds)
        vector = normalised(hidden[0].mean(axis=0))
        vector.setflags(write=False)  # shared by every later ask of the same question
        return vector

    @cached_property
    def _tokenizer(self) -> Tokenizer:
        from tokenizers import Tokenizer

        return Tokenizer.from_file(str(self.folder / QUESTION_TOKENIZER))

    @cached_property
    def _session(self) -> onnxruntime.InferenceSession:
        """One question at a time on ``threads`` threads (the Rasa server needs the other
        core), with ONNX Runtime's graph optimisations (fused layers, constant folding)."""
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads or 0  # 0: ONNX Runtime's default
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        return onnxruntime.InferenceSession(
            str(self.folder / QUESTION_MODEL), options, providers=["CPUExecutionProvider"]
        )


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Each row (or the one vector) scaled to unit length, as float32."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


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
