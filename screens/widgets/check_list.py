"""A list of choices that each read on or off without colour: `[x]` or `[ ]`
before the words, where Textual's SelectionList draws the same box for both
and tells them apart by colour alone."""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist

V = TypeVar("V")

ON = "[x] "
OFF = "[ ] "


class CheckList(SelectionList[V]):
    def _get_left_gutter_width(self) -> int:
        return len(ON)

    def render_line(self, y: int) -> Strip:
        # The prompt as an OptionList draws it, then the box as text.
        line = super(SelectionList, self).render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        style = next(iter(line)).style if line.cell_length else self.rich_style
        box = ON if selection.value in self._selected else OFF
        return Strip([Segment(box, style), *line])
