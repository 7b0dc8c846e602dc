"""The root command: its options, and how a refusal becomes a line on stderr with
an exit code: 1 refused, 2 usage, 3 not found, 4 forbidden by role, 5 conflict,
6 the database cannot be opened or reached. Every command goes through the same
domain operations as the screens."""

from __future__ import annotations

import sys
from typing import Any

import click

from console.cli import (
    bench,
    blocks,
    calls,
    customer,
    fullscreen,
    mail,
    markers,
    notices,
    queue,
    setup,
    staff,
    stats,
    templates,
    ticket,
)
from console.cli.options import AS_HELP, CliContext
from console.errors import DomainError

COMMANDS = (
    fullscreen.dashboard,
    setup.db,
    setup.demo,
    queue.tickets,
    queue.take,
    ticket.ticket,
    ticket.reply,
    ticket.status,
    ticket.assign,
    ticket.escalate,
    blocks.block,
    calls.call,
    templates.template,
    markers.marker,
    customer.confirm,
    customer.expire,
    customer.customer,
    mail.intake,
    mail.quarantine,
    notices.notices,
    staff.operator,
    stats.stats,
    bench.bench,
)


def _database_failure(error: Exception) -> bool:
    """Whether SQLAlchemy could not reach or use the database. It is looked up,
    not imported: an error from it means it is loaded, and `--help` never loads it."""
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_errors is not None and isinstance(error, sqlalchemy_errors.OperationalError)


class WmConsoleGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as error:
            click.echo(f"wmconsole: {error.message}", err=True)
            ctx.exit(error.exit_code)
        except Exception as error:
            if not _database_failure(error):
                raise
            from console.database import DatabaseError

            click.echo(f"wmconsole: cannot use the database: {error.orig or error}", err=True)
            ctx.exit(DatabaseError.exit_code)
        finally:
            cli_context = ctx.find_object(CliContext)
            if cli_context is not None:
                cli_context.close()


@click.group(cls=WmConsoleGroup, invoke_without_command=True, commands=COMMANDS)
@click.option("--db", "db", metavar="URL", help="Database URL or SQLite path.")
@click.option("--as", "login", metavar="LOGIN", help=AS_HELP)
@click.version_option(package_name="wm-console")
@click.pass_context
def main(ctx: click.Context, db: str | None, login: str | None) -> None:
    """The wm-console support desk. With no command, opens the console."""
    ctx.obj = CliContext(db, login)
    if ctx.invoked_subcommand is None:
        fullscreen.open_console(ctx.obj)
