"""The one confirmation before a reply goes out: everything it does and
everything that happened since the writer began, then y — or, on a ticket
someone else holds, o, which names them: y alone never goes over their hold."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

SEND = "send"
OVERRIDE = "override"


class SendDialog(ModalScreen[str | None]):
    """Answers SEND, OVERRIDE (reply over `holder`'s hold) or None (back to writing)."""

    BINDINGS = [
        Binding("y,enter", "send", "Send", show=False),
        Binding("o", "override", "Over the hold", show=False),
        Binding("n,escape", "dismiss(None)", "Back", show=False),
    ]

    def __init__(
        self,
        title: str,
        body: Content,
        *,
        confirm: str,
        holder: str | None = None,
        warning: bool = False,
    ) -> None:
        super().__init__(classes="dialog send-dialog")
        self.title_text = title
        self.body = body
        self.confirm_words = confirm
        self.holder = holder
        self.warning = warning

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box -wide"):
            title_classes = "dialog-title -warning" if self.warning else "dialog-title"
            yield Label(Content(self.title_text), classes=title_classes)
            with VerticalScroll(classes="send-body"):
                yield Static(self.body)
            yield Static(Content(""), id="send-refusal", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                if self.holder is None:
                    yield Button(Content(f"{self.confirm_words} (y)"), variant="primary", id=SEND)
                else:
                    yield Button(
                        Content(f"Reply over {self.holder}'s hold (o)"),
                        variant="warning",
                        id=OVERRIDE,
                    )
                yield Button(Content("Back to the text (n)"), id="back")

    def on_mount(self) -> None:
        self.query_one("#send-refusal").display = False
        self.query_one("#back" if self.holder else f"#{SEND}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id if event.button.id in (SEND, OVERRIDE) else None)

    def action_send(self) -> None:
        if self.holder is None:
            self.dismiss(SEND)
            return
        # Enter on the focused button presses it; y (or enter elsewhere) is no override.
        refusal = self.query_one("#send-refusal", Static)
        refusal.display = True
        refusal.update(
            Content(
                f"{self.holder} holds this ticket: o replies over their hold (the audit "
                "records it), n goes back to the text."
            )
        )

    def action_override(self) -> None:
        if self.holder is not None:
            self.dismiss(OVERRIDE)
