"""What templates and macros share: a list per service and language that
supervisors write, edit, withdraw and restore (nothing is deleted), and a form
that begins with where one is offered, its title and its text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, DataTable, Input, Label, Select, Static, TextArea

from console.rules.roles import Permission
from console.untrusted import one_line
from models import Language, Service
from screens.supervision.list_screen import ListScreen
from screens.ticket.view import when
from screens.widgets.columns import Column
from screens.widgets.dialogs import Choice, ChoiceDialog, Rechecked, field_input

PLACEHOLDER_HELP = (
    "Placeholders, filled in as it goes into a reply: {ticket} the ticket number · "
    "{wmid} the customer's WMID · {name} the customer's name. Other braces are refused."
)


class _Kept(Protocol):
    """A template or a macro, as its list and its form show it."""

    @property
    def id(self) -> int: ...

    @property
    def active(self) -> bool: ...

    @property
    def title(self) -> str: ...

    @property
    def service(self) -> Service | None: ...

    @property
    def language(self) -> Language: ...

    @property
    def body(self) -> str: ...

    @property
    def updated_at(self) -> datetime: ...


Kept = TypeVar("Kept", bound=_Kept)
# Where one is offered, and whether it is: the first columns of either list.
KEPT_COLUMNS = (
    Column("service", "SERVICE", 13),
    Column("language", "LANG", 4),
    Column("state", "STATE", 9),
)


class PerService(ListScreen[Kept]):
    """Canned answers per service and language (templates, macros): f picks which;
    m and t go from one list to the other. Each is written, withdrawn and
    restored by a supervisor; nothing is deleted."""

    NOUN = ""
    OTHER_LIST = ""

    def __init__(self, screen_id: str) -> None:
        super().__init__(screen_id)
        self.service: Service | None = None
        self.language: Language | None = None

    # The operations: what the list reads, and how one is withdrawn or restored.
    listed: Callable[..., list[Any]]
    set_active: Callable[..., None]

    def read(self) -> list[Kept]:
        return self.listed(
            self.console.desk, service=self.service, language=self.language, include_inactive=True
        )

    def kept_cells(self, item: Kept) -> list[Text]:
        """Where it is offered, and whether it is."""
        return [
            Text(item.service.value if item.service else "every"),
            Text(item.language.value),
            Text("in use" if item.active else "withdrawn"),
        ]

    def kept_head(self, item: Kept) -> Content:
        return Content.assemble(
            (one_line(item.title), "bold"),
            "\n",
            (
                f"{item.service.value if item.service else 'every service'} · "
                f"{item.language.value} · updated {when(item.updated_at)} UTC",
                "dim",
            ),
            "\n",
            ("" if item.active else "Withdrawn: not offered when answering (x restores it)\n"),
            "\n",
        )

    def show_title(self) -> None:
        withdrawn = sum(not item.active for item in self.items)
        service = self.service.value if self.service else "every service"
        language = self.language.value if self.language else "ru and en"
        self.set_title(
            Content.assemble(
                (self.NOUN.capitalize(), "bold"),
                ("  ·  ", "dim"),
                f"{service}, {language}: {len(self.items)}",
                f" ({withdrawn} withdrawn)" if withdrawn else "",
                ("  ·  f service/language  ·  ", "dim"),
                (self.OTHER_LIST, "dim"),
            )
        )

    def empty_words(self) -> str:
        return f"No {self.NOUN} here yet: n writes one."

    @work(exclusive=True, group="canned-filter")
    async def action_template_filter(self) -> None:
        # "" stands for every service (every language): None is backing out.
        services: list[Choice[str]] = [Choice("", "Every service")]
        services.extend(Choice(service.value, service.value) for service in Service)
        service = await self.app.push_screen_wait(
            ChoiceDialog(
                f"{self.NOUN.capitalize()} for",
                services,
                note=f"A service's list includes the {self.NOUN} for every service.",
            )
        )
        if service is None:
            return
        languages: list[Choice[str]] = [Choice("", "ru and en")]
        languages.extend(Choice(language.value, language.value) for language in Language)
        language = await self.app.push_screen_wait(ChoiceDialog("In", languages))
        if language is None:
            return
        self.service = Service(service) if service else None
        self.language = Language(language) if language else None
        self.load()

    @work(exclusive=True, group="canned-change")
    async def toggle(self) -> None:
        """Withdraw the highlighted one, or restore it."""
        if not self.console.allowed(Permission.edit_templates):
            return
        item = self.current
        if item is None:
            return
        app = self.console
        verb = "Restored" if not item.active else "Withdrew"
        await self.change(
            partial(self.set_active, app.desk, item.id, not item.active, by=app.login),
            f"{verb} the {self.NOUN[:-1]} {item.title!r}.",
        )

    def edit(self) -> None:
        """What enter on a row does: edit it."""
        raise NotImplementedError

    @on(DataTable.RowSelected)
    def _selected(self, _event: DataTable.RowSelected) -> None:
        self.edit()


class CannedForm(Rechecked):
    """A template's or a macro's form: service and language, title, text, then
    what the kind adds (more_fields). ctrl+s saves; a refusal shows here, with
    nothing lost, and goes as soon as the form is right."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", show=False, priority=True),
        Binding("escape", "dismiss(False)", "Cancel", show=False),
    ]
    # "template" or "macro": the form's title and its fields' ids.
    KIND = ""

    def __init__(self, item: _Kept | None) -> None:
        super().__init__(classes="dialog")
        self.item = item

    def compose(self) -> ComposeResult:
        item, kind = self.item, self.KIND
        blink = getattr(self.app, "cursor_blink", True)
        title = f"New {kind}" if item is None else f"{kind.capitalize()} {item.id}"
        with Vertical(classes="dialog-box -wide", id=f"{kind}-form"):
            yield Label(Content(title), classes="dialog-title")
            with Horizontal(classes="canned-choices"):
                yield Select(
                    [("every service", "")] + [(s.value, s.value) for s in Service],
                    value=item.service.value if item and item.service else "",
                    allow_blank=False,
                    id=f"{kind}-service",
                )
                yield Select(
                    [(language.value, language.value) for language in Language],
                    value=item.language.value if item else Language.ru.value,
                    allow_blank=False,
                    id=f"{kind}-language",
                )
            yield Label(Content("Title"), classes="dialog-label")
            yield field_input(
                item.title if item else "",
                placeholder="what operators pick it by",
                id=f"{kind}-title",
                blink=blink,
            )
            yield Label(Content("Text"), classes="dialog-label")
            body = TextArea(item.body if item else "", id=f"{kind}-body")
            body.cursor_blink = blink
            yield body
            yield from self.more_fields()
            yield Static(Content(PLACEHOLDER_HELP), classes="dialog-note")
            yield Static(Content(""), id="form-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Save (ctrl+s)"), variant="primary", id="save")
                yield Button(Content("Cancel (esc)"), id="cancel")

    def more_fields(self) -> ComposeResult:
        """The fields after the text (none for a template)."""
        yield from ()

    def chosen(self, field: str) -> str:
        """The value of one of the form's choices (`service`, `language`, ...)."""
        return str(self.query_one(f"#{self.KIND}-{field}", Select).value)

    def typed_title(self) -> str:
        return self.query_one(f"#{self.KIND}-title", Input).value

    def typed_body(self) -> str:
        return self.query_one(f"#{self.KIND}-body", TextArea).text

    def on_mount(self) -> None:
        self.query_one(f"#{self.KIND}-title", Input).focus()

    @on(Input.Submitted)
    def _to_body(self, event: Input.Submitted) -> None:
        if event.input.id == f"{self.KIND}-title":
            event.stop()
            self.query_one(f"#{self.KIND}-body", TextArea).focus()

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self.recheck()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(False)

    def action_save(self) -> None:
        """Save what the form says (each kind its own way), or show why not."""
        raise NotImplementedError
