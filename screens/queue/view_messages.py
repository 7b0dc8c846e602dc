"""What the queue view (queue/view.py) tells its screen: which ticket is
highlighted, new counts, the tickets marked for a bulk verb, and the ticket
acted on leaving the view. Handled as
QueueView.Highlighted and so on, as a widget's own messages are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from console.reads.queue_filter import QueueFilter
from console.reads.queue_row import QueueRow

if TYPE_CHECKING:
    from console.reads.facets import Facets
    from screens.queue.view import QueueView


class Highlighted(Message, namespace="queue_view"):
    """The cursor is on another ticket, or its ticket changed (None: no rows)."""

    def __init__(self, queue_view: QueueView, row: QueueRow | None) -> None:
        super().__init__()
        self.queue_view = queue_view
        self.row = row

    @property
    def control(self) -> QueueView:
        return self.queue_view


class Counted(Message, namespace="queue_view"):
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


class MarksChanged(Message, namespace="queue_view"):
    """Tickets were marked or unmarked for a bulk reassign."""

    def __init__(self, queue_view: QueueView, count: int) -> None:
        super().__init__()
        self.queue_view = queue_view
        self.count = count

    @property
    def control(self) -> QueueView:
        return self.queue_view


class LeftView(Message, namespace="queue_view"):
    """The ticket acted on left the view: it stays, highlighted, until the cursor moves."""

    def __init__(self, queue_view: QueueView, row: QueueRow) -> None:
        super().__init__()
        self.queue_view = queue_view
        self.row = row

    @property
    def control(self) -> QueueView:
        return self.queue_view
