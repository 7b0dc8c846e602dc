"""`c`: which columns the queue shows. Each reads on or off as text; a change
shows at once and is kept with the operator's preferences, so every console
they open shows the queue their way."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from screens.keymap import DIALOG, bindings_for
from screens.moving import Moving
from screens.queue.columns import CHOOSABLE
from screens.widgets.check_list import CheckList


class ColumnChooser(Moving, ModalScreen[None]):
    BINDINGS = [Binding("escape,c", "dismiss", "Close", show=False), *bindings_for(DIALOG)]

    def __init__(self, hidden: frozenset[str], apply: Callable[[frozenset[str]], None]) -> None:
        super().__init__(classes="dialog")
        self.hidden = hidden
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -narrow"):
            yield Label(Content("Queue columns"), classes="dialog-title")
            yield CheckList[str](
                *(
                    Selection(Content(words), name, name not in self.hidden)
                    for name, words in CHOOSABLE.items()
                ),
                classes="dialog-choices",
            )
            yield Static(
                Content(
                    "space shows or hides · the number and the subject always show · "
                    "on a narrow screen WMID, age and service make room first · esc closes"
                ),
                classes="dialog-note",
            )

    def on_mount(self) -> None:
        self.query_one(CheckList).focus()

    def default_mover(self) -> CheckList:
        return self.query_one(CheckList)

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        shown = set(event.selection_list.selected)
        self.hidden = frozenset(name for name in CHOOSABLE if name not in shown)
        self.apply(self.hidden)
