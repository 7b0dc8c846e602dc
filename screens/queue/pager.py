"""The queue's paging, headless: which rows are at hand, which page to read next
and how, and whether a read that comes back is still wanted. No Textual here:
QueueView asks the pager what to read, reads it on a worker thread (with
screens/queue/window_reads.py), hands the result back, and repaints what the pager
says changed. Tests drive it with no terminal at all.

The pager never holds the table. It keeps pages of PAGE_SIZE rows in an LRU
keyed on (filter, page). A page missing from it is read by keyset from a
neighbouring page when stepping, from the end for the last page, by offset
only for a jump into the middle. After a change in the database the whole
window is read again and swapped in at once, with the cursor still on the
ticket it was on, at the same height on the screen.

A ticket the operator acts on is kept: if the action (or anyone's) takes it
out of the view, it stays on screen where it was, highlighted, one row more
than the view's count, until the cursor moves off it — so the next key never
lands on a ticket the operator did not choose.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from console.reads.queue_filter import QueueFilter
from console.reads.queue_row import QueueKey, QueueRow

if TYPE_CHECKING:
    from concurrent.futures import Future

    from console.reads.facet_counts import Facets

PAGE_SIZE = 100
PAGES_KEPT = 64
# Pages read ahead of the cursor, so PgDn and j never wait for the database.
PREFETCH_PAGES = 1


@dataclass(frozen=True)
class WindowRequest:
    """What a window read starts from: the filter, the ticket the cursor is on
    (None: from the top) and where the cursor and the top row were."""

    request: int
    moves: int
    filter: QueueFilter
    anchor: QueueRow | None
    cursor: int
    scroll: int
    # The anchor is kept on screen if it left the view.
    keep: bool = False


@dataclass(frozen=True)
class QueueWindow:
    """What the screen shows after a window read: the counts and the pages on
    screen, with the cursor placed."""

    request: int
    moves: int
    filter: QueueFilter
    facets: Facets
    empty_database: bool
    cursor: int
    scroll: int
    pages: dict[int, list[QueueRow]] = field(default_factory=dict)
    # The kept ticket as it is now, out of the view, shown at the cursor.
    kept: QueueRow | None = None
    # A whole-desk search still being counted: the facets are a first figure
    # and only the first page's rows are known to exist until this is done.
    counting: Future[Facets] | None = None


@dataclass(frozen=True)
class PageRequest:
    epoch: int
    filter: QueueFilter
    page: int
    # "after" / "before" a key (None: from the end), or "offset".
    how: str
    key: QueueKey | None
    limit: int
    # A jump to the end reads the last two pages in one query when both are on screen.
    pages: int = 1


class Arrival(Enum):
    """What became of a window read when it came back."""

    STALE = "stale"  # a newer read was asked for: dropped
    MOVED = "moved"  # the operator moved while it was read: read again from there
    SHOWN = "shown"


class QueuePager:
    """The paging state of one queue view."""

    def __init__(self) -> None:
        # What was asked for, and what the pages at hand belong to.
        self.filter = QueueFilter()
        self.shown = QueueFilter()
        # The rows the filter matches; the screen shows one more while a kept
        # ticket is out of the view.
        self.count = 0
        self.keep_id: int | None = None
        self.kept: QueueRow | None = None
        self.kept_at = 0
        self.facets: Facets | None = None
        self.empty_database = False
        self.loaded = False
        self.cursor = 0
        self._pages: OrderedDict[tuple[QueueFilter, int], list[QueueRow]] = OrderedDict()
        self._fetching: set[tuple[int, QueueFilter, int]] = set()
        # Bumped whenever the pages are replaced wholesale: late pages are dropped.
        self._epoch = 0
        # Each window read asked for; only the latest is shown.
        self._request = 0
        # Cursor moves: a window read while the cursor moved is read again.
        self._moves = 0
        self._in_flight = False
        self._read_again = False
        self._highlighted: QueueRow | None = None

    # What is at hand --------------------------------------------------------------

    @property
    def total(self) -> int:
        """The rows on screen: the view's, and a kept ticket out of it."""
        return self.count + (self.kept is not None)

    def _real(self, index: int) -> int:
        """The view's own index of the row shown at `index`."""
        return index - 1 if self.kept is not None and index > self.kept_at else index

    def row(self, index: int) -> QueueRow | None:
        """The row at `index` if its page is at hand (never reads)."""
        if self.kept is not None and index == self.kept_at:
            return self.kept
        index = self._real(index)
        rows = self._pages.get((self.shown, index // PAGE_SIZE))
        if rows is None:
            return None
        at = index % PAGE_SIZE
        return rows[at] if at < len(rows) else None

    @property
    def current_row(self) -> QueueRow | None:
        return self.row(self.cursor) if self.total else None

    @property
    def settled(self) -> bool:
        """What is at hand is the filter asked for (not the one before it)."""
        return self.loaded and self.shown == self.filter

    def index_of(self, ticket_id: int) -> int | None:
        """Where a ticket is among the rows at hand, if it is."""
        for (f, page), rows in self._pages.items():
            if f != self.shown:
                continue
            for at, row in enumerate(rows):
                if row.id == ticket_id:
                    return page * PAGE_SIZE + at
        return None

    def all_at_hand(self, top: int, visible: int) -> bool:
        last = min(top + visible, self.total)
        return all(self.row(index) is not None for index in range(top, last))

    # The cursor -------------------------------------------------------------------

    def highlight(self, *, force: bool = False) -> bool:
        """Whether the highlighted ticket is news to tell: another ticket, or the
        same one changed (`force`: tell it anyway). Not while its row is not at
        hand yet."""
        row = self.current_row
        if row is None and self.total:
            return False
        previous = self._highlighted
        same = (
            previous is not None
            and row is not None
            and previous.id == row.id
            and previous.version == row.version
            and previous == row
        )
        if not force and (same or (previous is None and row is None)):
            return False
        self._highlighted = row
        return True

    def keep(self, row: QueueRow) -> None:
        """Keep `row` highlighted, in its place, should it leave the view."""
        self.keep_id = row.id

    def move(self, index: int, top: int, visible: int) -> int:
        """The cursor to `index` (kept within the rows); returns the top row that
        keeps it in sight, `top` if it already is. Moving lets a kept ticket go."""
        index = min(max(index, 0), self.total - 1)
        if index != self.cursor:
            self.keep_id = None
            if self.kept is not None:
                index = self._real(index)
                self.kept = None
        self.cursor = index
        self._moves += 1
        if index < top:
            top = index
        elif index >= top + visible:
            top = index - visible + 1
        return min(max(top, 0), max(self.total - visible, 0))

    def landing(self, how: str, top: int, visible: int) -> tuple[int, int | None]:
        """Where a movement key (screens/moving.py's Move) takes the cursor, and
        the top row it asks for (None: any that keeps the cursor in sight). A
        page or half a page moves the view along with the cursor."""
        if how in ("first", "last"):
            return (0, 0) if how == "first" else (self.total - 1, self.total)
        if how in ("down", "up"):
            return self.cursor + (1 if how == "down" else -1), None
        step = visible if how in ("page_down", "page_up") else max(visible // 2, 1)
        if how in ("page_up", "half_up"):
            step = -step
        return self.cursor + step, top + step

    # Window reads -----------------------------------------------------------------

    def first(self) -> WindowRequest:
        """The first read: the filter is read with the rows (see read_first)."""
        return self._window(None, 0, 0)

    def load(self, f: QueueFilter) -> WindowRequest:
        """Another filter, from the top."""
        self.filter = f
        self._read_again = False
        self.keep_id, self.kept = None, None
        return self._window(None, 0, 0)

    def reload(self, scroll: int) -> WindowRequest | None:
        """Read again what is on screen, the cursor on its ticket. Asked while a
        read runs, it waits for it and runs once after it (None now), so a busy
        desk's stream of changes never starves the screen."""
        if self._in_flight:
            self._read_again = True
            return None
        return self._window(self.current_row, self.cursor, scroll)

    def reload_on(self, anchor: QueueRow, scroll: int) -> WindowRequest:
        """Read again what is on screen with the cursor on `anchor`, a ticket not
        at hand (stepped to from the ticket view); a newer read than any running."""
        self._read_again = False
        return self._window(anchor, self.cursor, scroll)

    def _window(self, anchor: QueueRow | None, cursor: int, scroll: int) -> WindowRequest:
        self._request += 1
        self._in_flight = True
        keep = anchor is not None and anchor.id == self.keep_id
        return WindowRequest(self._request, self._moves, self.filter, anchor, cursor, scroll, keep)

    def window_read(self, window: QueueWindow) -> Arrival:
        """A window read came back: swap it in, unless it is stale or the
        operator moved meanwhile."""
        if window.request != self._request:
            return Arrival.STALE
        self._in_flight = False
        if window.filter == self.shown and window.moves != self._moves and self.loaded:
            self._read_again = False
            return Arrival.MOVED
        self._epoch += 1
        self._fetching.clear()
        self._pages.clear()
        for page, rows in sorted(window.pages.items()):
            self._pages[(window.filter, page)] = rows
        self.shown = self.filter = window.filter
        self.count = len(window.pages.get(0, [])) if window.counting else window.facets.total
        self.kept, self.kept_at = window.kept, window.cursor
        self.facets = window.facets
        self.empty_database = window.empty_database
        self.loaded = True
        self.cursor = window.cursor
        return Arrival.SHOWN

    def counted(self, request: int, facets: Facets) -> bool:
        """The count of the window shown came: its rows past the first page
        exist. False when another window was asked for since."""
        if request != self._request or self._in_flight:
            return False
        self.count = facets.total
        self.facets = facets
        self.cursor = min(self.cursor, max(self.total - 1, 0))
        return True

    def take_read_again(self) -> bool:
        """Whether a reload was asked for while the last read ran (once)."""
        again, self._read_again = self._read_again, False
        return again

    def window_failed(self) -> None:
        self._in_flight = False

    def pages_failed(self) -> None:
        self._fetching.clear()

    # Page reads -------------------------------------------------------------------

    def pages_on_screen(self, top: int, visible: int) -> list[PageRequest]:
        """The reads for the pages on screen not at hand, the cursor's first."""
        if not self.count:
            return []
        top = self._real(top)
        last_on_screen = min(top + visible, self.count) - 1
        on_screen = range(top // PAGE_SIZE, last_on_screen // PAGE_SIZE + 1)
        cursor_page = self._real(self.cursor) // PAGE_SIZE
        wanted = (
            self._page(page, with_previous=page - 1 in on_screen)
            for page in sorted(on_screen, key=lambda p: abs(p - cursor_page))
        )
        return [request for request in wanted if request is not None]

    def pages_ahead(self, top: int, visible: int) -> list[PageRequest]:
        """The reads, by keyset only, of the pages a screen either side."""
        if not self.count:
            return []
        top = self._real(top)
        first = max(top - visible * PREFETCH_PAGES, 0) // PAGE_SIZE
        last = min(top + visible * (1 + PREFETCH_PAGES), self.count - 1) // PAGE_SIZE
        wanted = (self._page(page, prefetch=True) for page in range(first, last + 1))
        return [request for request in wanted if request is not None]

    def _page(
        self, page: int, *, prefetch: bool = False, with_previous: bool = False
    ) -> PageRequest | None:
        """How to read `page`: by keyset from a neighbour when there is one. While
        a neighbour is on its way this waits for it (its arrival asks again);
        only a page on screen with no neighbour in sight is read by offset."""
        f, epoch = self.shown, self._epoch
        last_page = (self.count - 1) // PAGE_SIZE
        if page < 0 or page > last_page or (f, page) in self._pages:
            return None
        if (epoch, f, page) in self._fetching:
            return None
        previous = self._pages.get((f, page - 1))
        following = self._pages.get((f, page + 1))
        limit = PAGE_SIZE if page < last_page else self.count - page * PAGE_SIZE
        if previous and len(previous) == PAGE_SIZE:
            request = PageRequest(epoch, f, page, "after", previous[-1].key, limit)
        elif following:
            request = PageRequest(epoch, f, page, "before", following[0].key, PAGE_SIZE)
        elif prefetch or {(epoch, f, page - 1), (epoch, f, page + 1)} & self._fetching:
            return None
        elif page == last_page:
            both = with_previous and page > 0 and (f, page - 1) not in self._pages
            if both:
                self._fetching.add((epoch, f, page - 1))
            extra = PAGE_SIZE if both else 0
            request = PageRequest(epoch, f, page, "before", None, limit + extra, 2 if both else 1)
        else:
            request = PageRequest(epoch, f, page, "offset", None, PAGE_SIZE)
        self._fetching.add((epoch, f, page))
        return request

    def page_read(self, request: PageRequest, rows: list[QueueRow]) -> bool:
        """A page read came back; False when it belongs to pages since replaced."""
        first = request.page - request.pages + 1
        for page in range(first, request.page + 1):
            self._fetching.discard((request.epoch, request.filter, page))
        if request.epoch != self._epoch or request.filter != self.shown:
            return False
        if request.pages == 2:
            last_count = self.count - request.page * PAGE_SIZE
            self._pages[(request.filter, first)] = rows[:-last_count]
            rows = rows[-last_count:]
        self._pages[(request.filter, request.page)] = rows
        while len(self._pages) > PAGES_KEPT:
            self._pages.popitem(last=False)
        return True


def on_screen(request: PageRequest, top: int, visible: int) -> bool:
    """Whether the rows `request` read are (partly) on screen."""
    first = request.page - request.pages + 1
    return first * PAGE_SIZE < top + visible and (request.page + 1) * PAGE_SIZE > top
