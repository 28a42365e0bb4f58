from datetime import datetime, timezone

import pytest

from handoff.hours import SupportHours

DEFAULT = SupportHours.parse("Mon-Fri 09:00-17:30 Europe/London")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        ("2026-12-07 09:00", True),  # Monday, winter: London is UTC
        ("2026-12-07 17:29", True),
        ("2026-12-07 17:30", False),
        ("2026-12-07 08:59", False),
        ("2026-12-12 12:00", False),  # Saturday
        ("2026-07-06 08:30", True),  # Monday, summer: 09:30 in London
        ("2026-07-06 16:45", False),  # 17:45 in London
    ],
)
def test_the_default_hours_follow_london_time(moment: str, open_: bool) -> None:
    assert DEFAULT.open_at(utc(moment)) is open_


def test_always_is_open_at_any_hour() -> None:
    assert SupportHours.parse("always").open_at(utc("2026-12-13 03:00"))


def test_a_list_of_days() -> None:
    hours = SupportHours.parse("Mon,Wed 10:00-12:00 UTC")
    assert hours.open_at(utc("2026-12-09 11:00")) and not hours.open_at(utc("2026-12-08 11:00"))
    assert hours.describe() == "Monday, Wednesday, 10:00 to 12:00 UTC"


def test_the_customer_is_told_the_hours_in_words() -> None:
    assert DEFAULT.describe() == "Monday to Friday, 09:00 to 17:30 UK time"


@pytest.mark.parametrize("text", ["weekdays", "Mon-Fri 9-5 Europe/London", "Mon-Fri 09:00-17:30"])
def test_a_setting_that_cannot_be_read_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        SupportHours.parse(text)
