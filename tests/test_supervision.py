"""What supervisors and security officers do beside working tickets: decide WMID
blocks, see who holds what and for how long, keep the templates and the scam
markers. On both backends, every change audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from console import operations as ops
from console.errors import Forbidden, InvalidInput, TransitionRefused
from console.reads.blocks import blocks_for_review
from console.reads.queue import Assignee, Queue, QueueFilter
from console.reads.stats import holders
from console.reads.ticket import load_ticket, other_tickets
from models import AuditEvent, MessageChannel, ScamMarker, Template
from tests.support.desk import new_ticket


def _staff_audit(desk, action: str) -> list[AuditEvent]:
    with desk.db.read() as session:
        return list(
            session.execute(sa.select(AuditEvent).where(AuditEvent.action == action))
            .scalars()
            .all()
        )


def _row(desk, number: int):
    queue = Queue(desk.db, None)
    rows = queue.page(QueueFilter(assignee=Assignee.anyone), desk.now(), limit=50)
    return next(row for row in rows if row.number == number)


# Who holds what, since when -----------------------------------------------------


def test_the_hold_starts_when_the_ticket_changes_hands(staffed, clock):
    number = new_ticket(staffed)
    assert _row(staffed, number).assigned_at is None
    clock.advance(minutes=30)
    ops.take(staffed, number, by="olga")
    taken_at = clock.now
    assert _row(staffed, number).assigned_at == taken_at
    clock.advance(minutes=10)
    ops.note(staffed, number, "checking", by="olga")
    assert _row(staffed, number).assigned_at == taken_at
    clock.advance(hours=1)
    ops.assign(staffed, number, to="ivan", by="sergey")
    assert _row(staffed, number).assigned_at == clock.now
    ops.assign(staffed, number, to=None, by="sergey")
    assert _row(staffed, number).assigned_at is None


def test_held_waiting_counts_from_the_later_of_the_take_and_the_customer(staffed, clock):
    number = new_ticket(staffed)
    created = clock.now
    clock.advance(hours=2)
    ops.take(staffed, number, by="olga")
    assert _row(staffed, number).held_waiting_since == clock.now
    ops.reply(staffed, number, "answer", by="olga")
    assert _row(staffed, number).held_waiting_since is None
    clock.advance(hours=1)
    ops.customer_message(staffed, number, "and now?", channel=MessageChannel.form)
    assert _row(staffed, number).held_waiting_since == clock.now
    assert _row(staffed, number).held_waiting_since > created


def test_a_reply_to_an_unassigned_ticket_starts_the_hold(staffed, clock):
    number = new_ticket(staffed)
    clock.advance(minutes=5)
    ops.reply(staffed, number, "answer", by="ivan")
    row = _row(staffed, number)
    assert (row.assignee, row.assigned_at) == ("ivan", clock.now)


def test_holders_are_the_active_people_least_loaded_first(staffed):
    for _ in range(2):
        ops.take(staffed, new_ticket(staffed), by="olga")
    ops.take(staffed, new_ticket(staffed), by="ivan")
    done = new_ticket(staffed)
    ops.take(staffed, done, by="ivan")
    ops.archive(staffed, done, "spam", by="ivan")
    ops.set_operator_active(staffed, "irina", False)
    loads = {holder.login: holder.held for holder in holders(staffed)}
    assert loads == {"elena": 0, "sergey": 0, "ivan": 1, "olga": 2}
    assert [holder.login for holder in holders(staffed)][-1] == "olga"


def test_bulk_reassign_writes_an_audit_event_per_ticket(staffed):
    numbers = [new_ticket(staffed) for _ in range(3)]
    result = ops.reassign(staffed, numbers, to="olga", by="sergey")
    assert result.moved == numbers
    for number in numbers:
        [event] = [e for e in load_ticket(staffed.db, number).audit if e.action == "assign"]
        assert (event.operator, event.after["assignee"]) == ("sergey", "olga")


# Four eyes -----------------------------------------------------------------------


def test_blocks_for_review_are_the_pending_ones_oldest_first_with_their_ticket(staffed, clock):
    first = new_ticket(staffed, subject="Scammed on a deal")
    second = new_ticket(staffed, subject="Another one")
    older = ops.request_block(staffed, first, "111111111111", "took the money", by="olga")
    clock.advance(minutes=5)
    newer = ops.request_block(staffed, second, "222222222222", "same person", by="ivan")
    clock.advance(minutes=5)
    decided = ops.request_block(staffed, second, "333333333333", "third", by="ivan")
    ops.reject_block(staffed, decided, "not enough", by="sergey")
    review = blocks_for_review(staffed.db)
    assert [b.id for b in review] == [older, newer]
    block = review[0]
    assert (block.wmid, block.requested_by, block.number) == ("111111111111", "olga", first)
    assert (block.subject, block.status, block.service) == ("Scammed on a deal", "new", "transfers")
    assert block.waiting(clock.now).total_seconds() == 600
    assert [t.number for t in other_tickets(staffed.db, first)] == [second]


def test_the_requester_is_told_the_four_eyes_rule_in_the_domains_words(staffed):
    number = new_ticket(staffed)
    request = ops.request_block(staffed, number, "111111111111", "fraud", by="sergey")
    expected = ops.four_eyes_refusal("sergey", request).message
    with pytest.raises(Forbidden) as refused:
        ops.approve_block(staffed, request, by="sergey")
    assert refused.value.message == expected
    with pytest.raises(Forbidden, match="four-eyes"):
        ops.reject_block(staffed, request, "changed my mind", by="sergey")
    assert load_ticket(staffed.db, number).pending_blocks[0].id == request


def test_both_steps_of_a_block_are_on_the_ticket_with_who_and_why(staffed):
    number = new_ticket(staffed)
    request = ops.request_block(staffed, number, "111111111111", "took 500 WMZ", by="olga")
    ops.approve_block(staffed, request, by="irina", reason="confirmed by the hotline")
    detail = load_ticket(staffed.db, number)
    [block] = detail.blocks
    assert (block.requested_by, block.decided_by, block.state) == ("olga", "irina", "approved")
    assert block.decision_reason == "confirmed by the hotline"
    actions = [(e.action, e.operator) for e in detail.audit]
    assert ("block_request", "olga") in actions
    assert ("block_approve", "irina") in actions


# Templates -----------------------------------------------------------------------


def _template(desk, **fields) -> int:
    values = {"title": "Payment found", "body": "Hello {name}", "language": "en"}
    values.update(fields)
    return ops.save_template(desk, by="sergey", **values)


def test_a_withdrawn_template_is_kept_but_no_longer_offered(staffed):
    template_id = _template(staffed, service="keeper")
    ops.set_template_active(staffed, template_id, False, by="sergey")
    assert ops.list_templates(staffed, service="keeper", language="en") == []
    [kept] = ops.list_templates(staffed, include_inactive=True)
    assert (kept.id, kept.active) == (template_id, False)
    with pytest.raises(TransitionRefused, match="already withdrawn"):
        ops.set_template_active(staffed, template_id, False, by="sergey")
    ops.set_template_active(staffed, template_id, True, by="elena")
    assert ops.get_template(staffed, template_id).active
    withdrawn = _staff_audit(staffed, "template_withdraw")
    restored = _staff_audit(staffed, "template_restore")
    assert withdrawn[0].after == {"id": template_id, "title": "Payment found", "active": False}
    assert restored[0].after["active"] is True


@pytest.mark.parametrize("login", ["olga", "irina"])
def test_only_supervisors_withdraw_templates(staffed, login):
    template_id = _template(staffed)
    with pytest.raises(Forbidden, match="takes a supervisor"):
        ops.set_template_active(staffed, template_id, False, by=login)
    assert ops.get_template(staffed, template_id).active


def test_template_edits_are_audited_with_before_and_after(staffed):
    template_id = _template(staffed)
    ops.save_template(
        staffed,
        by="elena",
        template_id=template_id,
        title="Payment found",
        body="Dear {name}, ticket {ticket}",
        language="en",
    )
    [added] = _staff_audit(staffed, "template_add")
    [saved] = _staff_audit(staffed, "template_save")
    assert added.after["body"] == "Hello {name}"
    assert (saved.before["body"], saved.after["body"]) == (
        "Hello {name}",
        "Dear {name}, ticket {ticket}",
    )


def test_saving_a_template_as_it_was_records_nothing(staffed):
    template_id = _template(staffed)
    again = ops.get_template(staffed, template_id)
    saved = ops.save_template(
        staffed,
        by="elena",
        template_id=template_id,
        title=again.title,
        body=again.body,
        language=again.language,
        service=again.service,
    )
    assert saved == template_id
    assert _staff_audit(staffed, "template_save") == []
    assert ops.get_template(staffed, template_id).updated_at == again.updated_at


def test_template_input_is_refused_with_what_is_expected(staffed):
    with pytest.raises(InvalidInput, match="unknown language 'de'"):
        _template(staffed, language="de")
    with pytest.raises(InvalidInput, match="at most 200"):
        _template(staffed, title="x" * 201)
    with pytest.raises(InvalidInput, match="needs a title"):
        _template(staffed, title="  ")
    _template(staffed)
    with pytest.raises(TransitionRefused, match="already exists"):
        _template(staffed)


# Scam markers ----------------------------------------------------------------------


def test_a_bad_regular_expression_is_refused_with_why(staffed):
    with pytest.raises(InvalidInput, match="not a valid regular expression: missing \\)"):
        ops.add_marker(staffed, "(telegram", is_regex=True, by="irina")
    with pytest.raises(InvalidInput, match="matches empty text"):
        ops.add_marker(staffed, "x*", is_regex=True, by="irina")
    with pytest.raises(InvalidInput, match="needs a pattern"):
        ops.add_marker(staffed, "   ", by="irina")
    assert ops.list_markers(staffed, include_inactive=True) == []


def test_markers_are_added_disabled_and_enabled_with_an_audit_trail(staffed):
    marker = ops.add_marker(
        staffed, r"t\.me/\w+", is_regex=True, by="irina", description="  messenger   deals "
    )
    [added] = ops.list_markers(staffed)
    assert (added.pattern, added.is_regex, added.description) == (
        r"t\.me/\w+",
        True,
        "messenger deals",
    )
    ops.set_marker_active(staffed, marker, False, by="sergey")
    assert ops.list_markers(staffed) == []
    with pytest.raises(TransitionRefused, match="already disabled"):
        ops.set_marker_active(staffed, marker, False, by="sergey")
    ops.set_marker_active(staffed, marker, True, by="irina")
    assert [m.id for m in ops.list_markers(staffed)] == [marker]
    actions = [
        (e.action, e.after["pattern"])
        for action in ("marker_add", "marker_disable", "marker_enable")
        for e in _staff_audit(staffed, action)
    ]
    assert [a for a, _ in actions] == ["marker_add", "marker_disable", "marker_enable"]
    assert {p for _, p in actions} == {r"t\.me/\w+"}


def test_adding_a_marker_already_in_use_records_nothing(staffed):
    marker = ops.add_marker(staffed, "webmoneyy", by="irina", description="look-alike")
    assert ops.add_marker(staffed, "webmoneyy", by="sergey", description="look-alike") == marker
    assert len(_staff_audit(staffed, "marker_add")) == 1
    # Another description is another marker, as before.
    assert ops.add_marker(staffed, "webmoneyy", by="sergey") != marker


def test_an_operator_may_not_touch_the_markers(staffed):
    marker = ops.add_marker(staffed, "webmoneyy", by="sergey")
    with pytest.raises(Forbidden, match="olga is an operator"):
        ops.add_marker(staffed, "suppport", by="olga")
    with pytest.raises(Forbidden, match="olga is an operator"):
        ops.set_marker_active(staffed, marker, False, by="olga")
    with staffed.db.read() as session:
        assert session.get(ScamMarker, marker).active
        assert session.execute(sa.select(sa.func.count()).select_from(Template)).scalar() == 0
