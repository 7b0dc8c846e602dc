"""The hotline: `call find` a caller's tickets, `call log` a call on one,
`call open` a ticket for a caller who has none, `call lines` the hotlines and
their hours."""

from __future__ import annotations

from pathlib import Path

import click

from console.cli.input import read_text
from console.cli.options import CliContext, desk_group, json_option, text_options
from console.cli.output import CALLER_TICKETS, call_logged_json, print_json

_urgent_option = click.option(
    "--urgent", is_flag=True, help="Raise the hotline escalation (a caller who cannot wait)."
)
_block_option = click.option(
    "--block",
    is_flag=True,
    help="The caller asks for a fraudster's WMID to be blocked: raises wmid_block, only on a "
    "ticket the customer wrote (a block needs the written request and the call).",
)


@desk_group()
def call() -> None:
    """The hotline: find a caller's tickets, log a call on one, or open one."""


@call.command("find")
@click.option("--wmid", metavar="W")
@click.option("--purse", metavar="P")
@click.option("--phone", metavar="N", help="As the caller ID shows it: +7 495 727-43-33.")
@json_option
def call_find(
    cli: CliContext, wmid: str | None, purse: str | None, phone: str | None, as_json: bool
) -> None:
    """The caller's tickets, newest first: by WMID, purse or phone (any of them)."""
    from console.reads.callers import callers_tickets

    found = callers_tickets(cli.desk.db, wmid=wmid, purse=purse, phone=phone)
    CALLER_TICKETS.echo(found, as_json=as_json)


@call.command("log", acting=True)
@click.argument("number", type=int)
@text_options
@click.option("--phone", metavar="N", help="The caller's number (noted on the ticket if new).")
@_urgent_option
@_block_option
@json_option
def call_log(
    cli: CliContext,
    number: int,
    file: Path | None,
    text: str | None,
    phone: str | None,
    urgent: bool,
    block: bool,
    as_json: bool,
) -> None:
    """Note a call in ticket N's thread (channel phone, by you, now)."""
    from console import operations

    note = read_text(file, text, "call note")
    logged = operations.log_call(
        cli.desk, number, note, by=cli.acting_login(), phone=phone, urgent=urgent, block=block
    )
    _print(logged, as_json)


@call.command("open", acting=True)
@click.option("--service", required=True, metavar="S")
@click.option("--subject", required=True, metavar="T")
@text_options
@click.option("--phone", metavar="N", help="The number the caller calls from.")
@click.option("--wmid", metavar="W", help="Answers go to it by WM Keeper.")
@click.option("--email", metavar="E", help="Answers go here when there is no WMID.")
@click.option("--name", metavar="NAME")
@click.option("--language", type=click.Choice(["ru", "en"]), help="Default: guessed from text.")
@_urgent_option
@_block_option
@json_option
def call_open(
    cli: CliContext,
    service: str,
    subject: str,
    file: Path | None,
    text: str | None,
    language: str | None,
    urgent: bool,
    block: bool,
    as_json: bool,
    **caller: str | None,
) -> None:
    """Open a ticket for a caller, the call's note its first message; you hold it.
    Prints the number."""
    from console import operations

    logged = operations.open_call_ticket(
        cli.desk,
        by=cli.acting_login(),
        service=service,
        subject=subject,
        note=read_text(file, text, "call note"),
        caller=operations.Caller(**caller),
        language=language,
        urgent=urgent,
        block=block,
    )
    _print(logged, as_json)


@call.command("lines")
def call_lines(cli: CliContext) -> None:
    """The hotlines, their hours, and whether each answers now."""
    from console.rules.hotlines import HOTLINES

    now = cli.desk.now()
    for line in HOTLINES:
        state = {True: "open now", False: "closed now", None: ""}[line.is_open(now)]
        click.echo(f"{line.country:<9} {', '.join(line.numbers):<36} {state:<11} {line.hours}")


def _print(logged, as_json: bool) -> None:
    if as_json:
        print_json(call_logged_json(logged))
    else:
        click.echo(logged.number)
