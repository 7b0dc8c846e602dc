"""The outbox of notices to customers: `notices send`, `list`, `retry`."""

from __future__ import annotations

from contextlib import suppress

import click

from console.cli.options import CliContext, desk_group, json_option, limit_option
from console.cli.output import NOTICES, delivery_line


@desk_group()
def notices() -> None:
    """The outbox: confirmations, answers and archive notices to customers."""


@notices.command("send")
@click.option("--watch", is_flag=True, help="Keep running, sending notices as they fall due.")
def notices_send(cli: CliContext, watch: bool) -> None:
    """Deliver due notices: e-mail through SMTP, Keeper messages to the gateway's
    spool folder. A failed delivery is retried later with backoff."""
    from console.notices.outbox import send_due, send_forever

    desk = cli.desk
    if watch:
        click.echo("sending notices as they fall due (ctrl+c stops)", err=True)
        with suppress(KeyboardInterrupt):
            send_forever(desk, on_delivery=lambda d: click.echo(delivery_line(d)))
        return
    summary = send_due(desk, on_delivery=lambda d: click.echo(delivery_line(d)))
    click.echo(str(summary))


@notices.command("list")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["pending", "sending", "sent", "failed"]),
    help="Only these states (repeat for several).",
)
@click.option("--ticket", "number", type=int, help="Only this ticket's notices.")
@limit_option
@json_option
def notices_list(
    cli: CliContext, states: tuple[str, ...], number: int | None, limit: int, as_json: bool
) -> None:
    """The outbox, newest first, with attempts and the last error."""
    from console.reads.notices import list_notices
    from models import NoticeState

    rows = list_notices(
        cli.desk,
        states=frozenset(NoticeState(state) for state in states),
        number=number,
        limit=limit,
    )
    NOTICES.echo(rows, as_json=as_json)


@notices.command("retry", acting=True)
@click.argument("notice_id", type=int)
def notices_retry(cli: CliContext, notice_id: int) -> None:
    """Put a failed notice back in the outbox, due now."""
    from console import operations

    operations.retry_notice(cli.desk, notice_id, by=cli.acting_login())
