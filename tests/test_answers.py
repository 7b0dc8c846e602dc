"""An answer and what goes with it, on both backends: someone else's hold is
gone over only on purpose (and the audit says so), news the sender has not
seen — a colleague's note too — stops the answer, and a status, an escalation,
a note and a handover go out with it in one transaction, each audited as
itself, or nothing does. Then the supervisors' verbs on many tickets."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from console import operations as ops
from console.errors import Conflict, Forbidden, HeldElsewhere, InvalidInput, TransitionRefused
from console.reads.ticket import load_ticket
from models import AuditEvent, EscalationKind, Handover, Message, Notice, Status
from tests.support.desk import new_ticket


def _latest_event(desk, number: int) -> int:
    return load_ticket(desk.db, number).audit[-1].id


def _rows(desk, table) -> int:
    with desk.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


# Someone else's hold ---------------------------------------------------------------


def test_replying_over_someone_elses_hold_is_refused_without_the_override(staffed):
    number = new_ticket(staffed)
    ops.take(staffed, number, by="olga")
    messages, events = _rows(staffed, Message), _rows(staffed, AuditEvent)
    with pytest.raises(HeldElsewhere, match="held by olga") as refused:
        ops.reply(staffed, number, "We are on it.", by="irina")
    assert refused.value.holder == "olga"
    assert (_rows(staffed, Message), _rows(staffed, AuditEvent)) == (messages, events)
    assert load_ticket(staffed.db, number).status == "open"


def test_the_override_is_recorded_and_the_holder_keeps_the_ticket(staffed):
    number = new_ticket(staffed)
    ops.take(staffed, number, by="olga")
    ops.reply(staffed, number, "Security checked it.", by="irina", override_hold=True)
    detail = load_ticket(staffed.db, number)
    assert (detail.status, detail.assignee) == ("answered", "olga")
    reply = detail.audit[-1]
    assert (reply.action, reply.operator, reply.after["over_hold_of"]) == (
        "reply",
        "irina",
        "olga",
    )
    assert "over olga's hold" in reply.details


def test_ones_own_hold_or_nobodys_needs_no_override(staffed):
    mine, free = new_ticket(staffed), new_ticket(staffed)
    ops.take(staffed, mine, by="olga")
    ops.reply(staffed, mine, "Done.", by="olga")
    ops.reply(staffed, free, "Done.", by="ivan")
    assert load_ticket(staffed.db, free).assignee == "ivan"
    assert "over_hold_of" not in (load_ticket(staffed.db, mine).audit[-1].after or {})


# News the sender has not seen -----------------------------------------------------------


def test_a_note_since_the_draft_began_stops_the_answer(staffed):
    number = new_ticket(staffed)
    ops.take(staffed, number, by="olga")
    seen = _latest_event(staffed, number)
    ops.note(staffed, number, "DO NOT ANSWER: security is on it", by="irina")
    version = load_ticket(staffed.db, number).version
    with pytest.raises(Conflict) as stopped:
        ops.reply(
            staffed, number, "All fine!", by="olga", expected_version=version, seen_event=seen
        )
    [change] = stopped.value.changes
    assert (change.operator, change.action) == ("irina", "added a note")
    assert "a note or another change you had not seen" in stopped.value.message
    assert load_ticket(staffed.db, number).status == "open"
    # Seen now: the answer goes.
    ops.reply(
        staffed,
        number,
        "All fine!",
        by="olga",
        expected_version=version,
        seen_event=_latest_event(staffed, number),
    )
    assert load_ticket(staffed.db, number).status == "answered"


def test_ones_own_changes_are_no_news(staffed):
    number = new_ticket(staffed)
    seen = _latest_event(staffed, number)
    ops.take(staffed, number, by="olga")
    ops.note(staffed, number, "checked the payment", by="olga")
    ops.reply(staffed, number, "Found it.", by="olga", seen_event=seen)
    assert load_ticket(staffed.db, number).status == "answered"


# What goes with an answer ----------------------------------------------------------


def test_an_answer_with_everything_is_one_transaction_audited_part_by_part(staffed):
    number = new_ticket(staffed)
    follow_up = ops.FollowUp(
        status=Status.on_hold,
        escalate=EscalationKind.hacking,
        why="macro Hacked account",
        note="Passed to security, case 77",
        macro="Hacked account",
    )
    ops.reply(staffed, number, "We have passed it to security.", by="olga", follow_up=follow_up)
    detail = load_ticket(staffed.db, number)
    assert (detail.status, detail.assignee, detail.escalation_kinds) == (
        "on_hold",
        "olga",
        ["hacking"],
    )
    assert [(m.kind, m.body) for m in detail.messages[1:]] == [
        ("operator", "We have passed it to security."),
        ("note", "Passed to security, case 77"),
    ]
    parts = detail.audit[1:]
    assert [e.action for e in parts] == ["reply", "note", "escalate", "status"]
    assert {e.after["macro"] for e in parts} == {"Hacked account"}
    with staffed.db.read() as session:
        versions = session.execute(
            sa.select(AuditEvent.ticket_version).where(
                AuditEvent.ticket_id.is_not(None), AuditEvent.action != "create"
            )
        ).scalars()
        assert set(versions) == {detail.version}
    assert parts[-1].before["status"] == "answered" and parts[-1].after["status"] == "on_hold"
    # The customer is told of the answer as of any other.
    assert _rows(staffed, Notice) == 1


def test_a_part_that_is_not_allowed_writes_nothing_at_all(staffed):
    number = new_ticket(staffed)
    ops.escalate(staffed, number, "fraud", "paid a fake seller", by="ivan")
    ops.take(staffed, number, by="olga")
    before = load_ticket(staffed.db, number)
    messages, events = _rows(staffed, Message), _rows(staffed, AuditEvent)
    clears_fraud = ops.FollowUp(clear_escalation=EscalationKind.fraud, why="not fraud")
    with pytest.raises(Forbidden, match="olga is an operator"):
        ops.reply(staffed, number, "Not fraud after all.", by="olga", follow_up=clears_fraud)
    after = load_ticket(staffed.db, number)
    assert (after.status, after.version, after.escalation_kinds) == (
        before.status,
        before.version,
        ["fraud"],
    )
    assert (_rows(staffed, Message), _rows(staffed, AuditEvent)) == (messages, events)
    # An officer may: the answer goes with it.
    ops.reply(staffed, number, "Not fraud.", by="irina", override_hold=True, follow_up=clears_fraud)
    assert load_ticket(staffed.db, number).escalation_kinds == []


def test_send_and_archive_archives_as_resolved(staffed):
    number = new_ticket(staffed)
    ops.reply(
        staffed, number, "Done, thanks.", by="olga", follow_up=ops.FollowUp(status=Status.archived)
    )
    detail = load_ticket(staffed.db, number)
    assert (detail.status, detail.archive_reason) == ("archived", "resolved")
    assert [e.action for e in detail.audit[1:]] == ["reply", "archive"]


def test_an_escalation_already_as_asked_is_left_alone(staffed):
    number = new_ticket(staffed)
    ops.escalate(staffed, number, "hacking", "login from abroad", by="ivan")
    follow_up = ops.FollowUp(
        escalate=EscalationKind.hacking, clear_escalation=EscalationKind.hotline, why="macro"
    )
    ops.reply(staffed, number, "Checking.", by="olga", follow_up=follow_up)
    detail = load_ticket(staffed.db, number)
    assert [e.action for e in detail.audit[2:]] == ["reply"]
    assert detail.escalations[0].set_by == "ivan"


@pytest.mark.parametrize(
    ("follow_up", "refusal"),
    [
        (ops.FollowUp(status=Status.open), TransitionRefused),
        (ops.FollowUp(escalate=EscalationKind.fraud), InvalidInput),
        (ops.FollowUp(note="  "), InvalidInput),
        (ops.FollowUp(handover=Handover.person), InvalidInput),
        (ops.FollowUp(handover=Handover.person, handover_to="ivan"), Forbidden),
    ],
)
def test_what_goes_with_an_answer_obeys_the_rules_it_obeys_alone(staffed, follow_up, refusal):
    number = new_ticket(staffed)
    with pytest.raises(refusal):
        ops.reply(staffed, number, "Answer.", by="olga", follow_up=follow_up)
    assert load_ticket(staffed.db, number).status == "new"


def test_handing_over_with_the_answer(staffed):
    given, returned = new_ticket(staffed), new_ticket(staffed)
    to_ivan = ops.FollowUp(handover=Handover.person, handover_to="ivan")
    ops.reply(staffed, given, "Ivan takes it from here.", by="sergey", follow_up=to_ivan)
    back = ops.FollowUp(handover=Handover.queue)
    ops.reply(staffed, returned, "Answered; anyone may go on.", by="olga", follow_up=back)
    assert load_ticket(staffed.db, given).assignee == "ivan"
    assert [e.action for e in load_ticket(staffed.db, given).audit[1:]] == ["reply", "assign"]
    assert load_ticket(staffed.db, returned).assignee is None


# Many tickets at once ------------------------------------------------------------


def test_the_last_reassign_is_put_back_ticket_by_ticket(staffed):
    held, free, moved_on = new_ticket(staffed), new_ticket(staffed), new_ticket(staffed)
    ops.take(staffed, held, by="olga")
    ops.take(staffed, moved_on, by="olga")
    done = ops.reassign(staffed, [held, free, moved_on], to="ivan", by="sergey")
    assert [(a.number, a.previous) for a in done.assigned] == [
        (held, "olga"),
        (free, None),
        (moved_on, "olga"),
    ]
    ops.set_status(staffed, moved_on, "on_hold", by="ivan")
    undone = ops.undo_reassign(staffed, done.assigned, by="sergey")
    assert undone.moved == [held, free]
    assert "changed since you loaded it" in undone.refused[moved_on]
    holders = [load_ticket(staffed.db, n).assignee for n in (held, free, moved_on)]
    assert holders == ["olga", None, "ivan"]
    # Given to ivan, the new ticket opened; put back in the queue, it is new again.
    statuses = [load_ticket(staffed.db, n).status for n in (held, free, moved_on)]
    assert statuses == [Status.open, Status.new, Status.on_hold]
    undo = load_ticket(staffed.db, held).audit[-1]
    assert (undo.action, undo.operator, undo.after["undo"]) == ("assign", "sergey", True)


def test_archiving_many_says_why_not_each_refused_one(staffed):
    first, second = new_ticket(staffed), new_ticket(staffed)
    ops.take(staffed, first, by="olga")
    ops.take(staffed, second, by="ivan")
    unconfirmed = ops.create_ticket(
        staffed, service="other", subject="Hi", body="?", email="x@example.com"
    ).number
    done = ops.archive_many(staffed, [first, second, unconfirmed], "duplicate", by="sergey")
    assert done.moved == [first, second]
    assert "cannot go from unconfirmed to archived" in done.refused[unconfirmed]
    assert load_ticket(staffed.db, first).archive_reason == "duplicate"
