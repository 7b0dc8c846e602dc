"""The SLA clock: support hours in GMT, weekday 07-18, weekend 07-15."""

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.rules.lifecycle import answer_due
from console.rules.sla import SlaPolicy, SupportHours, breached
from models import EscalationKind, Status

HOURS = SupportHours()
POLICY = SlaPolicy()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """November 2026: the 27th is a Friday, 28th Saturday, 29th Sunday, 30th Monday."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Within one weekday.
        (at(25, 10), 4, at(25, 14)),
        # Across the evening: 2 h left on Wednesday, 2 h on Thursday morning.
        (at(25, 16), 4, at(26, 9)),
        # Arriving at night: the clock starts at 07:00.
        (at(25, 23), 4, at(26, 11)),
        (at(26, 3), 4, at(26, 11)),
        # Friday evening into the weekend: Saturday opens 07-15.
        (at(27, 17), 4, at(28, 10)),
        # Saturday afternoon: 1 h Saturday, the rest on Sunday.
        (at(28, 14), 4, at(29, 10)),
        # Sunday afternoon into Monday (weekend to weekday change).
        (at(29, 13), 4, at(30, 9)),
        # Sunday after closing: Monday 07:00 + 4 h.
        (at(29, 16), 4, at(30, 11)),
        # Eight hours from Friday 12:00: 6 h Friday, 2 h Saturday.
        (at(27, 12), 8, at(28, 9)),
        # Exactly at closing time: nothing left today.
        (at(25, 18), 1, at(26, 8)),
        # Exactly at opening time.
        (at(28, 7), 8, at(28, 15)),
    ],
)
def test_due_time_counts_only_support_hours(start, hours, due):
    assert HOURS.add(start, timedelta(hours=hours)) == due


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(25, 6, 59), False),
        (at(25, 7), True),
        (at(25, 17, 59), True),
        (at(25, 18), False),
        (at(28, 14, 59), True),
        (at(28, 15), False),
        (at(29, 7, 30), True),
    ],
)
def test_open_hours(moment, is_open):
    assert HOURS.is_open(moment) is is_open


def test_next_change_is_the_next_opening_or_closing():
    assert HOURS.next_change(at(27, 20)) == at(28, 7)
    assert HOURS.next_change(at(28, 8)) == at(28, 15)
    assert HOURS.next_change(at(29, 15)) == at(30, 7)


def test_support_time_between_spans_a_weekend():
    # Fri 17:00-18:00 (1 h) + Sat 8 h + Sun 8 h + Mon 07:00-09:00 (2 h)
    assert HOURS.between(at(27, 17), at(30, 9)) == timedelta(hours=19)
    assert HOURS.between(at(30, 9), at(27, 17)) == -timedelta(hours=19)


def test_time_left_is_support_time_for_normal_tickets_and_wall_time_for_fraud():
    due = at(30, 9)
    now = at(28, 16)
    # Saturday evening to Monday 09:00: Sunday 8 h + Monday 2 h.
    assert POLICY.time_left(due, now) == timedelta(hours=10)
    assert POLICY.time_left(due, now, kinds=[EscalationKind.fraud]) == due - now


def test_breached_after_due():
    assert not breached(at(25, 10), at(25, 10))
    assert breached(at(25, 10), at(25, 10, 1))
    assert not breached(None, at(25, 10))


def test_fraud_and_block_escalations_bring_the_due_time_forward_round_the_clock():
    friday_night = at(27, 22)
    normal = answer_due(
        POLICY,
        status=Status.open,
        waiting_since=friday_night,
        first_answered=False,
        escalations=[],
    )
    assert normal == at(28, 11)
    fraud = answer_due(
        POLICY,
        status=Status.open,
        waiting_since=friday_night,
        first_answered=False,
        escalations=[(EscalationKind.fraud, friday_night)],
    )
    assert fraud == friday_night + timedelta(hours=1)
    block = answer_due(
        POLICY,
        status=Status.open,
        waiting_since=friday_night,
        first_answered=True,
        escalations=[
            (EscalationKind.fraud, friday_night),
            (EscalationKind.wmid_block, friday_night + timedelta(minutes=5)),
        ],
    )
    assert block == friday_night + timedelta(minutes=20)


def test_the_clock_stops_while_waiting_on_the_customer():
    for status in (Status.answered, Status.archived, Status.unconfirmed, Status.expired):
        assert (
            answer_due(
                POLICY, status=status, waiting_since=at(25, 10), first_answered=True, escalations=[]
            )
            is None
        )


def test_next_answer_is_due_within_eight_support_hours():
    assert answer_due(
        POLICY, status=Status.open, waiting_since=at(25, 10), first_answered=True, escalations=[]
    ) == at(25, 18)
    assert answer_due(
        POLICY, status=Status.open, waiting_since=at(25, 11), first_answered=True, escalations=[]
    ) == at(26, 8)


def test_configured_hours_are_respected():
    late = SupportHours(time(9), time(21), time(10), time(12))
    assert late.add(at(28, 11), timedelta(hours=2)) == at(29, 11)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=60))


@given(start=moments, duration=durations)
def test_adding_support_time_then_measuring_it_gives_it_back(start, duration):
    due = HOURS.add(start, duration)
    assert due >= start
    assert HOURS.between(start, due) == duration


@given(start=moments, duration=durations)
def test_a_due_time_falls_inside_support_hours(start, duration):
    due = HOURS.add(start, duration)
    if duration > timedelta(0):
        opens, closes = HOURS.window(due.date())
        assert opens < due <= closes


@given(a=moments, b=moments, c=moments)
def test_support_time_is_additive(a, b, c):
    a, b, c = sorted([a, b, c])
    assert HOURS.between(a, c) == HOURS.between(a, b) + HOURS.between(b, c)
