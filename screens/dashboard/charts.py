"""The dashboard's drawn tiles: tickets opened and answers sent per hour or day
as paired bar charts, and SLA breached / due within the hour by service.

Drawn by render() with eighth-block characters. Textual's Sparkline draws one
series on one line with no axis; a supervisor comparing inflow with answers
needs both side by side, over a time axis, with their totals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.style import Style
from textual.widget import Widget

from console.rules.labels import SERVICE_LABELS
from models import Service

if TYPE_CHECKING:
    from console.reads.stats import Bucket

_EIGHTHS = " ▁▂▃▄▅▆▇█"
BAR_ROWS = 3


class _Drawn(Widget):
    def _style(self, name: str) -> Style:
        return Style.from_rich_style(self.get_component_rich_style(name, partial=True))


class InflowChart(_Drawn):
    """Per bucket, a bar of tickets opened beside a bar of answers sent; under
    them the time axis, then the legend with totals and peaks."""

    COMPONENT_CLASSES = {"inflow-chart--inflow", "inflow-chart--answers", "inflow-chart--axis"}

    DEFAULT_CSS = f"""
    InflowChart {{
        height: {BAR_ROWS + 2};
    }}
    """

    def __init__(self, *, hourly: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hourly = hourly
        self.buckets: list[Bucket] = []

    def show(self, buckets: list[Bucket]) -> None:
        if buckets != self.buckets:
            self.buckets = buckets
            self.refresh()

    def _label(self, index: int, slot: int) -> str:
        start = self.buckets[index].start
        if self.hourly:
            return f"{start:%H}" if start.hour % 6 == 0 else ""
        return f"{start:%a %d}" if slot >= 7 else f"{start:%d}"

    def render(self) -> Content:
        buckets = self.buckets
        if not buckets:
            return Content("")
        inflow, answers, axis = (
            self._style(f"inflow-chart--{name}") for name in ("inflow", "answers", "axis")
        )
        slot = max(self.size.width // len(buckets), 3)
        bar = (slot - 1) // 2
        peak = max(max(b.created for b in buckets), max(b.answered for b in buckets), 1)
        lines: list[list[str | tuple[str, Style]]] = []
        for row in range(BAR_ROWS - 1, -1, -1):
            line: list[str | tuple[str, Style]] = []
            for bucket in buckets:
                for value, style in ((bucket.created, inflow), (bucket.answered, answers)):
                    eighths = value * BAR_ROWS * 8 // peak - row * 8
                    # Any activity at all shows, however small beside the peak.
                    if row == 0 and value and eighths < 1:
                        eighths = 1
                    line.append((_EIGHTHS[min(max(eighths, 0), 8)] * bar, style))
                line.append(" " * (slot - 2 * bar))
            lines.append(line)
        labels = "".join(self._label(i, slot).ljust(slot) for i in range(len(buckets)))
        lines.append([(labels.rstrip(), axis)])
        created = sum(b.created for b in buckets)
        answered = sum(b.answered for b in buckets)
        lines.append(
            [
                ("█ ", inflow),
                f"opened {created:,}",
                ("  █ ", answers),
                f"answered {answered:,}",
                (f"  (tallest bar {peak:,})", axis),
            ]
        )
        parts: list[str | tuple[str, Style]] = []
        for index, line in enumerate(lines):
            if index:
                parts.append("\n")
            parts.extend(line)
        return Content.assemble(*parts)


# The longest service, "personal data", and a space.
SERVICE_WIDTH = 14


class SlaBoard(_Drawn):
    """Past due and due within the hour, by service, in two columns of services;
    services with neither are left out."""

    COMPONENT_CLASSES = {"sla-board--breached", "sla-board--soon", "sla-board--quiet"}

    DEFAULT_CSS = """
    SlaBoard {
        height: auto;
    }
    """

    # A service's label, its past-due and due-soon counts; columns three apart.
    CELL_WIDTH = SERVICE_WIDTH + 16
    GAP = 3

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.breached: dict[str, int] = {}
        self.soon: dict[str, int] = {}

    def show(self, breached: dict[str, int], soon: dict[str, int]) -> None:
        if (breached, soon) != (self.breached, self.soon):
            self.breached, self.soon = breached, soon
            self.refresh(layout=True)

    def _services(self) -> list[Service]:
        return [s for s in Service if self.breached.get(s.value) or self.soon.get(s.value)]

    def _columns(self, width: int) -> int:
        return 2 if width >= 2 * self.CELL_WIDTH + self.GAP else 1

    def get_content_height(self, container, viewport, width: int) -> int:
        services = len(self._services())
        columns = self._columns(width)
        return 2 + -(-services // columns) if services else 2

    def _cell(self, service: Service) -> list[str | tuple[str, Style]]:
        breached, soon, quiet = (
            self._style(f"sla-board--{name}") for name in ("breached", "soon", "quiet")
        )
        late = self.breached.get(service.value, 0)
        close = self.soon.get(service.value, 0)
        return [
            SERVICE_LABELS[service].ljust(SERVICE_WIDTH),
            (f"{late:>7,}" if late else f"{'·':>7}", breached if late else quiet),
            (f"{close:>9,}" if close else f"{'·':>9}", soon if close else quiet),
        ]

    def render(self) -> Content:
        breached, soon, quiet = (
            self._style(f"sla-board--{name}") for name in ("breached", "soon", "quiet")
        )
        total_late, total_soon = sum(self.breached.values()), sum(self.soon.values())
        parts: list[str | tuple[str, Style]] = [
            (f"{total_late:,} past SLA", breached if total_late else quiet),
            "   ",
            (f"{total_soon:,} due within the hour", soon if total_soon else quiet),
        ]
        services = self._services()
        if not services:
            parts.extend(["\n", ("Nothing past due or due within the hour.", quiet)])
            return Content.assemble(*parts)
        columns = self._columns(self.size.width)
        rows = -(-len(services) // columns)
        parts.append("\n")
        heading = "service".ljust(SERVICE_WIDTH) + "past".rjust(7) + "in 1 h".rjust(9)
        parts.append(((" " * self.GAP).join([heading] * min(columns, len(services))), quiet))
        for row in range(rows):
            parts.append("\n")
            for column in range(columns):
                index = column * rows + row
                if index >= len(services):
                    break
                if column:
                    parts.append(" " * self.GAP)
                parts.extend(self._cell(services[index]))
        return Content.assemble(*parts)
