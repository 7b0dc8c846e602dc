"""Small modal questions: confirm, choose one, fill a few fields. Keyboard first:
enter answers, escape backs out, and nothing a customer wrote is ever read as markup."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from console.errors import InvalidInput
from screens.keymap import DIALOG, bindings_for
from screens.moving import Choices, Moving

V = TypeVar("V")


class ConfirmDialog(ModalScreen[bool]):
    """Yes or no for something urgent or irreversible; the safe answer is the default
    for nothing: enter or y confirms, escape or n backs out."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(
        self, title: str, body: Content | str, *, confirm: str = "Confirm", danger: bool = False
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.body = body if isinstance(body, Content) else Content(body)
        self.confirm_label = confirm
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Static(self.body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    Content(f"{self.confirm_label} (y)"),
                    variant="error" if self.danger else "primary",
                    id="confirm",
                )
                yield Button(Content("Cancel (n)"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


@dataclass(frozen=True)
class Choice(Generic[V]):
    value: V
    label: Content | str
    disabled: bool = False


class ChoiceDialog(Moving, ModalScreen[V | None], Generic[V]):
    """Pick one: the movement keys (j/k, g/G, ...), enter picks, escape backs out."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back", show=False), *bindings_for(DIALOG)]

    def __init__(self, title: str, choices: Sequence[Choice[V]], *, note: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.choices = list(choices)
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Choices(
                *(
                    Option(
                        c.label if isinstance(c.label, Content) else Content(c.label),
                        id=str(index),
                        disabled=c.disabled,
                    )
                    for index, c in enumerate(self.choices)
                ),
                classes="dialog-choices",
            )
            if self.note:
                yield Static(Content(self.note), classes="dialog-note")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        first = next((i for i, c in enumerate(self.choices) if not c.disabled), None)
        options.highlighted = first

    def default_mover(self) -> OptionList:
        return self.query_one(OptionList)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[int(event.option.id or 0)].value)


@dataclass(frozen=True)
class Field:
    """One line of a form. `check` turns the text into the value, or raises
    InvalidInput with what is expected (the domain's validators fit)."""

    name: str
    label: str
    placeholder: str = ""
    value: str = ""
    required: bool = True
    check: Callable[[str], Any] | None = None
    suggestions: tuple[str, ...] = ()


class Rechecked(ModalScreen[Any]):
    """A form whose refusal, once shown in #form-error, is checked again at each
    change: it goes as soon as what was typed is valid, or says what is wrong now."""

    _refused = False

    def refusal(self) -> str | None:
        """What is wrong with the values now (None: nothing)."""
        raise NotImplementedError

    def refuse(self, message: str | None) -> None:
        self._refused = message is not None
        self.query_one("#form-error", Static).update(Content(message or ""))

    def recheck(self) -> None:
        if self._refused:
            self.refuse(self.refusal())


def field_input(value: str = "", *, placeholder: str = "", id: str, blink: bool) -> Input:
    """A one-line field that keeps what is in it when Tab lands on it: the
    cursor goes to the end, nothing selected, so a key adds to the text."""
    line = Input(
        value=value, placeholder=placeholder, id=id, classes="dialog-input", select_on_focus=False
    )
    line.cursor_blink = blink
    return line


class FormDialog(Rechecked):
    """A few fields and a warning; enter moves on and, on the last field, submits."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back", show=False)]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        *,
        note: Content | str = "",
        submit: str = "OK",
        danger: bool = False,
        attempt: Callable[[dict[str, Any]], Awaitable[str | None]] | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.fields = list(fields)
        # Tried before the form closes: its refusal is shown here, nothing typed is lost.
        self.attempt = attempt
        self.note = note if isinstance(note, Content) else Content(note)
        self.submit_label = submit
        self.danger = danger

    def compose(self) -> ComposeResult:
        blink = getattr(self.app, "cursor_blink", True)
        with Vertical(classes="dialog-box"):
            yield Label(Content(self.title_text), classes="dialog-title")
            if self.note.plain:
                yield Static(self.note, classes="dialog-body")
            for field in self.fields:
                yield Label(Content(field.label), classes="dialog-label")
                yield field_input(
                    field.value,
                    placeholder=field.placeholder,
                    id=f"field-{field.name}",
                    blink=blink,
                )
                if field.suggestions:
                    yield Static(
                        Content("e.g. " + " · ".join(field.suggestions)), classes="dialog-note"
                    )
            yield Static(Content(""), id="form-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    Content(self.submit_label),
                    variant="error" if self.danger else "primary",
                    id="submit",
                )
                yield Button(Content("Cancel (esc)"), id="cancel")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
        else:
            self._submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self._submit()
        else:
            self.dismiss(None)

    def _values(self) -> tuple[dict[str, Any], Field | None, str | None]:
        """The values, or the first field that is wrong and why."""
        values: dict[str, Any] = {}
        for field in self.fields:
            text = self.query_one(f"#field-{field.name}", Input).value.strip()
            try:
                if not text:
                    if field.required:
                        raise InvalidInput(f"{field.label.lower()}: this cannot be empty")
                    values[field.name] = None
                    continue
                values[field.name] = field.check(text) if field.check else text
            except InvalidInput as error:
                return values, field, error.message
        return values, None, None

    def refusal(self) -> str | None:
        return self._values()[2]

    @on(Input.Changed)
    def _changed(self, _event: Input.Changed) -> None:
        self.recheck()

    def _submit(self) -> None:
        values, wrong, why = self._values()
        if wrong is not None:
            self.refuse(why)
            self.query_one(f"#field-{wrong.name}", Input).focus()
            return
        if self.attempt is None:
            self.dismiss(values)
        else:
            self._try(values)

    @work(exclusive=True, group="form-attempt")
    async def _try(self, values: dict[str, Any]) -> None:
        assert self.attempt is not None
        refusal = await self.attempt(values)
        if refusal is None:
            self.dismiss(values)
        else:
            self.refuse(refusal)


class AskNumber(FormDialog):
    """One ticket number."""

    def __init__(self, title: str, label: str) -> None:
        super().__init__(title, [Field("number", label, "e.g. 1000123", check=_ticket_number)])

    def _submit(self) -> None:
        text = self.query_one(Input).value.strip().lstrip("#")
        try:
            number = _ticket_number(text)
        except InvalidInput as error:
            self.refuse(error.message)
            return
        self.dismiss(number)  # type: ignore[arg-type]


def _ticket_number(text: str) -> int:
    text = text.strip().lstrip("#")
    # ASCII: isdigit() is true of ² and other digits int() does not read.
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise InvalidInput(f"a ticket number is digits 0-9, like 1000123; got {text!r}")
    return int(text)


class ChangedDialog(ModalScreen[bool]):
    """The ticket moved on after the reply was started: what changed, then send
    anyway (s) or go back and revise (escape). Nothing typed is lost either way."""

    BINDINGS = [
        Binding("s", "answer(True)", "Send anyway", show=False),
        Binding("escape,r", "answer(False)", "Revise", show=False),
    ]

    def __init__(self, number: int, lines: Sequence[Content], *, headline: str = "") -> None:
        super().__init__(classes="dialog")
        self.number = number
        self.lines = list(lines)
        self.headline = headline or (
            f"Ticket {number} changed after you started writing. Read what changed first:"
        )

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -wide"):
            yield Label(Content("Changed meanwhile"), classes="dialog-title -warning")
            yield Static(Content(self.headline), classes="dialog-body")
            yield Static(
                Content("\n").join(self.lines) if self.lines else Content("(another change)"),
                classes="dialog-changes",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Send anyway (s)"), variant="warning", id="send")
                yield Button(Content("Revise (esc)"), variant="primary", id="revise")

    def on_mount(self) -> None:
        self.query_one("#revise", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "send")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ReportDialog(ModalScreen[None]):
    """What happened, when a toast is too small for it (a bulk change with
    refusals, each with its reason): read it, then enter or escape."""

    BINDINGS = [Binding("escape,enter,q", "dismiss(None)", "Close", show=False)]

    def __init__(self, title: str, body: Content) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -wide"):
            yield Label(Content(self.title_text), classes="dialog-title -warning")
            yield Static(self.body, classes="dialog-changes")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("OK (enter)"), variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, _event: Button.Pressed) -> None:
        self.dismiss(None)
