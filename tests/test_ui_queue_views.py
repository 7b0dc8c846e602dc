"""The queue's order (o, shown in the bar), its columns (c, kept for the person),
the quick view "answered by me today" (6) and a security officer's opening view."""

from __future__ import annotations

from console import operations as ops
from console.rules.queue_order import SortOrder
from tests.support.desk import new_ticket
from tests.support.ui import console_for, queue_lines, screen_text, settle


async def test_o_cycles_the_order_and_the_bar_says_which(ui_desk, clock):
    older = new_ticket(ui_desk, subject="older")
    clock.advance(minutes=5)
    urgent = new_ticket(ui_desk, subject="urgent")
    ops.escalate(ui_desk, urgent, "fraud", "money taken", by="ivan")
    clock.advance(minutes=5)
    ops.customer_message(ui_desk, older, "any news?", channel="email")
    app = console_for(ui_desk)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)

        def numbers():
            return [int(line.split()[0]) for line in queue_lines(app)[1:3]]

        assert numbers() == [urgent, older] and "by SLA due" in screen_text(app)
        seen = {}
        for order, words in [
            (SortOrder.age, "oldest first"),
            (SortOrder.customer, "by last customer message"),
            (SortOrder.updated, "last updated first"),
            (SortOrder.sla, "by SLA due"),
        ]:
            await pilot.press("o")
            await settle(pilot)
            assert app.screen.queue_view.filter.order == order
            assert words in screen_text(app)
            seen[order] = numbers()
        assert seen[SortOrder.age] == [older, urgent]
        assert seen[SortOrder.customer] == [older, urgent]
        assert seen[SortOrder.updated] == [older, urgent]


async def test_the_columns_chosen_are_kept_for_the_next_console(ui_desk):
    new_ticket(ui_desk)
    app = console_for(ui_desk)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        assert "AGE" in queue_lines(app)[0]
        await pilot.press("c")
        await settle(pilot)
        assert "[x] age" in screen_text(app)
        await pilot.press("g", "space")
        await settle(pilot)
        assert "[ ] age" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "AGE" not in queue_lines(app)[0]
    again = console_for(ui_desk)
    async with again.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        assert "AGE" not in queue_lines(again)[0]
        assert "HOLDER" in queue_lines(again)[0]


async def test_answered_by_me_today(ui_desk, clock):
    mine = new_ticket(ui_desk, subject="mine")
    ops.reply(ui_desk, mine, "done", by="olga")
    theirs = new_ticket(ui_desk, subject="theirs")
    ops.reply(ui_desk, theirs, "done", by="ivan")
    app = console_for(ui_desk)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        text = screen_text(app)
        assert "Answered by me today  ·  1 ticket" in text
        assert str(mine) in text and str(theirs) not in text


async def test_a_security_officer_opens_on_fraud_hacking_and_block_requests(ui_desk):
    plain = new_ticket(ui_desk, subject="plain")
    fraud = new_ticket(ui_desk, subject="fraud")
    ops.escalate(ui_desk, fraud, "fraud", "money taken", by="olga")
    hacking = new_ticket(ui_desk, subject="hacking")
    ops.escalate(ui_desk, hacking, "hacking", "someone logged in", by="olga")
    ops.take(ui_desk, hacking, by="ivan")
    app = console_for(ui_desk, login="irina")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Fraud, hacking and blocks  ·  2 tickets" in text
        assert str(plain) not in text
        await pilot.press("2", "0")
        await settle(pilot)
        assert "Fraud, hacking and blocks" in screen_text(app)
