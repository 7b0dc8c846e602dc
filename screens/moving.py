"""One way to move, on every screen: j/k, g/G, PgUp/PgDn and ctrl+d/ctrl+u act on
whichever list or page has the keys — a table's row cursor, a list's highlight,
a scrolling page, the queue, the dashboard's matrix — the same way everywhere.

The keys are the movement actions of the one action table (keymap.py); a screen
or a dialog takes them by mixing in `Moving`, and says which widget moves when
nothing that moves has the focus (`default_mover`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, runtime_checkable

from textual.containers import ScrollableContainer, VerticalScroll
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import DataTable, OptionList


class Move(StrEnum):
    down = "down"
    up = "up"
    page_down = "page_down"
    page_up = "page_up"
    half_down = "half_down"
    half_up = "half_up"
    first = "first"
    last = "last"


@runtime_checkable
class Movable(Protocol):
    """A widget of ours that moves its own cursor (the queue, the open-work matrix)."""

    def move_cursor_by(self, how: Move) -> None: ...


def _half(widget: Widget) -> int:
    return max(widget.scrollable_content_region.height // 2, 1)


def _move_table(table: DataTable, how: Move) -> None:
    if how in (Move.half_down, Move.half_up):
        step = _half(table) if how == Move.half_down else -_half(table)
        table.move_cursor(row=min(max(table.cursor_row + step, 0), max(table.row_count - 1, 0)))
        return
    {
        Move.down: table.action_cursor_down,
        Move.up: table.action_cursor_up,
        Move.page_down: table.action_page_down,
        Move.page_up: table.action_page_up,
        Move.first: table.action_scroll_top,
        Move.last: table.action_scroll_bottom,
    }[how]()


def _move_options(options: OptionList, how: Move) -> None:
    if how in (Move.half_down, Move.half_up):
        if options.option_count:
            step = _half(options) if how == Move.half_down else -_half(options)
            at = (options.highlighted or 0) + step
            options.highlighted = min(max(at, 0), options.option_count - 1)
        return
    {
        Move.down: options.action_cursor_down,
        Move.up: options.action_cursor_up,
        Move.page_down: options.action_page_down,
        Move.page_up: options.action_page_up,
        Move.first: options.action_first,
        Move.last: options.action_last,
    }[how]()


class Page(VerticalScroll, inherit_bindings=False):
    """A scrolling page of lists (the dashboard's tiles): the keys are the
    screen's, so they move in the list that has the focus, not the page around it;
    the page follows the focus."""


class Choices(OptionList):
    """An OptionList whose PgDn and PgUp always land on a choice: Textual's leave
    nothing highlighted when the page ends on a disabled one (the escalation
    already raised, say)."""

    def action_page_down(self) -> None:
        super().action_page_down()
        if self.highlighted is None:
            self.action_last()

    def action_page_up(self) -> None:
        super().action_page_up()
        if self.highlighted is None:
            self.action_first()


def _move_page(page: Widget, how: Move) -> None:
    if how in (Move.half_down, Move.half_up):
        step = _half(page) if how == Move.half_down else -_half(page)
        page.scroll_relative(y=step, animate=False, immediate=True)
        return
    {
        Move.down: lambda: page.scroll_down(animate=False, immediate=True),
        Move.up: lambda: page.scroll_up(animate=False, immediate=True),
        Move.page_down: lambda: page.scroll_page_down(animate=False),
        Move.page_up: lambda: page.scroll_page_up(animate=False),
        Move.first: lambda: page.scroll_home(animate=False, immediate=True),
        Move.last: lambda: page.scroll_end(animate=False, immediate=True),
    }[how]()


def moves(node: DOMNode | None) -> bool:
    """Whether the movement keys act on this widget."""
    return isinstance(node, Movable | DataTable | OptionList | ScrollableContainer)


def move(widget: Widget, how: Move) -> None:
    if isinstance(widget, Movable):
        widget.move_cursor_by(how)
    elif isinstance(widget, DataTable):
        _move_table(widget, how)
    elif isinstance(widget, OptionList):
        _move_options(widget, how)
    else:
        _move_page(widget, how)


class Moving:
    """A screen (or dialog) the movement keys work on. Mixed into a Screen."""

    def default_mover(self) -> Widget | None:
        """What moves when the focus is on nothing that does."""
        return None

    def mover(self) -> Widget | None:
        node: DOMNode | None = self.focused  # type: ignore[attr-defined]
        while node is not None and node is not self:
            if moves(node) and isinstance(node, Widget):
                return node
            node = node.parent
        return self.default_mover()

    def action_move(self, how: str) -> None:
        widget = self.mover()
        if widget is not None:
            move(widget, Move(how))
