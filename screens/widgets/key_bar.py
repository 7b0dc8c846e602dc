"""The key bar at the foot of each screen: the screen's main keys, from the action
table as the operator remapped them, and ctrl+p for everything else; above it,
for a few seconds, the status line with what just happened.

One line drawn by render(): Textual's Footer builds a widget per key and costs
a noticeable part of a screen's opening; this is what an operator reads there,
at a fraction of the price. When the keys do not all fit, the least important
go first (the action table's `importance`); `?` stays. A click on a key runs
its action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import events
from textual.content import Content
from textual.style import Style
from textual.widget import Widget

from screens.actions import ConsoleAction, key_label
from screens.keymap import BY_ID, DASHBOARD, EVERYWHERE, QUEUE, TICKET, actions_for

_SHORT_KEYS = {"Enter": "⏎", "Esc": "esc"}
STATUS_STYLES = {
    "information": "key-bar--said",
    "warning": "key-bar--warning",
    "error": "key-bar--error",
}


def fitting(
    actions: Sequence[ConsoleAction], room: int, width: Callable[[ConsoleAction], int]
) -> list[ConsoleAction]:
    """As many of `actions` as fit in `room` cells, the most important first,
    shown in their own order."""
    kept: set[str] = set()
    used = 0
    for action in sorted(actions, key=lambda a: -a.importance):
        if used + width(action) <= room:
            kept.add(action.id)
            used += width(action)
    return [action for action in actions if action.id in kept]


class KeyBar(Widget):
    COMPONENT_CLASSES = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--said",
        "key-bar--warning",
        "key-bar--error",
    }

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
    }
    KeyBar.-saying {
        height: 2;
    }
    """

    def __init__(self, screen_name: str) -> None:
        super().__init__()
        self.screen_name = screen_name
        self._spans: list[tuple[int, int, ConsoleAction]] = []

    def on_mount(self) -> None:
        self.show_status()

    def show_status(self) -> None:
        """The console's status line changed (or this screen came back)."""
        self.set_class(self.app.status_line is not None, "-saying")  # type: ignore[attr-defined]
        self.refresh()

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

    def _pieces(self, action: ConsoleAction) -> tuple[str, str]:
        return f" {self._label(action)} ", f"{action.description} "

    def _style(self, name: str) -> Style:
        return Style.from_rich_style(self.get_component_rich_style(name, partial=True))

    def render(self) -> Content:
        key, words = self._style("key-bar--key"), self._style("key-bar--description")
        palette = BY_ID["command_palette"]
        tail = [(f" {self._label(palette)} ", key), ("Commands ", words)]
        room = self.size.width - sum(len(text) for text, _ in tail)
        parts: list[tuple[str, Style] | Content] = []
        self._spans = []
        used = 0
        kept = fitting(self._actions(), room, lambda a: sum(map(len, self._pieces(a))))
        for action in kept:
            shortcut, description = self._pieces(action)
            length = len(shortcut) + len(description)
            self._spans.append((used, used + length, action))
            parts.extend([(shortcut, key), (description, words)])
            used += length
        parts.append((" " * max(room - used, 0), words))
        self._spans.append((max(room, used), self.size.width, palette))
        parts.extend(tail)
        keys = Content.assemble(*parts)
        status = self.app.status_line  # type: ignore[attr-defined]
        if status is None:
            return keys
        message, severity = status
        said = Content(f" {message}").truncate(self.size.width, ellipsis=True)
        said = said.stylize(self._style(STATUS_STYLES[severity]))
        return Content("\n").join([said, keys])

    def on_click(self, event: events.Click) -> None:
        row = 1 if self.has_class("-saying") else 0
        if event.y != row:
            return
        for start, end, action in self._spans:
            if start <= event.x < end:
                target = self.app if EVERYWHERE in action.screens else self.screen
                self.app.call_later(target.run_action, action.textual_action)
                return

    def on_resize(self) -> None:
        self.refresh()
