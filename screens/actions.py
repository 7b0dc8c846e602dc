"""What an action of the console is — its id, keys, words, the screens it is on,
the role it takes — and its keys as a person reads them. The actions themselves
are one table, in keymap.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from textual.binding import Binding

from console.errors import InvalidInput
from console.rules.roles import ALLOWED, Permission, roles_for
from models import Role


@dataclass(frozen=True)
class ConsoleAction:
    """One thing an operator can do: the binding id is `id`, the Textual action
    is `action` (the id itself unless it takes arguments)."""

    id: str
    keys: str
    description: str
    help: str
    screens: tuple[str, ...]
    permission: Permission | None = None
    action: str = ""
    # Needs a highlighted or open ticket.
    needs_ticket: bool = False
    key_display: str | None = None
    # On the key bar when above 0 (everywhere it is, or only on `bar_on`), and
    # what it keeps when the screen is narrow: the least important keys go
    # first. Everything is in the palette and the help either way.
    importance: int = 0
    bar_on: tuple[str, ...] = ()

    @property
    def textual_action(self) -> str:
        return self.action or self.id

    def in_footer(self, screen: str) -> bool:
        return self.importance > 0 and (not self.bar_on or screen in self.bar_on)

    def allowed_for(self, role: Role) -> bool:
        return self.permission is None or role in ALLOWED[self.permission]

    @property
    def who(self) -> str:
        """'' when everyone may; otherwise who may, in words."""
        return "" if self.permission is None else roles_for(self.permission)


def key_label(action: ConsoleAction, keymap: dict[str, str]) -> str:
    """The keys as a person reads them: 'j / ↓', 'ctrl+s'."""
    keys = keymap.get(action.id, action.keys)
    if action.id not in keymap and action.key_display:
        return action.key_display
    return " / ".join(_KEY_NAMES.get(key.strip(), key.strip()) for key in keys.split(","))


_KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "left": "←",
    "right": "→",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "home": "Home",
    "end": "End",
    "enter": "Enter",
    "escape": "Esc",
    "question_mark": "?",
    "slash": "/",
    "number_sign": "#",
    "space": "Space",
}


class ActionTable:
    """The table read by screen: a screen's actions and its bindings, the help's
    groups, and the `keymap` setting checked against it."""

    def __init__(self, actions: Sequence[ConsoleAction]) -> None:
        self.actions = tuple(actions)
        self.by_id = {action.id: action for action in self.actions}

    def actions_for(self, screen: str) -> list[ConsoleAction]:
        return [action for action in self.actions if screen in action.screens]

    def bindings_for(self, screen: str) -> list[Binding]:
        """A screen's BINDINGS, every one with its action's id."""
        return [
            Binding(
                action.keys,
                action.textual_action,
                action.description,
                show=action.in_footer(screen),
                key_display=action.key_display,
                # The palette opens over anything, even a focused text box.
                priority=action.id == "command_palette",
                id=action.id,
            )
            for action in self.actions_for(screen)
        ]

    def parse_keymap(self, text: str) -> dict[str, str]:
        """The `keymap` setting: `take=T; reply=ctrl+r` (several keys: `back=escape,q`)."""
        keymap: dict[str, str] = {}
        for entry in (part.strip() for part in text.replace("\n", ";").split(";")):
            if not entry:
                continue
            action_id, equals, keys = (piece.strip() for piece in entry.partition("="))
            if not equals or not keys:
                raise InvalidInput(f"keymap entry {entry!r} must look like take=T")
            if action_id not in self.by_id:
                known = ", ".join(sorted(self.by_id))
                raise InvalidInput(f"keymap: no action {action_id!r}; the actions are {known}")
            keymap[action_id] = keys
        return keymap

    def grouped(
        self, screens: Iterable[str], *, apart: str
    ) -> list[tuple[str, list[ConsoleAction]]]:
        """The table by screen, in the help's order; the actions of the group
        `apart` (the movement keys, on every screen) only under its own title."""
        return [
            (
                screen,
                [
                    action
                    for action in self.actions_for(screen)
                    if screen == apart or apart not in action.screens
                ],
            )
            for screen in screens
        ]
