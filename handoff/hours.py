"""When the support team takes chats: ``SUPPORT_HOURS``.

``always`` for a team that covers every hour, or days, a time range and a time zone:
``Mon-Fri 09:00-17:30 Europe/London`` (the default), ``Mon,Wed,Fri 10:00-16:00 UTC``.
The zone makes "09:00" mean the same to every server, whatever its clock's zone, and
follows summer time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

ALWAYS = "always"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
UTC = ZoneInfo("UTC")
_WINDOW = re.compile(r"(?P<days>\S+)\s+(?P<opens>\d\d:\d\d)-(?P<closes>\d\d:\d\d)\s+(?P<zone>\S+)")
# How the customer is told the zone they may not know by name.
ZONE_WORDS = {"Europe/London": "UK time"}


def _days(text: str) -> tuple[int, ...]:
    """``Mon-Fri`` or ``Mon,Wed,Fri`` as weekday numbers (Monday is 0)."""
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        start, end = DAYS.index(first.title()), DAYS.index((last or first).title())
        days += range(start, end + 1)
    return tuple(days)


@dataclass(frozen=True)
class SupportHours:
    """Days and times staff take chats; ``days`` empty means every hour of every day."""

    days: tuple[int, ...] = ()
    opens: time = time(0)
    closes: time = time(0)
    zone: ZoneInfo = UTC

    @classmethod
    def parse(cls, text: str) -> SupportHours:
        """``always``, or ``<days> HH:MM-HH:MM <zone>``; ValueError for anything else."""
        if text.strip().lower() == ALWAYS:
            return cls()
        window = _WINDOW.fullmatch(text.strip())
        if not window:
            raise ValueError(f"SUPPORT_HOURS: {text!r} is not 'always' nor like {_EXAMPLE!r}")
        return cls(
            days=_days(window["days"]),
            opens=time.fromisoformat(window["opens"]),
            closes=time.fromisoformat(window["closes"]),
            zone=ZoneInfo(window["zone"]),
        )

    @property
    def always(self) -> bool:
        return not self.days

    def open_at(self, moment: datetime) -> bool:
        """Whether staff take chats at ``moment`` (an aware datetime)."""
        if self.always:
            return True
        local = moment.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def describe(self) -> str:
        """For the customer: "Monday to Friday, 09:00 to 17:30 UK time"."""
        if self.always:
            return "every day, at any hour"
        if list(self.days) == list(range(self.days[0], self.days[-1] + 1)) and len(self.days) > 2:
            days = f"{DAY_NAMES[self.days[0]]} to {DAY_NAMES[self.days[-1]]}"
        else:
            days = ", ".join(DAY_NAMES[d] for d in self.days)
        zone = ZONE_WORDS.get(self.zone.key, self.zone.key)
        return f"{days}, {self.opens:%H:%M} to {self.closes:%H:%M} {zone}"


_EXAMPLE = "Mon-Fri 09:00-17:30 Europe/London"
