"""The queue screen, driven by keys: what it shows, how it moves, the filters."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Input

from console import operations as ops
from console.reads.facet_counts import Facets
from console.reads.queue import Queue, QueueFilter
from screens.queue.filter_bar import summary
from screens.queue.pager import PAGE_SIZE
from tests.support.desk import new_ticket
from tests.support.ui import console_for, notifications, said, screen_text, settle


def first_rows(desk, login="olga", f=None, limit=50):
    f = f or QueueFilter()
    queue = Queue(desk.db, ops.get_operator(desk, login).id)
    return queue.page(f, desk.now(), limit=limit)


async def test_the_console_opens_on_my_work_and_the_unassigned_queue(ui_demo):
    app = console_for(ui_demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        rows = first_rows(ui_demo)
        text = screen_text(app)
        assert "My work + unassigned" in text
        view = app.screen.queue_view
        assert view.total == ops_count(ui_demo)
        assert view.current_row.number == rows[0].number
        for row in rows[:10]:
            assert str(row.number) in text
        # The preview shows the highlighted ticket.
        assert app.screen.preview.detail.number == rows[0].number


def ops_count(desk, login="olga"):
    queue = Queue(desk.db, ops.get_operator(desk, login).id)
    return queue.facets(QueueFilter(), desk.now()).total


async def test_moving_through_the_queue(ui_demo):
    rows = first_rows(ui_demo, limit=400)
    app = console_for(ui_demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        view = app.screen.queue_view
        await pilot.press("j", "j", "down")
        assert view.current_row.number == rows[3].number
        await pilot.press("k")
        assert view.current_row.number == rows[2].number
        await pilot.press("pagedown")
        await settle(pilot)
        assert view.cursor == 2 + view.row_count
        assert view.current_row.number == rows[view.cursor].number
        await pilot.press("G")
        await settle(pilot)
        assert view.cursor == view.total - 1
        assert view.current_row.number == rows[view.total - 1].number
        assert str(rows[view.total - 1].number) in screen_text(app)
        await pilot.press("g")
        await settle(pilot)
        assert view.cursor == 0
        assert str(rows[0].number) in screen_text(app)


async def test_an_empty_database_says_how_to_load_demo_data(ui_desk):
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "No tickets in this database yet." in text
        assert "wmconsole demo --db" in text
        # Keys that need a ticket do nothing harmful on an empty queue.
        await pilot.press("j", "G", "enter", "t", "r")
        await settle(pilot)
        assert app.is_running
        assert "No tickets in this database yet." in screen_text(app)


async def test_quick_views_and_their_counts(ui_demo):
    app = console_for(ui_demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        view = app.screen.queue_view
        await pilot.press("3")
        await settle(pilot)
        assert "Fraud" in screen_text(app)
        rows = first_rows(ui_demo, f=view.filter)
        assert rows and all("fraud" in [k.value for k in row.escalations] for row in rows)
        assert f"{view.total:,} tickets" in screen_text(app)
        await pilot.press("4")
        await settle(pilot)
        assert "WMID block" in screen_text(app)
        assert all(
            "wmid_block" in [k.value for k in row.escalations]
            for row in first_rows(ui_demo, f=view.filter)
        )
        await pilot.press("1")
        await settle(pilot)
        assert all(row.assignee == "olga" for row in first_rows(ui_demo, f=view.filter))
        await pilot.press("2")
        await settle(pilot)
        assert all(
            row.assignee is None and row.status.value == "new"
            for row in first_rows(ui_demo, f=view.filter)
        )
        await pilot.press("5")
        await settle(pilot)
        assert "past SLA" in screen_text(app)
        await pilot.press("0")
        await settle(pilot)
        assert view.filter == QueueFilter()


async def test_search_narrows_the_queue(ui_desk):
    wanted = new_ticket(ui_desk, subject="Keeper password lost")
    new_ticket(ui_desk, subject="Card blocked")
    app = console_for(ui_desk)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"password", "enter")
        await settle(pilot)
        view = app.screen.queue_view
        assert view.total == 1
        assert view.current_row.number == wanted
        assert '"password"' in screen_text(app)
        # Escape in the search line takes the edit back.
        await pilot.press("slash", "x", "escape")
        await settle(pilot)
        assert view.filter.search == "password"


async def test_the_filter_picker_shows_counts_and_applies_at_once(ui_demo):
    app = console_for(ui_demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        view = app.screen.queue_view
        facets = view.facets
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert f"anyone  {facets.assignees['anyone']:,}" in text
        # Holder: anyone (the fourth choice).
        await pilot.press("down", "down", "down", "enter")
        await settle(pilot)
        assert view.filter.assignee == "anyone"
        # Service: untick nothing, tick keeper (first), in the third list.
        await pilot.press("tab", "tab", "tab", "space")
        await settle(pilot)
        assert {s.value for s in view.filter.services} == {"keeper"}
        await pilot.press("escape")
        await settle(pilot)
        assert all(row.service.value == "keeper" for row in first_rows(ui_demo, f=view.filter))
        assert "service Keeper" in screen_text(app)


async def test_the_last_filters_come_back(ui_demo):
    app = console_for(ui_demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await pilot.pause(1.3)
        await settle(pilot)
    again = console_for(ui_demo)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Fraud" in screen_text(again)
        assert again.screen.queue_view.filter.escalations


async def test_open_a_ticket_and_go_back(ui_demo):
    rows = first_rows(ui_demo)
    app = console_for(ui_demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert app.screen.ACTION_SCREEN == "ticket"
        assert app.screen.detail.number == rows[1].number
        assert "Customer" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.ACTION_SCREEN == "queue"
        assert app.screen.queue_view.current_row.number == rows[1].number


async def test_go_to_a_ticket_by_number(ui_demo):
    number = first_rows(ui_demo)[5].number
    app = console_for(ui_demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("number_sign", *str(number), "enter")
        await settle(pilot)
        assert app.screen.detail.number == number
        await pilot.press("escape", "number_sign", *"999999999", "enter")
        await settle(pilot)
        assert "no ticket 999999999" in notifications(app)
        assert app.screen.ACTION_SCREEN == "queue"


async def test_a_search_by_number_opens_the_ticket_wherever_it_is(ui_desk):
    """Held by someone else and archived: not in olga's opening view, and found."""
    elsewhere = new_ticket(ui_desk, subject="Old question")
    ops.take(ui_desk, elsewhere, by="ivan")
    ops.set_status(ui_desk, elsewhere, "archived", by="ivan", reason="duplicate")
    new_ticket(ui_desk, subject="Something else")
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        view = app.screen.queue_view
        assert elsewhere not in {view.row_at(i).number for i in range(view.total)}
        await pilot.press("slash", *str(elsewhere), "enter")
        await settle(pilot)
        assert app.screen.number == elsewhere
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert view.current_row.number == elsewhere
        assert "Whole desk" in screen_text(app)


async def test_n_and_shift_n_step_through_the_matches_and_escape_clears_them(ui_desk):
    number = new_ticket(ui_desk, subject="Карта", body="Карта не работает, карту заблокировали")
    ops.reply(ui_desk, number, "Пришлите фото карты.", by="olga")
    app = console_for(ui_desk)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"карта", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        ticket = app.screen.view
        assert ticket.match_count == 3
        assert "3 matches of the search — n/N, esc clears" in screen_text(app)
        await pilot.press("n")
        assert ticket.current_match == 0
        await pilot.press("n", "n")
        assert ticket.current_match == 2
        assert "3 of 3 matches" in screen_text(app)
        await pilot.press("n")
        assert ticket.current_match == 0
        await pilot.press("N")
        assert ticket.current_match == 2
        # Escape clears the marks; then n is a note again, and escape goes back.
        await pilot.press("escape")
        await settle(pilot)
        assert ticket.terms == []
        assert "matches of the search" not in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReplyEditor"


async def test_a_whole_desk_search_shows_its_first_page_before_its_count(ui_desk, monkeypatch):
    numbers = {new_ticket(ui_desk, subject=f"Карта {n} не работает") for n in range(PAGE_SIZE + 20)}
    count_may_finish = threading.Event()
    facets = Queue.facets

    def counted_when_let(queue, f, now):
        if f.applied().whole_desk:
            count_may_finish.wait(30)
        return facets(queue, f, now)

    monkeypatch.setattr(Queue, "facets", counted_when_let)
    app = console_for(ui_desk)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        view = app.screen.queue_view
        await pilot.press("slash", *"карта", "enter")
        for _ in range(200):
            if view.pager.loaded and view.pager.shown.search == "карта":
                break
            await pilot.pause(0.05)
        # The first page, the rows read so far, and End goes to the last of them.
        assert view.total == PAGE_SIZE
        assert f"{PAGE_SIZE}+ tickets" in screen_text(app)
        await pilot.press("end")
        assert view.cursor == PAGE_SIZE - 1
        count_may_finish.set()
        await settle(pilot)
        assert view.total == len(numbers)
        assert f"{len(numbers)} tickets" in screen_text(app)
        assert "+ tickets" not in screen_text(app)
        await pilot.press("end")
        await settle(pilot)
        assert view.cursor == len(numbers) - 1
        assert {view.row_at(i).number for i in range(view.total)} == numbers


@pytest.mark.parametrize(
    ("facets", "said"),
    [
        (Facets(total=242_119, itemised=False, estimated=True), "about 242,000 tickets"),
        (Facets(total=1_234, itemised=False, estimated=True), "about 1,230 tickets"),
        (Facets(total=PAGE_SIZE, itemised=False, estimated=True), f"{PAGE_SIZE}+ tickets"),
        (Facets(total=239_960, itemised=False), "239,960 tickets"),
    ],
)
def test_the_filter_bar_says_how_many_a_search_finds_while_it_is_counted(facets, said):
    assert said in summary(QueueFilter(search="платёж"), facets).plain


def test_a_whole_desk_search_says_it_reads_past_the_views_filters():
    whole = summary(QueueFilter(search="платёж", breached=True), None).plain
    assert whole.splitlines()[1] == "holder anyone  status any  service any  escalation any"
    within = summary(QueueFilter(search="платёж", search_in_view=True), None).plain
    assert within.splitlines()[1].startswith("holder mine + unassigned  status live")


async def test_a_search_the_command_line_would_refuse_is_refused_with_why(ui_desk):
    new_ticket(ui_desk, subject="Карта")
    app = console_for(ui_desk)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        view = app.screen.queue_view
        before = view.filter
        await pilot.press("slash")
        app.screen.query_one("#search", Input).value = "ка\x00рта"
        await pilot.press("enter")
        await settle(pilot)
        assert view.filter == before
        assert said(app, "the search has a NUL byte at character 3")
        await pilot.press("slash")
        app.screen.query_one("#search", Input).value = " ".join(["карта"] * 51)
        await pilot.press("enter")
        await settle(pilot)
        assert view.filter == before
        assert said(app, "a search takes at most 50 words")
