"""The queue's paging without a terminal: which page is read and how, which
reads that come back are still wanted, where the cursor lands. The pager is a
plain object; its reads run here on a real database, as the view's workers do."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from console import operations as ops
from console.demo.generator import load_demo
from console.reads.facet_counts import Cell
from console.reads.queue import Assignee, Facets, Queue, QueueFilter, QueueRow, viewer_id_for
from console.reads.quick import Opening, OperatorCard
from console.rules.tally_key import UNASSIGNED
from models import Role, Status
from screens.queue.pager import (
    PAGE_SIZE,
    PAGES_KEPT,
    Arrival,
    PageRequest,
    QueuePager,
    QueueWindow,
    WindowRequest,
    on_screen,
)
from screens.queue.window_reads import opening_window, read_page, read_window
from tests.support.desk import new_ticket, queue_row

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FRAUD = QueueFilter(breached=True)


def _row(index: int) -> QueueRow:
    at = T0 + timedelta(minutes=index)
    return queue_row(id=index + 1, number=100001 + index, subject=f"ticket {index}", created_at=at)


def _page(page: int, total: int) -> list[QueueRow]:
    return [_row(i) for i in range(page * PAGE_SIZE, min((page + 1) * PAGE_SIZE, total))]


def _shown(
    pager: QueuePager, total: int, pages: tuple[int, ...] = (0,), f: QueueFilter | None = None
) -> QueueWindow:
    """A window read for `pager.load(f)` come back with `pages` of `total` rows."""
    ask = pager.load(f or QueueFilter())
    window = QueueWindow(
        ask.request,
        ask.moves,
        ask.filter,
        Facets(total=total),
        False,
        0,
        0,
        {page: _page(page, total) for page in pages},
    )
    assert pager.window_read(window) is Arrival.SHOWN
    return window


def _came_back(ask: WindowRequest, total: int = 10, cursor: int = 0) -> QueueWindow:
    return QueueWindow(
        ask.request,
        ask.moves,
        ask.filter,
        Facets(total=total),
        False,
        cursor,
        0,
        {0: _page(0, total)},
    )


def test_the_pager_needs_no_terminal():
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, screens.queue.pager; print('textual' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "False"


# Window reads ------------------------------------------------------------------------


def test_a_window_read_is_swapped_in_with_its_filter_counts_and_cursor():
    pager = QueuePager()
    assert not pager.loaded and pager.current_row is None
    ask = pager.load(FRAUD)
    assert (ask.filter, ask.anchor, ask.cursor, ask.scroll) == (FRAUD, None, 0, 0)
    assert not pager.settled
    assert pager.window_read(_came_back(ask, total=10, cursor=3)) is Arrival.SHOWN
    assert pager.settled and pager.total == 10 and pager.shown == FRAUD
    assert pager.current_row == _row(3)
    assert pager.row(9) == _row(9) and pager.row(10) is None


def test_an_older_read_that_comes_back_late_is_dropped():
    pager = QueuePager()
    older = pager.load(QueueFilter())
    newer = pager.load(FRAUD)
    assert pager.window_read(_came_back(older)) is Arrival.STALE
    assert not pager.loaded and pager.filter == FRAUD
    assert pager.window_read(_came_back(newer)) is Arrival.SHOWN
    assert pager.shown == FRAUD


def test_reloads_asked_while_one_runs_wait_for_it_and_run_once_after():
    pager = QueuePager()
    _shown(pager, 500)
    running = pager.reload(scroll=0)
    assert running is not None and running.anchor == _row(0)
    assert pager.reload(scroll=0) is None
    assert pager.reload(scroll=0) is None
    assert pager.window_read(_came_back(running, total=500)) is Arrival.SHOWN
    assert pager.take_read_again() is True
    assert pager.take_read_again() is False
    assert pager.reload(scroll=0) is not None


def test_a_read_that_failed_lets_the_next_reload_run():
    pager = QueuePager()
    _shown(pager, 500)
    assert pager.reload(scroll=0) is not None
    assert pager.reload(scroll=0) is None
    pager.window_failed()
    assert pager.reload(scroll=0) is not None


def test_a_read_overtaken_by_the_cursor_is_read_again_from_where_it_is():
    pager = QueuePager()
    _shown(pager, 500)
    ask = pager.reload(scroll=0)
    assert ask is not None
    pager.move(5, top=0, visible=20)
    assert pager.window_read(_came_back(ask, total=500)) is Arrival.MOVED
    assert pager.cursor == 5 and pager.current_row == _row(5)
    again = pager.reload(scroll=0)
    assert again is not None and again.anchor == _row(5) and again.cursor == 5


def test_a_new_filter_forgets_a_reload_asked_for_the_old_one():
    pager = QueuePager()
    _shown(pager, 500)
    assert pager.reload(scroll=0) is not None
    assert pager.reload(scroll=0) is None
    ask = pager.load(FRAUD)
    assert pager.window_read(_came_back(ask)) is Arrival.SHOWN
    assert pager.take_read_again() is False


# The cursor ---------------------------------------------------------------------------


def test_the_cursor_stays_in_sight_and_within_the_rows():
    pager = QueuePager()
    _shown(pager, 500)
    assert pager.move(10, top=0, visible=20) == 0
    assert pager.move(25, top=0, visible=20) == 6
    assert pager.move(2, top=6, visible=20) == 2
    assert pager.move(10_000, top=2, visible=20) == 480
    assert pager.cursor == 499
    assert pager.move(-3, top=480, visible=20) == 0
    assert pager.cursor == 0


def test_the_highlighted_ticket_is_told_once_per_change():
    pager = QueuePager()
    assert pager.highlight() is False
    _shown(pager, 500)
    assert pager.highlight() is True
    assert pager.highlight() is False
    assert pager.highlight(force=True) is True
    pager.move(1, top=0, visible=20)
    assert pager.highlight() is True
    pager.move(250, top=0, visible=20)
    # Its page is not at hand yet: nothing to tell until it is.
    assert pager.current_row is None
    assert pager.highlight() is False


# Page reads -------------------------------------------------------------------------


def test_stepping_on_reads_the_next_page_by_keyset_after_the_last_row():
    pager = QueuePager()
    _shown(pager, 1000)
    [request] = pager.pages_on_screen(top=90, visible=20)
    assert (request.page, request.how, request.key, request.limit) == (
        1,
        "after",
        _row(99).key,
        100,
    )
    # Asked for already: not again while it is on its way.
    assert pager.pages_on_screen(top=90, visible=20) == []
    assert pager.page_read(request, _page(1, 1000))
    assert pager.row(150) == _row(150)


def test_stepping_back_reads_the_page_before_by_keyset():
    pager = QueuePager()
    _shown(pager, 1000, pages=(5,))
    [request] = pager.pages_on_screen(top=490, visible=20)
    assert (request.page, request.how, request.key) == (4, "before", _row(500).key)


def test_a_jump_into_the_middle_reads_by_offset_and_the_neighbours_wait_for_it():
    pager = QueuePager()
    _shown(pager, 1000)
    [request] = pager.pages_on_screen(top=550, visible=20)
    assert (request.page, request.how) == (5, "offset")
    # Its neighbours come by keyset once it is here, never by offset meanwhile.
    assert pager.pages_ahead(top=550, visible=100) == []
    assert pager.page_read(request, _page(5, 1000))
    ahead = {(r.page, r.how) for r in pager.pages_ahead(top=550, visible=100)}
    assert ahead == {(4, "before"), (6, "after")}


def test_the_end_is_read_from_the_end_and_two_pages_on_screen_in_one_read():
    pager = QueuePager()
    _shown(pager, 1050)
    [request] = pager.pages_on_screen(top=1020, visible=30)
    assert (request.page, request.how, request.key, request.limit) == (10, "before", None, 50)
    pager = QueuePager()
    _shown(pager, 1050)
    # G: the cursor on the last row, its page and the one before on screen.
    assert pager.move(1049, top=0, visible=60) == 990
    [request] = pager.pages_on_screen(top=990, visible=60)
    assert (request.page, request.pages, request.limit) == (10, 2, 150)
    assert on_screen(request, top=990, visible=60)
    assert pager.page_read(request, _page(9, 1050) + _page(10, 1050))
    assert pager.row(950) == _row(950) and pager.row(1049) == _row(1049)


def test_a_page_for_pages_since_replaced_is_dropped():
    pager = QueuePager()
    _shown(pager, 1000)
    [request] = pager.pages_on_screen(top=90, visible=20)
    _shown(pager, 1000, f=FRAUD)
    assert not pager.page_read(request, _page(1, 1000))
    assert pager.row(150) is None


def test_a_failed_page_read_is_asked_again():
    pager = QueuePager()
    _shown(pager, 1000)
    assert pager.pages_on_screen(top=90, visible=20)
    pager.pages_failed()
    assert [r.page for r in pager.pages_on_screen(top=90, visible=20)] == [1]


def test_only_so_many_pages_are_kept():
    total = (PAGES_KEPT + 5) * PAGE_SIZE
    pager = QueuePager()
    _shown(pager, total)
    for page in range(1, PAGES_KEPT + 5):
        [request] = pager.pages_on_screen(top=page * PAGE_SIZE, visible=10)
        assert pager.page_read(request, _page(page, total))
    assert pager.row(0) is None
    assert pager.row(total - 1) == _row(total - 1)


# Reading a real queue ------------------------------------------------------------------


@pytest.fixture
def queue(desk, clock):
    load_demo(desk, tickets=250, seed=3)
    return Queue(desk.db, viewer_id_for(desk.db, "olga"))


EVERYTHING = QueueFilter(statuses=frozenset(Status), assignee=Assignee.anyone)


def test_a_window_from_the_top_reads_the_counts_and_the_pages_on_screen(queue, clock):
    pager = QueuePager()
    with ThreadPoolExecutor(max_workers=1) as counter:
        window = read_window(queue, pager.load(EVERYTHING), 30, clock.now, counter)
    plain = queue.page(EVERYTHING, clock.now, limit=1000)
    assert window.facets.total == len(plain) == 250
    assert (window.cursor, window.scroll) == (0, 0)
    assert window.pages == {0: plain[:PAGE_SIZE]}


def test_after_a_change_the_cursor_is_on_its_ticket_at_the_same_height(desk, queue, clock):
    watched = queue.page(EVERYTHING, clock.now, limit=1000)[130]
    # A new fraud goes to the top of the queue: the watched ticket moves down one.
    number = new_ticket(desk, subject="My card was used by someone else")
    ops.escalate(desk, number, "fraud", "stolen card", by="olga")
    with ThreadPoolExecutor(max_workers=1) as counter:
        ask = WindowRequest(1, 0, EVERYTHING, watched, 130, 110)
        window = read_window(queue, ask, 30, clock.now, counter)
    now = [row.id for row in queue.page(EVERYTHING, clock.now, limit=1000)]
    assert now.index(watched.id) == window.cursor == 131
    assert window.cursor - window.scroll == 20
    on_page = window.pages[window.cursor // PAGE_SIZE]
    assert on_page[window.cursor % PAGE_SIZE].id == watched.id
    # The window holds every page the screen shows.
    assert set(window.pages) == {1}


def test_a_ticket_that_left_the_view_leaves_the_cursor_in_its_place(desk, queue, clock):
    unassigned = QueueFilter(statuses=frozenset(Status), assignee=Assignee.unassigned)
    rows = queue.page(unassigned, clock.now, limit=1000)
    at = len(rows) // 2
    # Another console takes the highlighted ticket: it leaves the unassigned view.
    ops.take(desk, rows[at].number, by="ivan")
    with ThreadPoolExecutor(max_workers=1) as counter:
        ask = WindowRequest(1, 0, unassigned, rows[at], at, max(at - 5, 0))
        window = read_window(queue, ask, 30, clock.now, counter)
    assert window.facets.total == len(rows) - 1
    assert window.cursor == at
    assert window.pages[at // PAGE_SIZE][at % PAGE_SIZE].id == rows[at + 1].id


def test_a_page_read_each_way_is_the_queue_in_order(queue, clock):
    plain = queue.page(EVERYTHING, clock.now, limit=1000)
    reads = {}
    for top in (95, 240):
        pager = QueuePager()
        with ThreadPoolExecutor(max_workers=1) as counter:
            pager.window_read(read_window(queue, pager.load(EVERYTHING), 30, clock.now, counter))
        for request in pager.pages_on_screen(top=top, visible=10):
            reads[request.how] = (request.page, read_page(queue, request, clock.now))
    assert reads["after"] == (1, plain[100:200])
    assert reads["before"] == (2, plain[200:])
    by_offset = PageRequest(0, EVERYTHING, 1, "offset", None, PAGE_SIZE)
    assert read_page(queue, by_offset, clock.now) == plain[100:200]


def _opening(rows: int, unassigned_new: int) -> Opening:
    card = OperatorCard(7, "olga", "Olga", Role.operator, True)
    cells = [Cell("new", "transfers", UNASSIGNED, 0, unassigned_new, 0)]
    return Opening(
        operator=card,
        saved_filter=None,
        saved_columns=None,
        view=QueueFilter(),
        first_page=_page(0, rows),
        cells=cells,
        at=T0,
    )


def test_the_opening_window_is_the_quick_reads_page_and_counts():
    pager = QueuePager()
    window = opening_window(pager.first(), QueueFilter(), _opening(PAGE_SIZE, 250))

    assert window is not None and window.facets.total == 250
    assert pager.window_read(window) is Arrival.SHOWN
    assert pager.total == 250 and pager.row(PAGE_SIZE - 1) == _row(PAGE_SIZE - 1)
    assert pager.row(PAGE_SIZE) is None


def test_an_opening_that_does_not_cover_the_view_is_read_as_usual():
    pager = QueuePager()
    another_view = QueueFilter(assignee=Assignee.anyone)
    # The page and the count read a moment apart disagree.
    assert opening_window(pager.first(), QueueFilter(), _opening(40, 250)) is None
    assert opening_window(pager.first(), another_view, _opening(PAGE_SIZE, 250)) is None


def test_a_search_still_counted_shows_its_first_page_and_then_every_row():
    pager = QueuePager()
    ask = pager.load(QueueFilter(search="карта"))
    counting: Future[Facets] = Future()
    first = Facets(total=242_000, itemised=False, estimated=True)
    window = QueueWindow(ask.request, ask.moves, ask.filter, first, False, 0, 0, {0: _page(0, 250)})
    assert pager.window_read(replace(window, counting=counting)) is Arrival.SHOWN
    # Only the rows read so far exist until the count comes.
    assert pager.total == PAGE_SIZE
    assert pager.landing("last", 0, 20) == (PAGE_SIZE - 1, PAGE_SIZE)
    assert pager.counted(ask.request, Facets(total=250, itemised=False))
    assert (pager.total, pager.facets.estimated) == (250, False)
    assert pager.landing("last", 0, 20) == (249, 250)
    # A count for a window asked for before the last one is dropped.
    later = pager.load(QueueFilter(search="платёж"))
    assert not pager.counted(ask.request, Facets(total=7, itemised=False))
    assert not pager.counted(later.request, Facets(total=7, itemised=False))
    assert pager.total == 250


def test_a_whole_desk_window_waits_for_no_count_past_its_first_page(desk, queue, clock):
    f = QueueFilter(search="здравствуйте")
    pager = QueuePager()
    counting: Future[Facets] = Future()

    class HeldCount:
        """The count, not done when the first page is."""

        def submit(self, *_args) -> Future[Facets]:
            return counting

    window = read_window(queue, pager.load(f), 20, clock.now, HeldCount())
    assert window.counting is counting
    assert window.pages[0] == queue.page(f, clock.now, limit=PAGE_SIZE)
    assert window.facets.estimated and window.facets.total >= PAGE_SIZE
    # A search with fewer matches than a page waits for its count: it is quick.
    number = new_ticket(desk, subject="Зелёная квитанция")
    with ThreadPoolExecutor(max_workers=1) as counter:
        few = read_window(queue, pager.load(f.with_(search="квитанция")), 20, clock.now, counter)
    assert few.counting is None and few.facets == queue.facets(few.filter, clock.now)
    assert [row.number for row in few.pages[0]] == [number]
