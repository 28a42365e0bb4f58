"""The clause index on disk: FAISS vectors, a metadata sidecar, a manifest.

Layout of the index folder::

    clauses.faiss       IndexFlatIP over normalised vectors (cosine similarity): for each
                        clause one vector of its text, then one per alias (enrichment.yml)
    sentences.npy       one normalised vector per sentence, for quoting the right sentences
    silent.npy          one vector per topic the policy is silent on (silent_topics.yml)
    near.npy            one vector per near-topic development question (dev-near.jsonl)
    pieces.npy          the word pieces in context of each vector's text (a clause read
    piece_offsets.npy   sentence by sentence, an alias whole) by the question encoder, in
                        clauses.faiss's order: where each one's pieces start and end
    clauses.json        sidecar: the clauses, their aliases and sentences, the policy date
    answerability.json  the fitted "does the policy answer this?" model
    coverage.json       the fitted "does the first clause answer it, or only touch on it?" model
    minilm.onnx         the model's transformer for one question at a time (ONNX Runtime),
    minilm-tokenizer.json  and its tokenizer: exported from the weights of model_sha256
    manifest.json       what the index was built from (hashes of every input, and of the
                        code that fitted the models)

The manifest is written last and lets every reader tell a current index from a stale
one without rebuilding it; ``knowledge.builder`` writes the rest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
import numpy as np

from knowledge.answerability import Answerability, Coverage, load_silent_topics
from knowledge.clauses import Clause, Policy, load_policy
from knowledge.embedding import model_fingerprint
from knowledge.enrichment import Aliases, load_aliases
from settings import QUESTION_SETS, KnowledgeSettings

FORMAT_VERSION = 9  # 7: the question encoder (minilm.onnx); 8: word pieces; 9: aliases' too
BUILD_HINT = "Build it with `make index` (or `python -m knowledge build`)."
# The development sets the fitted models learn from (knowledge.evaluation).
CALIBRATION_SETS = ("dev", "dev-evidence", "dev-near", "dev2", "dev2-near")


def code_fingerprint() -> str:
    """Hash of this package's code: the stored models are fitted on the retriever's own
    rankings, so a changed ranking (a knob in ``RetrievalConfig``) calls for a new fit."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class IndexNotReady(RuntimeError):
    """The index is missing or was built from another policy, parser or model."""


@dataclass(frozen=True)
class Inputs:
    """Everything an index is built from, read from the files the settings name."""

    policy: Policy
    aliases: Aliases
    silent_topics: tuple[str, ...]

    @classmethod
    def read(cls, settings: KnowledgeSettings) -> Inputs:
        policy = load_policy(settings.policy_path)
        aliases = load_aliases(settings.enrichment_path, {c.id for c in policy.clauses})
        return cls(policy, aliases, load_silent_topics(settings.silent_topics_path))

    def views(self) -> tuple[list[str], list[int]]:
        """Texts to embed for each clause (its own, then its aliases) and who owns each."""
        texts, owners = [], []
        for position, clause in enumerate(self.policy.clauses):
            for text in (clause.search_text, *self.aliases.get(clause.id, ())):
                texts.append(text)
                owners.append(position)
        return texts, owners

    def digest(self) -> str:
        """Hash of all content: clauses (so parser changes count), aliases, silent topics,
        and the questions the answerability model is fitted on."""
        payload = json.dumps(
            {
                "clauses": [[asdict(c), self.aliases.get(c.id, ())] for c in self.policy.clauses],
                "silent": self.silent_topics,
                "calibration": [
                    (QUESTION_SETS / f"{name}.jsonl").read_text() for name in CALIBRATION_SETS
                ],
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Manifest:
    """What an index was built from; two manifests that compare equal are interchangeable."""

    format_version: int
    policy_sha256: str
    content_sha256: str
    model: str
    model_sha256: str
    code_sha256: str

    @classmethod
    def expected(cls, settings: KnowledgeSettings, inputs: Inputs) -> Manifest:
        return cls(
            format_version=FORMAT_VERSION,
            policy_sha256=hashlib.sha256(settings.policy_path.read_bytes()).hexdigest(),
            content_sha256=inputs.digest(),
            model=settings.model,
            model_sha256=model_fingerprint(settings.model),
            code_sha256=code_fingerprint(),
        )

    def write(self, index_dir: Path) -> None:
        (index_dir / "manifest.json").write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def read(cls, index_dir: Path) -> Manifest | None:
        """The manifest in ``index_dir``, or None when it is missing or unreadable."""
        try:
            return cls(**json.loads((index_dir / "manifest.json").read_text()))
        except (OSError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class ClauseIndex:
    """A loaded index.

    ``view_owner[v]`` is the position of the clause that vector ``v`` stands for, and
    ``primary_view[v]`` is true for the vector of the clause's own text. The word-piece
    states of view ``v`` are ``pieces[piece_offsets[v] : piece_offsets[v + 1]]``.
    """

    clauses: tuple[Clause, ...]
    aliases: tuple[tuple[str, ...], ...]
    view_owner: np.ndarray
    primary_view: np.ndarray
    sentences: tuple[tuple[str, ...], ...]
    sentence_offsets: tuple[int, ...]
    sentence_owner: np.ndarray
    vectors: faiss.Index
    sentence_vectors: np.ndarray
    silent_vectors: np.ndarray
    pieces: np.ndarray
    piece_offsets: np.ndarray
    answerability: Answerability | None
    archived_on: str | None
    coverage: Coverage | None = None
    near_vectors: np.ndarray | None = None

    def sentence_vectors_of(self, position: int) -> np.ndarray:
        start = self.sentence_offsets[position]
        return self.sentence_vectors[start : start + len(self.sentences[position])]


def staleness(settings: KnowledgeSettings) -> str | None:
    """Why the index cannot be used as it is, or None when it is current."""
    manifest = Manifest.read(settings.index_dir)
    if manifest is None:
        return f"No clause index at {settings.index_dir}."
    expected = Manifest.expected(settings, Inputs.read(settings))
    changed = [
        name
        for name in (
            "format_version",
            "policy_sha256",
            "content_sha256",
            "model_sha256",
            "code_sha256",
        )
        if getattr(manifest, name) != getattr(expected, name)
    ]
    if changed:
        return f"The clause index at {settings.index_dir} is stale ({', '.join(changed)} changed)."
    return None


def write_vectors(
    folder: Path,
    inputs: Inputs,
    view_vectors: np.ndarray,
    sentences: list[list[str]],
    sentence_vectors: np.ndarray,
    silent_vectors: np.ndarray,
    near_vectors: np.ndarray,
) -> None:
    """Write everything but the fitted models and the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "near.npy", near_vectors)
    index = faiss.IndexFlatIP(view_vectors.shape[1])
    index.add(view_vectors)
    faiss.write_index(index, str(folder / "clauses.faiss"))
    np.save(folder / "sentences.npy", sentence_vectors)
    np.save(folder / "silent.npy", silent_vectors)
    sidecar = {
        "archived_on": inputs.policy.archived_on,
        "clauses": [
            asdict(c) | {"aliases": inputs.aliases.get(c.id, ()), "sentences": s}
            for c, s in zip(inputs.policy.clauses, sentences, strict=True)
        ],
    }
    (folder / "clauses.json").write_text(json.dumps(sidecar, indent=1, ensure_ascii=False))


def write_pieces(folder: Path, pieces: list[np.ndarray]) -> None:
    """Write each view's word-piece states (``pieces[v]`` for vector ``v``)."""
    np.save(folder / "pieces.npy", np.concatenate(pieces).astype(np.float32))
    np.save(folder / "piece_offsets.npy", np.cumsum([0, *(len(p) for p in pieces)]))


def read_index(folder: Path) -> ClauseIndex:
    """Read an index folder without checking it is current (see :func:`load`)."""
    sidecar = json.loads((folder / "clauses.json").read_text())
    clauses, aliases, sentences, offsets = [], [], [], []
    owners: list[int] = []
    for position, entry in enumerate(sidecar["clauses"]):
        sentences.append(tuple(entry.pop("sentences")))
        aliases.append(tuple(entry.pop("aliases")))
        clauses.append(
            Clause(
                **entry | {"keywords": tuple(entry["keywords"]), "folded": tuple(entry["folded"])}
            )
        )
        offsets.append(sum(len(s) for s in sentences[:-1]))
        owners += [position] * (1 + len(aliases[-1]))
    owner = np.asarray(owners)
    calibration, coverage = folder / "answerability.json", folder / "coverage.json"
    return ClauseIndex(
        clauses=tuple(clauses),
        aliases=tuple(aliases),
        view_owner=owner,
        primary_view=np.r_[True, owner[1:] != owner[:-1]],
        sentences=tuple(sentences),
        sentence_offsets=tuple(offsets),
        sentence_owner=np.repeat(np.arange(len(sentences)), [len(g) for g in sentences]),
        vectors=faiss.read_index(str(folder / "clauses.faiss")),
        sentence_vectors=np.load(folder / "sentences.npy"),
        silent_vectors=np.load(folder / "silent.npy"),
        pieces=np.load(folder / "pieces.npy"),
        piece_offsets=np.load(folder / "piece_offsets.npy"),
        answerability=Answerability.load(calibration) if calibration.exists() else None,
        archived_on=sidecar["archived_on"],
        coverage=Coverage.load(coverage) if coverage.exists() else None,
        near_vectors=np.load(folder / "near.npy") if (folder / "near.npy").exists() else None,
    )


def load(settings: KnowledgeSettings) -> ClauseIndex:
    """Load a current index, or raise :class:`IndexNotReady` saying how to build one."""
    problem = staleness(settings)
    if problem:
        raise IndexNotReady(f"{problem} {BUILD_HINT}")
    return read_index(settings.index_dir)
