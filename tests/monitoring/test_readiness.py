"""Readiness from the last background check: a probe never waits on a slow store."""

from __future__ import annotations

import asyncio

from monitoring.readiness import BackgroundCheck

PROBE_WAIT_S = 0.05  # a load balancer's probe, scaled down


def test_checked_inline_once_then_answered_from_the_last_result() -> None:
    async def scenario() -> list[str | None]:
        answers: list[str | None] = [None, "outbox unreachable", "outbox unreachable"]
        store_answers = asyncio.Event()

        async def check() -> str | None:
            if len(answers) == 2:  # the second check: the store is slow under load
                await store_answers.wait()
            return answers.pop(0)

        readiness = BackgroundCheck(check, refresh_s=0)
        seen = [await readiness.reason()]  # first: inline
        # The next checks run in the background: each probe answers at once, blocked or not.
        seen.append(await asyncio.wait_for(readiness.reason(), PROBE_WAIT_S))
        seen.append(await asyncio.wait_for(readiness.reason(), PROBE_WAIT_S))
        store_answers.set()
        await asyncio.sleep(0)  # the background check finishes
        await asyncio.sleep(0)
        seen.append(await asyncio.wait_for(readiness.reason(), PROBE_WAIT_S))
        return seen

    assert asyncio.run(scenario()) == [None, None, None, "outbox unreachable"]
