"""The queue's orders (o: SLA due, age, the last customer message, the last
change) on both backends: every page, both ways, and `wmconsole tickets --order`,
against the tickets sorted plainly in Python; a ticket's position and
neighbours; and "answered by me today"."""

import json

import pytest
from click.testing import CliRunner

from console import operations as ops
from console.cli.main import main
from console.demo.generator import load_demo
from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for
from console.rules.queue_order import QUEUE_ORDERS, SortOrder
from models import ACTIVE_STATUSES, EscalationKind, Status
from tests.support.desk import all_rows, new_ticket
from tests.support.oracle import tickets_plainly
from tests.support.roster import cli_db

EVERYTHING = QueueFilter(statuses=frozenset(Status), assignee=Assignee.anyone)
# The escalation kinds are bits in the order they are declared, the most urgent first.
NO_ESCALATION = len(EscalationKind)


def urgency(t):
    """The queue's own order, worked out plainly: the most urgent escalation
    (nothing worked after everything live), then the due time (none last), then age."""
    if t.status not in ACTIVE_STATUSES:
        rank = NO_ESCALATION + 1
    elif t.escalation_flags:
        rank = (t.escalation_flags & -t.escalation_flags).bit_length() - 1
    else:
        rank = NO_ESCALATION
    return (rank, t.due_at is None, t.due_at or 0, t.created_at, t.id)


# The plain sort key of each order, and whether it runs newest first.
ORACLE = {
    SortOrder.sla: (urgency, False),
    SortOrder.age: (lambda t: (t.created_at, t.id), False),
    SortOrder.customer: (lambda t: (t.last_customer_at, t.id), True),
    SortOrder.updated: (lambda t: (t.updated_at, t.id), True),
}


@pytest.fixture
def demo_desk(desk):
    load_demo(desk, tickets=500, seed=11)
    return desk


def walk_back(queue, f, now, page=29):
    rows, key = [], None
    while True:
        chunk = queue.page_before(f, now, before=key, limit=page)
        rows[:0] = chunk
        if len(chunk) < page:
            return rows
        key = chunk[0].key


def expected(desk, order, keep):
    key, newest_first = ORACLE[order]
    tickets = [t for t in tickets_plainly(desk) if keep(t)]
    return [t.number for t in sorted(tickets, key=key, reverse=newest_first)]


@pytest.mark.parametrize("order", list(ORACLE))
@pytest.mark.parametrize(
    ("f", "keep"),
    [
        (EVERYTHING, lambda t: True),
        (QueueFilter(), lambda t: t.status in ACTIVE_STATUSES and t.login in (None, "olga")),
        (
            EVERYTHING.with_(statuses=frozenset({Status.archived, Status.open})),
            lambda t: t.status in (Status.archived, Status.open),
        ),
    ],
    ids=["everything", "opening view", "open and archived"],
)
def test_every_order_pages_both_ways_as_the_tickets_sort(demo_desk, clock, order, f, keep):
    queue = Queue(demo_desk.db, viewer_id_for(demo_desk.db, "olga"))
    f = f.with_(order=order)
    wanted = expected(demo_desk, order, keep)
    forwards = all_rows(queue, f, clock.now)
    assert [row.number for row in forwards] == wanted
    assert walk_back(queue, f, clock.now) == forwards
    assert queue.facets(f, clock.now).total == len(wanted)
    middle = forwards[len(forwards) // 2]
    assert queue.position(f, clock.now, middle.key) == len(forwards) // 2
    assert queue.page_at(f, clock.now, offset=40, limit=3) == forwards[40:43]
    after = queue.neighbour(f, clock.now, middle.number, 1)
    before = queue.neighbour(f, clock.now, middle.number, -1)
    at = len(forwards) // 2
    assert (before.number, after.number) == (forwards[at - 1].number, forwards[at + 1].number)
    assert queue.neighbour(f, clock.now, forwards[-1].number, 1) is None


@pytest.mark.parametrize("order", QUEUE_ORDERS)
def test_the_command_line_lists_every_order_as_the_tickets_sort(demo_desk, db_url, order):
    args = ["tickets", "--json", "--order", order, "--limit", "1000", "--as", "olga"]
    args += ["--assignee", "anyone", "--status", ",".join(Status)]
    result = CliRunner().invoke(main, ["--db", cli_db(db_url, args), *args])
    assert result.exit_code == 0, (result.output, result.stderr)
    listed = [row["number"] for row in json.loads(result.stdout)]
    assert listed == expected(demo_desk, order, lambda t: True)


def test_a_customers_message_and_a_change_move_a_ticket_to_the_top(staffed, clock):
    first = new_ticket(staffed, subject="first")
    clock.advance(minutes=1)
    second = new_ticket(staffed, subject="second")
    queue = Queue(staffed.db, viewer_id_for(staffed.db, "olga"))
    by = {order: QueueFilter(order=order) for order in SortOrder}

    def numbers(order):
        return [row.number for row in queue.page(by[order], clock.now)]

    assert numbers(SortOrder.age) == [first, second]
    assert numbers(SortOrder.customer) == [second, first]
    clock.advance(minutes=1)
    ops.customer_message(staffed, first, "any news?", channel="email")
    assert numbers(SortOrder.customer) == [first, second]
    clock.advance(minutes=1)
    ops.take(staffed, second, by="olga")
    assert numbers(SortOrder.updated) == [second, first]
    assert numbers(SortOrder.age) == [first, second]


def test_answered_by_me_today_is_my_answers_since_midnight(staffed, clock):
    yesterday = new_ticket(staffed, subject="yesterday")
    ops.reply(staffed, yesterday, "done", by="olga")
    clock.advance(hours=20)  # Thursday 06:00
    mine = new_ticket(staffed, subject="mine")
    ops.reply(staffed, mine, "done", by="olga")
    theirs = new_ticket(staffed, subject="theirs")
    ops.reply(staffed, theirs, "done", by="ivan")
    held_by_ivan = new_ticket(staffed, subject="answered by me, held by ivan")
    ops.take(staffed, held_by_ivan, by="ivan")
    ops.reply(staffed, held_by_ivan, "me too", by="olga", override_hold=True)
    clock.advance(minutes=1)
    f = QueueFilter(statuses=frozenset(Status), assignee=Assignee.anyone, answered_today=True)
    queue = Queue(staffed.db, viewer_id_for(staffed.db, "olga"))
    assert {row.number for row in all_rows(queue, f, clock.now)} == {mine, held_by_ivan}
    assert queue.facets(f, clock.now).total == 2
