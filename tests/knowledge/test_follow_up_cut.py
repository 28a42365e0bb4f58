"""Where the follow-up detector cuts: chosen on the development sets, both kinds alike."""

from __future__ import annotations

from knowledge import question_sets
from knowledge.training.follow_ups import SecondTurn, best_cut, development_turns


def test_the_cut_weighs_follow_ups_and_standalone_questions_alike() -> None:
    """Two follow-ups, right only when joined, at 0.45; five standalone questions, right
    only alone, at 0.5, among fifteen right either way. Joining the follow-ups gains all
    of them and costs a quarter of the standalone questions: taken. Counting questions
    instead of shares would not join them (17 right against 20)."""
    follow_ups = [SecondTurn(0.45, right_alone=False, right_in_context=True)] * 2
    standalone = [SecondTurn(0.5, right_alone=True, right_in_context=False)] * 5
    standalone += [SecondTurn(0.1, right_alone=True, right_in_context=True)] * 15
    assert best_cut(follow_ups, standalone) == 0.45


def test_of_equally_good_cuts_the_one_nearest_half_is_taken() -> None:
    follow_ups = [SecondTurn(0.95, right_alone=False, right_in_context=True)]
    standalone = [SecondTurn(0.05, right_alone=True, right_in_context=False)]
    assert best_cut(follow_ups, standalone) == 0.5


def test_the_cut_is_chosen_on_development_questions_only() -> None:
    development = question_sets.load_role("development")
    asked = {q.turns for q in development}
    texts = {turn for q in development for turn in q.turns}
    pairs = development_turns()
    assert pairs and all(q.turns in asked and previous in texts for q, previous in pairs)
