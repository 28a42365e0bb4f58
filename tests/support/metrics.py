"""Reading the monitor's Prometheus page as a test would read a dashboard."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import requests
from prometheus_client.parser import text_string_to_metric_families

Sample = tuple[str, tuple[tuple[str, str], ...]]
T = TypeVar("T")
SCRAPE_TIMEOUT_S = 10
WAIT_S = 60
POLL_S = 0.2


def scrape(url: str) -> dict[Sample, float]:
    """Every sample on the page: (name, sorted labels) -> value."""
    page = requests.get(url, timeout=SCRAPE_TIMEOUT_S)
    page.raise_for_status()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(page.text)
        for sample in family.samples
    }


def value(samples: dict[Sample, float], name: str, **labels: str) -> float:
    """One sample's value; a labelled counter not incremented yet is absent, so 0."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def wait_for(check: Callable[[], T], what: str, timeout_s: float = WAIT_S) -> T:
    """``check()`` once it returns something true, polling; fails after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(POLL_S)
    raise AssertionError(f"{what}: not within {timeout_s} s")


def scrape_when(
    url: str, name: str, holds: Callable[[float], bool], **labels: str
) -> dict[Sample, float]:
    """The first scrape in which the sample ``name`` (with ``labels``) satisfies ``holds``."""

    def check() -> dict[Sample, float] | None:
        samples = scrape(url)
        return samples if holds(value(samples, name, **labels)) else None

    return wait_for(check, f"{name} {labels}")
