"""What ``make bench ARGS=--profile`` says a policy question costs beyond a greeting."""

from __future__ import annotations

from pathlib import Path

from tools.bench import SAMPLES_PER_S, extra_ms


def test_extra_time_per_turn_is_what_each_function_spends_itself(tmp_path: Path) -> None:
    # Two policy turns and two greetings, sampled; every stack runs in "loop".
    policy, greet = tmp_path / "policy.folded", tmp_path / "greet.folded"
    policy.write_text("loop;parse 5\nloop;parse;action 7\nloop 10\n")
    greet.write_text("loop;parse 4\nloop 10\n")
    ms = 1000 / SAMPLES_PER_S
    extra = extra_ms(policy, 2, greet, 2)
    assert extra == {
        "action": round(7 * ms / 2, 2),
        "parse": round((5 - 4) * ms / 2, 2),
        "loop": 0.0,
    }
    assert next(iter(extra)) == "action"
