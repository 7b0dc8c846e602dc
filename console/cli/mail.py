"""Customers' mail: `intake` takes it into tickets, `quarantine` holds what it could not."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

import click

from console.cli.options import CliContext, desk_command, desk_group, json_option
from console.cli.output import QUARANTINE, mail_line, progress
from console.errors import DomainError


def _watch(desk, folder) -> None:
    from console.mail.intake import watch_maildir

    def deferred(summary) -> None:
        click.echo(
            f"wmconsole: {summary.error}; {summary.deferred} mails wait in new/, "
            "trying again shortly",
            err=True,
        )

    click.echo(f"watching {folder.new} (ctrl+c stops)", err=True)
    with suppress(KeyboardInterrupt):
        watch_maildir(
            desk,
            folder,
            on_result=lambda result: click.echo(mail_line(result)),
            on_deferred=deferred,
        )


@desk_command()
@click.argument("maildir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--watch", is_flag=True, help="Keep running; take each mail as it arrives.")
@click.option(
    "--quarantine",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for mail that cannot be taken (default: the intake_quarantine "
    "setting, else MAILDIR/quarantine).",
)
def intake(cli: CliContext, maildir: Path, watch: bool, quarantine: Path | None) -> None:
    """Take customers' mail from MAILDIR/new into tickets, moving each to cur/.

    New mail opens an unconfirmed ticket and queues the confirmation e-mail;
    a reply to our mail, or a reply or [#NUMBER] tag from the ticket's own
    address, joins that ticket (a reply from anyone else is kept on it, marked
    as a third party's). Mail that cannot be taken is kept in the quarantine
    folder with the reason. Prints a summary; with --watch, a line per mail."""
    from console.mail.intake import Maildir, take_waiting

    desk = cli.desk
    folder = Maildir.open(maildir, quarantine or desk.settings.intake_quarantine)
    if watch:
        _watch(desk, folder)
        return
    with progress(len(folder.waiting()), "taking mail") as advance:
        summary = take_waiting(desk, folder, progress=advance)
    click.echo(str(summary))
    if summary.deferred:
        raise DomainError(
            f"{summary.error}; {summary.deferred} mails stay in new/ for the next run"
        )


@desk_group()
def quarantine() -> None:
    """Mail the intake could not take (supervisors and security officers)."""


@quarantine.command("list", acting=True)
@click.option("--all", "show_all", is_flag=True, help="Resolved ones too.")
@json_option
def quarantine_list(cli: CliContext, show_all: bool, as_json: bool) -> None:
    """Quarantined mail, newest first, with why it was not taken."""
    from console.operations.mail import list_quarantine

    rows = list_quarantine(cli.desk, by=cli.acting_login(), include_resolved=show_all)
    QUARANTINE.echo(rows, as_json=as_json)


@quarantine.command("resolve", acting=True)
@click.argument("quarantine_id", type=int)
@click.option("--note", required=True, metavar="TEXT", help="What was done about it.")
def quarantine_resolve(cli: CliContext, quarantine_id: int, note: str) -> None:
    """Mark a quarantined mail as dealt with (the file and the record stay)."""
    from console.operations.mail import resolve_quarantine

    resolve_quarantine(cli.desk, quarantine_id, by=cli.acting_login(), note=note)
