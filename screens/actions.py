"""What an action of the console is — its id, keys, words, the screens it is on,
the role it takes — and its keys as a person reads them. The actions themselves
are one table, in keymap.py."""

from __future__ import annotations

from dataclasses import dataclass

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
    # In the footer (everywhere it is, or on these screens); everything is in the
    # palette and the help either way.
    footer: bool | tuple[str, ...] = False
    action: str = ""
    # Needs a highlighted or open ticket.
    needs_ticket: bool = False
    key_display: str | None = None

    @property
    def textual_action(self) -> str:
        return self.action or self.id

    def in_footer(self, screen: str) -> bool:
        return self.footer if isinstance(self.footer, bool) else screen in self.footer

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
