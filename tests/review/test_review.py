"""The weekly review from a seeded conversation log and feedback store: ``make review``
prints and draws the week, the export is a development set the project's loader reads,
and no card number or contact detail reaches either."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from feedback import DOWN, UP, Feedback, open_feedback
from feedback.answers import DOES_NOT_SAY, PERSON, PERSON_SLOT, QUOTE, SILENT, AnswerRecord
from knowledge import question_sets
from knowledge.clauses import load_policy
from review import export
from review.report import as_text, build
from review.sources import HEDGED, THUMBS_DOWN, asked_in
from settings import PROJECT_ROOT, QUESTION_SETS, FeedbackSettings, KnowledgeSettings
from tests.support.conversation_log import add_answer

NOW = datetime.now(timezone.utc).replace(microsecond=0)
CARD, EMAIL, PHONE = "4111 1111 1111 1111", "jane.doe@example.com", "07700 900123"
# (days ago, kind, question, clause)
WEEK = [
    (6, QUOTE, "do you sell my data?", "sharing-1"),
    (5, QUOTE, "do u sell my info", "sharing-1"),
    (5, DOES_NOT_SAY, "how long do you keep my card?", "security-2"),
    (3, DOES_NOT_SAY, f"is {CARD} stored after I pay?", "security-2"),
    (2, SILENT, f"what time does Leeds open, call me on {PHONE}", None),
    (1, QUOTE, "what cookies do you use", "cookies-1"),
    (0, DOES_NOT_SAY, f"can I get the data you hold at {EMAIL}", "security-2"),
    (9, QUOTE, "a question from before the week", "sharing-1"),
]


@pytest.fixture
def seeded(tmp_path: Path) -> dict[str, str]:
    """A tracker store and feedback store holding the week; the environment naming them."""
    env = {
        "VAR_DIR": str(tmp_path / "var"),
        "TRACKER_DB": str(tmp_path / "tracker.db"),
        "FEEDBACK_DB": str(tmp_path / "feedback.db"),
        "REVIEW_DAYS": "7",
    }
    feedback = open_feedback(FeedbackSettings.from_env(env))
    for n, (days, kind, question, clause) in enumerate(WEEK):
        record = AnswerRecord(f"id-{n}", question, kind, "answer", clause, f"§ {clause}", 0.8)
        at = NOW - timedelta(days=days, hours=1)
        add_answer(Path(env["TRACKER_DB"]), f"sender-{n}", at, record)
        if kind == DOES_NOT_SAY:
            rating = UP if days == 5 else DOWN
            item = Feedback(record.feedback_id, at, rating, question, clause, "§", "answer", 0.8)
            feedback.rate(item)
            feedback.comment(record.feedback_id, f"how long you keep it, mail {EMAIL}")
    # After the hedge on the card question, that customer asked for a person.
    person = AnswerRecord(
        "p-1", "how long do you keep my card?", PERSON, "", "security-2", "§ security-2"
    )
    add_answer(Path(env["TRACKER_DB"]), "sender-2", NOW - timedelta(days=5), person, PERSON_SLOT)
    return env


def make_review(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        ["make", "-s", "review", *([f"ARGS={' '.join(args)}"] if args else [])],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_review_prints_and_draws_the_week(seeded: dict[str, str]) -> None:
    printed = make_review(seeded)
    assert (
        "answered: 3   hedged (the policy doesn't say): 3   told silent: 1   👎 not helpful: 2"
        "   asked for a person: 1" in printed
    )
    asked = printed.split("Asked for a person, by nearest clause")[1]
    assert "   1  security-2 (§ security-2)" in asked and '"how long do you keep my card?"' in asked
    hedged = printed.split("Hedged")[1].split("Told silent")[0]
    assert "   3  security-2 (§ security-2)" in hedged
    assert '"how long do you keep my card?"' in hedged
    assert (
        "looking for: how long you keep it" in printed.split("👎 not helpful, by nearest clause")[1]
    )
    assert "a question from before the week" not in printed
    page = Path(re.search(r"chart and page: (\S+)", printed).group(1))
    html = page.read_text(encoding="utf-8")
    assert (
        html.count("<polyline") == 5  # a line and a legend mark for each kind
        and html.count("<rect") == 5
        and "<table>" in html
        and "<svg" in html
    )
    assert html.count('<tr><th scope="row">') == 8  # the 7 days back and today


def test_no_card_number_or_contact_detail_reaches_the_review(seeded: dict[str, str]) -> None:
    printed = make_review(seeded)
    html = next(Path(seeded["VAR_DIR"], "review").glob("*.html")).read_text(encoding="utf-8")
    for shown in (printed, html):
        assert CARD not in shown and "4111" not in shown.replace("**** **** **** 1111", "")
        assert EMAIL not in shown and PHONE not in shown and "900123" not in shown
    assert "**** **** **** 1111" in printed  # masked, so the question still reads


def test_the_export_is_a_development_set_the_loader_reads(
    seeded: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "review-hedged.jsonl"
    printed = make_review(seeded, "export", "--kind", HEDGED, "--out", str(out))
    assert "wrote 3 hedged questions" in printed
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(row["unchecked"] and row["expected"] == ["security-2"] for row in rows)
    assert question_sets.load_file(out) == []  # nothing unchecked reaches a threshold
    questions = question_sets.load_file(out, unchecked=True)
    clauses = {c.id for c in load_policy(KnowledgeSettings.from_env().policy_path).clauses}
    assert {q.question for q in questions} >= {"how long do you keep my card?"}
    assert all(set(q.expected) <= clauses and q.answerable for q in questions)
    assert CARD not in out.read_text(encoding="utf-8")
    checked = [json.dumps({k: v for k, v in row.items() if k != "unchecked"}) for row in rows]
    out.write_text("\n".join(checked) + "\n", encoding="utf-8")
    assert len(question_sets.load_file(out)) == 3  # once checked, every line counts


def test_an_export_into_the_sets_folder_joins_the_manifest(
    seeded: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sets = tmp_path / "evaluation"
    sets.mkdir()
    shutil.copy(QUESTION_SETS / question_sets.MANIFEST, sets)
    monkeypatch.setattr(export, "QUESTION_SETS", sets)
    from settings import ReviewSettings

    settings = ReviewSettings.from_env(seeded)
    asked = asked_in(settings.tracker_db, open_feedback(settings), NOW - timedelta(days=7))
    rows = export.lines(asked, THUMBS_DOWN)
    assert export.write(rows, sets / "review-down.jsonl", THUMBS_DOWN, NOW)
    manifest = (sets / question_sets.MANIFEST).read_text(encoding="utf-8")
    assert "review-down:\n  role: development\n  schema: answerable" in manifest
    assert rows[0]["review"]["comment"].startswith("how long you keep it")


def test_the_review_counts_by_kind_and_day() -> None:
    from review.sources import ANSWERED, Asked

    start = NOW - timedelta(days=2)
    asked = [Asked(NOW - timedelta(days=d), ANSWERED, f"q{d}", "c") for d in (0, 1, 1, 5)]
    review = build(asked, start, NOW)
    assert review.totals[ANSWERED] == 3 and review.per_day[ANSWERED] == (0, 2, 1)
    assert "   3  c" in as_text(review)
