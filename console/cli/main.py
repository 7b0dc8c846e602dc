"""The root command: its options, and how a refusal becomes a line on stderr with
an exit code: 1 refused, 2 usage, 3 not found, 4 forbidden by role, 5 conflict,
6 the database cannot be opened, reached or written; a failure of the database
or the system is one sentence, its details in the log file. Every command goes through the same
domain operations as the screens."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import click

from console.cli.options import AS_HELP, CliContext, log_failures
from console.errors import DomainError
from console.failures import Failure, as_failure, record

# Every command: its module, its name there, and the summary `wmconsole --help`
# lists, so that only the command run is imported (listing them imports none).
# tests/test_cli_contract.py checks each summary against the command's own help.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "assign": (
        "console.cli.ticket",
        "assign",
        "Give a ticket to an operator, or --queue to put it back (supervisors).",
    ),
    "bench": (
        "console.cli.bench",
        "bench",
        "Speed and memory figures, measured on this machine.",
    ),
    "block": (
        "console.cli.blocks",
        "block",
        "Four-eyes WMID blocking: one requests, another supervisor or officer decides.",
    ),
    "call": (
        "console.cli.calls",
        "call",
        "The hotline: find a caller's tickets, log a call on one, or open one.",
    ),
    "confirm": (
        "console.cli.customer",
        "confirm",
        "Confirm a ticket with the code from the confirmation e-mail.",
    ),
    "customer": (
        "console.cli.customer",
        "customer",
        "What the customer does on the site's ticket page (these commands stand in for "
        "its buttons, as `confirm` stands in for the link in the e-mail).",
    ),
    "dashboard": (
        "console.cli.fullscreen",
        "dashboard",
        "Open the console on the supervisor dashboard (supervisors and security officers).",
    ),
    "db": (
        "console.cli.setup",
        "db",
        "The database schema.",
    ),
    "demo": (
        "console.cli.setup",
        "demo",
        "Load realistic demo data: operators of every role, templates, tickets.",
    ),
    "escalate": (
        "console.cli.ticket",
        "escalate",
        "Escalate: fraud, wmid_block, hacking, arbitration, hotline (or --clear one).",
    ),
    "expire": (
        "console.cli.customer",
        "expire",
        "Expire unconfirmed tickets older than 7 days and archive answered tickets with "
        "no word from the customer in 14 (run it from cron).",
    ),
    "intake": (
        "console.cli.mail",
        "intake",
        "Take customers' mail from MAILDIR/new into tickets, moving each to cur/.",
    ),
    "macro": (
        "console.cli.macros",
        "macro",
        "Named answers that do more than the text (supervisors edit them).",
    ),
    "marker": (
        "console.cli.markers",
        "marker",
        "Scam markers intake looks for in each mail (supervisors and security).",
    ),
    "notices": (
        "console.cli.notices",
        "notices",
        "The outbox: confirmations, answers and archive notices to customers.",
    ),
    "operator": (
        "console.cli.staff",
        "operator",
        "The people who work the desk.",
    ),
    "quarantine": (
        "console.cli.mail",
        "quarantine",
        "Mail the intake could not take (supervisors and security officers).",
    ),
    "reply": (
        "console.cli.ticket",
        "reply",
        "Reply to the customer (the ticket becomes answered), or add a --note. A ticket "
        "someone else holds takes --override-hold.",
    ),
    "stats": (
        "console.cli.stats",
        "stats",
        "The dashboard's numbers: open work, SLA, escalations waiting, operator load.",
    ),
    "status": (
        "console.cli.ticket",
        "status",
        "Set a status: on_hold, open (from on_hold or the archive), archived.",
    ),
    "take": (
        "console.cli.queue",
        "take",
        "Take a ticket (N) or the next one in the queue (--next); prints its number.",
    ),
    "template": (
        "console.cli.templates",
        "template",
        "Canned answers per service and language (supervisors edit them).",
    ),
    "ticket": (
        "console.cli.ticket",
        "ticket",
        "One ticket: `ticket N` shows it, `ticket new` opens one.",
    ),
    "tickets": (
        "console.cli.queue",
        "tickets",
        "List tickets in queue order. With no filter: what a new operator's console shows"
        " on opening (your work and the unassigned queue, live statuses only).",
    ),
}


class WmConsoleGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's own, from the summaries, each shortened as click shortens a
        command's help."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=summary).get_short_help_str(limit))
            for name, (_, _, summary) in sorted(COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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


@click.group(cls=WmConsoleGroup, invoke_without_command=True)
@click.option("--db", "db", metavar="URL", help="Database URL or SQLite path.")
@click.option("--as", "login", metavar="LOGIN", help=AS_HELP)
@click.version_option(package_name="wm-console")
@click.pass_context
def main(ctx: click.Context, db: str | None, login: str | None) -> None:
    """The wm-console support desk. With no command, opens the console."""
    ctx.obj = CliContext(db, login)
    if ctx.invoked_subcommand is None:
        from console.cli.fullscreen import open_console

        open_console(ctx.obj)
