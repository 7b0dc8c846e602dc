"""The templates operators answer with, per service and language: supervisors
write, edit, withdraw and restore them (nothing is deleted). Every change goes
through console/ (role-checked, audited); the list follows other consoles'."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from rich.text import Text
from textual import work
from textual.content import Content

from console import operations
from console.errors import DomainError, InvalidInput
from console.rules.roles import Permission
from console.untrusted import one_line, visible
from models import Template
from screens.keymap import TEMPLATES, bindings_for
from screens.supervision.canned import KEPT_COLUMNS, PLACEHOLDER_HELP, CannedForm, PerService
from screens.widgets.columns import Column


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


class TemplateForm(CannedForm):
    """One template: service, language, title and text (the domain's refusal,
    say an unknown placeholder, is shown here with nothing lost)."""

    KIND = "template"

    def __init__(
        self,
        template: Template | None,
        save: Callable[[dict[str, Any], int | None], Any],
    ) -> None:
        super().__init__(template)
        self.template = template
        self.save = save

    def _values(self) -> dict[str, Any]:
        return {
            "service": self.chosen("service") or None,
            "language": self.chosen("language"),
            "title": self.typed_title(),
            "body": self.typed_body(),
        }

    def refusal(self) -> str | None:
        values = self._values()
        try:
            operations.check_template(values["title"], values["body"])
        except InvalidInput as error:
            return error.message
        return None

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
