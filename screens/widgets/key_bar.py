"""The key bar at the foot of each screen: the screen's main keys, from the action
table as the operator remapped them, and ctrl+p for everything else.

One line drawn by render(): Textual's Footer builds a widget per key and costs
a noticeable part of a screen's opening; this is what an operator reads there,
at a fraction of the price. A click on a key runs its action.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.style import Style
from textual.widget import Widget

from screens.actions import ConsoleAction, key_label
from screens.keymap import (
    BY_ID,
    DASHBOARD,
    EVERYWHERE,
    QUEUE,
    TICKET,
    actions_for,
)

_SHORT_KEYS = {"Enter": "⏎", "Esc": "esc"}


class KeyBar(Widget):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
    }
    """

    def __init__(self, screen_name: str) -> None:
        super().__init__()
        self.screen_name = screen_name
        self._spans: list[tuple[int, int, ConsoleAction]] = []

    def _actions(self) -> list[ConsoleAction]:
        role = self.app.operator.role  # type: ignore[attr-defined]
        shown = [
            a
            for a in actions_for(self.screen_name)
            if a.in_footer(self.screen_name) and a.allowed_for(role)
        ]
        # Where "?" is a key and not a character typed or a page already open.
        if self.screen_name in (QUEUE, TICKET, DASHBOARD):
            shown.append(BY_ID["help"])
        return shown

    def _label(self, action: ConsoleAction) -> str:
        keymap = self.app.keymap  # type: ignore[attr-defined]
        first = key_label(action, keymap).split(" / ")[0]
        return _SHORT_KEYS.get(first, first.replace("ctrl+", "^"))

    def render(self) -> Content:
        key = Style.from_rich_style(self.get_component_rich_style("key-bar--key", partial=True))
        words = Style.from_rich_style(
            self.get_component_rich_style("key-bar--description", partial=True)
        )
        palette = BY_ID["command_palette"]
        tail = [(f" {self._label(palette)} ", key), ("Commands ", words)]
        room = self.size.width - sum(len(text) for text, _ in tail)
        parts: list[tuple[str, Style]] = []
        self._spans = []
        used = 0
        for action in self._actions():
            pieces = [(f" {self._label(action)} ", key), (f"{action.description} ", words)]
            length = sum(len(text) for text, _ in pieces)
            if used + length > room:
                break
            self._spans.append((used, used + length, action))
            parts.extend(pieces)
            used += length
        parts.append((" " * max(room - used, 0), words))
        self._spans.append((max(room, used), self.size.width, palette))
        parts.extend(tail)
        return Content.assemble(*parts)

    def on_click(self, event: events.Click) -> None:
        for start, end, action in self._spans:
            if start <= event.x < end:
                target = self.app if EVERYWHERE in action.screens else self.screen
                self.app.call_later(target.run_action, action.textual_action)
                return

    def on_resize(self) -> None:
        self.refresh()
