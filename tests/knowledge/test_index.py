"""Building, reloading and refusing stale indexes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from knowledge.builder import build
from knowledge.cli import main as cli_main
from knowledge.embedding import QUESTION_MODEL, QUESTION_TOKENIZER, Encoder
from knowledge.index import IndexNotReady, load, read_index, staleness
from settings import KnowledgeSettings


def test_build_writes_index_sidecar_and_manifest(built_index: Path) -> None:
    names = {p.name for p in built_index.iterdir()}
    assert {"clauses.faiss", "sentences.npy", "clauses.json", "manifest.json"} <= names
    manifest = json.loads((built_index / "manifest.json").read_text())
    assert len(manifest["policy_sha256"]) == 64 and len(manifest["model_sha256"]) == 64


def test_reload_gives_the_same_clauses_and_vectors(
    settings: KnowledgeSettings, built_index: Path
) -> None:
    first, second = load(settings), load(settings)
    assert first.clauses == second.clauses
    assert first.vectors.ntotal >= len(first.clauses)
    assert first.sentence_vectors.shape[0] == sum(len(s) for s in first.sentences)


def test_second_build_is_skipped_when_nothing_changed(
    settings: KnowledgeSettings, built_index: Path, encoder: Encoder
) -> None:
    assert build(settings, encoder) == {"built": False, "index_dir": str(built_index)}


def _copy(settings: KnowledgeSettings, built_index: Path, tmp_path: Path) -> KnowledgeSettings:
    shutil.copytree(built_index, tmp_path / "index")
    return replace(settings, index_dir=tmp_path / "index")


def test_missing_index_says_how_to_build_it(settings: KnowledgeSettings, tmp_path: Path) -> None:
    with pytest.raises(IndexNotReady, match="make index"):
        load(replace(settings, index_dir=tmp_path / "nowhere"))


def test_edited_policy_makes_the_index_stale(
    settings: KnowledgeSettings, built_index: Path, tmp_path: Path
) -> None:
    copy = _copy(settings, built_index, tmp_path)
    policy = tmp_path / "policy.md"
    policy.write_text(settings.policy_path.read_text().replace("128 bit", "256 bit"))
    edited = replace(copy, policy_path=policy)
    assert "policy_sha256" in (staleness(edited) or "")
    with pytest.raises(IndexNotReady, match=r"stale.*make index"):
        load(edited)


def test_other_model_makes_the_index_stale(
    settings: KnowledgeSettings, built_index: Path, tmp_path: Path
) -> None:
    copy = _copy(settings, built_index, tmp_path)
    assert "model_sha256" in (staleness(replace(copy, model="another/model")) or "")


def test_changed_code_makes_the_index_stale(
    settings: KnowledgeSettings, built_index: Path, tmp_path: Path
) -> None:
    # The fitted models depend on the retriever's rankings: a build by other code is stale.
    copy = _copy(settings, built_index, tmp_path)
    manifest_path = copy.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps(manifest | {"code_sha256": "0" * 64}))
    assert "code_sha256" in (staleness(copy) or "")


def test_cli_reports_a_missing_index_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(tmp_path / "none"))
    assert cli_main(["ask", "do you sell my data"]) == 2
    assert "make index" in capsys.readouterr().err


def test_build_exports_the_question_encoder(built_index: Path) -> None:
    assert {QUESTION_MODEL, QUESTION_TOKENIZER} <= {p.name for p in built_index.iterdir()}


def test_one_question_is_embedded_as_in_a_batch(encoder: Encoder, built_index: Path) -> None:
    # ONNX Runtime for one question, torch in batches: the same vectors, at any length
    # (a word, a sentence, nothing, the longest: truncated as the model truncates).
    questions = ["do you sell my data?", "hi", "", "cookies " * 300]
    for question, batched in zip(questions, encoder.encode(questions), strict=True):
        assert abs(encoder.encode_one(question) - batched).max() < 1e-5


def test_a_reading_maps_each_word_piece_to_its_word(encoder: Encoder, built_index: Path) -> None:
    reading = encoder.read("Do you keep my Nikon's serial number?")
    assert reading.words[:4] == ("do", "you", "keep", "my")
    assert "nikon" in reading.words and "serial" in reading.words
    assert len(reading.pieces) == len(reading.piece_word) > len(reading.words) - 1
    assert abs(np.linalg.norm(reading.pieces, axis=1) - 1).max() < 1e-5
    assert encoder.read("").words == () and not len(encoder.read("").pieces)


def test_the_index_holds_the_word_pieces_of_every_vector(built_index: Path) -> None:
    # One block of pieces per vector in clauses.faiss (each clause, then its aliases).
    index = read_index(built_index)
    sizes = np.diff(index.piece_offsets)
    assert len(sizes) == index.vectors.ntotal == len(index.view_owner)
    assert sizes.min() > 0 and index.piece_offsets[-1] == len(index.pieces)


def test_the_encoder_runs_on_the_configured_threads(
    encoder: Encoder, settings: KnowledgeSettings, built_index: Path
) -> None:
    encoder.encode_one("do you keep my card details?")
    options = encoder._session.get_session_options()
    assert options.intra_op_num_threads == settings.threads == KnowledgeSettings.threads
    assert options.inter_op_num_threads == 1
    assert KnowledgeSettings.from_env({"EMBEDDING_THREADS": "2"}).threads == 2


def test_questions_are_answered_without_torch(built_index: Path) -> None:
    # The action server's memory: torch and sentence-transformers are for the build only.
    script = (
        "import sys; from knowledge.retrieval import Retriever; from settings import "
        "KnowledgeSettings; Retriever.from_settings(KnowledgeSettings.from_env())"
        ".ask('Do you sell my data?'); print(*{m.split('.')[0] for m in sys.modules})"
    )
    environment = os.environ | {"KNOWLEDGE_INDEX_DIR": str(built_index)}
    modules = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "onnxruntime" in modules and "torch" not in modules
    assert "sentence_transformers" not in modules


def test_a_repeated_question_reuses_its_vector_whatever_its_case_and_spacing(
    encoder: Encoder, built_index: Path
) -> None:
    first = encoder.encode_one("Do you sell my data?")
    again = encoder.encode_one("  do YOU   sell my\tdata?")
    assert again is first and not first.flags.writeable
    assert abs(first - encoder.encode(["do you sell my data?"])[0]).max() < 1e-5
