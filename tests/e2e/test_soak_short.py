"""A short soak in the suite: a few customers at once, each asking and making a request;
no errors, and every confirmed request in the outbox and the mail sink exactly once."""

from __future__ import annotations

import pytest

from stack.processes import Stack
from tools import soak

pytestmark = pytest.mark.e2e


def test_concurrent_customers_get_answers_and_each_request_arrives_once(stack: Stack) -> None:
    figures = soak.run(stack, customers=5, seconds=None, visits=2)
    assert figures["errors"] == {}
    assert figures["requests_confirmed"] == 5
    assert figures["confirmed_in_outbox_once"] == 5
    assert figures["confirmed_in_sink_once"] == 5
