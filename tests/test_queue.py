"""Queue reads on both backends: order, keyset pages, filters, search and the
filter bar's counts — each checked against an independent count."""

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from console import operations as ops
from console.demo.generator import load_demo
from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for
from console.rules.queue_order import kinds_of
from console.rules.tally_key import UNASSIGNED
from models import ACTIVE_STATUSES, EscalationKind, Service, Status, Ticket, TicketTally
from tests.support.desk import all_rows, new_ticket
from tests.support.oracle import tickets_plainly

EVERYTHING = QueueFilter(statuses=frozenset(Status), assignee=Assignee.anyone)


@pytest.fixture
def demo_desk(desk):
    load_demo(desk, tickets=600, seed=3)
    return desk


def queue_for(desk, login="olga"):
    return Queue(desk.db, viewer_id_for(desk.db, login))


def tickets_table(desk):
    """(number, status, service, flags, holder, due) of every ticket, read plainly."""
    return [
        (t.number, t.status, t.service, t.escalation_flags, t.login, t.due_at)
        for t in tickets_plainly(desk)
    ]


def test_queue_order_is_urgency_then_due_time_then_age(staffed, clock):
    plain_old = new_ticket(staffed, subject="plain old")
    clock.advance(minutes=1)
    plain_new = new_ticket(staffed, subject="plain new")
    clock.advance(minutes=1)
    hotline = new_ticket(staffed, subject="hotline")
    ops.escalate(staffed, hotline, "hotline", "called", by="olga")
    clock.advance(minutes=1)
    fraud = new_ticket(staffed, subject="fraud")
    ops.escalate(staffed, fraud, "fraud", "deceived", by="olga")
    clock.advance(minutes=1)
    block = new_ticket(staffed, subject="block")
    ops.request_block(staffed, block, "999988887777", "fraudster", by="olga")
    answered = new_ticket(staffed, subject="answered")
    ops.reply(staffed, answered, "done", by="olga")
    rows = queue_for(staffed).page(QueueFilter(), clock.now)
    assert [r.number for r in rows] == [block, fraud, hotline, plain_old, plain_new, answered]
    assert rows[0].escalations == [EscalationKind.wmid_block]


def test_the_default_view_is_mine_and_unassigned_live_work(staffed, clock):
    mine = new_ticket(staffed)
    ops.take(staffed, mine, by="olga")
    theirs = new_ticket(staffed)
    ops.take(staffed, theirs, by="ivan")
    free = new_ticket(staffed)
    archived = new_ticket(staffed)
    ops.take(staffed, archived, by="olga")
    ops.archive(staffed, archived, "spam", by="olga")
    unconfirmed = ops.create_ticket(
        staffed, service="other", subject="s", body="b", email="u@example.com"
    ).number
    numbers = {r.number for r in queue_for(staffed).page(QueueFilter(), clock.now)}
    assert numbers == {mine, free}
    everything = {r.number for r in queue_for(staffed).page(EVERYTHING, clock.now)}
    assert everything == {mine, theirs, free, archived, unconfirmed}


def test_keyset_pages_walk_the_whole_queue_in_order_both_ways(demo_desk, clock):
    queue = queue_for(demo_desk)
    one_go = queue.page(EVERYTHING, clock.now, limit=10_000)
    assert len(one_go) == 600
    assert all_rows(queue, EVERYTHING, clock.now) == one_go
    keys = [r.key for r in one_go]
    assert keys == sorted(keys)
    backwards, key = [], None
    while True:
        chunk = queue.page_before(EVERYTHING, clock.now, before=key, limit=41)
        backwards[:0] = chunk
        if len(chunk) < 41:
            break
        key = chunk[0].key
    assert backwards == one_go
    assert queue.page_at(EVERYTHING, clock.now, offset=300, limit=5) == one_go[300:305]
    assert queue.position(EVERYTHING, clock.now, one_go[123].key) == 123


@pytest.mark.parametrize(
    "f",
    [
        QueueFilter(),
        EVERYTHING,
        QueueFilter(services=frozenset({Service.keeper, Service.security})),
        QueueFilter(statuses=frozenset({Status.archived}), assignee=Assignee.anyone),
        QueueFilter(escalations=frozenset({EscalationKind.fraud}), assignee=Assignee.anyone),
        QueueFilter(assignee=Assignee.mine),
        QueueFilter(assignee=Assignee.unassigned),
        QueueFilter(assignee="ivan", statuses=frozenset(Status)),
        QueueFilter(breached=True, assignee=Assignee.anyone),
    ],
    ids=[
        "default",
        "everything",
        "services",
        "archived",
        "fraud",
        "mine",
        "unassigned",
        "ivan",
        "breached",
    ],
)
def test_filters_and_counts_match_an_independent_count(demo_desk, clock, f):
    queue = queue_for(demo_desk)
    rows = all_rows(queue, f, clock.now)

    def matches(status, service, flags, login, due, *, skip=""):
        return (
            (skip == "status" or status in f.statuses)
            and (skip == "service" or not f.services or service in f.services)
            and (
                skip == "escalation"
                or not f.escalations
                or any(k in f.escalations for k in kinds_of(flags))
            )
            and (
                skip == "assignee"
                or f.assignee == Assignee.anyone
                or (f.assignee == Assignee.mine and login == "olga")
                or (f.assignee == Assignee.unassigned and login is None)
                or (f.assignee == Assignee.mine_or_unassigned and login in ("olga", None))
                or login == f.assignee
            )
            and (not f.breached or (due is not None and due < clock.now))
        )

    table = tickets_table(demo_desk)
    expected = {n for n, *fields in table if matches(*fields)}
    assert {r.number for r in rows} == expected
    facets = queue.facets(f, clock.now)
    assert facets.total == len(expected)
    assert facets.statuses == dict(
        Counter(s for _, s, *rest in table if matches(s, *rest, skip="status"))
    )
    assert facets.services == dict(
        Counter(sv for _, s, sv, *rest in table if matches(s, sv, *rest, skip="service"))
    )
    escalations = Counter()
    for _, s, sv, flags, login, due in table:
        if matches(s, sv, flags, login, due, skip="escalation"):
            escalations.update(kinds_of(flags))
    assert facets.escalations == dict(escalations)
    assert facets.breached == sum(
        1
        for _, *fields in table
        if matches(*fields) and fields[-1] is not None and fields[-1] < clock.now
    )


def test_the_demo_holds_every_service_status_and_escalation(demo_desk):
    table = tickets_table(demo_desk)
    assert {row[1] for row in table} == set(Status)
    assert {row[2] for row in table} == set(Service)
    with demo_desk.db.read() as session:
        kinds = set(session.execute(sa.text("SELECT DISTINCT kind FROM escalation")).scalars())
    assert kinds == {kind.value for kind in EscalationKind}


def test_every_demo_operator_action_is_audited_with_who_did_it(demo_desk):
    with demo_desk.db.read() as session:
        nameless = session.execute(
            sa.text(
                "SELECT action, count(*) FROM auditevent"
                " WHERE actor = 'operator' AND operator_id IS NULL GROUP BY action"
            )
        ).all()
        escalations = session.execute(
            sa.text("SELECT count(*) FROM auditevent WHERE action = 'escalate'")
        ).scalar_one()
    assert escalations > 0
    assert nameless == []


def test_the_tally_always_equals_a_fresh_count(staffed, clock):
    numbers = [new_ticket(staffed, service=s) for s in ("keeper", "cards", "keeper", "enum")]
    ops.take(staffed, numbers[0], by="olga")
    ops.reply(staffed, numbers[0], "answer", by="olga")
    ops.escalate(staffed, numbers[1], "fraud", "x", by="ivan")
    ops.request_block(staffed, numbers[2], "111122223333", "y", by="ivan")
    ops.assign(staffed, numbers[3], to="ivan", by="sergey")
    ops.archive(staffed, numbers[3], "duplicate", by="ivan")
    with staffed.db.read() as session:
        tally = {
            (r.status, r.service, r.assignee_id, r.escalation_flags): r.tickets
            for r in session.execute(sa.select(TicketTally)).scalars()
            if r.tickets
        }
        assignee = sa.func.coalesce(Ticket.assignee_id, UNASSIGNED)
        fresh = {
            (s, sv, a, fl): n
            for s, sv, a, fl, n in session.execute(
                sa.select(
                    Ticket.status,
                    Ticket.service,
                    assignee,
                    Ticket.escalation_flags,
                    sa.func.count(),
                ).group_by(Ticket.status, Ticket.service, assignee, Ticket.escalation_flags)
            ).all()
        }
    assert tally == fresh


def search(desk, text, now):
    f = EVERYTHING.with_(search=text)
    return {r.number for r in queue_for(desk).page(f, now, limit=1000)}


def test_search_finds_words_by_prefix_case_folded_in_every_field(staffed, clock):
    login = new_ticket(staffed, subject="Не могу войти", body="Пароль не подходит к Keeper")
    mail = new_ticket(
        staffed, subject="Card", body="...", email="ivan.petrov@mail.ru", wmid="111111111111"
    )
    purse = new_ticket(
        staffed,
        subject="Top-up",
        body="Пополнение Z157156762925 не пришло",
        wmid="222222222222",
        purse="Z157156762925",
    )
    ops.reply(staffed, purse, "Проверили E-NUM, всё в порядке", by="olga")
    assert search(staffed, "ПАРОЛЬ", clock.now) == {login}
    assert search(staffed, "парол", clock.now) == {login}
    assert search(staffed, "keeper войти", clock.now) == {login}
    assert search(staffed, "petrov", clock.now) == {mail}
    assert search(staffed, "ivan.petrov@mail.ru", clock.now) == {mail}
    assert search(staffed, "111111111111", clock.now) == {mail}
    assert search(staffed, "z157156762925", clock.now) == {purse}
    assert search(staffed, str(login), clock.now) == {login}
    assert search(staffed, "e-num", clock.now) == {purse}
    assert search(staffed, '"не подходит"', clock.now) == {login}
    assert search(staffed, '"подходит не"', clock.now) == set()
    assert search(staffed, "nothing-like-this", clock.now) == set()


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("%", {"percent"}),
        ("100%", {"percent"}),
        ("_", {"underscore"}),
        ("a_b", {"underscore"}),
        ("'", {"quote", "injection"}),
        ('"', {"quote"}),
        ("'; DROP TABLE ticket; --", {"injection"}),
        ("\\", set()),
        ("[bold]", {"markup"}),
    ],
)
def test_hostile_search_strings_match_literally(staffed, clock, text, found):
    subjects = {
        "percent": "Refund 100% please",
        "underscore": "file a_b.txt",
        "quote": 'It\'s "broken"',
        "injection": "'; DROP TABLE ticket; --",
        "markup": "[bold] shouting",
        "plain": "nothing special here",
    }
    numbers = {name: new_ticket(staffed, subject=subject) for name, subject in subjects.items()}
    assert search(staffed, text, clock.now) == {numbers[name] for name in found}
    with staffed.db.read() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Ticket)).scalar() == 6


def test_saved_filters_survive_values_that_no_longer_exist():
    f = QueueFilter.from_json(
        {"services": ["keeper", "banking"], "statuses": ["closed"], "assignee": "mine"}
    )
    assert f.services == frozenset({Service.keeper})
    assert f.statuses == ACTIVE_STATUSES
    assert QueueFilter.from_json(f.as_json()) == f


def test_sla_breached_filter_follows_the_clock(staffed, clock):
    number = new_ticket(staffed)
    queue = queue_for(staffed)
    breached = QueueFilter(breached=True)
    assert queue.page(breached, clock.now) == []
    later = clock.now + timedelta(hours=5)
    assert [r.number for r in queue.page(breached, later)] == [number]
    assert queue.facets(QueueFilter(), later).breached == 1
