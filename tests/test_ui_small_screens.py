"""At 80x24: the ticket's number, subject, status and holder stay in sight while
its thread scrolls, and the thread starts near the top; what was done is said
in the status line, a refusal in a toast at the top right, neither over the
thread; a read slower than 200 ms says it is loading. And the words a person
reads there: labels, plurals, boxes that read on or off."""

from __future__ import annotations

import threading

from console import operations as ops
from console.reads import ticket as ticket_reads
from console.rules.labels import plural
from models import ACTIVE_STATUSES, Status
from screens.ticket import screen as ticket_screen
from tests.support.desk import new_ticket
from tests.support.oracle import tickets_plainly
from tests.support.ui import console_for, screen_lines, screen_text, settle


async def test_the_tickets_head_stays_while_the_thread_scrolls(ui_desk):
    number = new_ticket(ui_desk, subject="Payment not delivered", service="personal_data")
    ops.take(ui_desk, number, by="olga")
    for step in range(6):
        ops.note(ui_desk, number, "\n".join(f"step {step}.{line}" for line in range(8)), by="ivan")
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        lines = screen_lines(app)
        thread_at = next(i for i, line in enumerate(lines) if "Customer  customer" in line)
        assert thread_at <= 8, lines
        for key in ("ctrl+d", "G"):
            await pilot.press(key)
            await settle(pilot)
            lines = screen_lines(app)
            assert lines[0].strip().startswith(f"{number}  Payment not delivered")
            assert "open  ·  personal data" in lines[1] and "held by olga" in lines[1]
        assert "step 5.7" in screen_text(app)


async def test_a_slow_read_says_it_is_loading(ui_desk, monkeypatch):
    first = new_ticket(ui_desk, subject="first")
    second = new_ticket(ui_desk, subject="second")
    release = threading.Event()

    def slow(db, number):
        if number == second:
            release.wait(10)
        return ticket_reads.load_ticket(db, number)

    monkeypatch.setattr(ticket_screen, "load_ticket", slow)
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.detail.number == first
        await pilot.press("J")
        await pilot.pause(0.5)
        assert f"Loading ticket {second}…" in screen_text(app)
        release.set()
        await settle(pilot)
        assert f"Loading ticket {second}" not in screen_text(app)
        assert app.screen.detail.number == second


async def test_a_refusal_is_a_toast_at_the_top_and_a_done_action_a_status_line(ui_desk):
    number = new_ticket(ui_desk)
    ops.take(ui_desk, number, by="ivan")
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("number_sign", *str(number), "enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        toast = app.screen.query_one("Toast")
        assert toast.region.y <= 1 and toast.region.height <= 5, toast.region
        assert "held by ivan" in str(toast.render())
        assert not app.status_history
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("O", "k", "ctrl+s")
        await settle(pilot)
        assert app.status_history == [f"Note added to {number}."]
        assert len(app._notifications) == 1


async def test_the_words_on_screen(ui_demo):
    waiting = sum(
        1 for t in tickets_plainly(ui_demo) if t.status in ACTIVE_STATUSES - {Status.answered}
    )
    answered = sum(1 for t in tickets_plainly(ui_demo) if t.status == Status.answered)
    app = console_for(ui_demo, login="sergey")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        title = str(app.screen.query_one("#dash-title").render())
        assert f"{waiting:,} waiting (new, open, on hold) · {answered:,} answered" in title
        await pilot.press("escape", "f")
        await settle(pilot)
        text = screen_text(app)
        assert "[x] new" in text and "[ ] archived" in text and "[ ] WMID block" in text
        assert "(•) mine + unassigned" in text and "( ) anyone" in text
        assert "_" not in text.replace("__", "")


async def test_one_ticket_is_one_ticket(ui_desk):
    number = new_ticket(ui_desk)
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert f"·  {plural(1, 'ticket')}  ·" in screen_text(app)
        assert str(number) in screen_text(app)
