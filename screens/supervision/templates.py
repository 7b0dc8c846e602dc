"""The templates operators answer with, per service and language: supervisors
write, edit, withdraw and restore them (nothing is deleted). Every change goes
through console/ (role-checked, audited); the list follows other consoles'."""

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

from console import operations
from console.errors import DomainError, InvalidInput
from console.rules.roles import Permission
from console.untrusted import one_line, visible
from models import Language, Service, Template
from screens.keymap import TEMPLATES, bindings_for
from screens.supervision.list_screen import ListScreen
from screens.ticket.view import when
from screens.widgets.columns import Column
from screens.widgets.dialogs import Choice, ChoiceDialog, Rechecked, field_input

PLACEHOLDER_HELP = (
    "Placeholders, filled in when the template is inserted: {ticket} the ticket number · "
    "{wmid} the customer's WMID · {name} the customer's name. Other braces are refused."
)


class _Kept(Protocol):
    """A template or a macro, as its list shows it."""

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


class TemplateScreen(PerService[Template]):
    ACTION_SCREEN = TEMPLATES
    BINDINGS = bindings_for(TEMPLATES)
    COLUMNS = (*KEPT_COLUMNS, Column("title", "TITLE"))
    TOPICS = frozenset({"template"})
    NOUN = "templates"
    OTHER_LIST = "m macros"

    listed = staticmethod(operations.list_templates)
    set_active = staticmethod(operations.set_template_active)

    def __init__(self) -> None:
        super().__init__("templates-screen")

    def cells(self, item: Template) -> list[Text]:
        return [*self.kept_cells(item), Text(one_line(item.title))]

    def detail(self, item: Template) -> Content:
        return Content.assemble(
            self.kept_head(item), visible(item.body), "\n\n", (PLACEHOLDER_HELP, "dim")
        )

    def action_macros(self) -> None:
        self.console.show_canned("macros")

    def action_new_template(self) -> None:
        if self.console.allowed(Permission.edit_templates):
            self.app.push_screen(TemplateForm(None, self._save))

    def action_edit_template(self) -> None:
        if not self.console.allowed(Permission.edit_templates):
            return
        template = self.current
        if template is None:
            self.console.notify("No template highlighted: n writes one.", markup=False)
            return
        self.app.push_screen(TemplateForm(template, self._save))

    def edit(self) -> None:
        self.action_edit_template()

    async def _save(self, values: dict[str, Any], template_id: int | None) -> str | None:
        app = self.console
        try:
            saved = await app.in_thread(
                partial(
                    operations.save_template,
                    app.desk,
                    by=app.login,
                    template_id=template_id,
                    **values,
                )
            )
        except DomainError as error:
            return error.message
        app.done(f"Saved the template {values['title']!r}.")
        self.call_later(self.load, saved)
        return None

    def action_toggle_template(self) -> None:
        self.toggle()


class TemplateForm(Rechecked):
    """One template: service, language, title and text. ctrl+s saves (the domain's
    refusal, say an unknown placeholder, is shown here with nothing lost)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", show=False, priority=True),
        Binding("escape", "dismiss(False)", "Cancel", show=False),
    ]

    def __init__(
        self,
        template: Template | None,
        save: Callable[[dict[str, Any], int | None], Any],
    ) -> None:
        super().__init__(classes="dialog")
        self.template = template
        self.save = save

    def compose(self) -> ComposeResult:
        template = self.template
        title = "New template" if template is None else f"Template {template.id}"
        with Vertical(classes="dialog-box -wide", id="template-form"):
            yield Label(Content(title), classes="dialog-title")
            with Horizontal(id="template-choices"):
                yield Select(
                    [("every service", "")] + [(s.value, s.value) for s in Service],
                    value=(template.service.value if template and template.service else ""),
                    allow_blank=False,
                    id="template-service",
                )
                yield Select(
                    [(language.value, language.value) for language in Language],
                    value=template.language.value if template else Language.ru.value,
                    allow_blank=False,
                    id="template-language",
                )
            yield Label(Content("Title"), classes="dialog-label")
            yield field_input(
                template.title if template else "",
                placeholder="what operators pick it by",
                id="template-title",
                blink=getattr(self.app, "cursor_blink", True),
            )
            yield Label(Content("Text"), classes="dialog-label")
            body = TextArea(template.body if template else "", id="template-body")
            body.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield body
            yield Static(Content(PLACEHOLDER_HELP), classes="dialog-note")
            yield Static(Content(""), id="form-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Save (ctrl+s)"), variant="primary", id="save")
                yield Button(Content("Cancel (esc)"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#template-title", Input).focus()

    @on(Input.Submitted, "#template-title")
    def _to_body(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#template-body", TextArea).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(False)

    def _values(self) -> dict[str, Any]:
        service = self.query_one("#template-service", Select).value
        return {
            "service": service or None,
            "language": str(self.query_one("#template-language", Select).value),
            "title": self.query_one("#template-title", Input).value,
            "body": self.query_one("#template-body", TextArea).text,
        }

    def refusal(self) -> str | None:
        values = self._values()
        try:
            operations.check_template(values["title"], values["body"])
        except InvalidInput as error:
            return error.message
        return None

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        self.recheck()

    @work(exclusive=True, group="template-save")
    async def action_save(self) -> None:
        values = self._values()
        if self.template is not None and values == _as_written(self.template):
            self.app.notify("Nothing to save: the template is as it was.", markup=False)
            self.dismiss(False)
            return
        refusal = await self.save(values, self.template.id if self.template else None)
        if refusal is None:
            self.dismiss(True)
        else:
            self.refuse(refusal)


def _as_written(template: Template) -> dict[str, Any]:
    return {
        "service": template.service.value if template.service else None,
        "language": template.language.value,
        "title": template.title,
        "body": template.body,
    }
