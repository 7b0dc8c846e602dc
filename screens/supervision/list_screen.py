"""The supervisors' lists — block requests, templates, scam markers — as one
screen: a table to move in, the highlighted item in full beside it (below it on
a narrow terminal), read off the UI thread and again whenever another console
changes what it lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from console.errors import DomainError
from screens.base import SIDE_BY_SIDE, ConsoleScreen, Reading
from screens.messages import TicketsChanged
from screens.widgets.columns import Column
from screens.widgets.fitted_table import FittedTable
from screens.widgets.key_bar import KeyBar


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


Item = TypeVar("Item", bound=_Identified)


class ListScreen(ConsoleScreen, Generic[Item]):
    """A table of items, the highlighted one in full, live from the database.
    A screen says what it lists (`read`), how (`COLUMNS`, the last one taking
    the rest of the width, and `cells`), its title and the item in full."""

    HORIZONTAL_BREAKPOINTS = SIDE_BY_SIDE
    COLUMNS: ClassVar[Sequence[Column]] = ()
    # The last column is never narrower than this.
    LEAST = 16
    # The changes (their topics) that mean the list is to be read again.
    TOPICS: ClassVar[frozenset[str]] = frozenset()
    TITLE_WORDS = ""
    LOADING_WORDS = "Loading…"

    class _Read(Reading[list[Any]]):
        def __init__(self, items: list[Any], on_id: int | None) -> None:
            super().__init__(items)
            self.on_id = on_id

    def __init__(self, screen_id: str) -> None:
        super().__init__(id=screen_id)
        self.items: list[Item] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(Content(self.TITLE_WORDS), classes="list-title")
        with Container(classes="list-panes"):
            yield FittedTable(
                self.COLUMNS,
                flexible=len(self.COLUMNS) - 1,
                least=self.LEAST,
                fill=True,
                classes="list-table",
            )
            with VerticalScroll(classes="list-detail"):
                yield from self.compose_detail()
        yield KeyBar(self.ACTION_SCREEN)

    def compose_detail(self) -> ComposeResult:
        yield Static(Content(self.LOADING_WORDS), classes="list-item")

    @property
    def table(self) -> FittedTable:
        return self.query_one(FittedTable)

    @property
    def current(self) -> Item | None:
        if not self.items:
            return None
        return self.items[min(max(self.table.cursor_row, 0), len(self.items) - 1)]

    def on_mount(self) -> None:
        self.table.focus()
        self.load()

    # What a screen says -------------------------------------------------------------

    def read(self) -> list[Item]:
        raise NotImplementedError

    def cells(self, item: Item) -> list[Text]:
        raise NotImplementedError

    def show_title(self) -> None:
        raise NotImplementedError

    def show_item(self, item: Item | None) -> None:
        """The highlighted item in full, or what to do when there is none."""
        shown = self.query_one(".list-item", Static)
        shown.update(self.detail(item) if item is not None else Content(self.empty_words()))

    def detail(self, item: Item) -> Content:
        raise NotImplementedError

    def empty_words(self) -> str:
        raise NotImplementedError

    def first_row(self, items: list[Item]) -> int:
        """Where the cursor goes when it was on no item."""
        return 0

    def set_title(self, content: Content) -> None:
        self.query_one(".list-title", Static).update(content)

    # Reading ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="list-load", exit_on_error=False)
    def load(self, on_id: int | None = None) -> None:
        """Read the list again; the cursor stays on its item, or goes to `on_id`."""
        self.post_message(self._Read(self.read(), on_id))

    @on(_Read)
    def _list_read(self, message: _Read) -> None:
        keep = message.on_id
        if keep is None and self.current is not None:
            keep = self.current.id
        items: list[Item] = message.value
        self.items = items
        self.loaded = True
        self.table.fill([(str(item.id), self.cells(item)) for item in items])
        if keep is not None:
            row = next((i for i, item in enumerate(items) if item.id == keep), 0)
        else:
            row = self.first_row(items)
        if items:
            self.table.move_cursor(row=min(row, len(items) - 1), animate=False)
        self.show_title()
        self.show_item(self.current)

    @on(FittedTable.RowHighlighted)
    def _highlighted(self, _event: FittedTable.RowHighlighted) -> None:
        self.show_item(self.current)

    @on(TicketsChanged)
    def _changed(self, event: TicketsChanged) -> None:
        if event.topics & (self.TOPICS | {"demo"}):
            self.load()

    async def change(self, work_: Callable[[], Any], success: str) -> None:
        """Run a change off the UI thread and read the list again; the domain's
        refusal is a toast."""
        app = self.console
        try:
            await app.in_thread(work_)
        except DomainError as error:
            app.refuse(error)
            return
        app.done(success)
        self.load()

    # Keys ---------------------------------------------------------------------------

    def default_mover(self) -> FittedTable:
        return self.table

    def action_back(self) -> None:
        """From the detail back to the table; from the table back where you were."""
        if self.focused is not self.table:
            self.table.focus()
            return
        self.dismiss()

    def action_reload(self) -> None:
        self.load()
