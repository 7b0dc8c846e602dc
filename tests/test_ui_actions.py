"""Every action of the console, by its keys: the database changed as it should,
and the screen says so (or says, in the domain's words, why not)."""

from __future__ import annotations

import pytest

from console import operations as ops
from console.reads.ticket import load_ticket
from models import BlockState
from tests.support.desk import new_ticket
from tests.support.ui import (
    console_for,
    queue_lines,
    queue_row,
    said,
    screen_text,
    settle,
    type_text,
)


@pytest.fixture
def one_ticket(ui_desk):
    return new_ticket(ui_desk, subject="Payment not delivered")


async def test_take(ui_desk, one_ticket):
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert queue_row(app, one_ticket).rstrip().endswith("—")
        await pilot.press("t")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, one_ticket)
        assert (detail.assignee, detail.status) == ("olga", "open")
        assert said(app, f"Took {one_ticket}")
        # It becomes yours and opens, as the help says.
        assert (app.screen.ACTION_SCREEN, app.screen.detail.number) == ("ticket", one_ticket)
        await pilot.press("escape")
        await settle(pilot)
        row = queue_row(app, one_ticket)
        assert "open" in row and "olga" in row


async def test_take_refused_names_the_holder(ui_desk, one_ticket):
    app = console_for(ui_desk, login="ivan")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ops.take(ui_desk, one_ticket, by="olga")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("3", "0")
        await settle(pilot)
        # Ivan's default view no longer has it; open it by number and try anyway.
        await pilot.press("number_sign", *str(one_ticket), "enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert said(app, f"ticket {one_ticket} is held by olga")
        assert load_ticket(ui_desk.db, one_ticket).assignee == "olga"


async def test_take_next_opens_the_most_urgent(ui_desk, clock):
    new_ticket(ui_desk, subject="older")
    clock.advance(minutes=5)
    urgent = new_ticket(ui_desk, subject="fraud")
    ops.escalate(ui_desk, urgent, "fraud", "money taken", by="ivan")
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        assert load_ticket(ui_desk.db, urgent).assignee == "olga"
        assert app.screen.ACTION_SCREEN == "ticket"
        assert app.screen.detail.number == urgent
        assert said(app, f"Took {urgent}, the next in the queue.")


async def test_park_then_unpark(ui_desk, one_ticket):
    ops.take(ui_desk, one_ticket, by="olga")
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s", "enter")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).status == "on_hold"
        assert said(app, f"Ticket {one_ticket} is now on hold.")
        assert "on hold" in queue_row(app, one_ticket)
        await pilot.press("s")
        await settle(pilot)
        assert "Open — back to work" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).status == "open"


async def test_archive_asks_why_and_extract_brings_it_back(ui_desk, one_ticket):
    ops.take(ui_desk, one_ticket, by="olga")
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        # An empty reason is refused on the spot.
        await pilot.press("enter")
        await settle(pilot)
        assert "cannot be empty" in screen_text(app)
        await type_text(pilot, "duplicate of 1000001")
        await pilot.press("enter")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, one_ticket)
        assert (detail.status, detail.archive_reason) == ("archived", "duplicate of 1000001")
        assert said(app, f"Archived {one_ticket}.")
        # Out of the default view; open it by number and extract it.
        await pilot.press("number_sign", *str(one_ticket), "enter")
        await settle(pilot)
        await pilot.press("s", "enter")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).status == "open"
        assert said(app, "taken out of the archive")


async def test_escalate_fraud_goes_to_the_top_with_a_badge(ui_desk, clock):
    new_ticket(ui_desk, subject="first")
    clock.advance(minutes=1)
    second = new_ticket(ui_desk, subject="second")
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("j", "e")
        await settle(pilot)
        await pilot.press("j", "enter")  # wmid_block, then fraud
        await settle(pilot)
        await type_text(pilot, "paid a fake seller")
        await pilot.press("enter")
        await settle(pilot)
        assert "Escalate" in screen_text(app) and "fraud?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, second)
        assert detail.escalation_kinds == ["fraud"]
        assert detail.open_escalations[0].reason == "paid a fake seller"
        top = queue_lines(app)[1]
        assert str(second) in top and "FRAUD" in top
        # The cursor followed the ticket to the top.
        assert app.screen.queue_view.current_row.number == second


async def test_clear_escalation_urgent_kinds_are_for_officers(ui_desk, one_ticket):
    ops.escalate(ui_desk, one_ticket, "hotline", "called", by="ivan")
    ops.escalate(ui_desk, one_ticket, "fraud", "deceived", by="ivan")
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert "a supervisor or security officer clears this" in screen_text(app)
        # fraud is disabled: the highlight starts on hotline.
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "not needed")
        await pilot.press("enter")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).escalation_kinds == ["fraud"]
    officer = console_for(ui_desk, login="irina")
    async with officer.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("E", "enter")
        await settle(pilot)
        await type_text(pilot, "checked: not fraud")
        await pilot.press("enter", "y")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).escalation_kinds == []


async def test_request_a_wmid_block_then_a_second_person_approves(ui_desk, one_ticket):
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await type_text(pilot, "12345")
        await pilot.press("enter")
        await type_text(pilot, "took the money")
        await pilot.press("enter")
        await settle(pilot)
        assert "a WMID is 12 digits 0-9" in screen_text(app)
        # The form went back to the WMID field, keeping the reason.
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "999988887777")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert "Request the block?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, one_ticket)
        assert [b.wmid for b in detail.pending_blocks] == ["999988887777"]
        assert detail.escalation_kinds == ["wmid_block"]
        assert "BLOCK" in queue_row(app, one_ticket)
        # Olga may not decide it, and says so before asking anything.
        await pilot.press("A")
        await settle(pilot)
        assert said(app, "olga is an operator: to approve or reject a WMID block takes")
    supervisor = console_for(ui_desk, login="elena")
    async with supervisor.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert "Requested by olga: took the money" in screen_text(supervisor)
        await pilot.press("enter")
        await settle(pilot)
        assert "cannot be taken back" in screen_text(supervisor)
        await pilot.press("y")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, one_ticket)
        assert detail.blocks[0].state == BlockState.approved
        assert detail.escalation_kinds == []
        assert said(supervisor, "Approved the block of WMID 999988887777.")


async def test_reject_a_block_needs_a_reason_and_four_eyes(ui_desk, one_ticket):
    ops.request_block(ui_desk, one_ticket, "999988887777", "fraudster", by="sergey")
    own = console_for(ui_desk, login="sergey")
    async with own.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        # Told at once, before being asked for a reason.
        assert said(own, "four-eyes: sergey requested block")
        assert "Why not" not in screen_text(own)
    other = console_for(ui_desk, login="boris")
    async with other.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4", "R")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "cannot be empty" in screen_text(other)
        await type_text(pilot, "wrong WMID")
        await pilot.press("enter")
        await settle(pilot)
        # Backing out at the last word decides nothing.
        await pilot.press("n")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).blocks[0].state == BlockState.requested
        await pilot.press("R")
        await settle(pilot)
        await type_text(pilot, "wrong WMID")
        await pilot.press("enter", "y")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).blocks[0].state == BlockState.rejected


async def test_assign_is_for_supervisors(ui_desk, one_ticket):
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert said(app, "olga is an operator: to assign tickets to others takes a supervisor")
        assert load_ticket(ui_desk.db, one_ticket).assignee is None
    supervisor = console_for(ui_desk, login="sergey")
    async with supervisor.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert "Back to the queue" in screen_text(supervisor)
        # By login; "back to the queue" is off for a ticket nobody holds.
        await pilot.press("enter")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).assignee == "anna"
        assert said(supervisor, f"Ticket {one_ticket} is now with anna.")


async def test_reply_confirms_the_channel_then_answers(ui_desk, one_ticket):
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "told by a WM Keeper message to WMID 123456789012" in screen_text(app)
        await type_text(pilot, "We found your payment.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Send the reply" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, one_ticket)
        assert detail.status == "answered"
        assert detail.messages[-1].body == "We found your payment."
        assert said(app, f"Reply sent on {one_ticket}")
        assert app.screen.ACTION_SCREEN == "queue"
        assert ops.draft_for(ui_desk, one_ticket, by="olga") is None
        assert "answered" in queue_row(app, one_ticket)


async def test_cancelled_send_keeps_everything(ui_desk, one_ticket):
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "Half a thought")
        await pilot.press("ctrl+s", "n")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).status == "new"
        await pilot.press("escape")
        await settle(pilot)
        assert ops.draft_for(ui_desk, one_ticket, by="olga").body == "Half a thought"
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.text_area.text == "Half a thought"
        assert said(app, "Your reply draft")


async def test_note_is_internal(ui_desk, one_ticket):
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert "never sent to the customer" in screen_text(app)
        await type_text(pilot, "Asked finance.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, one_ticket)
        assert (detail.messages[-1].kind, detail.messages[-1].body) == ("note", "Asked finance.")
        assert detail.status == "new"
        assert said(app, f"Note added to {one_ticket}.")


async def test_template_fills_the_placeholders(ui_desk):
    number = new_ticket(ui_desk, service="keeper", subject="Password", body="I forgot it")
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "Macros and templates — keeper, en" in screen_text(app)
        await type_text(pilot, "greeting")
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.text_area.text
        assert text and "{ticket}" not in text and "{wmid}" not in text
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "Internal note on ticket" in screen_text(app)
        await pilot.press("ctrl+g", "y")
        await settle(pilot)
        assert ops.draft_for(ui_desk, number, by="olga") is None
        assert app.screen.ACTION_SCREEN == "queue"


async def test_a_change_after_the_editor_opened_is_shown_before_sending(ui_desk, one_ticket):
    ops.take(ui_desk, one_ticket, by="olga")
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "Sorry for the wait")
        await settle(pilot)
        ops.assign(ui_desk, one_ticket, to="ivan", by="sergey")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert "Since you began writing (1)" in text
        assert "sergey assigned it" in text and "olga → ivan" in text
        # Now ivan holds it: the confirmation names him, and y alone does not send.
        assert "Reply over ivan's hold (o)" in text
        await pilot.press("y")
        await settle(pilot)
        assert "ivan holds this ticket: o replies over their hold" in screen_text(app)
        # Revise: nothing sent, nothing lost.
        await pilot.press("escape")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).status == "open"
        assert app.screen.text_area.text == "Sorry for the wait"
        # Send over his hold, having seen it.
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        detail = load_ticket(ui_desk.db, one_ticket)
        assert (detail.status, detail.assignee) == ("answered", "ivan")
        assert detail.messages[-1].body == "Sorry for the wait"
        assert detail.audit[-1].after["over_hold_of"] == "ivan"


async def test_save_a_copy_of_an_attachment(ui_desk, tmp_path):
    from console.mail.attachments import IncomingAttachment

    number = ops.create_ticket(
        ui_desk,
        service="transfers",
        subject="Receipt",
        body="see attached",
        email="a@example.com",
        wmid="123456789012",
        attachments=[IncomingAttachment("receipt.txt", "text/plain", b"paid 10 WMZ")],
    ).number
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "receipt.txt" in screen_text(app)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await pilot.press(*(["backspace"] * 120))
        await type_text(pilot, str(tmp_path / "copy.txt"))
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "copy.txt").read_bytes() == b"paid 10 WMZ"
        assert said(app, "Saved a copy to")
    assert number


async def test_jump_to_the_customers_other_ticket(ui_desk, clock):
    older = new_ticket(ui_desk, subject="The first time")
    clock.advance(minutes=1)
    newer = new_ticket(ui_desk, subject="Again")
    ops.escalate(ui_desk, newer, "hotline", "called", by="ivan")
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.detail.number == newer
        while app.focused.id != "ticket-others":
            await pilot.press("tab")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.detail.number == older
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.detail.number == newer


async def test_help_shows_keys_hours_and_hotlines(ui_desk):
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 90)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = screen_text(app)
        assert "OPEN NOW — it is Wednesday 10:00 GMT; closes Wednesday 18:00 GMT" in text
        assert "+7 495 727-43-33" in text and "0 800 30-94-60" in text
        assert "Take next" in text and "(a supervisor only)" in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.ACTION_SCREEN == "queue"


async def test_help_says_closed_at_night(ui_desk, clock):
    clock.advance(hours=12)
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert "CLOSED NOW — it is Wednesday 22:00 GMT; opens Thursday 07:00 GMT" in (
            screen_text(app)
        )


async def test_every_action_is_in_the_palette_for_the_role(ui_desk, one_ticket):
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "take")
        await settle(pilot)
        assert "Take next" in screen_text(app)
        await pilot.press("ctrl+u")
        await type_text(pilot, "assign")
        await settle(pilot)
        assert "Give the ticket to an operator" not in screen_text(app)
        await pilot.press("ctrl+u")
        await pilot.press(*(["backspace"] * 10))
        await type_text(pilot, "Take the ticket")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).assignee == "olga"


async def test_keys_can_be_remapped_by_action_id(ui_desk, one_ticket):
    from dataclasses import replace

    ui_desk.settings = replace(ui_desk.settings, keymap="take=z; help=F1")
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).assignee is None
        await pilot.press("z")
        await settle(pilot)
        assert load_ticket(ui_desk.db, one_ticket).assignee == "olga"
        assert "z Take" in screen_text(app)


def test_a_wrong_keymap_is_refused_before_the_screen_opens(ui_desk):
    from dataclasses import replace

    from console.errors import InvalidInput

    ui_desk.settings = replace(ui_desk.settings, keymap="teleport=x")
    with pytest.raises(InvalidInput, match="no action 'teleport'"):
        console_for(ui_desk)


def test_an_unknown_login_is_refused_with_how_to_add_one(sqlite_url):
    from click.testing import CliRunner

    from console.cli.main import main

    result = CliRunner().invoke(main, ["--db", sqlite_url, "--as", "nobody"])
    assert result.exit_code != 0
    assert "no operator 'nobody'" in result.output
    assert "wmconsole operator add nobody" in result.output


async def test_a_status_change_is_refused_in_the_domains_words(ui_desk, one_ticket):
    ops.take(ui_desk, one_ticket, by="olga")
    ops.reply(ui_desk, one_ticket, "done", by="olga")
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ops.customer_archive(ui_desk, one_ticket)
        # The console has not re-read: it still thinks the ticket is answered.
        await pilot.press("x")
        await settle(pilot)
        await type_text(pilot, "spam")
        await pilot.press("enter")
        await settle(pilot)
        assert said(app, f"ticket {one_ticket} changed since you loaded it")
        assert load_ticket(ui_desk.db, one_ticket).archive_reason == "archived by the customer"
