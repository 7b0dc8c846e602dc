"""The queue: a Line-API widget over the database, the same at a million tickets as at a hundred.

It never holds the table. Its height is the filtered count; it renders only the
lines on screen, from pages of PAGE_SIZE rows kept in an LRU keyed on (filter,
page). A page missing from the LRU is fetched off the UI thread: by keyset from
a neighbouring page when stepping, from the end for the last page, by offset
only for a jump into the middle. After a change in the database the whole
window is recomputed off the UI thread and swapped in at once, with the cursor
still on the ticket it was on, at the same height on the screen.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, partial

from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState, get_current_worker

from console.formatting import fit, sla_left, sla_state
from console.reads.queue import Facets, Queue, QueueFilter, QueueKey, QueueRow
from console.rules.queue_order import kinds_of
from console.rules.sla import SlaPolicy
from console.untrusted import one_line
from models import Status
from screens.queue.columns import (
    HELD_TOO_LONG,
    MARK,
    SERVICE_LABELS,
    STATUS_LABELS,
    URGENT_BADGES,
    Column,
    badge_words,
    layout,
    sla_cell,
    span_text,
)

PAGE_SIZE = 100
PAGES_KEPT = 64
LINES_KEPT = 2048
# Pages fetched ahead of the cursor, so PgDn and j never wait for the database.
PREFETCH_PAGES = 1
_NOT_WORKED = frozenset({Status.unconfirmed, Status.archived, Status.expired})


@dataclass(frozen=True)
class QueueWindow:
    """What the screen shows after a load, computed off the UI thread."""

    request: int
    moves: int
    filter: QueueFilter
    facets: Facets
    empty_database: bool
    cursor: int
    scroll: int
    pages: dict[int, list[QueueRow]] = field(default_factory=dict)


@dataclass(frozen=True)
class _PageRequest:
    epoch: int
    filter: QueueFilter
    page: int
    # ("after", key) / ("before", key or None) / ("offset", None)
    how: str
    key: QueueKey | None
    limit: int
    # A jump to the end reads the last two pages in one query when both are on screen.
    pages: int = 1


class QueueView(ScrollView, can_focus=True, inherit_bindings=False):
    """The ticket queue. Keys live on the screen (the action table); this widget
    moves its cursor when told and says which ticket is highlighted."""

    COMPONENT_CLASSES = {
        "queue-view--header",
        "queue-view--cursor",
        "queue-view--breached",
        "queue-view--soon",
        "queue-view--fine",
        "queue-view--stopped",
        "queue-view--urgent-badge",
        "queue-view--badge",
        "queue-view--mine",
        "queue-view--marked",
        "queue-view--held-long",
        "queue-view--new",
        "queue-view--not-worked",
        "queue-view--loading",
        "queue-view--message",
    }

    DEFAULT_CSS = """
    QueueView {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    class Highlighted(Message):
        """The cursor is on another ticket, or its ticket changed (None: no rows)."""

        def __init__(self, queue_view: QueueView, row: QueueRow | None) -> None:
            super().__init__()
            self.queue_view = queue_view
            self.row = row

        @property
        def control(self) -> QueueView:
            return self.queue_view

    class Counted(Message):
        """New counts for the filter bar."""

        def __init__(
            self, queue_view: QueueView, f: QueueFilter, facets: Facets, empty_database: bool
        ) -> None:
            super().__init__()
            self.queue_view = queue_view
            self.filter = f
            self.facets = facets
            self.empty_database = empty_database

        @property
        def control(self) -> QueueView:
            return self.queue_view

    class MarksChanged(Message):
        """Tickets were marked or unmarked for a bulk reassign."""

        def __init__(self, queue_view: QueueView, count: int) -> None:
            super().__init__()
            self.queue_view = queue_view
            self.count = count

        @property
        def control(self) -> QueueView:
            return self.queue_view

    class _Window(Message):
        def __init__(self, window: QueueWindow) -> None:
            super().__init__()
            self.window = window

    class _Page(Message):
        def __init__(self, request: _PageRequest, rows: list[QueueRow]) -> None:
            super().__init__()
            self.request = request
            self.rows = rows

    def __init__(
        self,
        queue: Queue,
        *,
        now: Callable[[], datetime],
        policy: SlaPolicy,
        viewer: str,
        empty_hint: list[str],
        held_too_long: timedelta | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.queue = queue
        self.held_too_long = held_too_long
        # Tickets picked for a bulk reassign, by id, as they were when picked: a
        # ticket that changes after that is refused as a conflict, not moved blind.
        self.marked: dict[int, QueueRow] = {}
        self.policy = policy
        self.viewer = viewer
        self.empty_hint = empty_hint
        self._clock = now
        self.now = now()
        # What was asked for, and what the pages on screen belong to.
        self.filter = QueueFilter()
        self._shown = QueueFilter()
        self.total = 0
        self.facets: Facets | None = None
        self.empty_database = False
        self.loaded = False
        self.cursor = 0
        self._pages: OrderedDict[tuple[QueueFilter, int], list[QueueRow]] = OrderedDict()
        self._fetching: set[tuple[int, QueueFilter, int]] = set()
        # Bumped whenever the pages are replaced wholesale: late pages are dropped.
        self._epoch = 0
        self._request = 0
        self._moves = 0
        self._in_flight = False
        self._refresh_again = False
        self._highlighted: QueueRow | None = None
        self._lines: LRUCache[tuple, Strip] = LRUCache(LINES_KEPT)
        self._styles: dict[str, Style] = {}
        self._layouts: dict[int, list[Column]] = {}
        # Counts a new filter while its first page is read.
        self._counter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="queue-counts")

    # Public: what the screen asks -------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows the viewport shows under the header."""
        return max(self.size.height - 1, 1)

    @property
    def current_row(self) -> QueueRow | None:
        return self._row(self.cursor) if self.total else None

    @property
    def settled(self) -> bool:
        """What is on screen is the filter asked for (not the one before it)."""
        return self.loaded and self._shown == self.filter

    @property
    def counts(self) -> Facets | None:
        """The counts for the filter asked for, once read."""
        return self.facets if self.settled else None

    def row_at(self, index: int) -> QueueRow | None:
        """The row at `index` if its page is at hand (never reads)."""
        return self._row(index)

    @property
    def rows_on_screen(self) -> bool:
        """Every row the viewport shows is at hand: nothing drawn as a placeholder."""
        if not self.settled:
            return False
        top = round(self.scroll_offset.y)
        last = min(top + self.row_count, self.total)
        return all(self._row(index) is not None for index in range(top, last))

    def load(self, f: QueueFilter) -> None:
        """Show another filter, from the top."""
        self.filter = f
        self._refresh_again = False
        self._request += 1
        self._start_window(anchor=None, cursor=0, scroll=0)

    def load_first(self, read_filter: Callable[[], QueueFilter]) -> None:
        """The first load, on the filter `read_filter` gives (the operator's saved
        one), read off the UI thread with the rows: while the screen paints for
        the first time, the database is already at work."""
        self._request += 1
        self._in_flight = True
        self.run_worker(
            partial(self._compute_first, self._request, read_filter, self.row_count),
            thread=True,
            exclusive=True,
            group="queue-window",
            exit_on_error=False,
        )

    def _compute_first(
        self, request: int, read_filter: Callable[[], QueueFilter], visible: int
    ) -> None:
        f = read_filter()
        self._compute_window(request, self._moves, f, None, 0, 0, visible)

    def on_unmount(self) -> None:
        self._counter.shutdown(wait=False, cancel_futures=True)

    def reload(self) -> None:
        """Read again what is on screen: the database changed. The cursor stays on
        its ticket. A reload asked for while one runs waits for it and runs once
        after it, so a busy desk's stream of changes never starves the screen."""
        if self._in_flight:
            self._refresh_again = True
            return
        self._request += 1
        self._start_window(
            anchor=self.current_row,
            cursor=self.cursor,
            scroll=round(self.scroll_offset.y),
        )

    def toggle_mark(self) -> None:
        """Mark or unmark the highlighted ticket, and step on (as mail clients do)."""
        row = self.current_row
        if row is None:
            return
        if self.marked.pop(row.id, None) is None:
            self.marked[row.id] = row
        self._marks_changed()
        self.move_by(1)

    def unmark(self, ids: frozenset[int] | None = None) -> None:
        """Unmark these tickets (every one when None)."""
        if ids is None:
            self.marked.clear()
        else:
            for ticket_id in ids:
                self.marked.pop(ticket_id, None)
        self._marks_changed()

    def _marks_changed(self) -> None:
        self._lines.clear()
        self.refresh()
        self.post_message(self.MarksChanged(self, len(self.marked)))

    def tick(self) -> None:
        """Time moved on: ages and SLA left are redrawn."""
        self.now = self._clock()
        self._lines.clear()
        self.refresh()

    def move_to(self, index: int, *, scroll: int | None = None) -> None:
        if not self.total:
            return
        index = min(max(index, 0), self.total - 1)
        old = self.cursor
        self.cursor = index
        self._moves += 1
        top = round(self.scroll_offset.y) if scroll is None else scroll
        visible = self.row_count
        if index < top:
            top = index
        elif index >= top + visible:
            top = index - visible + 1
        top = min(max(top, 0), max(self.total - visible, 0))
        if top != round(self.scroll_offset.y):
            self.scroll_to(y=top, animate=False, immediate=True)
            self.refresh()
        else:
            self.refresh_line(old + 1)
            self.refresh_line(index + 1)
        self._fetch_around(top)
        self._announce()

    def move_by(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def page_down(self) -> None:
        step = self.row_count
        self.move_to(self.cursor + step, scroll=round(self.scroll_offset.y) + step)

    def page_up(self) -> None:
        step = self.row_count
        self.move_to(self.cursor - step, scroll=round(self.scroll_offset.y) - step)

    def to_first(self) -> None:
        self.move_to(0, scroll=0)

    def to_last(self) -> None:
        self.move_to(self.total - 1, scroll=self.total)

    # Loading windows -------------------------------------------------------------------

    def _start_window(self, *, anchor: QueueRow | None, cursor: int, scroll: int) -> None:
        self._in_flight = True
        self.run_worker(
            partial(
                self._compute_window,
                self._request,
                self._moves,
                self.filter,
                anchor,
                cursor,
                scroll,
                self.row_count,
            ),
            thread=True,
            exclusive=True,
            group="queue-window",
            exit_on_error=False,
        )

    def _compute_window(
        self,
        request: int,
        moves: int,
        f: QueueFilter,
        anchor: QueueRow | None,
        cursor: int,
        scroll: int,
        visible: int,
    ) -> None:
        """The counts and the pages the screen needs, with the cursor placed."""
        worker = get_current_worker()
        queue, now = self.queue, self._clock()
        first_page: list[QueueRow] | None = None
        if anchor is None:
            # A new filter starts at the top, which needs no count: the first page
            # is read while the counts are (a search makes both take a while).
            counting = self._counter.submit(queue.facets, f, now)
            first_page = queue.page(f, now, limit=PAGE_SIZE)
            facets = counting.result()
        else:
            facets = queue.facets(f, now)
        total = facets.total
        empty_database = total == 0 and not queue.any_tickets()
        pages: dict[int, list[QueueRow]] = {}
        on_screen = cursor - scroll
        if total:
            cursor = min(cursor, total - 1)
            if anchor is not None:
                cursor, page, rows = self._around_ticket(f, now, anchor, total)
            else:
                page, rows = 0, first_page or []
            pages[page] = rows
            scroll = min(max(cursor - on_screen, 0), max(total - visible, 0))
            scroll = min(scroll, cursor) if cursor < scroll + visible else cursor - visible + 1
            self._fill(f, now, pages, total, scroll, visible)
        else:
            cursor = scroll = 0
        if worker.is_cancelled:
            return
        self.post_message(
            self._Window(
                QueueWindow(request, moves, f, facets, empty_database, cursor, scroll, pages)
            )
        )

    def _around_ticket(
        self, f: QueueFilter, now: datetime, anchor: QueueRow, total: int
    ) -> tuple[int, int, list[QueueRow]]:
        """Where the cursor's ticket is now, with its page. If it left this view,
        the cursor keeps its place among the rows that remain."""
        queue = self.queue
        key = queue.key_of(anchor.id)
        if key is not None:
            position = queue.position(f, now, key)
            if position < total:
                page, rows = self._page_from_key(f, now, key, position)
                at = position - page * PAGE_SIZE
                if at < len(rows) and rows[at].id == anchor.id:
                    return position, page, rows
        position = min(queue.position(f, now, anchor.key), total - 1)
        page, rows = self._page_from_key(f, now, anchor.key, position)
        return position, page, rows

    def _page_from_key(
        self, f: QueueFilter, now: datetime, key: QueueKey, position: int
    ) -> tuple[int, list[QueueRow]]:
        """The page holding `position`, where `position` rows sort before `key`:
        by keyset on both sides of the key, never by offset."""
        queue = self.queue
        page = position // PAGE_SIZE
        before_count = position - page * PAGE_SIZE
        if position == 0:
            return page, queue.page(f, now, limit=PAGE_SIZE)
        before = queue.page_before(f, now, before=key, limit=max(before_count, 1))
        anchor = before[-1].key if before else None
        after = queue.page(f, now, after=anchor, limit=PAGE_SIZE - before_count)
        return page, (before if before_count else []) + after

    def _fill(
        self,
        f: QueueFilter,
        now: datetime,
        pages: dict[int, list[QueueRow]],
        total: int,
        scroll: int,
        visible: int,
    ) -> None:
        """Fetch, by keyset from the pages at hand, every page the viewport touches."""
        first = scroll // PAGE_SIZE
        last = min(scroll + visible - 1, total - 1) // PAGE_SIZE
        known = min(pages)
        for page in range(known + 1, last + 1):
            rows = pages.get(page - 1) or []
            if not rows:
                break
            pages[page] = self.queue.page(f, now, after=rows[-1].key, limit=PAGE_SIZE)
        for page in range(known - 1, first - 1, -1):
            rows = pages.get(page + 1) or []
            if not rows:
                break
            pages[page] = self.queue.page_before(f, now, before=rows[0].key, limit=PAGE_SIZE)

    @on(_Window)
    def _apply_window(self, message: _Window) -> None:
        message.stop()
        window = message.window
        if window.request != self._request:
            return
        self._in_flight = False
        if window.filter == self._shown and window.moves != self._moves and self.loaded:
            # The operator moved while this was read: read again from where they are.
            self._refresh_again = False
            self.reload()
            return
        self._epoch += 1
        self._fetching.clear()
        self._pages.clear()
        for page, rows in sorted(window.pages.items()):
            self._pages[(window.filter, page)] = rows
        self._shown = self.filter = window.filter
        self.total = window.facets.total
        self.facets = window.facets
        self.empty_database = window.empty_database
        self.loaded = True
        self.now = self._clock()
        self.cursor = window.cursor
        self._size_virtually()
        if window.scroll != round(self.scroll_offset.y):
            self.scroll_to(y=window.scroll, animate=False, immediate=True)
        self._lines.clear()
        self.refresh()
        self._fetch_around(window.scroll)
        self.post_message(self.Counted(self, window.filter, window.facets, window.empty_database))
        self._announce(force=True)
        if self._refresh_again:
            self._refresh_again = False
            self.reload()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A read that failed (the database went away, say) is said, and retried
        by the next reload or step, never left half-done."""
        if event.worker.node is not self or event.state != WorkerState.ERROR:
            return
        event.stop()
        if event.worker.group == "queue-window":
            self._in_flight = False
        else:
            self._fetching.clear()
        error = event.worker.error
        self.app.notify(f"The queue could not be read: {error}", severity="error", markup=False)

    # Pages ------------------------------------------------------------------------

    def _row(self, index: int) -> QueueRow | None:
        rows = self._pages.get((self._shown, index // PAGE_SIZE))
        if rows is None:
            return None
        at = index % PAGE_SIZE
        return rows[at] if at < len(rows) else None

    def _fetch_around(self, top: int) -> None:
        """Ask for the pages on screen (the cursor's first), then, by keyset only,
        the next ones either side."""
        if not self.total:
            return
        visible = self.row_count
        last_on_screen = min(top + visible, self.total) - 1
        on_screen = range(top // PAGE_SIZE, last_on_screen // PAGE_SIZE + 1)
        cursor_page = self.cursor // PAGE_SIZE
        for page in sorted(on_screen, key=lambda p: abs(p - cursor_page)):
            self._request_page(page, with_previous=page - 1 in on_screen)
        # After the frame: a read racing the paint for the interpreter slows it.
        self.call_after_refresh(self._prefetch, top)

    def _prefetch(self, top: int) -> None:
        if not self.total:
            return
        visible = self.row_count
        first = max(top - visible * PREFETCH_PAGES, 0) // PAGE_SIZE
        last = min(top + visible * (1 + PREFETCH_PAGES), self.total - 1) // PAGE_SIZE
        for page in range(first, last + 1):
            self._request_page(page, prefetch=True)

    def _request_page(
        self, page: int, *, prefetch: bool = False, with_previous: bool = False
    ) -> None:
        """Fetch a page by keyset from a neighbour when there is one. While a
        neighbour is on its way this waits for it (its arrival asks again); only
        a page on screen with no neighbour in sight is read by offset."""
        f = self._shown
        last_page = (self.total - 1) // PAGE_SIZE
        if page < 0 or page > last_page or (f, page) in self._pages:
            return
        if (self._epoch, f, page) in self._fetching:
            return
        previous = self._pages.get((f, page - 1))
        following = self._pages.get((f, page + 1))
        limit = PAGE_SIZE if page < last_page else self.total - page * PAGE_SIZE
        if previous and len(previous) == PAGE_SIZE:
            request = _PageRequest(self._epoch, f, page, "after", previous[-1].key, limit)
        elif following:
            request = _PageRequest(self._epoch, f, page, "before", following[0].key, PAGE_SIZE)
        elif prefetch or {(self._epoch, f, page - 1), (self._epoch, f, page + 1)} & self._fetching:
            return
        elif page == last_page:
            both = with_previous and page > 0 and (f, page - 1) not in self._pages
            if both:
                self._fetching.add((self._epoch, f, page - 1))
            request = _PageRequest(
                self._epoch,
                f,
                page,
                "before",
                None,
                limit + PAGE_SIZE if both else limit,
                pages=2 if both else 1,
            )
        else:
            request = _PageRequest(self._epoch, f, page, "offset", None, PAGE_SIZE)
        self._fetching.add((self._epoch, f, page))
        self.run_worker(
            partial(self._fetch_page, request),
            thread=True,
            group="queue-page",
            exit_on_error=False,
        )

    def _fetch_page(self, request: _PageRequest) -> None:
        queue, now, f = self.queue, self._clock(), request.filter
        if request.how == "after":
            rows = queue.page(f, now, after=request.key, limit=request.limit)
        elif request.how == "before":
            rows = queue.page_before(f, now, before=request.key, limit=request.limit)
        else:
            rows = queue.page_at(f, now, offset=request.page * PAGE_SIZE, limit=request.limit)
        self.post_message(self._Page(request, rows))

    @on(_Page)
    def _apply_page(self, message: _Page) -> None:
        message.stop()
        request = message.request
        first = request.page - request.pages + 1
        for page in range(first, request.page + 1):
            self._fetching.discard((request.epoch, request.filter, page))
        if request.epoch != self._epoch or request.filter != self._shown:
            return
        rows = message.rows
        if request.pages == 2:
            last_count = self.total - request.page * PAGE_SIZE
            self._pages[(request.filter, first)] = rows[:-last_count]
            rows = rows[-last_count:]
        self._pages[(request.filter, request.page)] = rows
        while len(self._pages) > PAGES_KEPT:
            self._pages.popitem(last=False)
        top = round(self.scroll_offset.y)
        if first * PAGE_SIZE < top + self.row_count and (request.page + 1) * PAGE_SIZE > top:
            # Only a page on screen is worth a repaint; a prefetched one waits unseen.
            self.refresh()
            self._announce()
        # Its neighbours can now come by keyset.
        self._fetch_around(round(self.scroll_offset.y))

    def _announce(self, *, force: bool = False) -> None:
        """Say which ticket is highlighted, once it is known."""
        row = self.current_row
        if row is None and self.total:
            return
        previous = self._highlighted
        same = (
            previous is not None
            and row is not None
            and previous.id == row.id
            and previous.version == row.version
            and previous == row
        )
        if same and not force:
            return
        if not force and previous is None and row is None:
            return
        self._highlighted = row
        self.post_message(self.Highlighted(self, row))

    # Rendering ----------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._lines.clear()

    def _size_virtually(self) -> None:
        """The height is the count; set only when it changes, as it lays out the screen."""
        size = Size(self.size.width, self.total + 1)
        if size != self.virtual_size:
            self.virtual_size = size

    def on_resize(self, _event: events.Resize) -> None:
        self._lines.clear()
        self._size_virtually()
        if self.loaded:
            self._fetch_around(round(self.scroll_offset.y))

    def on_focus(self) -> None:
        self.notify_style_update()
        self.refresh()

    def on_blur(self) -> None:
        self.notify_style_update()
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1 and self.total:
            self.move_to(round(self.scroll_offset.y) + event.y - 1)

    def _base_style(self) -> Style:
        """The widget's own colours, worked out once per style change, not per line."""
        style = self._styles.get("")
        if style is None:
            style = self._styles[""] = self.rich_style
        return style

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_styles(name).rich_style
        return style

    def _columns(self, width: int) -> list[Column]:
        columns = self._layouts.get(width)
        if columns is None:
            columns = self._layouts[width] = layout(width)
        return columns

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self._base_style()
        if y == 0:
            return self._header(width, base)
        if not self.loaded:
            return self._message_line(y, ["Loading the queue…"], width, base)
        if not self.total:
            return self._message_line(y, self._empty_text(), width, base)
        index = round(self.scroll_offset.y) + y - 1
        if index >= self.total:
            return Strip.blank(width, base)
        row = self._row(index)
        if row is None:
            self.call_later(self._fetch_around, round(self.scroll_offset.y))
            loading = base + self._style("queue-view--loading")
            return Strip([Segment(fit("  ·", width), loading)], width)
        cursor = index == self.cursor
        marked = row.id in self.marked
        key = (row, cursor, marked, width, self.has_focus, self.now)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._lines[key] = self._row_strip(row, cursor, marked, width, base)
        return strip

    def _empty_text(self) -> list[str]:
        if self.empty_database:
            return self.empty_hint
        return [
            "No tickets match these filters.",
            "0 — back to the default view   f — filters   / — search",
        ]

    def _message_line(self, y: int, lines: list[str], width: int, base: Style) -> Strip:
        at = y - 2
        if 0 <= at < len(lines):
            style = base + self._style("queue-view--message")
            return Strip([Segment(fit("  " + lines[at], width), style)], width)
        return Strip.blank(width, base)

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self._style("queue-view--header")
        segments = []
        for index, column in enumerate(self._columns(width)):
            if index:
                segments.append(Segment(" ", style))
            segments.append(
                Segment(fit(column.title, column.width, align_right=column.align_right), style)
            )
        return Strip(segments, width)

    def _row_strip(
        self, row: QueueRow, cursor: bool, marked: bool, width: int, base: Style
    ) -> Strip:
        if cursor:
            base = base + self._style("queue-view--cursor")
        elif row.status in _NOT_WORKED:
            base = base + self._style("queue-view--not-worked")
        segments = row_segments(
            row,
            self._columns(width),
            now=self.now,
            policy=self.policy,
            viewer=self.viewer,
            base=base,
            style=self._style,
            marked=marked,
            held_too_long=self.held_too_long,
        )
        # Cells in the same style become one segment: less for the compositor to cut.
        return Strip(Segment.simplify(segments), width)


# The escalation kinds of each of the 32 flag values, worked out once.
_kinds = cache(kinds_of)


def row_segments(
    row: QueueRow,
    columns: list[Column],
    *,
    now: datetime,
    policy: SlaPolicy,
    viewer: str,
    base: Style,
    style: Callable[[str], Style],
    marked: bool = False,
    held_too_long: timedelta | None = None,
) -> list[Segment]:
    """One queue line, cell by cell: fixed widths, customer text through one_line,
    colour only from the widget's own component styles."""
    kinds = _kinds(row.escalation_flags)
    segments: list[Segment] = []
    for index, column in enumerate(columns):
        if index:
            segments.append(Segment(" ", base))
        name, cells = column.name, column.width
        if name == "number":
            if marked:
                segments.append(Segment(MARK, base + style("queue-view--marked")))
            else:
                segments.append(Segment(" ", base))
            segments.append(Segment(fit(str(row.number), cells - 1, align_right=True), base))
        elif name == "age":
            text = span_text(now - row.created_at)
            segments.append(Segment(fit(text, cells, align_right=True), base))
        elif name == "sla":
            left = sla_left(policy, row.due_at, now, kinds)
            cell = base + style(f"queue-view--{sla_state(left)}")
            segments.append(Segment(fit(sla_cell(left), cells, align_right=True), cell))
        elif name == "service":
            segments.append(Segment(fit(SERVICE_LABELS[row.service], cells), base))
        elif name == "status":
            cell = base + style("queue-view--new") if row.status == Status.new else base
            segments.append(Segment(fit(STATUS_LABELS[row.status], cells), cell))
        elif name == "badges":
            used = 0
            for kind, text in badge_words(kinds, cells):
                if kind is None:
                    cell = base
                elif kind in URGENT_BADGES:
                    cell = base + style("queue-view--urgent-badge")
                else:
                    cell = base + style("queue-view--badge")
                segments.append(Segment(text, cell))
                used += len(text)
            segments.append(Segment(" " * (cells - used), base))
        elif name == "wmid":
            segments.append(Segment(fit(one_line(row.customer_wmid) or "—", cells), base))
        elif name == "subject":
            segments.append(Segment(fit(one_line(row.subject), cells), base))
        elif name == "assignee":
            mine = row.assignee is not None and row.assignee == viewer
            cell = base + style("queue-view--mine") if mine else base
            holder = one_line(row.assignee) or "—"
            since = row.held_waiting_since
            if held_too_long is not None and since is not None and now - since > held_too_long:
                cell = base + style("queue-view--held-long")
                holder = HELD_TOO_LONG + holder
            segments.append(Segment(fit(holder, cells), cell))
    return segments
