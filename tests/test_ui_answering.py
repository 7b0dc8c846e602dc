"""Answering, as an operator does it at the keyboard: what a colleague does
while a reply is written shows in the editor and in the one confirmation, a
reply never goes over someone else's hold without the key that says so, t
takes and opens, the ticket acted on stays highlighted, a canned answer lands
as its own paragraph — and a whole answer from the queue is four keys."""

from __future__ import annotations

import subprocess
import sys

from console import operations as ops
from console.reads import presence
from console.reads.queue import QueueFilter
from console.reads.ticket import load_ticket
from models import PresenceState, Status
from tests.support.desk import new_ticket
from tests.support.ui import console_for, said, screen_text, settle, type_text, until

# From the queue to the next ticket open, the answer sent: at most this many keys.
WHOLE_ANSWER_KEYS = 4


async def test_a_note_from_another_process_shows_in_the_pane_and_the_confirmation(ui_desk):
    number = new_ticket(ui_desk)
    ops.take(ui_desk, number, by="olga")
    app = console_for(ui_desk, live=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "All fine, the payment arrived.")
        await settle(pilot)
        note = ["reply", str(number), "--as", "irina", "--note", "--text", "DO NOT ANSWER"]
        subprocess.run(
            [sys.executable, "-m", "console.cli", "--db", str(ui_desk.db.url), *note],
            check=True,
            capture_output=True,
        )
        await until(pilot, lambda: "NEW  Internal note  irina" in screen_text(app), timeout=10)
        assert "DO NOT ANSWER" in screen_text(app)
        assert "Since you began (1): irina added a note" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = screen_text(app)
        assert "Since you began writing (1)" in shown
        assert "irina added a note:" in shown
        assert "    DO NOT ANSWER" in shown
        # Having read it, the operator goes back: nothing sent, nothing lost.
        await pilot.press("n")
        await settle(pilot)
        assert load_ticket(ui_desk.db, number).status == "open"
        assert app.screen.text_area.text == "All fine, the payment arrived."


async def test_a_reply_over_someone_elses_hold_takes_the_key_that_names_them(ui_desk, clock):
    number = new_ticket(ui_desk)
    ops.take(ui_desk, number, by="olga")
    olga = ops.get_operator(ui_desk, "olga")
    presence.heartbeat(
        ui_desk.db,
        console_id="olgas-console",
        operator_id=olga.id,
        ticket_number=number,
        state=PresenceState.typing,
        now=clock.now,
        host="desk-7",
    )
    app = console_for(ui_desk, login="irina")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("number_sign", *str(number), "enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "olga holds this ticket: sending asks you to reply over" in screen_text(app)
        await type_text(pilot, "Security checked: all fine.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "olga holds this ticket and is typing a reply now" in screen_text(app)
        # y, or enter on the focused button, is no override.
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, number)
        assert (detail.status, len(detail.messages)) == ("open", 1)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, number)
        assert (detail.status, detail.assignee) == ("answered", "olga")
        assert detail.audit[-1].operator == "irina"
        assert detail.audit[-1].after["over_hold_of"] == "olga"


async def test_a_whole_answer_from_the_queue_is_four_keys(ui_desk, clock):
    first = new_ticket(ui_desk, subject="Payment not delivered", name="Ivan Petrov")
    clock.advance(minutes=5)
    second = new_ticket(ui_desk, subject="Transfer stuck")
    app = console_for(ui_desk)
    pressed: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)

        async def press(key: str) -> None:
            pressed.append(key)
            await pilot.press(key)
            await settle(pilot)

        # Take the next ticket and open it; answer it with the first macro; send,
        # then take and open the next; confirm.
        for key in ("T", "m", "ctrl+n", "y"):
            await press(key)
        answered = load_ticket(ui_desk.db, first)
        assert answered.status == Status.answered
        assert answered.messages[-1].body.startswith("Hello Ivan Petrov,")
        assert f"(ticket {first})" in answered.messages[-1].body
        assert answered.audit[-1].after["macro"] == "Need details — waiting for the customer"
        assert load_ticket(ui_desk.db, second).assignee == "olga"
        assert (app.screen.ACTION_SCREEN, app.screen.detail.number) == ("ticket", second)
        assert said(app, f"Took {second}, the next in the queue.")
    assert len(pressed) <= WHOLE_ANSWER_KEYS, pressed


async def test_t_takes_and_opens_and_the_ticket_stays_highlighted(ui_desk, clock):
    numbers = []
    for index in range(4):
        numbers.append(new_ticket(ui_desk, subject=f"ticket {index}"))
        clock.advance(minutes=1)
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        # Unassigned new: a taken ticket leaves this view.
        await pilot.press("2", "j")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert (app.screen.ACTION_SCREEN, app.screen.detail.number) == ("ticket", numbers[1])
        await pilot.press("escape")
        await settle(pilot)
        view = app.screen.queue_view
        assert view.current_row.number == numbers[1]
        assert said(app, f"{numbers[1]} has left this view (it is open, held by olga)")
        # The next key acts on it, not on the ticket that took its place.
        await pilot.press("r")
        await settle(pilot)
        assert f"Reply to ticket {numbers[1]}" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        # Moving on lets it go: the view closes up.
        await pilot.press("j")
        await settle(pilot)
        assert view.current_row.number == numbers[2]
        await pilot.press("k", "k")
        await settle(pilot)
        assert [view.row_at(i).number for i in range(view.total)] == [
            numbers[0],
            numbers[2],
            numbers[3],
        ]


async def test_an_escalated_ticket_stays_highlighted_when_the_view_loses_it(ui_desk):
    number = new_ticket(ui_desk)
    new_ticket(ui_desk, subject="another")
    ops.take(ui_desk, number, by="olga")
    ops.save_preference(
        ui_desk,
        "queue_filter",
        QueueFilter(statuses=frozenset({Status.open})).as_json(),
        by="olga",
    )
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s", "enter")
        await settle(pilot)
        assert load_ticket(ui_desk.db, number).status == "on_hold"
        assert app.screen.queue_view.current_row.number == number
        assert app.screen.queue_view.total == 1
        assert said(app, f"{number} has left this view (it is on hold, held by olga)")


async def test_a_template_goes_in_as_a_paragraph_of_its_own(ui_desk):
    number = new_ticket(ui_desk, name="Anna")
    app = console_for(ui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "We looked again")
        # The cursor in the middle of the line: the template does not split it.
        await pilot.press("left", "left", "left", "left", "ctrl+t")
        await settle(pilot)
        await type_text(pilot, "greet")
        await settle(pilot)
        shown = screen_text(app)
        assert "template Greeting" in shown and "Need details" not in shown
        assert f"Thank you for contacting us about ticket {number}." in shown
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.text_area.text == (
            f"We looked again\n\nHello Anna,\n\nThank you for contacting us about ticket {number}."
        )


async def test_a_macro_goes_with_the_reply_in_one_confirmation(ui_desk):
    number = new_ticket(ui_desk, service="transfers")
    ops.escalate(ui_desk, number, "hotline", "called", by="ivan")
    app = console_for(ui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await type_text(pilot, "payment found")
        await pilot.press("enter")
        await settle(pilot)
        assert "Macro «Payment found — close» — with the reply:" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = screen_text(app)
        assert "The payment was found and credited to the payee." in shown
        assert "clears the hotline escalation; the ticket is archived" in shown
        await pilot.press("y")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, number)
        assert (detail.status, detail.escalation_kinds) == ("archived", [])
        assert [e.action for e in detail.audit[-3:]] == ["reply", "clear_escalation", "archive"]


async def test_send_and_hold_is_one_key_and_one_confirmation(ui_desk):
    number = new_ticket(ui_desk)
    app = console_for(ui_desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "Finance is checking it.")
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert f"Send the reply on {number} and leave it on hold?" in screen_text(app)
        assert "Nobody holds the ticket: it becomes yours." in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, number)
        assert (detail.status, detail.assignee) == ("on_hold", "olga")
        assert said(app, f"Reply sent on {number}") and said(app, "It is on hold.")
