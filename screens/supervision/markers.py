"""The scam markers intake flags mail by: words, phrases and regular expressions
that supervisors and security officers add, disable and enable again (nothing is
deleted). Every change goes through console/ (role-checked, audited); the list
follows other consoles'."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import work
from textual.content import Content

from console.errors import DomainError
from console.rules import validation
from console.rules.roles import Permission
from console.untrusted import one_line, visible
from models import ScamMarker
from screens.keymap import MARKERS, bindings_for
from screens.supervision.list_screen import ListScreen
from screens.ticket.view import when
from screens.widgets.columns import Column
from screens.widgets.dialogs import Choice, ChoiceDialog, Field, FormDialog


class MarkerScreen(ListScreen[ScamMarker]):
    ACTION_SCREEN = MARKERS
    BINDINGS = bindings_for(MARKERS)
    COLUMNS = (
        Column("id", "ID", 4),
        Column("kind", "KIND", 5),
        Column("state", "STATE", 8),
        Column("pattern", "PATTERN", 24),
        Column("description", "DESCRIPTION"),
    )
    TOPICS = frozenset({"marker"})

    def __init__(self) -> None:
        super().__init__("markers-screen")

    def read(self) -> list[ScamMarker]:
        from console import operations

        return operations.list_markers(self.console.desk, include_inactive=True)

    def cells(self, item: ScamMarker) -> list[Text]:
        return [
            Text(str(item.id)),
            Text("regex" if item.is_regex else "text"),
            Text("on" if item.active else "disabled"),
            Text(one_line(item.pattern)),
            Text(one_line(item.description)),
        ]

    def show_title(self) -> None:
        on_count = sum(m.active for m in self.items)
        self.set_title(
            Content.assemble(
                ("Scam markers", "bold"),
                ("  ·  ", "dim"),
                f"{on_count} on, {len(self.items) - on_count} disabled",
                ("  ·  intake flags a mail that matches one and suggests fraud", "dim"),
            )
        )

    def empty_words(self) -> str:
        return "No scam markers yet: n adds one."

    def detail(self, item: ScamMarker) -> Content:
        how = (
            "a regular expression, matched as written (add (?i) to ignore case)"
            if item.is_regex
            else "a word or phrase, matched ignoring case"
        )
        return Content.assemble(
            ("Pattern  ", "dim"),
            (visible(item.pattern), "bold"),
            "\n",
            ("Kind     ", "dim"),
            how,
            "\n",
            ("State    ", "dim"),
            "on: intake flags matching mail" if item.active else "disabled (x turns it on)",
            "\n",
            ("Added    ", "dim"),
            f"{when(item.created_at)} UTC",
            "\n",
            ("Why      ", "dim"),
            visible(item.description) or "—",
        )

    @work(exclusive=True, group="marker-change")
    async def action_new_marker(self) -> None:
        from console import operations

        if not self.console.allowed(Permission.edit_markers):
            return
        is_regex = await self.app.push_screen_wait(
            ChoiceDialog(
                "Add a scam marker",
                [
                    Choice(False, "A word or phrase (matched ignoring case)"),
                    Choice(True, "A regular expression (matched as written)"),
                ],
            )
        )
        if is_regex is None:
            return
        app = self.console

        async def add(values: dict[str, Any]) -> str | None:
            try:
                marker = await app.in_thread(
                    partial(
                        operations.add_marker,
                        app.desk,
                        values["pattern"],
                        by=app.login,
                        is_regex=is_regex,
                        description=values["description"] or "",
                    )
                )
            except DomainError as error:
                return error.message
            self._added = marker
            return None

        self._added: int | None = None
        answer = await app.push_screen_wait(
            FormDialog(
                "A regular expression to flag" if is_regex else "A word or phrase to flag",
                [
                    Field(
                        "pattern",
                        "Pattern",
                        r"t\.me/\w+" if is_regex else "webmoneyy",
                        # The domain's own check: a bad expression is named at once.
                        check=partial(validation.marker_pattern, is_regex=is_regex),
                    ),
                    Field("description", "Why (optional)", "look-alike support", required=False),
                ],
                note="Intake checks the sender, subject and text of every new mail.",
                submit="Add",
                attempt=add,
            )
        )
        if answer is None:
            return
        app.done(f"Added the scam marker {answer['pattern']!r}.")
        if self._added is not None:
            self.load(self._added)

    @work(exclusive=True, group="marker-change")
    async def action_toggle_marker(self) -> None:
        from console import operations

        if not self.console.allowed(Permission.edit_markers):
            return
        marker = self.current
        if marker is None:
            return
        app = self.console
        await self.change(
            partial(
                operations.set_marker_active, app.desk, marker.id, not marker.active, by=app.login
            ),
            f"{'Enabled' if not marker.active else 'Disabled'} the marker {marker.pattern!r}.",
        )
