"""Canned answers: `template list`, `save`, `withdraw`, `restore`."""

from __future__ import annotations

from pathlib import Path

import click

from console.cli.input import read_text
from console.cli.options import CliContext, desk_group, json_option
from console.cli.output import TEMPLATES


@desk_group()
def template() -> None:
    """Canned answers per service and language (supervisors edit them)."""


@template.command("list")
@click.option("--service", metavar="S", help="This service's templates and those for every one.")
@click.option("--language", type=click.Choice(["ru", "en"]))
@click.option("--all", "show_all", is_flag=True, help="Withdrawn templates too.")
@json_option
def template_list(
    cli: CliContext, service: str | None, language: str | None, show_all: bool, as_json: bool
) -> None:
    """Templates by service, language and title."""
    from console import operations
    from console.rules import validation
    from models import Language

    templates = operations.list_templates(
        cli.desk,
        service=validation.service(service) if service else None,
        language=Language(language) if language else None,
        include_inactive=show_all,
    )
    TEMPLATES.echo(templates, as_json=as_json)


@template.command("save", acting=True)
@click.option("--id", "template_id", type=int, metavar="ID", help="Change this template.")
@click.option("--title", required=True)
@click.option("--language", required=True, type=click.Choice(["ru", "en"]))
@click.option("--service", metavar="S", help="Leave out for every service.")
@click.option("--file", type=click.Path(path_type=Path), help="The body ('-' for stdin).")
@click.option("--text", help="The body.")
def template_save(
    cli: CliContext,
    template_id: int | None,
    title: str,
    language: str,
    service: str | None,
    file: Path | None,
    text: str | None,
) -> None:
    """Add a template (or change one with --id); prints its id. Placeholders:
    {ticket}, {wmid}, {name}."""
    from console import operations

    body = read_text(file, text, "template body")
    click.echo(
        operations.save_template(
            cli.desk,
            by=cli.acting_login(),
            title=title,
            body=body,
            language=language,
            service=service,
            template_id=template_id,
        )
    )


@template.command("withdraw", acting=True)
@click.argument("template_id", type=int)
def template_withdraw(cli: CliContext, template_id: int) -> None:
    """No longer offer a template (it is kept; `restore` brings it back)."""
    from console import operations

    operations.set_template_active(cli.desk, template_id, False, by=cli.acting_login())


@template.command("restore", acting=True)
@click.argument("template_id", type=int)
def template_restore(cli: CliContext, template_id: int) -> None:
    from console import operations

    operations.set_template_active(cli.desk, template_id, True, by=cli.acting_login())
