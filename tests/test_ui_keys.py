"""One key map across the console: the same movement keys move on every screen
with a list or a page; J/K step through the queue from a ticket (and from the
editor); B and D wherever they make sense; at 80 columns the key bar keeps the
keys that matter most, and `?`."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, OptionList

from console import operations as ops
from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for
from console.reads.ticket import load_ticket
from models import Status
from screens.dashboard.open_work import OpenWorkMatrix
from screens.dashboard.screen import DashboardScreen
from screens.queue.view import QueueView
from screens.supervision.block_review import BlockReviewScreen
from screens.ticket.screen import TicketScreen
from screens.widgets.key_bar import KeyBar
from tests.support.ui import console_for, settle

MOVES = ("G", "g", "j", "k", "pagedown", "pageup", "ctrl+d", "ctrl+u")


def position(app) -> int:
    """Where the screen's list or page is: its highlight, or how far it is scrolled."""
    widget = app.screen.mover()
    if isinstance(widget, QueueView):
        return widget.cursor
    if isinstance(widget, OpenWorkMatrix):
        return widget.row
    if isinstance(widget, DataTable):
        return widget.cursor_row
    if isinstance(widget, OptionList):
        return widget.highlighted or 0
    return round(widget.scroll_y)


async def walk(pilot, app, where: str) -> None:
    """The movement keys, in turn, each moving the screen's list or page."""
    await pilot.press("g")
    await settle(pilot, quiet_rounds=1)
    assert position(app) == 0, where
    seen = {}
    for key in MOVES:
        await pilot.press(key)
        await settle(pilot, quiet_rounds=1)
        seen[key] = position(app)
    assert seen["G"] > 0, (where, seen)
    assert seen["g"] == 0, (where, seen)
    assert seen["j"] > 0 and seen["k"] == 0, (where, seen)
    assert seen["pagedown"] > 0 and seen["pageup"] == 0, (where, seen)
    assert seen["ctrl+d"] > 0 and seen["ctrl+u"] == 0, (where, seen)


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def test_the_same_movement_keys_move_on_every_screen(ui_blocks):
    """Queue, ticket, the editor's conversation, help, filters, columns, a choice;
    then a supervisor's dashboard, block requests, templates and scam markers."""
    first = Queue(ui_blocks.db, viewer_id_for(ui_blocks.db, "sergey")).page(
        QueueFilter(), ui_blocks.now(), limit=1
    )[0]
    long_note = "\n".join(f"checked step {step}" for step in range(30))
    ops.note(ui_blocks, first.number, long_note, by="ivan")
    app = console_for(ui_blocks, login="sergey")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await walk(pilot, app, "queue")
        await press(pilot, "enter")
        await walk(pilot, app, "ticket")
        await press(pilot, "r", "tab")
        await walk(pilot, app, "the editor's conversation")
        await press(pilot, "escape", "question_mark")
        await walk(pilot, app, "help")
        await press(pilot, "escape", "escape")
        for opened_by, where in [("f", "filters"), ("c", "columns"), ("e", "a choice")]:
            await press(pilot, opened_by)
            await walk(pilot, app, where)
            await press(pilot, "escape")
        for opened_by, where in [("D", "dashboard"), ("B", "block requests")]:
            await press(pilot, opened_by)
            await walk(pilot, app, where)
        await press(pilot, "escape", "escape")
        for opened_by, where in [("C", "templates"), ("M", "scam markers")]:
            await press(pilot, opened_by)
            await walk(pilot, app, where)
            await press(pilot, "escape")


async def test_a_hotline_calls_tickets_move_with_the_same_keys(ui_demo):
    wmid = (
        Queue(ui_demo.db, None)
        .page(QueueFilter(assignee=Assignee.anyone, statuses=frozenset(Status)), ui_demo.now())[0]
        .customer_wmid
    )
    app = console_for(ui_demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("L", *wmid, "enter")
        await settle(pilot)
        assert position(app) == 1  # the newest ticket; "open a new one" above it
        await walk(pilot, app, "a call's tickets")


def _queue_rows(app):
    view = app.screen_stack[1].queue_view
    return [view.row_at(i) for i in range(view.total)]


async def test_j_and_k_step_through_the_queue_from_the_ticket_and_the_queue_follows(ui_demo):
    app = console_for(ui_demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("o")  # oldest first: J follows the order on screen
        await settle(pilot)
        rows = _queue_rows(app)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.detail.number == rows[0].number
        await pilot.press("J")
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.detail.number == rows[2].number
        assert app.screen_stack[1].queue_view.cursor == 2
        await pilot.press("K")
        await settle(pilot)
        assert app.screen.detail.number == rows[1].number
        assert len(app.screen_stack) == 3
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.queue_view.current_row.number == rows[1].number
        await pilot.press("g", "enter")
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        assert app.screen.detail.number == rows[0].number
        assert "No ticket before" in app.status_line[0]


async def test_j_from_the_editor_keeps_the_draft_and_shows_the_next_ticket(ui_demo):
    app = console_for(ui_demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = _queue_rows(app)
        await pilot.press("r", "H", "i")
        await settle(pilot)
        await pilot.press("J")  # in the text: a letter
        await settle(pilot)
        await pilot.press("tab", "J")  # from the conversation: the next ticket
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.detail.number == rows[1].number
        assert ops.draft_for(ui_demo, rows[0].number, by="olga").body == "HiJ"


async def test_b_on_the_dashboard_opens_the_blocks_it_counts_and_d_comes_back(ui_blocks):
    app = console_for(ui_blocks, login="elena")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert "3 blocks to decide (B)" in str(app.screen.query_one("#dash-title").render())
        await pilot.press("B")
        await settle(pilot)
        assert isinstance(app.screen, BlockReviewScreen)
        assert len(app.screen.items) == 3
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert [type(s).__name__ for s in app.screen_stack[1:]] == [
            "QueueScreen",
            "DashboardScreen",
        ]


async def test_b_and_d_from_a_ticket(ui_blocks):
    app = console_for(ui_blocks, login="irina")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("escape", "enter", "B")
        await settle(pilot)
        assert isinstance(app.screen, BlockReviewScreen)


def _bar(app) -> str:
    return app.screen.query_one(KeyBar).render().plain.splitlines()[-1]


@pytest.mark.parametrize(
    ("login", "keys", "wanted"),
    [
        ("olga", (), ("t Take", "r Reply", "n Note", "? Keys", "^p Commands")),
        ("olga", ("enter",), ("t Take", "r Reply", "n Note", "esc Back", "? Keys")),
        ("sergey", (), ("t Take", "r Reply", "n Note", "? Keys")),
        ("sergey", ("D",), ("⏎ Open", "Tab Next tile", "? Keys")),
        ("irina", ("B",), ("A Approve block", "R Reject block", "esc Back")),
    ],
)
async def test_at_80_columns_the_key_bar_keeps_what_matters_most_and_help(
    ui_demo, login, keys, wanted
):
    app = console_for(ui_demo, login=login)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        bar = _bar(app)
        assert len(bar) == 80
        for words in wanted:
            assert words in bar, (words, bar)


async def test_a_done_action_is_said_in_the_status_line_not_over_the_thread(ui_demo):
    app = console_for(ui_demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "enter")
        await settle(pilot)
        number = app.screen.number
        await pilot.press("t")
        await settle(pilot)
        assert load_ticket(ui_demo.db, number).assignee == "olga"
        lines = app.screen.query_one(KeyBar).render().plain.splitlines()
        assert lines[0].strip().startswith(f"Took {number}")
        assert not app._notifications
