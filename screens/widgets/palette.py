"""The command palette (ctrl+p): every action of the screen it opens over, by name,
for the operator's role — read from the one action table — plus "go to ticket N"."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from screens.actions import ConsoleAction, key_label
from screens.keymap import ACTIONS, EVERYWHERE


class ConsoleCommands(Provider):
    def _actions(self) -> Iterator[ConsoleAction]:
        screen_name = getattr(self.screen, "ACTION_SCREEN", None)
        role = self.app.operator.role  # type: ignore[attr-defined]
        in_hand = getattr(self.screen, "ticket_in_hand", None)
        has_ticket = in_hand is not None and in_hand() is not None
        for action in ACTIONS:
            if action.id == "command_palette" or not action.allowed_for(role):
                continue
            if action.needs_ticket and not has_ticket:
                continue
            if screen_name in action.screens or EVERYWHERE in action.screens:
                yield action

    def _help(self, action: ConsoleAction) -> str:
        keys = key_label(action, self.app.keymap)  # type: ignore[attr-defined]
        return f"{keys}  ·  {action.help}"

    def _run(self, action: ConsoleAction) -> None:
        target = self.app if EVERYWHERE in action.screens else self.screen
        self.app.call_later(target.run_action, action.textual_action)

    async def discover(self) -> Hits:
        for action in self._actions():
            yield DiscoveryHit(
                action.description,
                partial(self._run, action),
                text=action.description,
                help=self._help(action),
            )

    async def search(self, query: str) -> Hits:
        wanted = query.strip().lstrip("#")
        if wanted.isascii() and wanted.isdigit():
            yield Hit(
                1.0,
                f"Go to ticket {wanted}",
                partial(self.app.open_ticket, int(wanted)),  # type: ignore[attr-defined]
                text=f"Go to ticket {wanted}",
                help="Open it full screen",
            )
        matcher = self.matcher(query)
        for action in self._actions():
            words = f"{action.description} {action.help}"
            score = matcher.match(words)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(action.description),
                    partial(self._run, action),
                    text=action.description,
                    help=self._help(action),
                )
