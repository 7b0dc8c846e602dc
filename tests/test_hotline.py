"""The hotline, on a SQLite file and on PostgreSQL (signed in as each person):
a call noted on the caller's ticket, a ticket opened on a call, the escalations
an urgent call and a block call raise, and what the database itself refuses."""

import pytest
import sqlalchemy as sa

from console import operations as ops
from console.errors import Forbidden, InvalidInput, TransitionRefused
from console.reads.callers import callers_tickets
from console.reads.ticket import load_ticket
from models import Ticket
from tests.support.desk import new_ticket


def test_a_call_is_noted_on_the_callers_ticket_by_whoever_took_it(staffed, clock):
    number = new_ticket(staffed, wmid="123456789012")
    version = load_ticket(staffed.db, number).version
    clock.advance(minutes=5)
    logged = ops.log_call(
        staffed, number, "Called: the payment is still missing", by="olga", phone="+7 916 123-45-67"
    )
    detail = load_ticket(staffed.db, number)
    call = detail.messages[-1]
    assert (call.kind, call.channel, call.author, call.created_at) == (
        "note",
        "phone",
        "olga",
        clock.now,
    )
    assert call.body == "Called: the payment is still missing"
    assert detail.customer_phone == "+79161234567"
    assert logged.escalations == ()
    assert detail.audit[-1].action == "call"
    assert detail.audit[-1].operator == "olga"
    # The number went onto the ticket: its view of it is stale now.
    assert detail.version == version + 1


def test_a_plain_call_on_a_ticket_with_a_phone_makes_no_view_stale(staffed):
    number = new_ticket(staffed, phone="+74957274333")
    version = load_ticket(staffed.db, number).version
    ops.log_call(staffed, number, "Asked how long it takes", by="olga", phone="+74957274333")
    assert load_ticket(staffed.db, number).version == version


def test_an_urgent_call_raises_the_hotline_escalation_once(staffed):
    number = new_ticket(staffed)
    first = ops.log_call(staffed, number, "Money gone an hour ago", by="olga", urgent=True)
    second = ops.log_call(staffed, number, "Called again", by="ivan", urgent=True)
    detail = load_ticket(staffed.db, number)
    assert first.escalations == ("hotline",)
    assert second.escalations == ()
    assert detail.escalation_kinds == ["hotline"]
    assert detail.open_escalations[0].reason == "hotline call: Money gone an hour ago"


def test_a_block_call_on_the_customers_written_ticket_makes_it_the_most_urgent_work(staffed):
    number = new_ticket(staffed)
    logged = ops.log_call(
        staffed, number, "A fraudster took 500 WMZ, block 111122223333", by="olga", block=True
    )
    detail = load_ticket(staffed.db, number)
    assert set(logged.escalations) == {"wmid_block", "hotline"}
    assert detail.escalation_kinds == ["wmid_block", "hotline"]


def test_a_block_needs_the_written_request_as_well_as_the_call(staffed):
    with pytest.raises(TransitionRefused, match="written request as well as the call"):
        ops.open_call_ticket(
            staffed,
            by="olga",
            service="security",
            subject="Block a fraudster",
            note="Wants 111122223333 blocked",
            caller=ops.Caller(phone="+74957274333", wmid="123456789012"),
            block=True,
        )
    opened = ops.open_call_ticket(
        staffed,
        by="olga",
        service="security",
        subject="Block a fraudster",
        note="Wants 111122223333 blocked",
        caller=ops.Caller(phone="+74957274333", wmid="123456789012"),
    )
    with pytest.raises(TransitionRefused, match="opened on a call"):
        ops.log_call(staffed, opened.number, "Again", by="olga", block=True)


def test_a_call_opens_a_ticket_held_by_whoever_took_it(staffed, clock):
    opened = ops.open_call_ticket(
        staffed,
        by="ivan",
        service="keeper",
        subject="Cannot log in",
        note="Keeper says the password is wrong; asked them to reset it",
        caller=ops.Caller(phone="8 (916) 123-45-67", email="caller@example.com", name="Анна"),
        urgent=True,
    )
    detail = load_ticket(staffed.db, opened.number)
    assert opened.opened
    assert (detail.status, detail.assignee, detail.source) == ("open", "ivan", "phone")
    assert detail.confirmed
    assert detail.customer_phone == "+79161234567"
    assert detail.notice_channel == "email"
    assert [(m.kind, m.channel, m.author) for m in detail.messages] == [("note", "phone", "ivan")]
    assert detail.escalation_kinds == ["hotline"]
    assert detail.due_at is not None
    assert [(a.action, a.operator) for a in detail.audit] == [("create", "ivan")]


def test_a_ticket_opened_on_a_call_needs_somewhere_to_answer(staffed):
    with pytest.raises(InvalidInput, match="e-mail or WMID"):
        ops.open_call_ticket(
            staffed,
            by="olga",
            service="other",
            subject="A question",
            note="Asked about fees",
            caller=ops.Caller(phone="+74957274333"),
        )


def test_the_callers_tickets_are_found_by_wmid_purse_or_phone(staffed):
    by_wmid = new_ticket(staffed, wmid="123456789012")
    by_purse = new_ticket(staffed, wmid=None, purse="Z157156762925")
    by_phone = new_ticket(staffed, wmid=None, phone="+74957274333")
    new_ticket(staffed, wmid="999999999999")
    found = callers_tickets(
        staffed.db, wmid="123456789012", purse="z157156762925", phone="+7 495 727-43-33"
    )
    assert [t.number for t in found] == [by_phone, by_purse, by_wmid]
    assert [t.number for t in callers_tickets(staffed.db, phone="+74957274333")] == [by_phone]
    with pytest.raises(InvalidInput, match="WMID, a purse"):
        callers_tickets(staffed.db)


def test_a_person_opens_a_ticket_only_as_a_call_they_took(staffed):
    """The grant to open tickets is for calls: the database refuses anything else."""
    if not staffed.db.is_postgres:
        pytest.skip("PostgreSQL holds this rule; on SQLite the file's writers are trusted")
    now = sa.func.now()
    with pytest.raises(Forbidden, match="only for a call they took"):  # noqa: SIM117
        with staffed.db.write(as_="olga") as session:
            session.execute(
                sa.insert(Ticket).values(
                    number=999001,
                    service="other",
                    subject="x",
                    status="new",
                    notice_channel="email",
                    customer_email="a@example.com",
                    language="en",
                    source="form",
                    queue_rank=5,
                    queue_due=now,
                    created_at=now,
                    updated_at=now,
                    escalation_flags=0,
                    version=1,
                )
            )
