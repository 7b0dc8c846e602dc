"""The supervisors' material: the templates operators answer with, and the scam
markers intake flags mail by. Each a list to move in with the highlighted one
in full beside it; every change goes through console/ (role-checked, audited)
and nothing is deleted: a template is withdrawn, a marker disabled, and either
can come back. Both lists follow other consoles' changes live."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static, TextArea

from console import operations
from console.errors import DomainError
from console.formatting import fit
from console.rules import validation
from console.rules.roles import Permission
from console.untrusted import one_line, visible
from models import Language, ScamMarker, Service, Template
from screens.keymap import MARKERS, TEMPLATES, bindings_for
from screens.messages import TicketsChanged
from screens.ticket.view import when
from screens.widgets.dialogs import Choice, ChoiceDialog, Field, FormDialog
from screens.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from screens.app import WmConsole

WIDE = 150
PLACEHOLDER_HELP = (
    "Placeholders, filled in when the template is inserted: {ticket} the ticket number · "
    "{wmid} the customer's WMID · {name} the customer's name. Other braces are refused."
)
Item = TypeVar("Item", Template, ScamMarker)


class _ListScreen(Screen, Generic[Item]):
    """A table of items, the highlighted one in full, live from the database."""

    TOPIC = ""

    def __init__(self, screen_id: str) -> None:
        super().__init__(id=screen_id)
        self.items: list[Item] = []
        self.loaded = False

    @property
    def console(self) -> WmConsole:
        return self.app  # type: ignore[return-value]

    def compose_list(self, screen_name: str) -> ComposeResult:
        yield Static(id=f"{screen_name}-title")
        with Container(classes="supervision-panes"):
            yield DataTable(classes="supervision-table", cursor_type="row")
            with VerticalScroll(classes="supervision-detail"):
                yield Static(Content("Loading…"), classes="supervision-item")
        yield KeyBar(screen_name)

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    @property
    def current(self) -> Item | None:
        if not self.items:
            return None
        return self.items[min(max(self.table.cursor_row, 0), len(self.items) - 1)]

    def on_mount(self) -> None:
        self.table.focus()
        self._load()

    def on_resize(self, event: Resize) -> None:
        wide = event.size.width >= WIDE
        self.set_class(wide, "-wide")
        self.set_class(not wide, "-stacked")
        if self.loaded:
            self.call_after_refresh(self._fill)

    def read(self) -> list[Item]:
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="list-load", exit_on_error=False)
    def _load(self) -> None:
        items = self.read()
        self.app.call_from_thread(self._show, items)

    def _show(self, items: list[Item], *, on_id: int | None = None) -> None:
        keep = on_id if on_id is not None else (self.current.id if self.current else None)
        self.items = items
        self.loaded = True
        self._fill()
        row = next((i for i, item in enumerate(items) if item.id == keep), 0)
        if items:
            self.table.move_cursor(row=row, animate=False)
        self.show_title()
        self._show_current()

    def _fill(self) -> None:
        table = self.table
        table.clear(columns=True)
        fixed, columns = self.columns()
        rest = max(table.size.width - sum(w + 2 for _, w in fixed) - 3, 16)
        for title, width in fixed:
            table.add_column(Text(title), width=width)
        table.add_column(Text(columns), width=rest)
        for item in self.items:
            table.add_row(*(Text(cell) for cell in self.cells(item, rest)), key=str(item.id))

    def columns(self) -> tuple[list[tuple[str, int]], str]:
        raise NotImplementedError

    def cells(self, item: Item, rest: int) -> list[str]:
        raise NotImplementedError

    def show_title(self) -> None:
        raise NotImplementedError

    def detail(self, item: Item) -> Content:
        raise NotImplementedError

    @on(DataTable.RowHighlighted)
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_current()

    def _show_current(self) -> None:
        item = self.current
        shown = self.query_one(".supervision-item", Static)
        shown.update(self.detail(item) if item is not None else Content(self.empty_words()))

    def empty_words(self) -> str:
        raise NotImplementedError

    @on(TicketsChanged)
    def _changed(self, event: TicketsChanged) -> None:
        if self.TOPIC in event.topics or "demo" in event.topics:
            self._load()

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self._load()

    async def change(self, work_: Callable[[], Any], success: str) -> int | None:
        """Run a change off the UI thread; the domain's refusal is a toast."""
        app = self.console
        try:
            result = await app.in_thread(work_)
        except DomainError as error:
            app.refuse(error)
            return None
        app.done(success)
        self._load()
        return result if isinstance(result, int) else 0


# Templates -------------------------------------------------------------------------


class TemplateScreen(_ListScreen[Template]):
    ACTION_SCREEN = TEMPLATES
    BINDINGS = bindings_for(TEMPLATES)
    TOPIC = "template"

    def __init__(self) -> None:
        super().__init__("templates-screen")
        self.service: Service | None = None
        self.language: Language | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_list(TEMPLATES)

    def read(self) -> list[Template]:
        return operations.list_templates(
            self.console.desk,
            service=self.service,
            language=self.language,
            include_inactive=True,
        )

    def columns(self) -> tuple[list[tuple[str, int]], str]:
        return [("SERVICE", 13), ("LANG", 4), ("STATE", 9)], "TITLE"

    def cells(self, item: Template, rest: int) -> list[str]:
        return [
            item.service.value if item.service else "every",
            item.language.value,
            "in use" if item.active else "withdrawn",
            fit(one_line(item.title), rest),
        ]

    def show_title(self) -> None:
        withdrawn = sum(not t.active for t in self.items)
        service = self.service.value if self.service else "every service"
        language = self.language.value if self.language else "ru and en"
        self.query_one("#templates-title", Static).update(
            Content.assemble(
                ("Templates", "bold"),
                ("  ·  ", "dim"),
                f"{service}, {language}: {len(self.items)}",
                f" ({withdrawn} withdrawn)" if withdrawn else "",
                ("  ·  f service/language", "dim"),
            )
        )

    def empty_words(self) -> str:
        return "No templates here yet: n writes one."

    def detail(self, item: Template) -> Content:
        return Content.assemble(
            (one_line(item.title), "bold"),
            "\n",
            (
                f"{item.service.value if item.service else 'every service'} · "
                f"{item.language.value} · updated {when(item.updated_at)} UTC",
                "dim",
            ),
            "\n",
            ("" if item.active else "Withdrawn: not offered when replying (x restores it)\n"),
            "\n",
            visible(item.body),
            "\n\n",
            (PLACEHOLDER_HELP, "dim"),
        )

    @work(exclusive=True, group="template-filter")
    async def action_template_filter(self) -> None:
        # "" stands for every service (every language): None is backing out.
        services: list[Choice[str]] = [Choice("", "Every service")]
        services.extend(Choice(service.value, service.value) for service in Service)
        service = await self.app.push_screen_wait(
            ChoiceDialog(
                "Templates for",
                services,
                note="A service's list includes the templates for every service.",
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
        self._load()

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

    @on(DataTable.RowSelected)
    def _selected(self, _event: DataTable.RowSelected) -> None:
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
        self.call_later(self._reload_on, saved)
        return None

    def _reload_on(self, template_id: int) -> None:
        self._load_on(template_id)

    @work(thread=True, exclusive=True, group="list-load", exit_on_error=False)
    def _load_on(self, template_id: int) -> None:
        items = self.read()
        self.app.call_from_thread(partial(self._show, items, on_id=template_id))

    @work(exclusive=True, group="template-change")
    async def action_toggle_template(self) -> None:
        if not self.console.allowed(Permission.edit_templates):
            return
        template = self.current
        if template is None:
            return
        app = self.console
        verb = "Restored" if not template.active else "Withdrew"
        await self.change(
            partial(
                operations.set_template_active,
                app.desk,
                template.id,
                not template.active,
                by=app.login,
            ),
            f"{verb} the template {template.title!r}.",
        )


class TemplateForm(ModalScreen[bool]):
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
            title_input = Input(
                value=template.title if template else "",
                placeholder="what operators pick it by",
                id="template-title",
                classes="dialog-input",
            )
            title_input.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield title_input
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

    @work(exclusive=True, group="template-save")
    async def action_save(self) -> None:
        service = self.query_one("#template-service", Select).value
        values = {
            "service": service or None,
            "language": str(self.query_one("#template-language", Select).value),
            "title": self.query_one("#template-title", Input).value,
            "body": self.query_one("#template-body", TextArea).text,
        }
        refusal = await self.save(values, self.template.id if self.template else None)
        if refusal is None:
            self.dismiss(True)
        else:
            self.query_one("#form-error", Static).update(Content(refusal))


# Scam markers --------------------------------------------------------------------------


class MarkerScreen(_ListScreen[ScamMarker]):
    ACTION_SCREEN = MARKERS
    BINDINGS = bindings_for(MARKERS)
    TOPIC = "marker"

    def __init__(self) -> None:
        super().__init__("markers-screen")

    def compose(self) -> ComposeResult:
        yield from self.compose_list(MARKERS)

    def read(self) -> list[ScamMarker]:
        return operations.list_markers(self.console.desk, include_inactive=True)

    def columns(self) -> tuple[list[tuple[str, int]], str]:
        return [("ID", 4), ("KIND", 5), ("STATE", 8), ("PATTERN", 24)], "DESCRIPTION"

    def cells(self, item: ScamMarker, rest: int) -> list[str]:
        return [
            str(item.id),
            "regex" if item.is_regex else "text",
            "on" if item.active else "disabled",
            fit(one_line(item.pattern), 24),
            fit(one_line(item.description), rest),
        ]

    def show_title(self) -> None:
        on_count = sum(m.active for m in self.items)
        self.query_one("#markers-title", Static).update(
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
            self._load_on(self._added)

    @work(thread=True, exclusive=True, group="list-load", exit_on_error=False)
    def _load_on(self, marker_id: int) -> None:
        items = self.read()
        self.app.call_from_thread(partial(self._show, items, on_id=marker_id))

    @work(exclusive=True, group="marker-change")
    async def action_toggle_marker(self) -> None:
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
