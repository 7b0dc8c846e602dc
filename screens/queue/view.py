"""The queue: a Line-API widget over the database, the same at a million tickets as at a hundred.

It never holds the table: its height is the filtered count, and it renders only
the lines on screen from the rows its pager (queue/pager.py) has at hand. What
the pager says to read is read on worker threads and comes back as messages;
a line not at hand yet is drawn as a placeholder until its page arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState, get_current_worker

from console.failures import Explained, Failure, Trouble
from console.formatting import fit
from console.reads.queue_filter import QueueFilter
from console.reads.queue_row import QueueRow
from console.rules.sla import SlaPolicy
from console.rules.word_forms import search_terms
from models import ACTIVE_STATUSES
from screens.moving import Move
from screens.outage import failure_of
from screens.queue import view_messages
from screens.queue.cells import NO_MATCH, QUEUE_STYLES, header_segments, message_line, row_segments
from screens.queue.columns import layout
from screens.queue.pager import (
    Arrival,
    PageRequest,
    QueuePager,
    WindowRequest,
    on_screen,
)
from screens.queue.window_reads import opening_window, read_first, read_page, read_window
from screens.widgets.columns import Column

if TYPE_CHECKING:
    from console.reads.facet_counts import Facets
    from console.reads.queue import Queue
    from console.reads.quick import Opening

LINES_KEPT = 2048


class QueueView(ScrollView, can_focus=True, inherit_bindings=False):
    """The ticket queue. Keys live on the screen (the action table); this widget
    moves its cursor when told and says which ticket is highlighted."""

    COMPONENT_CLASSES = QUEUE_STYLES

    DEFAULT_CSS = """
    QueueView {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    # What it tells the screen (queue/view_messages.py).
    Highlighted = view_messages.Highlighted
    Counted = view_messages.Counted
    MarksChanged = view_messages.MarksChanged
    LeftView = view_messages.LeftView

    def __init__(
        self,
        queue: Callable[[], Queue],
        *,
        now: Callable[[], datetime],
        policy: SlaPolicy,
        viewer: str,
        empty_hint: list[str],
        held_too_long: timedelta | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        # The reader, on first use: it loads SQLAlchemy, so not before the first paint.
        self._queue = queue
        self.pager = QueuePager()
        self.held_too_long = held_too_long
        # Tickets picked for a bulk reassign, by id, as they were when picked: a
        # ticket that changes after that is refused as a conflict, not moved blind.
        self.marked: dict[int, QueueRow] = {}
        self.policy = policy
        self.viewer = viewer
        self.empty_hint = empty_hint
        self._clock = now
        self.now = now()
        self._lines: LRUCache[tuple, Strip] = LRUCache(LINES_KEPT)
        self._styles: dict[str, Style] = {}
        self._layouts: dict[int, list[Column]] = {}
        # The columns the operator hid (c).
        self.hidden: frozenset[str] = frozenset()
        # Counts a new filter while its first page is read.
        self._counter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="queue-counts")

    # Public: what the screen asks -------------------------------------------------------

    @property
    def filter(self) -> QueueFilter:
        """The filter asked for (what is on screen may still be the one before)."""
        return self.pager.filter

    @property
    def total(self) -> int:
        return self.pager.total

    @property
    def cursor(self) -> int:
        return self.pager.cursor

    @property
    def facets(self) -> Facets | None:
        return self.pager.facets

    @property
    def row_count(self) -> int:
        """Rows the viewport shows under the header."""
        return max(self.size.height - 1, 1)

    @property
    def current_row(self) -> QueueRow | None:
        return self.pager.current_row

    @property
    def counts(self) -> Facets | None:
        """The counts for the filter asked for, once read."""
        return self.pager.facets if self.pager.settled else None

    def row_at(self, index: int) -> QueueRow | None:
        """The row at `index` if its page is at hand (never reads)."""
        return self.pager.row(index)

    @property
    def rows_on_screen(self) -> bool:
        """Every row the viewport shows is at hand: nothing drawn as a placeholder."""
        return self.pager.settled and self.pager.all_at_hand(self._top, self.row_count)

    @property
    def _top(self) -> int:
        return round(self.scroll_offset.y)

    def load(self, f: QueueFilter) -> None:
        """Show another filter, from the top."""
        self._read_window(self.pager.load(f))

    def load_first(
        self, read_filter: Callable[[], QueueFilter], opening: Opening | None = None
    ) -> None:
        """The first load, on the filter `read_filter` gives (the operator's saved
        one), read off the UI thread with the rows: while the screen paints for
        the first time, the database is already at work. The quick path's reads
        (`opening`, with the filter at hand) are shown at once when they cover it."""
        ask = self.pager.first()
        window = None if opening is None else opening_window(ask, read_filter(), opening)
        if window is None:
            self._read_window(ask, read_filter)
        else:
            self.post_message(view_messages.WindowRead(window))

    def reload(self) -> None:
        """Read again what is on screen: the database changed. The cursor stays on
        its ticket (see QueuePager.reload)."""
        ask = self.pager.reload(self._top)
        if ask is not None:
            self._read_window(ask)

    def on_unmount(self) -> None:
        self._counter.shutdown(wait=False, cancel_futures=True)

    def keep_highlighted(self) -> None:
        """The highlighted ticket is acted on: should it leave the view, it stays
        on screen and highlighted until the cursor moves."""
        row = self.current_row
        if row is not None:
            self.pager.keep(row)

    def toggle_mark(self) -> None:
        """Mark or unmark the highlighted ticket, and step on (as mail clients do)."""
        row = self.current_row
        if row is None:
            return
        if self.marked.pop(row.id, None) is None:
            self.marked[row.id] = row
        self._marks_changed()
        self.move_to(self.cursor + 1)

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
        old, kept = self.cursor, self.pager.kept
        top = self.pager.move(index, self._top if scroll is None else scroll, self.row_count)
        if kept is not None and self.pager.kept is None:
            # The kept ticket is let go: the rows close up under it.
            self._size_virtually()
            self._lines.clear()
            self.scroll_to(y=top, animate=False, immediate=True)
            self.refresh()
        elif top != self._top:
            self.scroll_to(y=top, animate=False, immediate=True)
            self.refresh()
        else:
            self.refresh_line(old + 1)
            self.refresh_line(self.cursor + 1)
        self._fetch_around(top)
        self._announce()

    def go_to(self, row: QueueRow) -> None:
        """The cursor onto this ticket: where it is at hand, or read around it."""
        index = self.pager.index_of(row.id)
        if index is not None:
            self.move_to(index)
        else:
            self._read_window(self.pager.reload_on(row, self._top))

    def move_cursor_by(self, how: Move) -> None:
        """The movement keys (screens/moving.py)."""
        index, scroll = self.pager.landing(how, self._top, self.row_count)
        self.move_to(index, scroll=scroll)

    # Reading, on worker threads ------------------------------------------------------

    def _read_window(
        self, ask: WindowRequest, read_filter: Callable[[], QueueFilter] | None = None
    ) -> None:
        self.run_worker(
            partial(self._window_worker, ask, read_filter, self.row_count),
            thread=True,
            exclusive=True,
            group="queue-window",
            exit_on_error=False,
        )

    def _window_worker(
        self,
        ask: WindowRequest,
        read_filter: Callable[[], QueueFilter] | None,
        visible: int,
    ) -> None:
        worker = get_current_worker()
        now = self._clock()
        if read_filter is None:
            window = read_window(self._queue(), ask, visible, now, self._counter)
        else:
            window = read_first(self._queue(), ask, read_filter, visible, now, self._counter)
        if not worker.is_cancelled:
            self.post_message(view_messages.WindowRead(window))

    @on(view_messages.WindowRead)
    def _window_read(self, message: view_messages.WindowRead) -> None:
        message.stop()
        window = message.value
        kept_before = self.pager.kept
        arrival = self.pager.window_read(window)
        if arrival is Arrival.STALE:
            return
        if arrival is Arrival.MOVED:
            # The operator moved while this was read: read again from where they are.
            self.reload()
            return
        self.now = self._clock()
        self._size_virtually()
        if window.scroll != self._top:
            self.scroll_to(y=window.scroll, animate=False, immediate=True)
        self._lines.clear()
        self.refresh()
        self._fetch_around(window.scroll)
        self.post_message(self.Counted(self, window.filter, window.facets, window.empty_database))
        if window.counting is not None:
            self.run_worker(
                partial(self._count_worker, window.request, window.counting),
                thread=True,
                group="queue-count",
                exit_on_error=False,
            )
        kept = self.pager.kept
        if kept is not None and (kept_before is None or kept_before.id != kept.id):
            self.post_message(self.LeftView(self, kept))
        self._announce(force=True)
        if self.pager.take_read_again():
            self.reload()

    def _count_worker(self, request: int, counting: Future[Facets]) -> None:
        self.post_message(view_messages.CountRead(request, counting.result()))

    @on(view_messages.CountRead)
    def _count_read(self, message: view_messages.CountRead) -> None:
        """The count of a whole-desk search came: the rows past its first page exist."""
        message.stop()
        if not self.pager.counted(message.request, message.value):
            return
        self._size_virtually()
        self.refresh()
        self._fetch_around(self._top)
        self.post_message(
            self.Counted(self, self.pager.shown, message.value, self.pager.empty_database)
        )

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A read that failed (the database went away, say) is said, and retried
        by the next reload or step, never left half-done."""
        if event.worker.node is not self or event.state != WorkerState.ERROR:
            return
        event.stop()
        if event.worker.group == "queue-window":
            self.pager.window_failed()
        else:
            self.pager.pages_failed()
        error = event.worker.error
        failure = failure_of(event) or Failure(
            Explained(Trouble.database, "a fault of wmconsole's, whose details are in its log")
        )
        self.app.database_failed(failure, error)
        if not failure.unreachable:
            # An outage has its banner; anything else is said here.
            self.app.notify(
                f"The queue could not be read: {failure.message}", severity="error", markup=False
            )

    def _fetch_around(self, top: int) -> None:
        """Read the pages on screen (the cursor's first), then, after the frame, the
        ones either side: a read racing the paint for the interpreter slows it."""
        if not self.total:
            return
        self._read_pages(self.pager.pages_on_screen(top, self.row_count))
        self.call_after_refresh(self._prefetch, top)

    def _prefetch(self, top: int) -> None:
        self._read_pages(self.pager.pages_ahead(top, self.row_count))

    def _read_pages(self, requests: list[PageRequest]) -> None:
        for request in requests:
            self.run_worker(
                partial(self._page_worker, request),
                thread=True,
                group="queue-page",
                exit_on_error=False,
            )

    def _page_worker(self, request: PageRequest) -> None:
        rows = read_page(self._queue(), request, self._clock())
        self.post_message(view_messages.PageRead(request, rows))

    @on(view_messages.PageRead)
    def _page_read(self, message: view_messages.PageRead) -> None:
        message.stop()
        if not self.pager.page_read(message.request, message.value):
            return
        if on_screen(message.request, self._top, self.row_count):
            # Only a page on screen is worth a repaint; a prefetched one waits unseen.
            self.refresh()
            self._announce()
        # Its neighbours can now come by keyset.
        self._fetch_around(self._top)

    def _announce(self, *, force: bool = False) -> None:
        """Say which ticket is highlighted, once it is known."""
        if self.pager.highlight(force=force):
            self.post_message(self.Highlighted(self, self.current_row))

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
        if self.pager.loaded:
            self._fetch_around(self._top)

    @on(events.Focus)
    @on(events.Blur)
    def _focus_changed(self) -> None:
        self.notify_style_update()
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1 and self.total:
            self.move_to(self._top + event.y - 1)

    def _style(self, name: str = "") -> Style:
        """A component's colours (the widget's own for ""), worked out once per style
        change, not per line."""
        style = self._styles.get(name)
        if style is None:
            rich_style = self.get_component_styles(name).rich_style if name else self.rich_style
            style = self._styles[name] = rich_style
        return style

    def _columns(self, width: int) -> list[Column]:
        columns = self._layouts.get(width)
        if columns is None:
            columns = self._layouts[width] = layout(width, self.hidden)
        return columns

    def hide_columns(self, hidden: frozenset[str]) -> None:
        """Show every column but these (the operator's choice)."""
        if hidden != self.hidden:
            self.hidden = hidden
            self._layouts.clear()
            self._lines.clear()
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self._style()
        if y == 0:
            return self._header(width, base)
        if not self.pager.loaded:
            return message_line(["Loading the queue…"], y, width, base, self._style)
        if not self.total:
            empty = self.empty_hint if self.pager.empty_database else NO_MATCH
            return message_line(empty, y, width, base, self._style)
        index = self._top + y - 1
        if index >= self.total:
            return Strip.blank(width, base)
        row = self.pager.row(index)
        if row is None:
            self.call_later(self._fetch_around, self._top)
            loading = base + self._style("queue-view--loading")
            return Strip([Segment(fit("  ·", width), loading)], width)
        cursor = index == self.cursor
        marked = row.id in self.marked
        kept = row is self.pager.kept
        key = (row, cursor, marked, kept, width, self.has_focus, self.now)
        strip = self._lines.get(key)
        if strip is None:
            if kept:
                base = base + self._style("queue-view--kept")
            strip = self._lines[key] = self._row_strip(row, cursor, marked, width, base)
        return strip

    def _header(self, width: int, base: Style) -> Strip:
        style = base + self._style("queue-view--header")
        return Strip(header_segments(self._columns(width), style), width)

    def _row_strip(
        self, row: QueueRow, cursor: bool, marked: bool, width: int, base: Style
    ) -> Strip:
        if cursor:
            base = base + self._style("queue-view--cursor")
        elif row.status not in ACTIVE_STATUSES:
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
            terms=search_terms(self.pager.shown.search),
        )
        # Cells in the same style become one segment: less for the compositor to cut.
        return Strip(Segment.simplify(segments), width)
