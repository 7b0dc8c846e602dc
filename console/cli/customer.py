"""The customer's side, which the site's pages and e-mails stand in for: `confirm`,
`customer archive`/`extract`, and `expire` for the days that pass without a word."""

from __future__ import annotations

import click

from console.cli.options import CliContext, desk_command, desk_group


@desk_command()
@click.argument("token")
def confirm(cli: CliContext, token: str) -> None:
    """Confirm a ticket with the code from the confirmation e-mail."""
    from console import operations

    click.echo(operations.confirm(cli.desk, token))


@desk_command()
def expire(cli: CliContext) -> None:
    """Expire unconfirmed tickets older than 7 days and archive answered tickets
    with no word from the customer in 14 (run it from cron)."""
    from console import operations

    expired = operations.expire_unconfirmed(cli.desk)
    archived = operations.archive_answered(cli.desk)
    click.echo(f"expired {len(expired)} unconfirmed, archived {len(archived)} answered")


@desk_group()
def customer() -> None:
    """What the customer does on the site's ticket page (these commands stand in
    for its buttons, as `confirm` stands in for the link in the e-mail)."""


@customer.command("archive")
@click.argument("number", type=int)
def customer_archive(cli: CliContext, number: int) -> None:
    """The customer moves their ticket to the archive."""
    from console import operations

    operations.customer_archive(cli.desk, number)


@customer.command("extract")
@click.argument("number", type=int)
def customer_extract(cli: CliContext, number: int) -> None:
    """The customer takes their ticket out of the archive; it opens again."""
    from console import operations

    operations.extract(cli.desk, number, by=None)
