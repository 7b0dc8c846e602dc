"""What the queue view (queue/view.py) tells its screen: which ticket is
highlighted, new counts, the tickets marked for a bulk verb, and the ticket
acted on leaving the view. Handled as
QueueView.Highlighted and so on, as a widget's own messages are.

And what its worker threads hand back to it: a window, a page, a count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from console.reads.facet_counts import Facets
from console.reads.queue_filter import QueueFilter
from console.reads.queue_row import QueueRow
from screens.base import Reading
from screens.queue.pager import PageRequest, QueueWindow

if TYPE_CHECKING:
    from screens.queue.view import QueueView


class _FromQueueView(Message):
    """A message of the queue view: `control` is the view (handlers may select on it).
    Each subclass names the namespace again: Textual does not inherit it."""

    def __init__(self, queue_view: QueueView) -> None:
        super().__init__()
        self.queue_view = queue_view

    @property
    def control(self) -> QueueView:
        return self.queue_view


class Highlighted(_FromQueueView, namespace="queue_view"):
    """The cursor is on another ticket, or its ticket changed (None: no rows)."""

    def __init__(self, queue_view: QueueView, row: QueueRow | None) -> None:
        super().__init__(queue_view)
        self.row = row


class Counted(_FromQueueView, namespace="queue_view"):
    """New counts for the filter bar."""

    def __init__(
        self, queue_view: QueueView, f: QueueFilter, facets: Facets, empty_database: bool
    ) -> None:
        super().__init__(queue_view)
        self.filter = f
        self.facets = facets
        self.empty_database = empty_database


class MarksChanged(_FromQueueView, namespace="queue_view"):
    """Tickets were marked or unmarked for a bulk verb."""

    def __init__(self, queue_view: QueueView, count: int) -> None:
        super().__init__(queue_view)
        self.count = count


class LeftView(_FromQueueView, namespace="queue_view"):
    """The ticket acted on left the view: it stays, highlighted, until the cursor moves."""

    def __init__(self, queue_view: QueueView, row: QueueRow) -> None:
        super().__init__(queue_view)
        self.row = row


class WindowRead(Reading[QueueWindow]):
    """A window, read."""


class PageRead(Reading[list[QueueRow]]):
    """A page, read for `request`."""

    def __init__(self, request: PageRequest, rows: list[QueueRow]) -> None:
        super().__init__(rows)
        self.request = request


class CountRead(Reading[Facets]):
    """The count of the window asked for as `request`, read after its first page."""

    def __init__(self, request: int, facets: Facets) -> None:
        super().__init__(facets)
        self.request = request
