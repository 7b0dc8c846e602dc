"""The queue's windows and pages, read on a worker thread: QueueView asks the
pager (screens/queue/pager.py) what to read, reads it here through the queue's
reader (console.reads.queue), and hands the result back to the pager. The
console's first window may come from the quick path's reads instead
(opening_window). No Textual here either."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from datetime import datetime
from typing import TYPE_CHECKING

from console.reads.facet_counts import facets_from_cells
from console.reads.queue_filter import QueueFilter
from console.reads.queue_row import QueueKey, QueueRow
from screens.queue.pager import PAGE_SIZE, PageRequest, QueueWindow, WindowRequest

if TYPE_CHECKING:
    from console.reads.facet_counts import Facets
    from console.reads.queue import Queue
    from console.reads.quick import Opening


def read_first(
    queue: Queue,
    ask: WindowRequest,
    read_filter: Callable[[], QueueFilter],
    visible: int,
    now: datetime,
    counter: Executor,
) -> QueueWindow:
    """The first window, on the filter `read_filter` gives (the operator's saved
    one): while the screen paints for the first time, the database is at work."""
    first = WindowRequest(ask.request, ask.moves, read_filter(), None, 0, 0)
    return read_window(queue, first, visible, now, counter)


def opening_window(ask: WindowRequest, f: QueueFilter, opening: Opening) -> QueueWindow | None:
    """The first window from what the quick path read before the ORM loaded
    (console.reads.quick.console_opening), when that covers `f`: its first page
    is the opening view's, its counts the tally's. None: read it as usual."""
    if f.applied() != opening.view.applied():
        return None
    facets = facets_from_cells(opening.cells, f.applied(), opening.operator.id, None)
    if len(opening.first_page) != min(PAGE_SIZE, facets.total):
        # The page and the count disagree (read a moment apart on PostgreSQL).
        return None
    pages = {0: opening.first_page} if facets.total else {}
    empty_database = not opening.cells
    return QueueWindow(ask.request, ask.moves, f, facets, empty_database, 0, 0, pages)


def read_window(
    queue: Queue, ask: WindowRequest, visible: int, now: datetime, counter: Executor
) -> QueueWindow:
    """The counts and the pages the screen needs, with the cursor placed."""
    f, anchor, cursor, scroll = ask.filter, ask.anchor, ask.cursor, ask.scroll
    first_page: list[QueueRow] | None = None
    still_counting: Future[Facets] | None = None
    if anchor is None:
        # A new filter starts at the top, which needs no count: the first page is
        # read while the counts are (a search makes both take a while).
        counting = counter.submit(queue.facets, f, now)
        first_page = queue.page(f, now, limit=PAGE_SIZE)
        facets, still_counting = _counts_so_far(queue, f, counting, first_page)
    else:
        facets = queue.facets(f, now)
    total = len(first_page or []) if still_counting else facets.total
    empty_database = total == 0 and not queue.any_tickets()
    pages: dict[int, list[QueueRow]] = {}
    on_screen_at = cursor - scroll
    kept: QueueRow | None = None
    if anchor is not None:
        cursor, pages, kept = _around_ticket(queue, f, now, anchor, total, keep=ask.keep)
    elif total:
        pages[0] = first_page or []
    shown = total + (kept is not None)
    if shown:
        cursor = min(cursor, shown - 1)
        scroll = min(max(cursor - on_screen_at, 0), max(shown - visible, 0))
        scroll = min(scroll, cursor) if cursor < scroll + visible else cursor - visible + 1
        if pages:
            _fill(queue, f, now, pages, total, scroll, visible)
    else:
        cursor = scroll = 0
    return QueueWindow(
        ask.request,
        ask.moves,
        f,
        facets,
        empty_database,
        cursor,
        scroll,
        pages,
        kept,
        counting=still_counting,
    )


def _counts_so_far(
    queue: Queue, f: QueueFilter, counting: Future[Facets], first_page: list[QueueRow]
) -> tuple[Facets, Future[Facets] | None]:
    """The counts; or, for a whole-desk search with a full first page that is
    still being counted, a first figure to show the page with, and the count
    to come. A common word's count reads every ticket that has it (300-450 ms
    at a million tickets on PostgreSQL; its first page, 5-40 ms)."""
    if counting.done() or len(first_page) < PAGE_SIZE or not f.applied().whole_desk:
        return counting.result(), None
    return queue.counted_so_far(f, len(first_page)), counting


def read_page(queue: Queue, request: PageRequest, now: datetime) -> list[QueueRow]:
    f = request.filter
    if request.how == "after":
        return queue.page(f, now, after=request.key, limit=request.limit)
    if request.how == "before":
        return queue.page_before(f, now, before=request.key, limit=request.limit)
    return queue.page_at(f, now, offset=request.page * PAGE_SIZE, limit=request.limit)


def _around_ticket(
    queue: Queue,
    f: QueueFilter,
    now: datetime,
    anchor: QueueRow,
    total: int,
    *,
    keep: bool,
) -> tuple[int, dict[int, list[QueueRow]], QueueRow | None]:
    """Where the cursor's ticket is now, with its page. If it left this view, the
    cursor keeps its place among the rows that remain: on the ticket itself, as
    it is now, when it is kept (possibly just after the last row)."""
    key = queue.key_of(anchor.id, f)
    if key is not None and total:
        position = queue.position(f, now, key)
        if position < total:
            page, rows = _page_from_key(queue, f, now, key, position)
            at = position - page * PAGE_SIZE
            if at < len(rows) and rows[at].id == anchor.id:
                return position, {page: rows}, None
    kept = queue.row_of(anchor.id) if keep else None
    if not total:
        return 0, {}, kept
    position = queue.position(f, now, anchor.key)
    if position < total:
        page, rows = _page_from_key(queue, f, now, anchor.key, position)
    else:
        # Every row sorts before it: the last page, and the cursor after it.
        page = (total - 1) // PAGE_SIZE
        rows = queue.page_before(f, now, before=None, limit=total - page * PAGE_SIZE)
    return position if kept else min(position, total - 1), {page: rows}, kept


def _page_from_key(
    queue: Queue, f: QueueFilter, now: datetime, key: QueueKey, position: int
) -> tuple[int, list[QueueRow]]:
    """The page holding `position`, where `position` rows sort before `key`: by
    keyset on both sides of the key, never by offset."""
    page = position // PAGE_SIZE
    before_count = position - page * PAGE_SIZE
    if position == 0:
        return page, queue.page(f, now, limit=PAGE_SIZE)
    before = queue.page_before(f, now, before=key, limit=max(before_count, 1))
    anchor = before[-1].key if before else None
    after = queue.page(f, now, after=anchor, limit=PAGE_SIZE - before_count)
    return page, (before if before_count else []) + after


def _fill(
    queue: Queue,
    f: QueueFilter,
    now: datetime,
    pages: dict[int, list[QueueRow]],
    total: int,
    scroll: int,
    visible: int,
) -> None:
    """Read, by keyset from the pages at hand, every page the viewport touches."""
    first = scroll // PAGE_SIZE
    last = min(scroll + visible - 1, total - 1) // PAGE_SIZE
    known = min(pages)
    for page in range(known + 1, last + 1):
        rows = pages.get(page - 1) or []
        if not rows:
            break
        pages[page] = queue.page(f, now, after=rows[-1].key, limit=PAGE_SIZE)
    for page in range(known - 1, first - 1, -1):
        rows = pages.get(page + 1) or []
        if not rows:
            break
        pages[page] = queue.page_before(f, now, before=rows[0].key, limit=PAGE_SIZE)
