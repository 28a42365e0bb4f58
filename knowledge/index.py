"""The clause index on disk: FAISS vectors, a metadata sidecar, the trained models, a manifest.

Layout of the index folder::

    clauses.faiss         IndexFlatIP over the base model's normalised vectors of each
                          clause's texts: its own words, then each of its sentences
    sentences.npy         the sentences' vectors again, for picking what to quote
    clauses.json          sidecar: the clauses, their sentences, the policy date
    minilm.onnx           the fine-tuned question encoder (ONNX Runtime)
    minilm-tokenizer.json   and its tokenizer
    reader.json           its trained head ("none" logit, scale) and what it was trained on
    thresholds.json       answer / does-not-say / silent cut-offs, chosen on development sets
    manifest.json         what the index was built from (hashes of every input and the code)

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
import yaml

from knowledge import question_sets
from knowledge.clauses import Clause, Policy, load_policy
from knowledge.embedding import model_fingerprint
from knowledge.enrichment import Aliases, load_aliases
from knowledge.sentences import split_sentences
from settings import KNOWLEDGE_DIR, NLU_DATA, KnowledgeSettings

FORMAT_VERSION = 10  # 10: a fine-tuned question encoder and its reader head
BUILD_HINT = "Build it with `make index` (or `python -m knowledge build`)."


def code_fingerprint() -> str:
    """Hash of this package's code: a changed stage or training step calls for a rebuild
    (the training itself is cached on its own inputs: ``knowledge.training.cache``)."""
    digest = hashlib.sha256()
    for path in sorted(KNOWLEDGE_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(KNOWLEDGE_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class IndexNotReady(RuntimeError):
    """The index is missing or was built from another policy, parser or model."""


def load_silent_topics(path: Path) -> tuple[str, ...]:
    """Topics the policy never covers: taught to the reader as questions no clause answers."""
    if not path.exists():
        return ()
    return tuple(str(t) for t in yaml.safe_load(path.read_text(encoding="utf-8")) or ())


@dataclass(frozen=True)
class Inputs:
    """Everything an index is built from, read from the files the settings name."""

    policy: Policy
    aliases: Aliases
    silent_topics: tuple[str, ...]
    not_policy: tuple[str, ...] = ()  # the NLU's messages that ask the policy nothing

    @classmethod
    def read(cls, settings: KnowledgeSettings) -> Inputs:
        policy = load_policy(settings.policy_path)
        aliases = load_aliases(settings.enrichment_path, {c.id for c in policy.clauses})
        silent = load_silent_topics(settings.silent_topics_path)
        return cls(policy, aliases, silent, question_sets.not_policy_messages(NLU_DATA))

    def sentences(self) -> list[list[str]]:
        return [split_sentences(c.text) for c in self.policy.clauses]

    def views(self) -> tuple[list[str], list[int]]:
        """The texts that stand for each clause (its own words, then its sentences) and
        the position of the clause each one stands for."""
        texts, owners = [], []
        for position, (clause, said) in enumerate(
            zip(self.policy.clauses, self.sentences(), strict=True)
        ):
            for text in (clause.search_text, *said):
                texts.append(text)
                owners.append(position)
        return texts, owners

    def digest(self) -> str:
        """Hash of all content: clauses (so parser changes count), aliases, silent topics,
        and the train and development sets the models and thresholds come from."""
        learnt_from = [*question_sets.names("train"), *question_sets.names("development")]
        payload = json.dumps(
            {
                "clauses": [[asdict(c), self.aliases.get(c.id, ())] for c in self.policy.clauses],
                "silent": self.silent_topics,
                "not_policy": self.not_policy,
                "sets": [question_sets.manifest()[name].path.read_text() for name in learnt_from],
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
    """A loaded index; ``view_owner[v]`` is the position of the clause vector ``v``
    stands for."""

    clauses: tuple[Clause, ...]
    sentences: tuple[tuple[str, ...], ...]
    sentence_offsets: tuple[int, ...]
    view_owner: np.ndarray
    vectors: faiss.Index
    sentence_vectors: np.ndarray
    archived_on: str | None

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
) -> None:
    """Write the vectors and the sidecar (not the models, not the manifest)."""
    folder.mkdir(parents=True, exist_ok=True)
    index = faiss.IndexFlatIP(view_vectors.shape[1])
    index.add(view_vectors)
    faiss.write_index(index, str(folder / "clauses.faiss"))
    np.save(folder / "sentences.npy", sentence_vectors)
    sidecar = {
        "archived_on": inputs.policy.archived_on,
        "clauses": [
            asdict(c) | {"sentences": s}
            for c, s in zip(inputs.policy.clauses, sentences, strict=True)
        ],
    }
    (folder / "clauses.json").write_text(json.dumps(sidecar, indent=1, ensure_ascii=False))


def read_index(folder: Path) -> ClauseIndex:
    """Read an index folder without checking it is current (see :func:`load`)."""
    sidecar = json.loads((folder / "clauses.json").read_text())
    clauses, sentences = [], []
    for entry in sidecar["clauses"]:
        sentences.append(tuple(entry.pop("sentences")))
        clauses.append(
            Clause(
                **entry | {"keywords": tuple(entry["keywords"]), "folded": tuple(entry["folded"])}
            )
        )
    sizes = [len(s) for s in sentences]
    return ClauseIndex(
        clauses=tuple(clauses),
        sentences=tuple(sentences),
        sentence_offsets=tuple(int(o) for o in np.cumsum([0, *sizes[:-1]])),
        # Each clause's views are its own words, then its sentences (Inputs.views).
        view_owner=np.repeat(np.arange(len(clauses)), [1 + n for n in sizes]),
        vectors=faiss.read_index(str(folder / "clauses.faiss")),
        sentence_vectors=np.load(folder / "sentences.npy"),
        archived_on=sidecar["archived_on"],
    )


def load(settings: KnowledgeSettings) -> ClauseIndex:
    """Load a current index, or raise :class:`IndexNotReady` saying how to build one."""
    problem = staleness(settings)
    if problem:
        raise IndexNotReady(f"{problem} {BUILD_HINT}")
    return read_index(settings.index_dir)
