"""The root command: its options, and how a refusal becomes a line on stderr with
an exit code: 1 refused, 2 usage, 3 not found, 4 forbidden by role, 5 conflict,
6 the database cannot be opened, reached or written; a failure of the database
or the system is one sentence, its details in the log file. Every command goes through the same
domain operations as the screens."""

from __future__ import annotations

from typing import Any

import click

from console.cli import (
    bench,
    blocks,
    calls,
    customer,
    fullscreen,
    macros,
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
from console.cli.options import AS_HELP, CliContext, log_failures
from console.errors import DomainError
from console.failures import Failure, as_failure, record

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
    macros.macro,
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


class WmConsoleGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Failure as failure:
            _say_failure(ctx, failure, failure.__cause__ or failure)
        except DomainError as error:
            click.echo(f"wmconsole: {error.message}", err=True)
            ctx.exit(error.exit_code)
        except Exception as error:
            failure = as_failure(error)
            if failure is None:
                raise
            _say_failure(ctx, failure, error)
        finally:
            cli_context = ctx.find_object(CliContext)
            if cli_context is not None:
                cli_context.close()


def _say_failure(ctx: click.Context, failure: Failure, cause: BaseException) -> None:
    """The database, its driver or the system failed: one sentence here, the
    details in the log file."""
    log_file = log_failures(ctx.find_object(CliContext))
    record(cause, f"wmconsole {ctx.invoked_subcommand or ''}".strip())
    click.echo(f"wmconsole: {failure.message} (details in {log_file})", err=True)
    ctx.exit(failure.exit_code)


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
