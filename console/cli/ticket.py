"""One ticket: `ticket N` shows it, `ticket new` opens one; `reply`, `status`,
`assign` and `escalate` act on it."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click

from console.cli.input import kept_as_draft, read_text, typed
from console.cli.options import (
    CliContext,
    DeskGroup,
    desk_command,
    expected_version_option,
    json_option,
    text_options,
)
from console.cli.output import created_ticket_json, print_json, ticket_json


class _TicketGroup(DeskGroup):
    """`wmconsole ticket 123456` is `wmconsole ticket show 123456`."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0].isdigit():
            return "show", self.commands["show"], args
        return super().resolve_command(ctx, args)


@click.group(cls=_TicketGroup)
def ticket() -> None:
    """One ticket: `ticket N` shows it, `ticket new` opens one."""


@ticket.command("show")
@click.argument("number", type=int)
@json_option
def ticket_show(cli: CliContext, number: int, as_json: bool) -> None:
    """The ticket with its messages, escalations and audit trail."""
    if as_json and _quickly(cli, number):
        return
    from console.formatting import ticket_text
    from console.reads.ticket import load_ticket

    desk = cli.desk
    detail = load_ticket(desk.db, number)
    if as_json:
        print_json(ticket_json(detail, desk.sla, desk.now()))
    else:
        click.echo(ticket_text(detail, desk.sla, desk.now()))


def _quickly(cli: CliContext, number: int) -> bool:
    """`ticket N --json` on the DB-API alone (console.reads.quick); False when the
    quick path does not cover it. The text takes the full path."""
    from datetime import UTC, datetime

    from console.reads import quick
    from console.settings import load_settings

    settings = load_settings()
    detail = quick.ticket(cli.db_url or settings.db, number)
    if detail is None:
        return False
    print_json(ticket_json(detail, settings.sla, datetime.now(UTC)))
    return True


@ticket.command("new")
@click.option("--service", required=True, metavar="S")
@click.option("--subject", required=True, metavar="T")
@click.option("--email", metavar="E", help="The customer's e-mail.")
@click.option("--wmid", metavar="W", help="Given when the customer is signed in.")
@click.option("--purse", metavar="P")
@click.option("--name", metavar="NAME")
@click.option("--phone", metavar="N", help="The customer's phone: +7 495 727-43-33.")
@click.option("--channel", type=click.Choice(["keeper", "email"]), help="For answer notices.")
@click.option("--language", type=click.Choice(["ru", "en"]), help="Default: guessed from text.")
@text_options
@json_option
def ticket_new(
    cli: CliContext,
    file: Path | None,
    text: str | None,
    as_json: bool,
    **form: str | None,  # --service to --language: the form's fields, as create_ticket names them
) -> None:
    """Open a ticket as the site's feedback form does; prints the new number.

    Confirmed at once when the customer is signed in (--wmid); otherwise
    unconfirmed, with a confirmation e-mail queued."""
    from console.operations import create_ticket

    body = read_text(file, text, "message")
    created = create_ticket(cli.desk, body=body, **form)
    if as_json:
        print_json(created_ticket_json(created))
    else:
        click.echo(created.number)


@desk_command(acting=True)
@click.argument("number", type=int)
@text_options
@click.option("--note", is_flag=True, help="An internal note, not sent to the customer.")
@click.option(
    "--override-hold",
    is_flag=True,
    help="Reply although someone else holds the ticket (the audit records it).",
)
@expected_version_option
def reply(
    cli: CliContext,
    number: int,
    file: Path | None,
    text: str | None,
    note: bool,
    override_hold: bool,
    expected_version: int | None,
) -> None:
    """Reply to the customer (the ticket becomes answered), or add a --note.
    A ticket someone else holds takes --override-hold."""
    from console import operations

    body = read_text(file, text, "reply")
    login = cli.acting_login()
    kind = "note" if note else "reply"
    keeping = (
        kept_as_draft(cli.desk, number, body, login=login, kind=kind, version=expected_version)
        if typed(file)
        else nullcontext()
    )
    with keeping:
        if note:
            operations.note(cli.desk, number, body, by=login)
        else:
            operations.reply(
                cli.desk,
                number,
                body,
                by=login,
                expected_version=expected_version,
                override_hold=override_hold,
            )


@desk_command(acting=True)
@click.argument("number", type=int)
@click.argument("status")
@click.option("--reason", metavar="R", help="Required for archived (spam, duplicate, ...).")
@expected_version_option
def status(
    cli: CliContext, number: int, status: str, reason: str | None, expected_version: int | None
) -> None:
    """Set a status: on_hold, open (from on_hold or the archive), archived."""
    from console import operations

    operations.set_status(
        cli.desk,
        number,
        status,
        by=cli.acting_login(),
        reason=reason,
        expected_version=expected_version,
    )


@desk_command(acting=True)
@click.argument("number", type=int)
@click.argument("login", required=False)
@click.option("--queue", "to_queue", is_flag=True, help="Back to the unassigned queue.")
@expected_version_option
def assign(
    cli: CliContext,
    number: int,
    login: str | None,
    to_queue: bool,
    expected_version: int | None,
) -> None:
    """Give a ticket to an operator, or --queue to put it back (supervisors)."""
    from console import operations

    if (login is None) == (not to_queue):
        raise click.UsageError("give an operator's login or --queue")
    operations.assign(
        cli.desk, number, to=login, by=cli.acting_login(), expected_version=expected_version
    )


@desk_command(acting=True)
@click.argument("number", type=int)
@click.argument("kind")
@click.option("--reason", required=True, metavar="R")
@click.option("--clear", is_flag=True, help="Clear this escalation instead of raising it.")
def escalate(cli: CliContext, number: int, kind: str, reason: str, clear: bool) -> None:
    """Escalate: fraud, wmid_block, hacking, arbitration, hotline (or --clear one)."""
    from console import operations

    if clear:
        operations.clear_escalation(cli.desk, number, kind, reason, by=cli.acting_login())
    else:
        operations.escalate(cli.desk, number, kind, reason, by=cli.acting_login())
