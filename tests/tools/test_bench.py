"""What ``make bench ARGS=--profile`` says a policy question costs beyond a greeting."""

from __future__ import annotations

from pathlib import Path

from tools.bench import SAMPLES_PER_S, extra_ms


def test_extra_time_per_turn_is_told_apart_from_the_servers_loop(tmp_path: Path) -> None:
    # Two policy turns and two greetings, sampled; every stack runs in "loop".
    policy, greet = tmp_path / "policy.folded", tmp_path / "greet.folded"
    policy.write_text("loop;parse 5\nloop;parse;action 7\nloop;idle 10\n")
    greet.write_text("loop;parse 4\nloop;idle 10\n")
    ms = 1000 / SAMPLES_PER_S
    extra = extra_ms(policy, 2, greet, 2)
    assert "loop" not in extra
    assert extra["action"] == round(7 * ms / 2, 2)
    assert extra["parse"] == round((12 - 4) * ms / 2, 2)
    assert list(extra)[:2] == ["parse", "action"] and extra["idle"] == 0
