"""The supervisors' screens by their keys: the block requests, marking,
reassigning (and putting it back) and archiving, the templates, the macros and
the scam markers, and the forms they fill. The database changed as it should,
every change audited, and the screen says so — or, in the domain's words, why
not."""

from __future__ import annotations

import sqlalchemy as sa

from console import operations as ops
from console.reads.ticket import load_ticket
from models import AuditEvent, BlockState, EscalationKind, ScamMarker, Status, Template
from tests.support.desk import new_ticket
from tests.support.ui import (
    console_for,
    queue_row,
    said,
    screen_text,
    settle,
    type_text,
)


def _audit(desk, action):
    with desk.db.read() as session:
        return (
            session.execute(sa.select(AuditEvent).where(AuditEvent.action == action))
            .scalars()
            .all()
        )


def _blocks(desk, clock):
    """Two requests, olga's the older: a customer with another ticket to jump to."""
    first = new_ticket(desk, subject="Scammed on a [bold]deal[/]", wmid="111122223333")
    other = new_ticket(desk, subject="Earlier question", wmid="111122223333")
    second = new_ticket(desk, subject="Another fraud", wmid="444455556666")
    older = ops.request_block(desk, first, "999988887777", "took 500 WMZ", by="olga")
    clock.advance(minutes=20)
    newer = ops.request_block(desk, second, "555566667777", "same gang", by="sergey")
    return first, other, second, older, newer


async def test_a_second_supervisor_approves_from_the_block_requests(ui_desk, clock):
    first, other, *_ = _blocks(ui_desk, clock)
    app = console_for(ui_desk, login="elena")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        text = screen_text(app)
        assert "2 waiting for a decision, oldest first" in text
        assert "Scammed on a [bold]deal[/]" in text
        assert "took 500 WMZ" in text and "by olga" in text
        assert f"{other}" in text
        # The customer's other ticket: o, then enter opens it; escape comes back.
        await pilot.press("o", "enter")
        await settle(pilot)
        assert app.screen.sub_title == f"ticket {other}"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.press("A")
        await settle(pilot)
        await type_text(pilot, "confirmed by the hotline")
        await pilot.press("enter")
        await settle(pilot)
        assert "cannot be taken back" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, first)
        [block] = detail.blocks
        assert (block.state, block.decided_by) == (BlockState.approved, "elena")
        assert block.decision_reason == "confirmed by the hotline"
        assert said(app, "Approved the block of WMID 999988887777.")
        assert "1 waiting for a decision" in screen_text(app)
        assert [e.operator for e in detail.audit if e.action == "block_approve"] == ["elena"]


async def test_a_rejection_needs_a_reason_and_shows_on_the_ticket(ui_desk, clock):
    first, *_ = _blocks(ui_desk, clock)
    app = console_for(ui_desk, login="irina")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        await pilot.press("R", "enter")
        await settle(pilot)
        assert "cannot be empty" in screen_text(app)
        await type_text(pilot, "not the fraudster")
        await pilot.press("enter", "y")
        await settle(pilot)
        [block] = load_ticket(ui_desk.db, first).blocks
        assert (block.state, block.decided_by) == (BlockState.rejected, "irina")
        audit = load_ticket(ui_desk.db, first).audit
        assert [e.operator for e in audit if e.action == "block_reject"] == ["irina"]
        await pilot.press("escape")
        await pilot.press("number_sign", *str(first), "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "requested by olga" in text and "rejected by irina" in text


async def test_the_requester_sees_it_and_is_refused_in_the_domains_words(ui_desk, clock):
    _, _, second, _, newer = _blocks(ui_desk, clock)
    app = console_for(ui_desk, login="sergey")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert "sergey (you)" in screen_text(app)
        assert "You requested this block" in screen_text(app)
        await pilot.press("A")
        await settle(pilot)
        assert said(app, ops.four_eyes_refusal("sergey", newer).message)
        assert "Reason" not in screen_text(app).split("You requested")[1]
        assert load_ticket(ui_desk.db, second).blocks[0].state == BlockState.requested
        assert _audit(ui_desk, "block_approve") == []


async def test_the_list_follows_another_consoles_decision(ui_desk, clock):
    _, _, _, older, _ = _blocks(ui_desk, clock)
    app = console_for(ui_desk, login="elena")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        ops.approve_block(ui_desk, older, by="boris")
        app.broadcast_changes(None)
        await settle(pilot)
        assert "1 waiting for a decision" in screen_text(app)


async def test_opened_from_the_ticket_it_starts_on_that_ticket(ui_desk, clock):
    _, _, second, _, _ = _blocks(ui_desk, clock)
    app = console_for(ui_desk, login="boris")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("number_sign", *str(second), "enter")
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        assert "WMID 555566667777" in screen_text(app)


async def test_bulk_reassign_of_marked_tickets(ui_desk, clock):
    numbers = [new_ticket(ui_desk, subject=f"Question {i}") for i in range(4)]
    app = console_for(ui_desk, login="sergey")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        # Marks show in the row, with their count; the cursor steps on.
        await pilot.press("space", "v", "v")
        await settle(pilot)
        assert "3 tickets marked" in screen_text(app)
        marked = [n for n in numbers if queue_row(app, n).lstrip().startswith("●")]
        assert len(marked) == 3
        ops.note(ui_desk, marked[1], "a note changes no version", by="olga")
        ops.take(ui_desk, marked[2], by="olga")
        await pilot.press("a")
        await settle(pilot)
        assert "held" in screen_text(app)
        # Least loaded first: pick ivan by moving to him.
        await pilot.press(*["j"] * _position(screen_text(app), "ivan"))
        await pilot.press("enter")
        await settle(pilot)
        # One confirmation, with the count.
        assert "Give the 3 marked tickets to ivan?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert "Moved 2 of 3 to ivan; 1 refused" in screen_text(app)
        assert f"ticket {marked[2]} changed since you loaded it" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        for number in marked[:2]:
            detail = load_ticket(ui_desk.db, number)
            assert detail.assignee == "ivan"
            assert [
                (e.operator, e.after["assignee"]) for e in detail.audit if e.action == "assign"
            ] == [("sergey", "ivan")]
        assert load_ticket(ui_desk.db, marked[2]).assignee == "olga"
        assert "1 ticket marked" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert "marked" not in screen_text(app)
        # U puts the last reassign back, each ticket to who held it before, audited;
        # one that changed since stays.
        ops.set_status(ui_desk, marked[1], "on_hold", by="ivan")
        await pilot.press("U")
        await settle(pilot)
        assert "Put the last reassign back: 2 tickets?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert "Put back 1 of 2; 1 changed since" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert [load_ticket(ui_desk.db, n).assignee for n in marked] == [None, "ivan", "olga"]
        undo = load_ticket(ui_desk.db, marked[0]).audit[-1]
        assert (undo.action, undo.operator, undo.after["undo"]) == ("assign", "sergey", True)


async def test_bulk_archive_of_marked_tickets_confirms_with_the_count(ui_desk):
    numbers = [new_ticket(ui_desk, subject=f"Spam {i}") for i in range(3)]
    for number in numbers:
        ops.take(ui_desk, number, by="sergey")
    app = console_for(ui_desk, login="sergey")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("1", "space", "space")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert "Archive the 2 marked tickets" in screen_text(app)
        await type_text(pilot, "spam")
        await pilot.press("enter")
        await settle(pilot)
        statuses = [load_ticket(ui_desk.db, n).status for n in numbers]
        assert sorted(statuses) == ["archived", "archived", "open"]
        assert said(app, "Archived 2 of 2.")
        assert "marked" not in screen_text(app)


def _position(text: str, login: str) -> int:
    """How many steps down the holder list `login` is (the queue is the first line)."""
    lines = [line for line in text.splitlines() if " held " in line]
    return 1 + next(i for i, line in enumerate(lines) if f" {login} " in f" {line.split('│')[1]} ")


async def test_a_ticket_held_too_long_is_flagged(ui_desk, clock):
    number = new_ticket(ui_desk)
    ops.take(ui_desk, number, by="olga")
    clock.advance(hours=5)
    app = console_for(ui_desk, login="olga")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert queue_row(app, number).rstrip().endswith("!olga")


async def test_an_operator_trying_supervisor_keys_is_told_the_role(ui_desk):
    number = new_ticket(ui_desk)
    app = console_for(ui_desk, login="olga")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, words in [
            ("space", "to assign tickets to others takes a supervisor"),
            ("B", "to approve or reject a WMID block takes a supervisor or a security officer"),
            ("C", "to edit templates takes a supervisor"),
            ("M", "to edit scam markers takes a supervisor or a security officer"),
        ]:
            await pilot.press(key)
            await settle(pilot)
            assert said(app, f"olga is an operator: {words}"), key
        assert "marked" not in screen_text(app)
        assert not queue_row(app, number).lstrip().startswith("●")
        # Not offered in the key bar either.
        assert "Block requests" not in screen_text(app)


async def test_template_edit_through_the_editor(ui_desk):
    app = console_for(ui_desk, login="sergey")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert "Templates" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "Refund [b]sent[/b]")
        await pilot.press("enter")
        await type_text(pilot, "Dear {name}, refund for {amount}")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "unknown placeholder {amount}" in screen_text(app)
        await pilot.press(*["backspace"] * len(" for {amount}"))
        await type_text(pilot, " sent for ticket {ticket}")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with ui_desk.db.read() as session:
            saved = session.execute(
                sa.select(Template).where(Template.title == "Refund [b]sent[/b]")
            ).scalar_one()
        assert saved.body == "Dear {name}, refund sent for ticket {ticket}"
        assert saved.service is None
        assert [e.after["title"] for e in _audit(ui_desk, "template_add")] == ["Refund [b]sent[/b]"]
        assert "Refund [b]sent[/b]" in screen_text(app)
        # Withdrawn: kept, marked, no longer offered.
        await pilot.press("x")
        await settle(pilot)
        assert not ops.get_template(ui_desk, saved.id).active
        assert "withdrawn" in screen_text(app)
        assert [e.operator_id for e in _audit(ui_desk, "template_withdraw")] != []


async def test_marker_add_through_the_editor(ui_desk):
    before = {m.id for m in ops.list_markers(ui_desk, include_inactive=True)}
    app = console_for(ui_desk, login="irina")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        await pilot.press("n", "j", "enter")
        await settle(pilot)
        await type_text(pilot, "(telegram")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert "not a valid regular expression: missing )" in screen_text(app)
        await pilot.press("end")
        await type_text(pilot, "|whatsapp)")
        await pilot.press("enter")
        await type_text(pilot, "deals in a messenger")
        await pilot.press("enter")
        await settle(pilot)
        with ui_desk.db.read() as session:
            [added] = (
                session.execute(sa.select(ScamMarker).where(ScamMarker.id.not_in(before)))
                .scalars()
                .all()
            )
        assert (added.pattern, added.is_regex, added.active) == ("(telegram|whatsapp)", True, True)
        assert [e.after["pattern"] for e in _audit(ui_desk, "marker_add")][-1] == added.pattern
        assert said(app, "Added the scam marker '(telegram|whatsapp)'.")
        assert "(telegram|whatsapp)" in screen_text(app)
        await pilot.press("x")
        await settle(pilot)
        with ui_desk.db.read() as session:
            assert not session.get(ScamMarker, added.id).active


async def test_a_macro_written_through_its_form(ui_desk):
    app = console_for(ui_desk, login="sergey")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("C", "m")
        await settle(pilot)
        assert "Macros  ·  every service, ru and en" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "Refund asked")
        await pilot.press("enter")
        await type_text(pilot, "Dear {name}, refund {amount}")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "unknown placeholder {amount}" in screen_text(app)
        # The refusal goes as soon as the text is right.
        await pilot.press(*["backspace"] * len("{amount}"))
        await type_text(pilot, "for {ticket}")
        await settle(pilot)
        assert "unknown placeholder" not in screen_text(app)
        form = app.screen
        form.query_one("#macro-status").value = "on_hold"
        form.query_one("#macro-escalate").value = "fraud"
        await pilot.press("ctrl+s")
        await settle(pilot)
        [macro] = [m for m in ops.list_macros(ui_desk) if m.title == "Refund asked"]
        assert (macro.body, macro.status, macro.escalate) == (
            "Dear {name}, refund for {ticket}",
            Status.on_hold,
            EscalationKind.fraud,
        )
        assert said(app, "Saved the macro 'Refund asked'.")
        # Saving it unchanged says so, and records nothing.
        await pilot.press(*["k"] * 10)
        await pilot.press(*["j"] * _row_of(app, "Refund asked"))
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert said(app, "Nothing to save: the macro is as it was.")
        assert _audit(ui_desk, "macro_save") == []
        assert [e.after["title"] for e in _audit(ui_desk, "macro_add")] == ["Refund asked"]


def _row_of(app, title: str) -> int:
    return next(i for i, item in enumerate(app.screen.items) if item.title == title)


async def test_a_four_eyes_refusal_says_four_eyes(ui_desk):
    number = new_ticket(ui_desk)
    ops.request_block(ui_desk, number, "999988887777", "took the money", by="sergey")
    app = console_for(ui_desk, login="sergey")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4", "A")
        await settle(pilot)
        [refusal] = [n for n in app._notifications if "four-eyes" in n.message]
        assert refusal.title == "Four-eyes"


async def test_a_filled_field_keeps_its_text_and_an_error_goes_once_it_is_right(ui_desk):
    new_ticket(ui_desk)
    app = console_for(ui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await type_text(pilot, "12345")
        await pilot.press("tab")
        await type_text(pilot, "took the money")
        await pilot.press("enter")
        await settle(pilot)
        assert "a WMID is 12 digits 0-9" in screen_text(app)
        # Back on the WMID: typing adds to it, nothing selected and replaced.
        await type_text(pilot, "6789012")
        await settle(pilot)
        assert app.screen.query_one("#field-wmid").value == "123456789012"
        assert "a WMID is 12 digits 0-9" not in screen_text(app)
        # Tab into the filled reason: the next key adds to the end.
        await pilot.press("tab")
        await type_text(pilot, "!")
        assert app.screen.query_one("#field-reason").value == "took the money!"
