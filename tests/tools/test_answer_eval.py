"""`make eval` judges replies by their wording, and its headline pools held-out sets."""

from __future__ import annotations

import pytest
import yaml

from knowledge import question_sets
from settings import PROJECT_ROOT
from tools.answer_eval import (
    POOLED,
    Case,
    Tally,
    headline_rows,
    headline_table,
    headline_tallies,
    kind_of,
    parse_args,
    says_policy_silent,
)

RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
EVIDENCE = "We never sell your details."


def text_of(response: str, **slots: str) -> str:
    return RESPONSES[response][0]["text"].format(**slots)


@pytest.mark.parametrize(
    ("response", "kind", "silent"),
    [
        ("utter_policy_quote", "quote", False),
        ("utter_policy_does_not_say", "hedge", False),
        ("utter_policy_silent", "silent", True),
        ("utter_out_of_scope", "out_of_scope", True),
        ("utter_greet", "away", False),
    ],
)
def test_each_reply_is_judged_by_its_kind(response: str, kind: str, silent: bool) -> None:
    text = RESPONSES[response][0]["text"]
    assert kind_of(text) == kind
    assert says_policy_silent(text) is silent


class NoSentences:
    """The hand-made cases carry evidence, so no clause's sentences are looked up."""

    def of(self, clause_id: str) -> list[str]:
        return []


def answerable(reply: str) -> Case:
    return Case(turns=["q"], expected=["sharing-1"], evidence=[EVIDENCE], replies=[reply])


def unanswerable(reply: str, near: bool = False) -> Case:
    return Case(turns=["q"], expected=[], evidence=[], near=near, replies=[reply])


QUOTE = text_of("utter_policy_quote", section="Sharing", quote=EVIDENCE)
HEDGE_RIGHT = text_of("utter_policy_does_not_say", section="Sharing", quote=EVIDENCE)
HEDGE_OTHER = text_of("utter_policy_does_not_say", section="Cookies", quote="We use cookies.")
SILENT = text_of("utter_policy_silent")
GREET = text_of("utter_greet")


def head(cases: list[Case], schema: str = "answerable") -> dict[str, Tally]:
    return headline_tallies(cases, schema, NoSentences())


def test_held_out_sets_are_pooled_by_counts_not_by_averages() -> None:
    heads = {
        # 1/1 answered; the silent question told so with the contacts.
        "small": head([answerable(QUOTE), unanswerable(SILENT)]),
        # 1/3 answered, one hedged on the right clause; the near one hedged, the other greeted.
        "big": head(
            [
                answerable(QUOTE),
                answerable(HEDGE_RIGHT),
                answerable(HEDGE_OTHER),
                unanswerable(HEDGE_OTHER, near=True),
                unanswerable(GREET),
            ]
        ),
        "chat": head([answerable(QUOTE), answerable(GREET)], "follow-up"),
        "tuning": head([answerable(GREET)]),
    }
    roles = {"small": "held-out", "big": "held-out", "chat": "held-out", "tuning": "development"}

    rows = headline_rows(heads, roles)

    assert [name for name, _, _ in rows] == ["small", "big", "chat", "tuning", POOLED]
    _, role, pooled = rows[-1]
    assert role == "held-out"
    assert pooled["plainly_answered"] == Tally(2, 4)  # not (1/1 + 1/3) / 2
    assert pooled["hedged_right_clause"] == Tally(1, 6)
    assert pooled["followups_answered"] == Tally(1, 2)
    assert pooled["unanswerable_told"] == Tally(2, 3)
    assert heads["chat"]["plainly_answered"].share is None
    assert "0.500 (2/4)*" in headline_table(rows).splitlines()[-2]


def test_no_pooled_row_without_a_held_out_set() -> None:
    heads = {"tuning": head([answerable(QUOTE)])}
    assert [name for name, _, _ in headline_rows(heads, {"tuning": "development"})] == ["tuning"]


def test_train_sets_run_only_when_asked_for() -> None:
    manifest = question_sets.manifest()
    _, names = parse_args([])
    assert names == [n for n, s in manifest.items() if s.role in ("development", "held-out")]
    assert parse_args(["--role", "train"])[1] == list(question_sets.names("train"))
    assert parse_args(["--sets", "dev"])[1] == ["dev"]
    with pytest.raises(SystemExit):
        parse_args(["--sets", "no-such-set"])
