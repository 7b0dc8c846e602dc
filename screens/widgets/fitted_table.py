"""A small table fitted to its width: the dashboard's tiles and the supervisors'
lists (block requests, templates, scam markers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import DataTable

from console.formatting import clip
from screens.widgets.columns import Column, fit_columns

# A row: its key (the cursor stays on it across fills) and its cells.
Row = tuple[str, Sequence[Text]]


class FittedTable(DataTable):
    """Rows with a row cursor, fitted to the width: each column as wide as it is
    given, or as its widest cell; the flexible one (free text: a subject, a
    reason) gets what the others leave, so the table never scrolls sideways.
    Cells are Text built from cleaned strings (a DataTable reads plain strings
    as markup), cut with an ellipsis to their column.

    The column widths are measured here, before the rows go in: left to the
    DataTable, they are measured when it next idles, and a frame painted in
    between can keep a header drawn at the old widths."""

    COMPONENT_CLASSES = {"fitted-table--warn", "fitted-table--dim"}
    # Home and End go to the first and last row, as g and G do (a DataTable
    # scrolls sideways on them).
    BINDINGS = [
        Binding("home", "scroll_top", show=False),
        Binding("end", "scroll_bottom", show=False),
    ]

    DEFAULT_CSS = """
    FittedTable > .fitted-table--warn {
        color: $text-error;
        text-style: bold;
    }
    FittedTable > .fitted-table--dim {
        color: $text-disabled;
    }
    """

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        flexible: int | None = None,
        least: int = 12,
        fill: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`flexible`: the index of the column that takes the rest, never less than
        `least` cells; with `fill` all of the rest (a list across the screen),
        else no more than its widest cell (a table in a tile)."""
        super().__init__(cursor_type="row", id=id, classes=classes)
        self._columns = list(columns)
        self._titles = [
            Text(column.title, justify="right") if column.align_right else Text(column.title)
            for column in columns
        ]
        self._flexible = flexible
        self._least = least
        self._fill = fill
        self._rows: Sequence[Row] = ()
        self._width = 0

    def on_mount(self) -> None:
        self._lay_rows()

    def style_for(self, name: str) -> Style:
        """A cell style from the component classes: 'warn' or 'dim'."""
        return self.get_component_rich_style(f"fitted-table--{name}", partial=True)

    def fill(self, rows: Sequence[Row]) -> None:
        """The rows, keyed; the cursor stays on its row if that row is still here."""
        if rows == self._rows:
            # Most refreshes change a tile or two: rebuilding an unchanged table
            # would cost a layout of the whole screen for nothing.
            return
        self._rows = rows
        self._lay_rows()

    @property
    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            if self._flexible is not None and (self._rows or self._fill):
                self._lay_rows()

    def _widths(self) -> list[int]:
        measured = [title.cell_len for title in self._titles]
        for _, cells in self._rows:
            measured = [
                max(width, cell.cell_len) for width, cell in zip(measured, cells, strict=True)
            ]
        columns = [
            column if column.width is not None else replace(column, width=width)
            for column, width in zip(self._columns, measured, strict=True)
        ]
        flexible = self._flexible
        if flexible is None or not (self._rows or self._fill):
            return [column.width or 0 for column in columns]
        columns[flexible] = replace(columns[flexible], width=None)
        padding = 2 * self.cell_padding
        # The whole width, scrollbar gutter or not: a scrollbar shown for a moment
        # while rows go in must not move where the text is cut.
        fitted = fit_columns(
            columns, self.size.width, gap=padding, edge=padding + 1, least=self._least
        )
        widths = [column.width or 0 for column in fitted]
        if not self._fill:
            widths[flexible] = min(widths[flexible], measured[flexible])
        return widths

    def _lay_rows(self) -> None:
        current = self.current_key
        widths = self._widths()
        self.clear(columns=True)
        for title, width in zip(self._titles, widths, strict=True):
            self.add_column(title, width=width)
        for key, cells in self._rows:
            cut = (_cut(cell, width) for cell, width in zip(cells, widths, strict=True))
            self.add_row(*cut, key=key)
        keys = [key for key, _ in self._rows]
        if current in keys:
            self.move_cursor(row=keys.index(current), animate=False)


def _cut(text: Text, width: int) -> Text:
    if text.cell_len <= width:
        return text
    cut = text.copy()
    cut.plain = clip(text.plain, width)
    return cut
