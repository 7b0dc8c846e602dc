"""The macros operators answer with — a text and what else its answer does —
per service and language: supervisors write, edit, withdraw and restore them
(nothing is deleted), beside the templates (t goes there, m comes back). Every
change goes through console/ (role-checked, audited); the list follows other
consoles'."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label, Select

from console import operations
from console.errors import DomainError, InvalidInput
from console.operations import MacroInfo, MacroText
from console.rules.roles import Permission
from console.untrusted import one_line, visible
from models import EscalationKind
from screens.keymap import MACROS, bindings_for
from screens.supervision.canned import KEPT_COLUMNS, PLACEHOLDER_HELP, CannedForm, PerService
from screens.ticket.canned import follow_up_words
from screens.widgets.columns import Column
from screens.widgets.dialogs import field_input

_NONE = ""


def does(macro: MacroInfo) -> list[str]:
    """What the macro's answer does besides the text, in words (the note's
    placeholders as written)."""
    follow_up = macro.follow_up(ticket=0, wmid=None, name=None)
    return follow_up_words(replace(follow_up, note=macro.note))


class MacroScreen(PerService[MacroInfo]):
    ACTION_SCREEN = MACROS
    BINDINGS = bindings_for(MACROS)
    COLUMNS = (*KEPT_COLUMNS, Column("does", "WITH THE ANSWER", 24), Column("title", "TITLE"))
    TOPICS = frozenset({"macro"})
    NOUN = "macros"
    OTHER_LIST = "t templates"

    listed = staticmethod(operations.list_macros)
    set_active = staticmethod(operations.set_macro_active)

    def __init__(self) -> None:
        super().__init__("macros-screen")

    def cells(self, item: MacroInfo) -> list[Text]:
        return [
            *self.kept_cells(item),
            Text("; ".join(does(item)) or "the text only"),
            Text(one_line(item.title)),
        ]

    def detail(self, item: MacroInfo) -> Content:
        also = does(item)
        return Content.assemble(
            self.kept_head(item),
            visible(item.body),
            "\n\n",
            ("With the answer: ", "bold $warning"),
            "; ".join(also) if also else "nothing else: the text only",
            "\n\n",
            (PLACEHOLDER_HELP + " The note takes them too.", "dim"),
        )

    def action_templates(self) -> None:
        self.console.show_canned("templates")

    @work(exclusive=True, group="macro-form")
    async def action_new_macro(self) -> None:
        await self._open_form(None)

    @work(exclusive=True, group="macro-form")
    async def action_edit_macro(self) -> None:
        macro = self.current
        if macro is None:
            self.console.notify("No macro highlighted: n writes one.", markup=False)
            return
        await self._open_form(macro)

    def edit(self) -> None:
        self.action_edit_macro()

    async def _open_form(self, macro: MacroInfo | None) -> None:
        app = self.console
        if not app.allowed(Permission.edit_templates):
            return
        people = await app.in_thread(partial(operations.list_operators, app.desk))
        logins = [person.login for person in people if person.active]
        await app.push_screen_wait(MacroForm(macro, logins, self._save))

    async def _save(self, written: MacroText, macro: MacroInfo | None) -> str | None:
        app = self.console
        if macro is not None and macro.written_as(written):
            app.notify("Nothing to save: the macro is as it was.", markup=False)
            return None
        macro_id = macro.id if macro else None
        try:
            saved = await app.in_thread(
                partial(operations.save_macro, app.desk, written, by=app.login, macro_id=macro_id)
            )
        except DomainError as error:
            return error.message
        app.done(f"Saved the macro {written.title!r}.")
        self.call_later(self.load, saved)
        return None

    def action_toggle_macro(self) -> None:
        self.toggle()


def _escalations(first: str) -> list[tuple[str, str]]:
    return [(first, _NONE)] + [(kind.value, kind.value) for kind in EscalationKind]


class MacroForm(CannedForm):
    """One macro: service, language, title, text, and what else its answer does."""

    KIND = "macro"

    def __init__(
        self,
        macro: MacroInfo | None,
        logins: list[str],
        save: Callable[[MacroText, MacroInfo | None], Any],
    ) -> None:
        super().__init__(macro)
        self.macro = macro
        self.logins = logins
        self.save = save

    def more_fields(self) -> ComposeResult:
        m = self.macro
        yield Label(Content("With the answer"), classes="dialog-label")
        with Horizontal(classes="canned-choices"):
            yield self._select(
                "macro-status",
                [("answered", _NONE), ("on hold", "on_hold"), ("archived", "archived")],
                m.status.value if m and m.status else _NONE,
            )
            yield self._select(
                "macro-escalate",
                _escalations("escalate: no"),
                m.escalate.value if m and m.escalate else _NONE,
            )
            yield self._select(
                "macro-clear",
                _escalations("clear: no"),
                m.clear_escalation.value if m and m.clear_escalation else _NONE,
            )
            yield self._select("macro-handover", self._handovers(), self._handover_now())
        yield field_input(
            m.note or "" if m else "",
            placeholder="an internal note with the answer (optional)",
            id="macro-note",
            blink=getattr(self.app, "cursor_blink", True),
        )

    @staticmethod
    def _select(select_id: str, options: list[tuple[str, str]], value: str) -> Select[str]:
        return Select(options, value=value, allow_blank=False, id=select_id)

    def _handovers(self) -> list[tuple[str, str]]:
        return [
            ("holder: as it is", _NONE),
            ("holder: whoever answers", "take"),
            ("holder: back to the queue", "queue"),
        ] + [(f"holder: {login}", f"person:{login}") for login in self.logins]

    def _handover_now(self) -> str:
        m = self.macro
        if m is None or m.handover is None:
            return _NONE
        return f"person:{m.handover_to}" if m.handover_to else m.handover.value

    def written(self) -> MacroText:
        handover = self.chosen("handover")
        to = handover.removeprefix("person:") if handover.startswith("person:") else None
        return MacroText(
            title=self.typed_title(),
            body=self.typed_body(),
            language=self.chosen("language"),
            service=self.chosen("service") or None,
            status=self.chosen("status") or None,
            escalate=self.chosen("escalate") or None,
            clear_escalation=self.chosen("clear") or None,
            note=self.query_one("#macro-note", Input).value,
            handover="person" if to else (handover or None),
            handover_to=to,
        )

    def refusal(self) -> str | None:
        try:
            operations.check_macro(self.written())
        except InvalidInput as error:
            return error.message
        return None

    @work(exclusive=True, group="macro-save")
    async def action_save(self) -> None:
        refusal = await self.save(self.written(), self.macro)
        if refusal is None:
            self.dismiss(True)
        else:
            self.refuse(refusal)
