"""Pick one of many by typing: every word typed narrows the list (case-folded,
anywhere in what each item says), ↑/↓ move, the highlighted item is shown in
full below, enter picks it and escape backs out. A few more keys may pick it
for something else (the reply's send keys, say): the answer says which."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

V = TypeVar("V")


@dataclass(frozen=True)
class PickItem(Generic[V]):
    value: V
    label: Content
    # What typing matches against (the label's words and more).
    words: str


@dataclass(frozen=True)
class Picked(Generic[V]):
    value: V
    # "" for enter; otherwise the id of the other key it was picked with.
    intent: str = ""


@dataclass(frozen=True)
class PickKey:
    """Another key that picks the highlighted item, for `intent`."""

    key: str
    intent: str
    words: str


def matches(words: str, query: str) -> bool:
    haystack = words.casefold()
    return all(part in haystack for part in query.casefold().split())


class Picker(ModalScreen[Picked[V] | None], Generic[V]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", show=False),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "move(10)", show=False),
        Binding("pageup", "move(-10)", show=False),
    ]

    def __init__(
        self,
        title: str,
        items: Sequence[PickItem[V]],
        preview: Callable[[V], Content],
        *,
        keys: Sequence[PickKey] = (),
        empty: str = "Nothing matches what you typed.",
    ) -> None:
        super().__init__(classes="dialog picker")
        self.title_text = title
        self.items = list(items)
        self.shown: list[PickItem[V]] = list(items)
        self.preview = preview
        self.keys = list(keys)
        self.empty = empty
        for extra in self.keys:
            self._bindings.bind(extra.key, f"pick('{extra.intent}')", show=False, priority=True)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -wide"):
            yield Label(Content(self.title_text), classes="dialog-title")
            search = Input(placeholder="type to filter", id="picker-filter", select_on_focus=False)
            search.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield search
            yield OptionList(id="picker-items", classes="dialog-choices")
            with VerticalScroll(id="picker-preview"):
                yield Static(id="picker-shown")
            hints = [("enter", "pick"), *((k.key, k.words) for k in self.keys), ("esc", "back")]
            yield Static(
                Content.assemble(
                    *(
                        part
                        for index, (key, words) in enumerate(hints)
                        for part in ((" · " if index else ""), (key, "bold"), f" {words}")
                    )
                ),
                classes="dialog-note",
            )

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#picker-filter", Input).focus()

    @property
    def options(self) -> OptionList:
        return self.query_one("#picker-items", OptionList)

    def _fill(self) -> None:
        query = self.query_one("#picker-filter", Input).value
        self.shown = [item for item in self.items if matches(item.words, query)]
        self.options.set_options(Option(item.label) for item in self.shown)
        self.options.highlighted = 0 if self.shown else None
        self._show_highlighted()

    @on(Input.Changed, "#picker-filter")
    def _typed(self, _event: Input.Changed) -> None:
        self._fill()

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self._show_highlighted()

    def _show_highlighted(self) -> None:
        current = self.current
        shown = self.query_one("#picker-shown", Static)
        shown.update(self.preview(current.value) if current else Content(self.empty))

    @property
    def current(self) -> PickItem[V] | None:
        index = self.options.highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None

    def action_move(self, delta: int) -> None:
        if not self.shown:
            return
        index = self.options.highlighted or 0
        self.options.highlighted = min(max(index + delta, 0), len(self.shown) - 1)

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_pick("")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick("")

    def action_pick(self, intent: str) -> None:
        current = self.current
        if current is not None:
            self.dismiss(Picked(current.value, intent))
