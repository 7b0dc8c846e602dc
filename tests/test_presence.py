"""Presence (who else has a ticket open), the send-time check's "what changed
since version V", and the queue reads the console's cursor relies on — on both
backends, with no terminal."""

from __future__ import annotations

from datetime import timedelta

from console import operations as ops
from console.reads import presence
from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for
from console.reads.ticket import changes_after_version, load_ticket
from models import PresenceState, Status
from tests.support.desk import new_ticket


def operator_id(desk, login):
    return ops.get_operator(desk, login).id


def beat(desk, console_id, login, number, state=PresenceState.viewing):
    presence.heartbeat(
        desk.db,
        console_id=console_id,
        operator_id=operator_id(desk, login),
        ticket_number=number,
        state=state,
        now=desk.now(),
        host="desk-1",
    )


def test_who_else_has_the_ticket_open_and_who_is_typing(staffed, clock):
    number = new_ticket(staffed)
    other = new_ticket(staffed)
    beat(staffed, "olga-console", "olga", number)
    beat(staffed, "ivan-console", "ivan", number, PresenceState.typing)
    beat(staffed, "irina-console", "irina", other)
    seen = presence.who_else(staffed.db, number, console_id="olga-console", now=clock.now)
    assert [(p.login, p.state, p.host) for p in seen] == [("ivan", PresenceState.typing, "desk-1")]
    assert seen[0].typing
    mine = presence.who_else(staffed.db, number, console_id="ivan-console", now=clock.now)
    assert [p.login for p in mine] == ["olga"]


def test_a_console_that_moves_on_or_leaves_is_gone_at_once(staffed, clock):
    number = new_ticket(staffed)
    beat(staffed, "ivan-console", "ivan", number)
    beat(staffed, "ivan-console", "ivan", None)
    assert presence.who_else(staffed.db, number, console_id="x", now=clock.now) == []
    beat(staffed, "ivan-console", "ivan", number)
    presence.leave(staffed.db, "ivan-console")
    assert presence.who_else(staffed.db, number, console_id="x", now=clock.now) == []


def test_a_dead_console_drops_out_by_age_and_is_pruned_later(staffed, clock):
    number = new_ticket(staffed)
    beat(staffed, "killed-console", "ivan", number)
    clock.advance(seconds=presence.PRESENCE_TTL.total_seconds() - 1)
    assert [p.login for p in presence.who_else(staffed.db, number, console_id="x", now=clock.now)]
    clock.advance(seconds=2)
    assert presence.who_else(staffed.db, number, console_id="x", now=clock.now) == []
    assert presence.prune(staffed.db, clock.now) == 0
    clock.advance(hours=2)
    assert presence.prune(staffed.db, clock.now) == 1


def test_what_changed_since_a_version(staffed, clock):
    number = new_ticket(staffed)
    ops.take(staffed, number, by="olga")
    seen = load_ticket(staffed.db, number).version
    nothing = changes_after_version(staffed.db, number, seen)
    assert not nothing.changed and nothing.entries == []
    # A note never makes anyone's view stale.
    ops.note(staffed, number, "checking", by="ivan")
    assert not changes_after_version(staffed.db, number, seen).changed
    clock.advance(minutes=3)
    ops.assign(staffed, number, to="ivan", by="sergey")
    ops.reply(staffed, number, "Done.", by="ivan")
    changes = changes_after_version(staffed.db, number, seen)
    assert changes.changed
    assert (changes.status, changes.assignee) == (Status.answered.value, "ivan")
    assert [(e.operator, e.action) for e in changes.entries] == [
        ("sergey", "assign"),
        ("ivan", "reply"),
    ]
    assert "assignee olga → ivan" in changes.entries[0].details


def test_a_tickets_place_and_whether_there_are_any(staffed, clock):
    queue = Queue(staffed.db, viewer_id_for(staffed.db, "olga"))
    assert not queue.any_tickets()
    first = new_ticket(staffed)
    clock.advance(minutes=1)
    second = new_ticket(staffed)
    assert queue.any_tickets()
    everyone = QueueFilter(assignee=Assignee.anyone)
    rows = queue.page(everyone, clock.now)
    assert [r.number for r in rows] == [first, second]
    ops.escalate(staffed, second, "fraud", "deceived", by="olga")
    key = queue.key_of(rows[1].id)
    assert key != rows[1].key
    assert queue.position(everyone, clock.now, key) == 0
    assert queue.key_of(10**9) is None


def test_the_presence_ttl_is_a_few_heartbeats():
    heartbeats = presence.PRESENCE_TTL / timedelta(seconds=presence.HEARTBEAT_SECONDS)
    assert 2 < heartbeats <= 5


def test_counts_are_reused_between_filters_only_when_asked(staffed, clock):
    new_ticket(staffed)
    viewer = viewer_id_for(staffed.db, "olga")
    plain = Queue(staffed.db, viewer)
    reusing = Queue(staffed.db, viewer, counts_fresh_for=timedelta(seconds=20))
    assert reusing.facets(QueueFilter(), clock.now).total == 1
    new_ticket(staffed)
    # A script's queue counts afresh; the console's reuses its cells until told.
    assert plain.facets(QueueFilter(), clock.now).total == 2
    assert reusing.facets(QueueFilter(assignee=Assignee.anyone), clock.now).total == 1
    reusing.forget_counts()
    assert reusing.facets(QueueFilter(), clock.now).total == 2
    new_ticket(staffed)
    clock.advance(seconds=21)
    assert reusing.facets(QueueFilter(), clock.now).total == 3
    # A search counts its own cells.
    assert reusing.facets(QueueFilter(search="nothing-like-this"), clock.now).total == 0
