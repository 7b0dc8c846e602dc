"""One queue line, cell by cell: a table of the columns and the function that
draws each one's cell. Fixed widths, customer text through one_line, colour
only from the widget's own component styles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from console.formatting import fit, sla_left, sla_state
from console.reads.queue_row import QueueRow
from console.rules.labels import SERVICE_LABELS, STATUS_LABELS
from console.rules.queue_order import kinds_of
from console.rules.sla import SlaPolicy
from console.rules.word_forms import Term, match_spans
from console.untrusted import one_line
from models import EscalationKind, Status
from screens.queue.columns import (
    HELD_TOO_LONG,
    MARK,
    URGENT_BADGES,
    badge_words,
    sla_cell,
    span_text,
)
from screens.widgets.columns import Column

# What the queue says when the filters match nothing.
NO_MATCH = [
    "No tickets match these filters.",
    "0 — back to the default view   f — filters   / — search",
]


def message_line(
    lines: list[str], y: int, width: int, base: Style, style: Callable[[str], Style]
) -> Strip:
    """Line `y` of the queue when it shows words instead of rows (under its header)."""
    at = y - 2
    if 0 <= at < len(lines):
        shown = base + style("queue-view--message")
        return Strip([Segment(fit("  " + lines[at], width), shown)], width)
    return Strip.blank(width, base)


# The escalation kinds of each of the 32 flag values, worked out once.
_kinds = cache(kinds_of)


@dataclass(frozen=True)
class _Line:
    """What every cell of one line needs."""

    row: QueueRow
    kinds: list[EscalationKind]
    now: datetime
    policy: SlaPolicy
    viewer: str
    base: Style
    style: Callable[[str], Style]
    marked: bool
    held_too_long: timedelta | None
    terms: tuple[Term, ...]

    def styled(self, name: str) -> Style:
        return self.base + self.style(f"queue-view--{name}")


# The queue view's component classes: every style a row or the header is drawn in.
QUEUE_STYLES = {
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
    "queue-view--kept",
    "queue-view--loading",
    "queue-view--message",
    "queue-view--match",
}


def _number(line: _Line, cells: int) -> list[Segment]:
    # One cell more than the number: the mark of a ticket picked for a bulk reassign.
    mark = Segment(MARK, line.styled("marked")) if line.marked else Segment(" ", line.base)
    return [mark, Segment(fit(str(line.row.number), cells - 1, align_right=True), line.base)]


def _age(line: _Line, cells: int) -> list[Segment]:
    text = span_text(line.now - line.row.created_at)
    return [Segment(fit(text, cells, align_right=True), line.base)]


def _sla(line: _Line, cells: int) -> list[Segment]:
    left = sla_left(line.policy, line.row.due_at, line.now, line.kinds)
    return [Segment(fit(sla_cell(left), cells, align_right=True), line.styled(sla_state(left)))]


def _service(line: _Line, cells: int) -> list[Segment]:
    return [Segment(fit(SERVICE_LABELS[line.row.service], cells), line.base)]


def _status(line: _Line, cells: int) -> list[Segment]:
    status = line.row.status
    style = line.styled("new") if status == Status.new else line.base
    return [Segment(fit(STATUS_LABELS[status], cells), style)]


def _badges(line: _Line, cells: int) -> list[Segment]:
    segments = []
    used = 0
    for kind, text in badge_words(line.kinds, cells):
        if kind is None:
            style = line.base
        elif kind in URGENT_BADGES:
            style = line.styled("urgent-badge")
        else:
            style = line.styled("badge")
        segments.append(Segment(text, style))
        used += len(text)
    segments.append(Segment(" " * (cells - used), line.base))
    return segments


def _wmid(line: _Line, cells: int) -> list[Segment]:
    return [Segment(fit(one_line(line.row.customer_wmid) or "—", cells), line.base)]


def _subject(line: _Line, cells: int) -> list[Segment]:
    """The subject, with the search's matches marked in what fits."""
    text = fit(one_line(line.row.subject), cells)
    segments = []
    at = 0
    for start, end in match_spans(text, list(line.terms)):
        segments.append(Segment(text[at:start], line.base))
        segments.append(Segment(text[start:end], line.styled("match")))
        at = end
    segments.append(Segment(text[at:], line.base))
    return [segment for segment in segments if segment.text]


def _holder(line: _Line, cells: int) -> list[Segment]:
    row = line.row
    mine = row.assignee is not None and row.assignee == line.viewer
    style = line.styled("mine") if mine else line.base
    holder = one_line(row.assignee) or "—"
    since = row.held_waiting_since
    too_long = line.held_too_long
    if too_long is not None and since is not None and line.now - since > too_long:
        style = line.styled("held-long")
        holder = HELD_TOO_LONG + holder
    return [Segment(fit(holder, cells), style)]


CELLS: dict[str, Callable[[_Line, int], list[Segment]]] = {
    "number": _number,
    "age": _age,
    "sla": _sla,
    "service": _service,
    "status": _status,
    "badges": _badges,
    "wmid": _wmid,
    "subject": _subject,
    "assignee": _holder,
}


def header_segments(columns: list[Column], style: Style) -> list[Segment]:
    """The line of column titles over the queue."""
    segments = []
    for index, column in enumerate(columns):
        if index:
            segments.append(Segment(" ", style))
        width = column.width or 0
        segments.append(Segment(fit(column.title, width, align_right=column.align_right), style))
    return segments


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
    terms: tuple[Term, ...] = (),
) -> list[Segment]:
    """One queue line: each column's cell, one space between them; the
    search's `terms` marked in the subject."""
    kinds = _kinds(row.escalation_flags)
    line = _Line(row, kinds, now, policy, viewer, base, style, marked, held_too_long, terms)
    segments: list[Segment] = []
    for index, column in enumerate(columns):
        if index:
            segments.append(Segment(" ", base))
        segments.extend(CELLS[column.name](line, column.width or 0))
    return segments
