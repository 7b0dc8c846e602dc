"""Presence (who else has a ticket open), the send-time check's "what changed
since version V", and the queue reads the console's cursor relies on — on both
backends, with no terminal."""

from __future__ import annotations

from datetime import timedelta

from console import operations as ops
from console.reads import presence
from console.reads.news import latest_event, messages_after, news_since
from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for
from console.reads.ticket import load_ticket
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


def test_what_others_did_since_a_draft_began(staffed, clock):
    number = new_ticket(staffed)
    ops.take(staffed, number, by="olga")
    seen = latest_event(staffed.db, number)
    version = load_ticket(staffed.db, number).version

    def news():
        return news_since(
            staffed.db, number, since_event=seen, since_version=version, viewer="olga"
        )

    nothing = news()
    assert not nothing.changed and nothing.latest_event == seen
    # A note is news, with its words, though it never bumps the version.
    ops.note(staffed, number, "DO NOT ANSWER: security is on it", by="irina")
    [noted] = news().items
    assert (noted.entry.operator, noted.entry.action) == ("irina", "note")
    assert (noted.message.kind, noted.message.body) == ("note", "DO NOT ANSWER: security is on it")
    # One's own doing is not.
    ops.note(staffed, number, "looking", by="olga")
    clock.advance(minutes=3)
    ops.assign(staffed, number, to="ivan", by="sergey")
    ops.reply(staffed, number, "Done.", by="ivan")
    now = news()
    assert (now.status, now.assignee) == (Status.answered.value, "ivan")
    assert [(i.entry.operator, i.entry.action) for i in now.items] == [
        ("irina", "note"),
        ("sergey", "assign"),
        ("ivan", "reply"),
    ]
    assert "assignee olga → ivan" in now.items[1].entry.details
    assert now.items[2].message.body == "Done."
    assert now.latest_event == latest_event(staffed.db, number) > seen
    # A draft from before drafts kept what they had seen: by its version.
    by_version = news_since(
        staffed.db, number, since_event=None, since_version=version, viewer="olga"
    )
    assert [i.entry.action for i in by_version.items] == ["assign", "reply"]


def test_the_messages_a_conversation_has_not_shown_yet(staffed):
    number = new_ticket(staffed)
    [first] = load_ticket(staffed.db, number).messages
    assert messages_after(staffed.db, number, first.id) == []
    ops.note(staffed, number, "checking", by="ivan")
    ops.reply(staffed, number, "Found it.", by="ivan")
    assert [(m.kind, m.author) for m in messages_after(staffed.db, number, first.id)] == [
        ("note", "ivan"),
        ("operator", "ivan"),
    ]


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
