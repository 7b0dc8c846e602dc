"""The dashboard's numbers equal counts made independently, row by row."""

import json
import re
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from console import operations as ops
from console.cli.main import main
from console.demo.generator import load_demo
from console.reads.stats import desk_stats
from console.rules.queue_order import kinds_of
from models import ACTIVE_STATUSES, BlockRequest, BlockState, Message, Operator
from tests.support.desk import new_ticket
from tests.support.oracle import tickets_plainly


@pytest.fixture
def busy_desk(desk, clock):
    load_demo(desk, tickets=700, seed=11)
    return desk


def _operator_messages(desk):
    with desk.db.read() as session:
        return session.execute(
            sa.select(Operator.login, Message.created_at)
            .join(Operator, Operator.id == Message.author_id)
            .where(Message.kind == "operator")
        ).all()


def test_open_work_sla_escalations_and_load_match_independent_counts(busy_desk, clock):
    now = clock.now
    stats = desk_stats(busy_desk)
    tickets = tickets_plainly(busy_desk)
    live = [t for t in tickets if t.status in ACTIVE_STATUSES]
    assert live, "the demo should have live work"

    matrix = Counter((t.service.value, t.status.value) for t in live)
    assert {(s, st): n for s, row in stats.open_work.items() for st, n in row.items()} == matrix
    assert stats.open_total == len(live)

    breached = Counter(t.service.value for t in tickets if t.due_at and t.due_at < now)
    assert stats.breached == dict(breached)
    soon = Counter(
        t.service.value
        for t in tickets
        if t.due_at
        and t.due_at >= now
        and busy_desk.sla.time_left(t.due_at, now, kinds=kinds_of(t.escalation_flags))
        < timedelta(hours=1)
    )
    assert stats.breaching_soon == dict(soon)

    kinds = Counter(kind.value for t in live for kind in kinds_of(t.escalation_flags))
    assert {k: n for k, n in stats.escalations.items() if n} == dict(kinds)

    with busy_desk.db.read() as session:
        waiting_blocks = session.execute(
            sa.select(sa.func.count()).where(BlockRequest.state == BlockState.requested)
        ).scalar()
    assert len(stats.block_requests) == waiting_blocks
    waits = [r.requested_at for r in stats.block_requests]
    assert waits == sorted(waits)

    held = Counter(t.login for t in live if t.login)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    answered = Counter(login for login, at in _operator_messages(busy_desk) if at >= today)
    for load in stats.operators:
        assert load.held == held[load.login], load.login
        assert load.answered_today == answered[load.login], load.login

    waiting = sorted(
        (t for t in tickets if t.status in ("new", "open", "on_hold")),
        key=lambda t: (t.waiting_since, t.number),
    )[:10]
    assert [w.number for w in stats.oldest_waiting] == [t.number for t in waiting]


def test_inflow_and_answers_per_hour_and_day_match_the_tickets(busy_desk, clock):
    stats = desk_stats(busy_desk)
    tickets = tickets_plainly(busy_desk)
    replies = _operator_messages(busy_desk)
    assert len(stats.hourly) == 24 and len(stats.daily) == 7
    for bucket, width in [(b, timedelta(hours=1)) for b in stats.hourly] + [
        (b, timedelta(days=1)) for b in stats.daily
    ]:
        inside = lambda at, b=bucket, w=width: b.start <= at < b.start + w  # noqa: E731
        assert bucket.created == sum(1 for t in tickets if inside(t.created_at)), bucket
        assert bucket.answered == sum(1 for _, at in replies if inside(at)), bucket
    assert sum(b.created for b in stats.daily) > 0


def test_new_work_moves_the_numbers(staffed, clock):
    before = desk_stats(staffed)
    created = ops.create_ticket(
        staffed,
        service="cards",
        subject="Card",
        body="Blocked",
        email="a@example.com",
        wmid="123456789012",
    )
    ops.take(staffed, created.number, by="olga")
    request = ops.request_block(staffed, created.number, "999988887777", "fraud", by="olga")
    ops.reply(staffed, created.number, "Calling the bank", by="olga")
    after = desk_stats(staffed)
    assert after.open_total == before.open_total + 1
    assert after.open_work["cards"] == {"answered": 1}
    assert [r.id for r in after.block_requests] == [request]
    olga = next(o for o in after.operators if o.login == "olga")
    assert (olga.held, olga.answered_today) == (1, 1)
    assert olga.median_first_answer_seconds == 0
    assert after.hourly[-1].created == 1 and after.hourly[-1].answered == 1


def test_stats_json_and_prometheus_from_the_command_line(busy_desk, db_url):
    runner = CliRunner()
    as_json = json.loads(runner.invoke(main, ["--db", db_url, "stats", "--json"]).stdout)
    stats = desk_stats(busy_desk)
    assert as_json["open_total"] == stats.open_total
    # The command runs on the real clock, not the test's: compare what time does not move.
    assert as_json["breached_total"] == sum(as_json["breached"].values())
    assert len(as_json["block_requests"]) == len(stats.block_requests)
    assert {o["login"] for o in as_json["operators"]} == {o.login for o in stats.operators}
    text = runner.invoke(main, ["--db", db_url, "stats", "--prometheus"]).stdout
    sample = re.compile(r'^wmconsole_[a-z_]+(\{([a-z_]+="[^"]*",?)+\})? -?[0-9.e+]+$')
    for line in text.splitlines():
        assert line.startswith("# ") or sample.match(line), line
    open_lines = [line for line in text.splitlines() if line.startswith("wmconsole_open_tickets{")]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in open_lines) == stats.open_total


def test_held_longest_counts_from_the_later_of_the_take_and_the_customers_message(staffed, clock):
    waited_first = new_ticket(staffed)
    clock.advance(hours=2)
    taken_later = new_ticket(staffed)
    clock.advance(hours=1)
    ops.take(staffed, waited_first, by="olga")
    taken_at = clock.now
    clock.advance(hours=1)
    ops.take(staffed, taken_later, by="olga")
    clock.advance(minutes=30)
    olga = next(o for o in desk_stats(staffed).operators if o.login == "olga")
    # The longest-waiting customer wrote 3 h before olga took the ticket: the
    # hold counts from the take, as the queue's held-too-long flag does.
    assert olga.oldest_held_waiting_since == taken_at - timedelta(hours=3)
    assert olga.held_longest_since == taken_at
