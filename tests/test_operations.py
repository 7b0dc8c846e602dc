"""Every domain operation, on a SQLite file and on PostgreSQL: the transition it
makes, what it refuses, and the audit trail it leaves."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from console import operations as ops
from console.errors import Conflict, Forbidden, InvalidInput, NotFound, TransitionRefused
from console.reads.operator import load_preference
from console.reads.ticket import load_ticket
from models import Notice, NoticeKind, Status
from tests.support.desk import new_ticket


def status_of(desk, number):
    return load_ticket(desk.db, number).status


def notices(desk, number):
    with desk.db.read() as session:
        detail = load_ticket(desk.db, number)
        return session.execute(
            sa.select(Notice.kind, Notice.channel, Notice.recipient).where(
                Notice.ticket_id == detail.id
            )
        ).all()


def test_a_signed_in_customer_gets_a_confirmed_ticket_with_a_first_answer_due(staffed, clock):
    created = ops.create_ticket(
        staffed,
        service="keeper",
        subject="Не могу войти",
        body="Пароль не подходит",
        email="Ivan@Mail.RU",
        wmid="123456789012",
    )
    detail = load_ticket(staffed.db, created.number)
    assert created.status == Status.new
    assert detail.confirmed
    assert detail.customer_email == "Ivan@mail.ru"
    assert detail.language == "ru"
    assert detail.notice_channel == "keeper"
    assert detail.due_at == clock.now + timedelta(hours=4)
    assert detail.first_answer_due_at == detail.due_at
    assert [m.kind for m in detail.messages] == ["customer"]
    assert [a.action for a in detail.audit] == ["create"]
    assert notices(staffed, created.number) == []


def test_an_anonymous_customer_gets_an_unconfirmed_ticket_and_a_confirmation_email(staffed):
    created = ops.create_ticket(
        staffed,
        service="enum",
        subject="No SMS code",
        body="E-NUM code never arrives",
        email="x@example.com",
    )
    assert created.status == Status.unconfirmed
    assert created.confirm_token
    detail = load_ticket(staffed.db, created.number)
    assert detail.due_at is None
    assert notices(staffed, created.number) == [(NoticeKind.confirm, "email", "x@example.com")]
    with pytest.raises(TransitionRefused, match="not confirmed"):
        ops.take(staffed, created.number, by="olga")


def test_confirming_starts_the_clock_and_is_idempotent(staffed, clock):
    created = ops.create_ticket(
        staffed, service="enum", subject="No SMS code", body="Code missing", email="x@example.com"
    )
    clock.advance(hours=1)
    assert ops.confirm(staffed, created.confirm_token) == created.number
    assert ops.confirm(staffed, created.confirm_token) == created.number
    detail = load_ticket(staffed.db, created.number)
    assert detail.status == "new"
    assert detail.due_at == clock.now + timedelta(hours=4)
    assert [a.action for a in detail.audit] == ["create", "confirm"]
    with pytest.raises(NotFound, match="confirmation code"):
        ops.confirm(staffed, "no-such-token")


def test_form_input_is_validated_with_specific_messages(staffed):
    base = {"service": "keeper", "subject": "s", "body": "b", "email": "a@example.com"}
    with pytest.raises(InvalidInput, match="a WMID is 12 digits 0-9, like 123456789012; got 'abc'"):
        ops.create_ticket(staffed, **base, wmid="abc")
    with pytest.raises(InvalidInput, match="one letter A-Z and 12 digits 0-9"):
        ops.create_ticket(staffed, **base, purse="Z12")
    with pytest.raises(InvalidInput, match="e-mail must look like"):
        ops.create_ticket(staffed, **{**base, "email": "not an email"})
    with pytest.raises(InvalidInput, match="unknown service 'banking'"):
        ops.create_ticket(staffed, **{**base, "service": "banking"})
    with pytest.raises(InvalidInput, match="Keeper notices need the customer's WMID"):
        ops.create_ticket(staffed, **base, channel="keeper")
    with pytest.raises(InvalidInput, match="the message is empty"):
        ops.create_ticket(staffed, **{**base, "body": "   "})
    with pytest.raises(InvalidInput, match="name is 201 characters; at most 200"):
        ops.create_ticket(staffed, **base, name="Ж" * 201)


def test_the_longest_name_fits_and_a_name_is_one_line(staffed):
    base = {"service": "keeper", "subject": "s", "body": "b", "email": "a@example.com"}
    longest = ops.create_ticket(staffed, **base, name="Ж" * 200).number
    two_lines = ops.create_ticket(staffed, **base, name="Ivan\r\nX-Injected: yes").number
    assert load_ticket(staffed.db, longest).customer_name == "Ж" * 200
    assert load_ticket(staffed.db, two_lines).customer_name == "Ivan X-Injected: yes"


def test_take_reply_and_the_customer_writing_back(staffed, clock):
    number = new_ticket(staffed)
    assert ops.take(staffed, number, by="olga") == number
    detail = load_ticket(staffed.db, number)
    assert (detail.status, detail.assignee) == ("open", "olga")

    clock.advance(minutes=30)
    ops.reply(staffed, number, "We checked: the payment was delivered.", by="olga")
    detail = load_ticket(staffed.db, number)
    assert detail.status == "answered"
    assert detail.due_at is None
    assert notices(staffed, number) == [(NoticeKind.answer, "keeper", "123456789012")]

    clock.advance(hours=2)
    ops.customer_message(staffed, number, "Still nothing on my side.", channel="email")
    detail = load_ticket(staffed.db, number)
    assert detail.status == "open"
    # Wednesday 12:30 + 8 support hours: 5.5 h today, 2.5 h from Thursday 07:00.
    assert detail.due_at == datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert [m.kind for m in detail.messages] == ["customer", "operator", "customer"]
    assert [a.action for a in detail.audit] == ["create", "take", "reply", "customer_message"]
    take = detail.audit[1]
    assert take.operator == "olga"
    assert take.before == {"assignee": None, "status": "new"}
    assert take.after == {"assignee": "olga", "status": "open"}


def test_take_refuses_a_ticket_someone_else_holds_or_you_already_hold(staffed):
    number = new_ticket(staffed)
    ops.take(staffed, number, by="olga")
    with pytest.raises(TransitionRefused, match="held by olga"):
        ops.take(staffed, number, by="ivan")
    with pytest.raises(TransitionRefused, match="already yours"):
        ops.take(staffed, number, by="olga")


def test_take_next_follows_queue_order_and_skips_held_tickets(staffed, clock):
    older = new_ticket(staffed, subject="older")
    clock.advance(minutes=5)
    newer = new_ticket(staffed, subject="newer")
    clock.advance(minutes=5)
    fraud = new_ticket(staffed, subject="fraud")
    ops.escalate(staffed, fraud, "fraud", "money taken by deception", by="ivan")
    assert ops.take_next(staffed, by="olga") == fraud
    assert ops.take_next(staffed, by="olga") == older
    assert ops.take_next(staffed, by="ivan") == newer
    assert ops.take_next(staffed, by="ivan") is None


def test_take_next_can_be_limited_to_services(staffed):
    new_ticket(staffed, service="keeper")
    cards = new_ticket(staffed, service="cards")
    assert ops.take_next(staffed, by="olga", services=["cards"]) == cards


def test_an_internal_note_does_not_change_status_or_version(staffed):
    number = new_ticket(staffed)
    version = load_ticket(staffed.db, number).version
    ops.note(staffed, number, "Checked the logs.", by="olga")
    detail = load_ticket(staffed.db, number)
    assert detail.version == version
    assert detail.status == "new"
    assert detail.messages[-1].kind == "note"
    assert detail.messages[-1].author == "olga"
    assert notices(staffed, number) == []


def test_status_moves_an_operator_may_make(staffed):
    number = new_ticket(staffed)
    ops.take(staffed, number, by="olga")
    ops.set_status(staffed, number, "on_hold", by="olga")
    assert status_of(staffed, number) == "on_hold"
    ops.set_status(staffed, number, "open", by="olga")
    assert status_of(staffed, number) == "open"
    with pytest.raises(TransitionRefused, match="send a reply to answer it"):
        ops.set_status(staffed, number, "answered", by="olga")
    with pytest.raises(InvalidInput, match="archiving a ticket needs a reason"):
        ops.set_status(staffed, number, "archived", by="olga")
    ops.archive(staffed, number, "duplicate of another ticket", by="olga")
    detail = load_ticket(staffed.db, number)
    assert (detail.status, detail.archive_reason) == ("archived", "duplicate of another ticket")
    assert detail.due_at is None
    with pytest.raises(TransitionRefused, match="archived; extract it from the archive first"):
        ops.reply(staffed, number, "hello", by="olga")
    ops.extract(staffed, number, by="olga")
    detail = load_ticket(staffed.db, number)
    assert detail.status == "open"
    assert detail.due_at is not None
    assert detail.audit[-1].action == "extract"


def test_refused_transitions_name_what_is_allowed(staffed):
    number = new_ticket(staffed)
    with pytest.raises(TransitionRefused, match="take it to open it"):
        ops.set_status(staffed, number, "open", by="olga")
    with pytest.raises(TransitionRefused, match="cannot go from new to expired"):
        ops.set_status(staffed, number, "expired", by="olga")
    with pytest.raises(InvalidInput, match="unknown status 'closed'"):
        ops.set_status(staffed, number, "closed", by="olga")


def test_the_customer_archives_and_writing_again_reopens(staffed):
    number = new_ticket(staffed)
    ops.customer_archive(staffed, number)
    assert status_of(staffed, number) == "archived"
    ops.customer_message(staffed, number, "One more question", channel="email")
    detail = load_ticket(staffed.db, number)
    assert detail.status == "open"
    assert any("Reopened from the archive" in m.body for m in detail.messages)


def test_escalations_raise_and_clear_with_who_and_why(staffed, clock):
    number = new_ticket(staffed)
    ops.escalate(staffed, number, "fraud", "seller vanished with the money", by="olga")
    detail = load_ticket(staffed.db, number)
    assert detail.escalation_kinds == ["fraud"]
    assert detail.due_at == clock.now + timedelta(hours=1)
    escalation = detail.escalations[0]
    assert (escalation.set_by, escalation.reason) == ("olga", "seller vanished with the money")
    with pytest.raises(TransitionRefused, match="already escalated as fraud by olga"):
        ops.escalate(staffed, number, "fraud", "again", by="ivan")
    with pytest.raises(Forbidden, match="olga is an operator"):
        ops.clear_escalation(staffed, number, "fraud", "false alarm", by="olga")
    ops.clear_escalation(staffed, number, "fraud", "false alarm", by="sergey")
    detail = load_ticket(staffed.db, number)
    assert detail.escalation_kinds == []
    assert detail.due_at == clock.now + timedelta(hours=4)
    assert detail.escalations[0].cleared_by == "sergey"
    ops.escalate(staffed, number, "hotline", "call ref 55-12", by="olga")
    ops.clear_escalation(staffed, number, "hotline", "handled", by="olga")
    with pytest.raises(InvalidInput, match="unknown escalation 'urgent'"):
        ops.escalate(staffed, number, "urgent", "x", by="olga")


def test_four_eyes_wmid_block(staffed):
    number = new_ticket(staffed)
    request_id = ops.request_block(staffed, number, "987654321098", "fraudster's WMID", by="olga")
    detail = load_ticket(staffed.db, number)
    assert detail.escalation_kinds == ["wmid_block"]
    assert detail.pending_blocks[0].requested_by == "olga"
    with pytest.raises(TransitionRefused, match="already requested"):
        ops.request_block(staffed, number, "987654321098", "again", by="ivan")
    with pytest.raises(Forbidden, match="olga is an operator"):
        ops.approve_block(staffed, request_id, by="olga")

    own = ops.request_block(staffed, new_ticket(staffed), "111122223333", "mine", by="sergey")
    with pytest.raises(Forbidden, match="four-eyes: sergey requested block"):
        ops.approve_block(staffed, own, by="sergey")
    with pytest.raises(Forbidden, match="four-eyes"):
        ops.reject_block(staffed, own, "no", by="sergey")

    decision = ops.approve_block(staffed, request_id, by="irina", reason="confirmed by bank")
    assert decision.state == "approved"
    detail = load_ticket(staffed.db, number)
    assert detail.escalation_kinds == []
    assert detail.blocks[0].decided_by == "irina"
    actions = [a.action for a in detail.audit]
    assert actions[-2:] == ["block_request", "block_approve"]
    assert detail.audit[-1].operator == "irina"
    with pytest.raises(TransitionRefused, match="already approved by irina"):
        ops.reject_block(staffed, request_id, "too late", by="elena")
    with pytest.raises(InvalidInput, match="a WMID is 12 digits 0-9"):
        ops.request_block(staffed, number, "12345", "short", by="olga")


def test_reject_needs_a_reason_and_is_recorded(staffed):
    number = new_ticket(staffed)
    request_id = ops.request_block(staffed, number, "987654321098", "suspicious", by="olga")
    with pytest.raises(InvalidInput, match="needs a reason"):
        ops.reject_block(staffed, request_id, " ", by="elena")
    ops.reject_block(staffed, request_id, "the payee is a known shop", by="elena")
    detail = load_ticket(staffed.db, number)
    assert detail.blocks[0].state == "rejected"
    assert detail.blocks[0].decision_reason == "the payee is a known shop"
    assert "rejected by elena" in detail.messages[-1].body


def test_assign_is_for_supervisors_and_to_active_operators(staffed):
    number = new_ticket(staffed)
    with pytest.raises(Forbidden, match="to assign tickets to others takes a supervisor"):
        ops.assign(staffed, number, to="ivan", by="olga")
    ops.assign(staffed, number, to="ivan", by="sergey")
    detail = load_ticket(staffed.db, number)
    assert (detail.assignee, detail.status) == ("ivan", "open")
    ops.assign(staffed, number, to=None, by="sergey")
    assert load_ticket(staffed.db, number).assignee is None
    ops.set_operator_active(staffed, "ivan", False)
    with pytest.raises(TransitionRefused, match="ivan is deactivated"):
        ops.assign(staffed, number, to="ivan", by="sergey")
    with pytest.raises(Forbidden, match="ivan is deactivated"):
        ops.take(staffed, number, by="ivan")


def test_a_stale_version_is_refused_with_the_change_that_made_it_stale(staffed, clock):
    number = new_ticket(staffed)
    seen = load_ticket(staffed.db, number).version
    ops.take(staffed, number, by="olga")
    ops.reply(staffed, number, "Done.", by="olga")
    with pytest.raises(Conflict) as refused:
        ops.set_status(staffed, number, "on_hold", by="ivan", expected_version=seen)
    message = str(refused.value)
    assert "olga took it" in message
    assert "olga replied" in message
    assert "status open → answered" in message
    assert refused.value.actual_version == seen + 2
    detail = load_ticket(staffed.db, number)
    assert detail.status == "answered"
    assert [a.action for a in detail.audit] == ["create", "take", "reply"]


def test_a_conflict_far_behind_says_how_many_changes_and_the_last_few(staffed, clock):
    number = new_ticket(staffed)
    seen = load_ticket(staffed.db, number).version
    ops.take(staffed, number, by="olga")
    for _ in range(20):
        clock.advance(minutes=1)
        ops.set_status(staffed, number, "on_hold", by="olga")
        ops.set_status(staffed, number, "open", by="olga")
    with pytest.raises(Conflict) as refused:
        ops.reply(staffed, number, "Late.", by="ivan", expected_version=seen)
    message = str(refused.value)
    assert len(refused.value.changes) == 41
    assert "41 changes, the last 3: olga changed its status at" in message
    assert message.count("changed its status") == 3
    assert f"`wmconsole ticket {number}` shows every change" in message
    assert len(message) < 600


def test_an_unknown_operator_is_told_how_to_be_added(staffed):
    number = new_ticket(staffed)
    with pytest.raises(NotFound, match="wmconsole operator add nobody"):
        ops.take(staffed, number, by="nobody")


def test_unconfirmed_tickets_expire_after_seven_days(staffed, clock):
    old = ops.create_ticket(staffed, service="other", subject="old", body="x", email="a@ex.com")
    clock.advance(days=6)
    young = ops.create_ticket(staffed, service="other", subject="young", body="x", email="b@ex.com")
    clock.advance(days=1, minutes=1)
    assert ops.expire_unconfirmed(staffed) == [old.number]
    assert status_of(staffed, old.number) == "expired"
    assert status_of(staffed, young.number) == "unconfirmed"
    with pytest.raises(TransitionRefused, match="expired before it was confirmed"):
        ops.confirm(staffed, old.confirm_token)


def test_answered_tickets_are_archived_after_fourteen_quiet_days(staffed, clock):
    number = new_ticket(staffed)
    ops.reply(staffed, number, "Answer", by="olga")
    clock.advance(days=13)
    assert ops.archive_answered(staffed) == []
    clock.advance(days=1, minutes=1)
    assert ops.archive_answered(staffed) == [number]
    detail = load_ticket(staffed.db, number)
    assert detail.status == "archived"
    assert detail.audit[-1].action == "auto_archive"
    assert detail.audit[-1].actor == "system"
    kinds = [kind for kind, _, _ in notices(staffed, number)]
    assert kinds == [NoticeKind.answer, NoticeKind.archived]


def test_drafts_are_private_and_cleared_by_sending(staffed):
    number = new_ticket(staffed)
    ops.save_draft(staffed, number, "half a sentence", by="olga", ticket_version=1)
    ops.save_draft(staffed, number, "half a sentence, now longer", by="olga", ticket_version=1)
    assert ops.draft_for(staffed, number, by="olga").body == "half a sentence, now longer"
    assert ops.draft_for(staffed, number, by="ivan") is None
    ops.reply(staffed, number, "the full answer", by="olga")
    assert ops.draft_for(staffed, number, by="olga") is None


def test_templates_are_supervisor_material_with_known_placeholders(staffed):
    with pytest.raises(Forbidden, match="to edit templates takes a supervisor"):
        ops.save_template(staffed, by="olga", title="Hi", body="Hello", language="en")
    with pytest.raises(InvalidInput, match=r"unknown placeholder \{amount\}"):
        ops.save_template(staffed, by="sergey", title="Hi", body="{amount}", language="en")
    template_id = ops.save_template(
        staffed,
        by="sergey",
        title="Hi",
        body="Hello {name}, ticket {ticket}",
        language="en",
        service="keeper",
    )
    [template] = ops.list_templates(staffed, service="keeper", language="en")
    assert template.id == template_id
    assert ops.fill_template(template.body, ticket=100001, wmid=None, name="Ann") == (
        "Hello Ann, ticket 100001"
    )
    assert ops.list_templates(staffed, service="cards", language="en") == []


def test_preferences_follow_the_operator(staffed):
    ops.save_preference(staffed, "queue_filter", {"services": ["keeper"]}, by="olga")
    assert load_preference(staffed, "queue_filter", by="olga") == {"services": ["keeper"]}
    assert load_preference(staffed, "queue_filter", by="ivan") is None


def test_bulk_reassign_moves_what_it_can_and_says_why_not_the_rest(staffed):
    free, held, archived = new_ticket(staffed), new_ticket(staffed), new_ticket(staffed)
    ops.take(staffed, held, by="olga")
    ops.take(staffed, archived, by="olga")
    ops.archive(staffed, archived, "spam", by="olga")
    stale_version = load_ticket(staffed.db, held).version - 1
    result = ops.reassign(
        staffed, [free, held, archived], to="ivan", by="sergey", versions={held: stale_version}
    )
    assert result.moved == [free]
    assert set(result.refused) == {held, archived}
    assert "changed since you loaded it" in result.refused[held]
    assert "archived" in result.refused[archived]
    assert load_ticket(staffed.db, free).assignee == "ivan"
    assert load_ticket(staffed.db, held).assignee == "olga"
    with pytest.raises(Forbidden):
        ops.reassign(staffed, [free], to=None, by="olga")
    assert ops.reassign(staffed, [free, held], to=None, by="sergey").moved == [free, held]
