"""The dashboard's open-work tile: live tickets as a service × status matrix of
counts, with a cell cursor. Enter asks for the queue filtered to the cell (a
total row or column means "any" along it).

Drawn by render() from the counts: fifteen rows of numbers need no widget per
cell, and a new reading repaints this tile only.
"""

from __future__ import annotations

from textual.content import Content
from textual.message import Message
from textual.style import Style
from textual.widget import Widget

from console.reads.queue_filter import Assignee, QueueFilter
from console.rules.labels import SERVICE_LABELS, STATUS_LABELS
from models import ACTIVE_STATUSES, Service, Status
from screens.moving import Move

# In the order work moves through them; then the row's total.
STATUS_COLUMNS: tuple[Status | None, ...] = (
    Status.new,
    Status.open,
    Status.on_hold,
    Status.answered,
    None,
)
SERVICE_ROWS: tuple[Service | None, ...] = (*Service, None)
# The longest service, "personal data", and a space.
LABEL_WIDTH = 14
CELL_WIDTH = 9


class OpenWorkMatrix(Widget, can_focus=True):
    COMPONENT_CLASSES = {
        "open-work--header",
        "open-work--cursor",
        "open-work--zero",
        "open-work--total",
    }

    DEFAULT_CSS = """
    OpenWorkMatrix {
        width: auto;
        height: auto;
    }
    """

    class CellChosen(Message):
        """Enter on a cell: the queue this cell counts."""

        def __init__(self, queue_filter: QueueFilter) -> None:
            super().__init__()
            self.queue_filter = queue_filter

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.open_work: dict[str, dict[str, int]] = {}
        self.row = 0
        self.column = 0

    def show(self, open_work: dict[str, dict[str, int]]) -> None:
        if open_work != self.open_work:
            self.open_work = open_work
            self.refresh()

    def count(self, service: Service | None, status: Status | None) -> int:
        services = [service.value] if service else [s.value for s in Service]
        statuses = [status.value] if status else [s.value for s in ACTIVE_STATUSES]
        return sum(self.open_work.get(sv, {}).get(st, 0) for sv in services for st in statuses)

    @property
    def cell(self) -> tuple[Service | None, Status | None]:
        return SERVICE_ROWS[self.row], STATUS_COLUMNS[self.column]

    def move(self, rows: int = 0, columns: int = 0) -> None:
        self.row = min(max(self.row + rows, 0), len(SERVICE_ROWS) - 1)
        self.column = min(max(self.column + columns, 0), len(STATUS_COLUMNS) - 1)
        self.refresh()

    def move_cursor_by(self, how: Move) -> None:
        """The movement keys (screens/moving.py), down the services."""
        last = len(SERVICE_ROWS) - 1
        rows = {
            Move.down: 1,
            Move.up: -1,
            Move.page_down: last,
            Move.page_up: -last,
            Move.half_down: last // 2,
            Move.half_up: -(last // 2),
            Move.first: -last,
            Move.last: last,
        }[how]
        self.move(rows=rows)

    def choose(self) -> None:
        service, status = self.cell
        self.post_message(
            self.CellChosen(
                QueueFilter(
                    services=frozenset({service}) if service else frozenset(),
                    statuses=frozenset({status}) if status else ACTIVE_STATUSES,
                    assignee=Assignee.anyone,
                )
            )
        )

    def get_content_width(self, container, viewport) -> int:
        return LABEL_WIDTH + CELL_WIDTH * len(STATUS_COLUMNS)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(SERVICE_ROWS) + 1

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def _style(self, name: str) -> Style:
        return Style.from_rich_style(self.get_component_rich_style(name, partial=True))

    def render(self) -> Content:
        header, cursor, zero, total = (
            self._style(f"open-work--{name}") for name in ("header", "cursor", "zero", "total")
        )
        parts: list[str | tuple[str, Style]] = [("service".ljust(LABEL_WIDTH), header)]
        for status in STATUS_COLUMNS:
            title = STATUS_LABELS[status] if status else "total"
            parts.append((title.rjust(CELL_WIDTH), header))
        for y, service in enumerate(SERVICE_ROWS):
            parts.append("\n")
            label = SERVICE_LABELS[service] if service else "total"
            parts.append((label.ljust(LABEL_WIDTH), total if service is None else header))
            for x, status in enumerate(STATUS_COLUMNS):
                number = self.count(service, status)
                text = (f"{number:,}" if number else "·").rjust(CELL_WIDTH)
                style = zero if not number else total if service is None or status is None else ""
                if self.has_focus and (y, x) == (self.row, self.column):
                    style = cursor
                parts.append((text, style) if style else text)
        return Content.assemble(*parts)
