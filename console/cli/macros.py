"""Macros, named answers that do more than the text: `macro list`, `save`,
`withdraw`, `restore`."""

from __future__ import annotations

from pathlib import Path

import click

from console.cli.input import read_text
from console.cli.options import CliContext, desk_group, json_option
from console.cli.output import MACROS

_ESCALATIONS = ["wmid_block", "fraud", "hacking", "arbitration", "hotline"]


@desk_group()
def macro() -> None:
    """Named answers that do more than the text (supervisors edit them).

    Per service and language, like templates: a text, and what else its answer
    does in the same transaction."""


@macro.command("list")
@click.option("--service", metavar="S", help="This service's macros and those for every one.")
@click.option("--language", type=click.Choice(["ru", "en"]))
@click.option("--all", "show_all", is_flag=True, help="Withdrawn macros too.")
@json_option
def macro_list(
    cli: CliContext, service: str | None, language: str | None, show_all: bool, as_json: bool
) -> None:
    """Macros by service, language and title, with what each does besides the text."""
    from console.operations.macros import list_macros
    from console.rules import validation
    from models import Language

    macros = list_macros(
        cli.desk,
        service=validation.service(service) if service else None,
        language=Language(language) if language else None,
        include_inactive=show_all,
    )
    MACROS.echo(macros, as_json=as_json)


@macro.command("save", acting=True)
@click.option("--id", "macro_id", type=int, metavar="ID", help="Change this macro.")
@click.option("--title", required=True)
@click.option("--language", required=True, type=click.Choice(["ru", "en"]))
@click.option("--service", metavar="S", help="Leave out for every service.")
@click.option("--file", type=click.Path(path_type=Path), help="The text ('-' for stdin).")
@click.option("--text", help="The text.")
@click.option(
    "--status", type=click.Choice(["on_hold", "archived"]), help="After the answer (else answered)."
)
@click.option("--escalate", type=click.Choice(_ESCALATIONS), help="Raise this escalation.")
@click.option(
    "--clear", "clear_escalation", type=click.Choice(_ESCALATIONS), help="Clear this one."
)
@click.option("--note", help="An internal note added with the answer.")
@click.option("--take", "handover", flag_value="take", help="Whoever answers holds the ticket.")
@click.option("--to-queue", "handover", flag_value="queue", help="Back to the queue after.")
@click.option("--assign", "handover_to", metavar="LOGIN", help="Hand the ticket to LOGIN after.")
def macro_save(
    cli: CliContext,
    macro_id: int | None,
    title: str,
    language: str,
    service: str | None,
    file: Path | None,
    text: str | None,
    status: str | None,
    escalate: str | None,
    clear_escalation: str | None,
    note: str | None,
    handover: str | None,
    handover_to: str | None,
) -> None:
    """Add a macro (or change one with --id); prints its id. Placeholders in the
    text and the note: {ticket}, {wmid}, {name}. Supervisors."""
    from console.operations.macros import MacroText, save_macro

    written = MacroText(
        title=title,
        body=read_text(file, text, "macro text"),
        language=language,
        service=service,
        status=status,
        escalate=escalate,
        clear_escalation=clear_escalation,
        note=note,
        handover="person" if handover_to else handover,
        handover_to=handover_to,
    )
    click.echo(save_macro(cli.desk, written, by=cli.acting_login(), macro_id=macro_id))


@macro.command("withdraw", acting=True)
@click.argument("macro_id", type=int)
def macro_withdraw(cli: CliContext, macro_id: int) -> None:
    """No longer offer a macro (it is kept; `restore` brings it back)."""
    from console.operations.macros import set_macro_active

    set_macro_active(cli.desk, macro_id, False, by=cli.acting_login())


@macro.command("restore", acting=True)
@click.argument("macro_id", type=int)
def macro_restore(cli: CliContext, macro_id: int) -> None:
    """Offer a withdrawn macro again."""
    from console.operations.macros import set_macro_active

    set_macro_active(cli.desk, macro_id, True, by=cli.acting_login())
