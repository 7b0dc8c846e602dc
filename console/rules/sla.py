"""The SLA clock: support hours (GMT) and due times, as pure functions.

The clock runs only in support hours, except for the escalations that run
round the clock (fraud, WMID block). It stops while the ticket waits on the
customer and starts again with the customer's next message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from models import EscalationKind

ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class SupportHours:
    """Opening hours in GMT, one window for weekdays and one for the weekend."""

    weekday_open: time = time(7, 0)
    weekday_close: time = time(18, 0)
    weekend_open: time = time(7, 0)
    weekend_close: time = time(15, 0)

    def __post_init__(self) -> None:
        if self.weekday_open >= self.weekday_close:
            raise ValueError("weekday support hours must open before they close")
        if self.weekend_open > self.weekend_close:
            raise ValueError("weekend support hours must open before they close")

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The support window of one day (empty when open == close)."""
        weekend = day.weekday() >= 5
        opens = self.weekend_open if weekend else self.weekday_open
        closes = self.weekend_close if weekend else self.weekday_close
        return (
            datetime.combine(day, opens, tzinfo=UTC),
            datetime.combine(day, closes, tzinfo=UTC),
        )

    def is_open(self, at: datetime) -> bool:
        opens, closes = self.window(at.astimezone(UTC).date())
        return opens <= at < closes

    def next_change(self, at: datetime) -> datetime:
        """When the desk next opens (if closed now) or closes (if open now)."""
        at = at.astimezone(UTC)
        day = at.date()
        for _ in range(8):
            opens, closes = self.window(day)
            if at < opens:
                return opens
            if at < closes:
                return closes
            day += _ONE_DAY
        raise AssertionError("unreachable: weekdays always have support hours")

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of support time has passed after `start`."""
        if duration < ZERO:
            raise ValueError("support time to add must not be negative")
        cursor = start.astimezone(UTC)
        remaining = duration
        while True:
            opens, closes = self.window(cursor.date())
            cursor = max(cursor, opens)
            if cursor < closes:
                available = closes - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
            cursor = datetime.combine(cursor.date() + _ONE_DAY, time(0), tzinfo=UTC)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Support time from start to end; negative when end is before start."""
        if end < start:
            return -self.between(end, start)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        total = ZERO
        day = start.date()
        while day <= end.date():
            opens, closes = self.window(day)
            overlap = min(closes, end) - max(opens, start)
            if overlap > ZERO:
                total += overlap
            day += _ONE_DAY
        return total


def _default_round_the_clock() -> dict[EscalationKind, timedelta]:
    return {
        EscalationKind.wmid_block: timedelta(minutes=15),
        EscalationKind.fraud: timedelta(hours=1),
    }


@dataclass(frozen=True)
class SlaPolicy:
    hours: SupportHours = field(default_factory=SupportHours)
    first_answer: timedelta = timedelta(hours=4)
    next_answer: timedelta = timedelta(hours=8)
    round_the_clock: Mapping[EscalationKind, timedelta] = field(
        default_factory=_default_round_the_clock
    )

    def answer_due(self, received_at: datetime, *, first: bool) -> datetime:
        """Due time for an answer to a customer message received at `received_at`."""
        return self.hours.add(received_at, self.first_answer if first else self.next_answer)

    def escalation_due(self, kind: EscalationKind, set_at: datetime) -> datetime | None:
        """Due time an escalation imposes, or None when it has no clock of its own."""
        limit = self.round_the_clock.get(kind)
        return None if limit is None else set_at + limit

    def runs_round_the_clock(self, kinds: Iterable[EscalationKind]) -> bool:
        return any(kind in self.round_the_clock for kind in kinds)

    def time_left(
        self, due: datetime, now: datetime, *, kinds: Iterable[EscalationKind] = ()
    ) -> timedelta:
        """Time until due (negative once breached): wall-clock for round-the-clock
        escalations, support time otherwise."""
        if self.runs_round_the_clock(kinds):
            return due - now
        return self.hours.between(now, due)


def breached(due: datetime | None, now: datetime) -> bool:
    return due is not None and now > due
