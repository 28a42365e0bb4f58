"""Building, reloading and refusing stale indexes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import onnx
import pytest

from knowledge.answering.answerability import THRESHOLDS_FILE
from knowledge.answering.reader import READER_FILE
from knowledge.builder import build
from knowledge.cli import main as cli_main
from knowledge.embedding import (
    QUESTION_MODEL,
    QUESTION_TOKENIZER,
    Encoder,
    QuestionEncoder,
    export_question_encoder,
)
from knowledge.index import IndexNotReady, load, staleness
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
    # The thresholds are chosen on the pipeline's own answers: other code, another build.
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


def test_build_exports_the_trained_question_encoder_and_its_thresholds(built_index: Path) -> None:
    names = {p.name for p in built_index.iterdir()}
    assert {QUESTION_MODEL, QUESTION_TOKENIZER, READER_FILE, THRESHOLDS_FILE} <= names
    reader = json.loads((built_index / READER_FILE).read_text())
    assert len(reader["training_sha256"]) == 64 and reader["examples"] > 1000
    thresholds = json.loads((built_index / THRESHOLDS_FILE).read_text())
    assert 0 < thresholds["answer_below"] <= 1 and "development" in thresholds["chosen_on"]
    # The encoder's weights are 8-bit: its matrix products are integer ones.
    graph = onnx.load(str(built_index / QUESTION_MODEL)).graph
    assert {"DynamicQuantizeLinear", "MatMulInteger"} <= {node.op_type for node in graph.node}


def test_the_exported_encoder_gives_the_vectors_torch_gives(
    encoder: Encoder, tmp_path: Path
) -> None:
    # ONNX Runtime with 8-bit weights for one question, torch in batches: nearly the same
    # vectors, at any length (a word, a sentence, nothing, the longest: truncated as the
    # model truncates).
    export_question_encoder(encoder.model, tmp_path)
    exported = QuestionEncoder(tmp_path, threads=1)
    questions = ["do you sell my data?", "hi", "", "cookies " * 300]
    for question, batched in zip(questions, encoder.encode(questions), strict=True):
        assert exported.encode_one(question) @ batched > 0.97


def test_the_fine_tuned_encoder_differs_from_the_base_model(
    encoder: Encoder, settings: KnowledgeSettings, built_index: Path
) -> None:
    question = "can u delete my acount"
    tuned = QuestionEncoder(built_index).encode_one(question)
    assert abs(tuned - encoder.encode([question])[0]).max() > 1e-3


def test_the_encoder_runs_on_the_configured_threads(
    settings: KnowledgeSettings, built_index: Path
) -> None:
    questions = QuestionEncoder(built_index, threads=settings.threads)
    questions.encode_one("do you keep my card details?")
    options = questions._session.get_session_options()
    assert options.intra_op_num_threads == settings.threads == KnowledgeSettings.threads
    assert options.inter_op_num_threads == 1
    assert KnowledgeSettings.from_env({"EMBEDDING_THREADS": "2"}).threads == 2


def test_questions_are_answered_without_torch(built_index: Path) -> None:
    # The action server's memory: torch and sentence-transformers are for the build only.
    script = (
        "import sys; from knowledge.answering.pipeline import Pipeline; from settings import "
        "KnowledgeSettings; Pipeline.from_settings(KnowledgeSettings.from_env())"
        ".ask('Do you sell my data?'); print(*{m.split('.')[0] for m in sys.modules})"
    )
    environment = os.environ | {"KNOWLEDGE_INDEX_DIR": str(built_index)}
    modules = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "onnxruntime" in modules and "torch" not in modules
    assert "sentence_transformers" not in modules


def test_a_repeated_question_reuses_its_vector_whatever_its_case_and_spacing(
    built_index: Path,
) -> None:
    questions = QuestionEncoder(built_index)
    first = questions.encode_one("Do you sell my data?")
    again = questions.encode_one("  do YOU   sell my\tdata?")
    assert again is first and not first.flags.writeable
