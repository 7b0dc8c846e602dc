"""The hotlines (DESIGN.md section 2) and their hours, for the operator on the
phone: which line is answered now, in the line's own time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Weekday (Monday 0) -> (opens, closes), local time; a day missing is closed.
Week = dict[int, tuple[time, time]]
ROUND_THE_CLOCK: Week = {day: (time(0), time.max) for day in range(7)}


@dataclass(frozen=True)
class Hotline:
    country: str
    numbers: tuple[str, ...]
    hours: str
    # None: the desk does not know the line's hours.
    week: Week | None = None
    zone: str = "UTC"
    note: str = ""

    def is_open(self, now: datetime) -> bool | None:
        """Whether the line answers at `now` (None when its hours are not known)."""
        if self.week is None:
            return None
        try:
            local = now.astimezone(ZoneInfo(self.zone))
        except ZoneInfoNotFoundError:
            return None
        hours = self.week.get(local.weekday())
        return hours is not None and hours[0] <= local.time() < hours[1]


HOTLINES = (
    Hotline("Russia", ("+7 495 727-43-33", "+7 812 309-02-91"), "round the clock", ROUND_THE_CLOCK),
    Hotline(
        "Ukraine",
        ("0 800 30-94-60",),
        "Monday–Friday 09:00–23:00, Saturday 09:00–18:00, Kyiv time",
        {**{day: (time(9), time(23)) for day in range(5)}, 5: (time(9), time(18))},
        zone="Europe/Kyiv",
        note="free",
    ),
    Hotline("Belarus", ("+375 17 388-57-57",), "hours not known to the desk"),
    Hotline("Vietnam", ("+84 1900 6474",), "hours not known to the desk"),
)
