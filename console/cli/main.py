"""`wmconsole`: the console itself, and a scripting command line like RT's `rt`.

Every command goes through the same domain operations as the screens.
Refusals go to stderr with a non-zero exit: 1 refused, 2 usage, 3 not found,
4 forbidden by role, 5 conflict, 6 the database cannot be opened or reached.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import OperationalError

from console.database import DatabaseError
from console.errors import DomainError, NotFound

EXIT_USAGE = 2


class CliContext:
    """What the root options said; the desk is opened on first use."""

    def __init__(self, db: str | None, login: str | None) -> None:
        self.db_url = db
        self.login = login
        self._desk = None

    @property
    def desk(self):
        if self._desk is None:
            from console.desk import open_desk

            self._desk = open_desk(self.db_url)
        return self._desk

    def acting_login(self) -> str:
        """Who this command acts for: --as, else who the database says you are
        (your PostgreSQL login, or your OS account on SQLite). --as someone
        else is refused: one person cannot act as another (the owner of a
        SQLite file aside)."""
        identity = self.desk.db.identity
        login = self.login or identity.login
        identity.check(login)
        return login

    def close(self) -> None:
        if self._desk is not None:
            self._desk.close()


def _db_option(command: Callable) -> Callable:
    """--db on every command, so scripts may put it where they like."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value:
            ctx.find_object(CliContext).db_url = value

    return click.option(
        "--db",
        "db",
        metavar="URL",
        expose_value=False,
        callback=remember,
        help="Database URL or SQLite path (default: WMCONSOLE_DB, the config file, "
        "or a file in the user data dir).",
    )(command)


_AS_HELP = "Act as this operator (default: your PostgreSQL login, or OS account on SQLite)."


def _as_option(command: Callable) -> Callable:
    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value:
            ctx.find_object(CliContext).login = value

    return click.option(
        "--as",
        "as_login",
        metavar="LOGIN",
        expose_value=False,
        callback=remember,
        help=_AS_HELP,
    )(command)


def _json_option(command: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)


def _print_json(value: Any) -> None:
    from console.json_values import json_value
    from console.untrusted import json_safe

    click.echo(json_safe(json.dumps(json_value(value), ensure_ascii=False, indent=2)))


def _read_text(file: Path | None, text: str | None, what: str) -> str:
    if (file is None) == (text is None):
        raise click.UsageError(f"give the {what} with exactly one of --file or --text")
    if text is not None:
        return text
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.BadParameter(f"cannot read {file}: {error}") from None


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal, plain log lines (every tenth) when not."""
    if sys.stderr.isatty():
        with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
            shown = 0

            def advance(done: int, _total: int) -> None:
                nonlocal shown
                bar.update(done - shown)
                shown = done

            yield advance
        return
    reported = -1

    def log(done: int, total_: int) -> None:
        nonlocal reported
        tenth = done * 10 // max(total_, 1)
        if tenth != reported:
            reported = tenth
            click.echo(f"{label}: {done}/{total_}", err=True)

    yield log


class WmConsoleGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as error:
            click.echo(f"wmconsole: {error.message}", err=True)
            ctx.exit(error.exit_code)
        except OperationalError as error:
            click.echo(f"wmconsole: cannot use the database: {error.orig or error}", err=True)
            ctx.exit(DatabaseError.exit_code)
        finally:
            cli_context = ctx.find_object(CliContext)
            if cli_context is not None:
                cli_context.close()


@click.group(cls=WmConsoleGroup, invoke_without_command=True)
@click.option("--db", "db", metavar="URL", help="Database URL or SQLite path.")
@click.option("--as", "login", metavar="LOGIN", help=_AS_HELP)
@click.version_option(package_name="wm-console")
@click.pass_context
def main(ctx: click.Context, db: str | None, login: str | None) -> None:
    """The wm-console support desk. With no command, opens the console."""
    ctx.obj = CliContext(db, login)
    if ctx.invoked_subcommand is None:
        _open_console(ctx.obj)


def _open_console(cli: CliContext, *, dashboard: bool = False) -> None:
    from console.operations import get_operator
    from console.rules.roles import Permission, require

    login = cli.acting_login()
    try:
        operator = get_operator(cli.desk, login)
    except NotFound:
        raise NotFound(
            f"no operator {login!r} in this database. Add one with:\n"
            f"  wmconsole operator add {login} --name 'Full Name' --role operator\n"
            "or choose one with --as LOGIN (`wmconsole operator list` shows them)."
        ) from None
    if dashboard:
        require(operator, Permission.view_dashboard)
    from screens.app import run_console

    status = run_console(cli.desk, login, start_on_dashboard=dashboard)
    if status:
        raise SystemExit(status)


@main.command()
@_db_option
@_as_option
@click.pass_obj
def dashboard(cli: CliContext) -> None:
    """Open the console on the supervisor dashboard (supervisors and security officers)."""
    _open_console(cli, dashboard=True)


# Database -----------------------------------------------------------------------


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@_db_option
@click.pass_obj
def db_upgrade(cli: CliContext) -> None:
    """Bring the schema to the newest version (also done on first use)."""
    from console.desk import open_desk

    desk = open_desk(cli.db_url, migrate=False)
    try:
        desk.db.upgrade()
        click.echo(f"schema at {desk.db.schema_revision()}")
        from console.operations import list_people

        waiting = [
            p.login for p in list_people(desk) if p.active and p.has_role and not p.can_login
        ]
        if waiting:
            click.echo(
                f"{len(waiting)} operators cannot sign in yet (their roles are NOLOGIN): "
                f"{', '.join(waiting)}. An admin enables each with "
                "`wmconsole operator activate LOGIN --password-prompt`."
            )
    finally:
        desk.close()


@db.command("check-privileges")
@_db_option
@click.pass_obj
def db_check_privileges(cli: CliContext) -> None:
    """What each desk role may do in the database.

    The rights as the database applies them (effective rights, triggers,
    row-level security, the people's login roles); exits 1 on any difference
    from what this wmconsole grants."""
    from console.access import check_privileges

    lines, drift = check_privileges(cli.desk)
    click.echo("\n".join(lines))
    if drift:
        click.echo("\n".join(f"drift: {line}" for line in drift), err=True)
        raise DomainError(
            f"{len(drift)} differences from what this wmconsole grants: the schema owner "
            "runs `wmconsole db upgrade` to restore the grants; an admin fixes the people "
            "with `wmconsole operator`"
        )


# Demo data ----------------------------------------------------------------------


@main.command()
@_db_option
@click.option("--tickets", default=2000, show_default=True, type=click.IntRange(0))
@click.option("--seed", default=1, show_default=True, type=int)
@click.pass_obj
def demo(cli: CliContext, tickets: int, seed: int) -> None:
    """Load realistic demo data: operators of every role, templates, tickets."""
    from console.demo.generator import load_demo

    with _progress(tickets, "loading tickets") as progress:
        result = load_demo(cli.desk, tickets=tickets, seed=seed, progress=progress)
    click.echo(
        f"loaded {result.tickets} tickets, {result.messages} messages in {result.seconds:.1f} s"
    )
    click.echo("operators (use with --as):")
    for login, role in result.operators:
        click.echo(f"  {login:<10} {role}")


# Queue --------------------------------------------------------------------------


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _row_json(row, desk, now) -> dict[str, Any]:
    left = None
    if row.due_at is not None:
        left = int(desk.sla.time_left(row.due_at, now, kinds=row.escalations).total_seconds())
    return {
        "number": row.number,
        "service": row.service.value,
        "status": row.status.value,
        "escalations": [kind.value for kind in row.escalations],
        "wmid": row.customer_wmid,
        "email": row.customer_email,
        "subject": row.subject,
        "assignee": row.assignee,
        "created_at": row.created_at.isoformat(),
        "due_at": row.due_at.isoformat() if row.due_at else None,
        "sla_left_seconds": left,
        "version": row.version,
    }


@main.command()
@_db_option
@_as_option
@click.option("--service", multiple=True, metavar="S", help="Service (repeat or comma-separate).")
@click.option("--status", multiple=True, metavar="S", help="Status (repeat or comma-separate).")
@click.option("--escalation", multiple=True, metavar="K", help="Escalation kind.")
@click.option(
    "--assignee",
    metavar="LOGIN|mine|none|anyone",
    help="Whose tickets (default: yours and the unassigned).",
)
@click.option("--breached", is_flag=True, help="Only tickets past their SLA due time.")
@click.option("--search", metavar="TEXT", default="", help="Free text, as in the console.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@_json_option
@click.pass_obj
def tickets(
    cli: CliContext,
    service: tuple[str, ...],
    status: tuple[str, ...],
    escalation: tuple[str, ...],
    assignee: str | None,
    breached: bool,
    search: str,
    limit: int,
    as_json: bool,
) -> None:
    """List tickets in queue order. With no filter: what a new operator's console
    shows on opening (your work and the unassigned queue, live statuses only)."""
    from console.formatting import queue_table
    from console.operations.escalations import escalation_kind
    from console.reads.queue import Assignee, Queue, QueueFilter, viewer_id_for
    from console.rules import validation

    desk = cli.desk
    login = cli.acting_login()
    scope = {None: Assignee.mine_or_unassigned, "none": Assignee.unassigned}.get(assignee, assignee)
    filters = QueueFilter(
        services=frozenset(validation.service(s) for s in _split(service)),
        escalations=frozenset(escalation_kind(k) for k in _split(escalation)),
        assignee=scope,
        breached=breached,
        search=search,
    )
    if status:
        filters = filters.with_(statuses=frozenset(validation.status(s) for s in _split(status)))
    queue = Queue(desk.db, viewer_id_for(desk.db, login))
    now = desk.now()
    rows = []
    while len(rows) < limit:
        page = queue.page(
            filters, now, after=rows[-1].key if rows else None, limit=min(500, limit - len(rows))
        )
        rows.extend(page)
        if len(page) == 0 or len(rows) >= limit:
            break
    if as_json:
        _print_json([_row_json(row, desk, now) for row in rows])
    else:
        click.echo(queue_table(rows, desk.sla, now))


class _TicketGroup(click.Group):
    """`wmconsole ticket 123456` is `wmconsole ticket show 123456`."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0].isdigit():
            return "show", self.commands["show"], args
        return super().resolve_command(ctx, args)


@main.group(cls=_TicketGroup)
def ticket() -> None:
    """One ticket: `ticket N` shows it, `ticket new` opens one."""


@ticket.command("show")
@_db_option
@click.argument("number", type=int)
@_json_option
@click.pass_obj
def ticket_show(cli: CliContext, number: int, as_json: bool) -> None:
    """The ticket with its messages, escalations and audit trail."""
    from console.formatting import ticket_text
    from console.reads.ticket import load_ticket

    desk = cli.desk
    detail = load_ticket(desk.db, number)
    if as_json:
        data = detail.as_json()
        data.update(
            escalations=detail.escalation_kinds,
            escalation_history=data.pop("escalations"),
            wmid=detail.customer_wmid,
            email=detail.customer_email,
            sla_left_seconds=detail.sla_left_seconds(desk.sla, desk.now()),
        )
        data["audit"] = [
            {**entry, "operator": entry["operator"] or entry["actor"]} for entry in data["audit"]
        ]
        _print_json(data)
    else:
        click.echo(ticket_text(detail, desk.sla, desk.now()))


@ticket.command("new")
@_db_option
@click.option("--service", required=True, metavar="S")
@click.option("--subject", required=True, metavar="T")
@click.option("--email", metavar="E", help="The customer's e-mail.")
@click.option("--wmid", metavar="W", help="Given when the customer is signed in.")
@click.option("--purse", metavar="P")
@click.option("--name", metavar="NAME")
@click.option("--channel", type=click.Choice(["keeper", "email"]), help="For answer notices.")
@click.option("--language", type=click.Choice(["ru", "en"]), help="Default: guessed from text.")
@click.option("--file", "file", type=click.Path(path_type=Path, allow_dash=True))
@click.option("--text", "text", metavar="T")
@_json_option
@click.pass_obj
def ticket_new(
    cli: CliContext,
    service: str,
    subject: str,
    email: str | None,
    wmid: str | None,
    purse: str | None,
    name: str | None,
    channel: str | None,
    language: str | None,
    file: Path | None,
    text: str | None,
    as_json: bool,
) -> None:
    """Open a ticket as the site's feedback form does; prints the new number.

    Confirmed at once when the customer is signed in (--wmid); otherwise
    unconfirmed, with a confirmation e-mail queued."""
    from console.operations import create_ticket

    body = _read_text(file, text, "message")
    created = create_ticket(
        cli.desk,
        service=service,
        subject=subject,
        body=body,
        email=email,
        wmid=wmid,
        purse=purse,
        name=name,
        channel=channel,
        language=language,
    )
    if as_json:
        _print_json(
            {
                "number": created.number,
                "status": created.status.value,
                "confirm_token": created.confirm_token,
            }
        )
    else:
        click.echo(created.number)


# Actions ------------------------------------------------------------------------


@main.command()
@_db_option
@_as_option
@click.argument("number", type=int, required=False)
@click.option("--next", "take_next", is_flag=True, help="The next ticket in queue order.")
@click.option("--service", multiple=True, metavar="S", help="With --next: only these services.")
@click.option("--version", "expected_version", type=int, help="Refuse if the ticket moved on.")
@click.pass_obj
def take(
    cli: CliContext,
    number: int | None,
    take_next: bool,
    service: tuple[str, ...],
    expected_version: int | None,
) -> None:
    """Take a ticket (N) or the next one in the queue (--next); prints its number."""
    from console import operations
    from console.rules import validation

    if (number is None) == (not take_next):
        raise click.UsageError("give a ticket number or --next")
    login = cli.acting_login()
    if take_next:
        services = [validation.service(s) for s in _split(service)]
        taken = operations.take_next(cli.desk, by=login, services=services)
        if taken is None:
            raise DomainError("the queue has nothing to take")
    else:
        taken = operations.take(cli.desk, number, by=login, expected_version=expected_version)
    click.echo(taken)


@main.command()
@_db_option
@_as_option
@click.argument("number", type=int)
@click.option("--file", "file", type=click.Path(path_type=Path, allow_dash=True))
@click.option("--text", "text", metavar="T")
@click.option("--note", is_flag=True, help="An internal note, not sent to the customer.")
@click.option("--version", "expected_version", type=int, help="Refuse if the ticket moved on.")
@click.pass_obj
def reply(
    cli: CliContext,
    number: int,
    file: Path | None,
    text: str | None,
    note: bool,
    expected_version: int | None,
) -> None:
    """Reply to the customer (the ticket becomes answered), or add a --note."""
    from console import operations

    body = _read_text(file, text, "reply")
    login = cli.acting_login()
    if note:
        operations.note(cli.desk, number, body, by=login)
    else:
        operations.reply(cli.desk, number, body, by=login, expected_version=expected_version)


@main.command()
@_db_option
@_as_option
@click.argument("number", type=int)
@click.argument("status")
@click.option("--reason", metavar="R", help="Required for archived (spam, duplicate, ...).")
@click.option("--version", "expected_version", type=int, help="Refuse if the ticket moved on.")
@click.pass_obj
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


@main.command()
@_db_option
@_as_option
@click.argument("number", type=int)
@click.argument("login", required=False)
@click.option("--queue", "to_queue", is_flag=True, help="Back to the unassigned queue.")
@click.option("--version", "expected_version", type=int, help="Refuse if the ticket moved on.")
@click.pass_obj
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


@main.command()
@_db_option
@_as_option
@click.argument("number", type=int)
@click.argument("kind")
@click.option("--reason", required=True, metavar="R")
@click.option("--clear", is_flag=True, help="Clear this escalation instead of raising it.")
@click.pass_obj
def escalate(cli: CliContext, number: int, kind: str, reason: str, clear: bool) -> None:
    """Escalate: fraud, wmid_block, hacking, arbitration, hotline (or --clear one)."""
    from console import operations

    if clear:
        operations.clear_escalation(cli.desk, number, kind, reason, by=cli.acting_login())
    else:
        operations.escalate(cli.desk, number, kind, reason, by=cli.acting_login())


@main.group()
def block() -> None:
    """Four-eyes WMID blocking: one requests, another supervisor or officer decides."""


@block.command("request")
@_db_option
@_as_option
@click.argument("number", type=int)
@click.option("--wmid", required=True, metavar="W", help="The fraudster's WMID.")
@click.option("--reason", required=True, metavar="R")
@click.pass_obj
def block_request(cli: CliContext, number: int, wmid: str, reason: str) -> None:
    """Request a WMID block on a ticket; prints the request id."""
    from console import operations

    click.echo(operations.request_block(cli.desk, number, wmid, reason, by=cli.acting_login()))


@block.command("approve")
@_db_option
@_as_option
@click.argument("request_id", type=int)
@click.option("--reason", metavar="R")
@click.pass_obj
def block_approve(cli: CliContext, request_id: int, reason: str | None) -> None:
    """Approve someone else's block request."""
    from console import operations

    operations.approve_block(cli.desk, request_id, by=cli.acting_login(), reason=reason)


@block.command("reject")
@_db_option
@_as_option
@click.argument("request_id", type=int)
@click.option("--reason", required=True, metavar="R")
@click.pass_obj
def block_reject(cli: CliContext, request_id: int, reason: str) -> None:
    """Reject someone else's block request, with a reason."""
    from console import operations

    operations.reject_block(cli.desk, request_id, reason, by=cli.acting_login())


@block.command("list")
@_db_option
@click.option("--all", "show_all", is_flag=True, help="Decided requests too.")
@_json_option
@click.pass_obj
def block_list(cli: CliContext, show_all: bool, as_json: bool) -> None:
    """Block requests waiting for a decision, oldest first."""
    from console.reads.blocks import list_block_requests
    from console.untrusted import one_line

    requests = list_block_requests(cli.desk.db, pending_only=not show_all)
    if as_json:
        _print_json([request.as_json() for request in requests])
        return
    for r in requests:
        click.echo(
            f"{r.id:>6}  {r.state:<9} WMID {r.wmid}  ticket {r.number}  by {r.requested_by}  "
            f"{r.requested_at:%Y-%m-%d %H:%M}  {one_line(r.reason)}"
        )


# Supervisors' material: templates and scam markers --------------------------------


@main.group()
def template() -> None:
    """Canned answers per service and language (supervisors edit them)."""


def _template_json(t: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "service": t.service.value if t.service else None,
        "language": t.language.value,
        "title": t.title,
        "body": t.body,
        "active": t.active,
        "updated_at": t.updated_at,
    }


@template.command("list")
@_db_option
@click.option("--service", metavar="S", help="This service's templates and those for every one.")
@click.option("--language", type=click.Choice(["ru", "en"]))
@click.option("--all", "show_all", is_flag=True, help="Withdrawn templates too.")
@_json_option
@click.pass_obj
def template_list(
    cli: CliContext, service: str | None, language: str | None, show_all: bool, as_json: bool
) -> None:
    """Templates by service, language and title."""
    from console import operations
    from console.rules import validation
    from console.untrusted import one_line
    from models import Language

    templates = operations.list_templates(
        cli.desk,
        service=validation.service(service) if service else None,
        language=Language(language) if language else None,
        include_inactive=show_all,
    )
    if as_json:
        _print_json([_template_json(t) for t in templates])
        return
    for t in templates:
        state = "" if t.active else "  (withdrawn)"
        where = t.service.value if t.service else "every service"
        click.echo(f"{t.id:>5}  {where:<14} {t.language.value}  {one_line(t.title)}{state}")


@template.command("save")
@_db_option
@_as_option
@click.option("--id", "template_id", type=int, metavar="ID", help="Change this template.")
@click.option("--title", required=True)
@click.option("--language", required=True, type=click.Choice(["ru", "en"]))
@click.option("--service", metavar="S", help="Leave out for every service.")
@click.option("--file", type=click.Path(path_type=Path), help="The body ('-' for stdin).")
@click.option("--text", help="The body.")
@click.pass_obj
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

    body = _read_text(file, text, "template body")
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


@template.command("withdraw")
@_db_option
@_as_option
@click.argument("template_id", type=int)
@click.pass_obj
def template_withdraw(cli: CliContext, template_id: int) -> None:
    """No longer offer a template (it is kept; `restore` brings it back)."""
    from console import operations

    operations.set_template_active(cli.desk, template_id, False, by=cli.acting_login())


@template.command("restore")
@_db_option
@_as_option
@click.argument("template_id", type=int)
@click.pass_obj
def template_restore(cli: CliContext, template_id: int) -> None:
    from console import operations

    operations.set_template_active(cli.desk, template_id, True, by=cli.acting_login())


@main.group()
def marker() -> None:
    """Scam markers intake looks for in each mail (supervisors and security)."""


@marker.command("list")
@_db_option
@click.option("--all", "show_all", is_flag=True, help="Disabled markers too.")
@_json_option
@click.pass_obj
def marker_list(cli: CliContext, show_all: bool, as_json: bool) -> None:
    """The markers, oldest first."""
    from console import operations
    from console.untrusted import one_line

    markers = operations.list_markers(cli.desk, include_inactive=show_all)
    if as_json:
        _print_json(
            [
                {
                    "id": m.id,
                    "pattern": m.pattern,
                    "is_regex": m.is_regex,
                    "description": m.description,
                    "active": m.active,
                    "created_at": m.created_at,
                }
                for m in markers
            ]
        )
        return
    for m in markers:
        kind = "regex" if m.is_regex else "text"
        state = "" if m.active else "  (disabled)"
        note = f"  — {one_line(m.description)}" if m.description else ""
        click.echo(f"{m.id:>5}  {kind:<5}  {one_line(m.pattern)}{note}{state}")


@marker.command("add")
@_db_option
@_as_option
@click.argument("pattern")
@click.option("--regex", is_flag=True, help="A regular expression, matched as written.")
@click.option("--description", default="", metavar="TEXT")
@click.pass_obj
def marker_add(cli: CliContext, pattern: str, regex: bool, description: str) -> None:
    """Add a marker: a word or phrase (matched ignoring case) or --regex; prints its id."""
    from console import operations

    click.echo(
        operations.add_marker(
            cli.desk, pattern, by=cli.acting_login(), is_regex=regex, description=description
        )
    )


@marker.command("disable")
@_db_option
@_as_option
@click.argument("marker_id", type=int)
@click.pass_obj
def marker_disable(cli: CliContext, marker_id: int) -> None:
    """Stop looking for a marker (it is kept; `enable` turns it back on)."""
    from console import operations

    operations.set_marker_active(cli.desk, marker_id, False, by=cli.acting_login())


@marker.command("enable")
@_db_option
@_as_option
@click.argument("marker_id", type=int)
@click.pass_obj
def marker_enable(cli: CliContext, marker_id: int) -> None:
    from console import operations

    operations.set_marker_active(cli.desk, marker_id, True, by=cli.acting_login())


# The customer's side --------------------------------------------------------------


@main.command()
@_db_option
@click.argument("token")
@click.pass_obj
def confirm(cli: CliContext, token: str) -> None:
    """Confirm a ticket with the code from the confirmation e-mail."""
    from console import operations

    click.echo(operations.confirm(cli.desk, token))


@main.command()
@_db_option
@click.pass_obj
def expire(cli: CliContext) -> None:
    """Expire unconfirmed tickets older than 7 days and archive answered tickets
    with no word from the customer in 14 (run it from cron)."""
    from console import operations

    expired = operations.expire_unconfirmed(cli.desk)
    archived = operations.archive_answered(cli.desk)
    click.echo(f"expired {len(expired)} unconfirmed, archived {len(archived)} answered")


@main.group()
def customer() -> None:
    """What the customer does on the site's ticket page (these commands stand in
    for its buttons, as `confirm` stands in for the link in the e-mail)."""


@customer.command("archive")
@_db_option
@click.argument("number", type=int)
@click.pass_obj
def customer_archive(cli: CliContext, number: int) -> None:
    """The customer moves their ticket to the archive."""
    from console import operations

    operations.customer_archive(cli.desk, number)


@customer.command("extract")
@_db_option
@click.argument("number", type=int)
@click.pass_obj
def customer_extract(cli: CliContext, number: int) -> None:
    """The customer takes their ticket out of the archive; it opens again."""
    from console import operations

    operations.extract(cli.desk, number, by=None)


# Mail -----------------------------------------------------------------------------


def _mail_line(result) -> str:
    from console.untrusted import one_line

    where = f" {result.number}" if result.number else ""
    who = f" from {one_line(result.sender)}" if result.sender else ""
    what = f": {one_line(result.subject)}" if result.subject else ""
    detail = f" ({one_line(result.detail)})" if result.detail else ""
    return f"{result.fate.value}{where}{who}{what}{detail}"


@main.command()
@_db_option
@click.argument("maildir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--watch", is_flag=True, help="Keep running; take each mail as it arrives.")
@click.option(
    "--quarantine",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for mail that cannot be taken (default: the intake_quarantine "
    "setting, else MAILDIR/quarantine).",
)
@click.pass_obj
def intake(cli: CliContext, maildir: Path, watch: bool, quarantine: Path | None) -> None:
    """Take customers' mail from MAILDIR/new into tickets, moving each to cur/.

    New mail opens an unconfirmed ticket and queues the confirmation e-mail;
    a reply to our mail, or a [#NUMBER] tag from the ticket's own address,
    joins that ticket. Mail that cannot be taken is kept in the quarantine
    folder with the reason. Prints a summary; with --watch, a line per mail."""
    from console.mail.intake import Maildir, take_waiting, watch_maildir

    desk = cli.desk
    folder = Maildir.open(maildir, quarantine or desk.settings.intake_quarantine)
    if watch:

        def deferred(summary) -> None:
            click.echo(
                f"wmconsole: the database is unreachable ({summary.error}); "
                f"{summary.deferred} mails wait in new/, trying again shortly",
                err=True,
            )

        click.echo(f"watching {folder.new} (ctrl+c stops)", err=True)
        with suppress(KeyboardInterrupt):
            watch_maildir(
                desk,
                folder,
                on_result=lambda result: click.echo(_mail_line(result)),
                on_deferred=deferred,
            )
        return
    waiting = len(folder.waiting())
    with _progress(waiting, "taking mail") as progress:
        summary = take_waiting(desk, folder, progress=progress)
    click.echo(str(summary))
    if summary.deferred:
        raise DomainError(
            f"the database is unreachable ({summary.error}); "
            f"{summary.deferred} mails stay in new/ for the next run"
        )


@main.group()
def quarantine() -> None:
    """Mail the intake could not take (supervisors and security officers)."""


@quarantine.command("list")
@_db_option
@_as_option
@click.option("--all", "show_all", is_flag=True, help="Resolved ones too.")
@_json_option
@click.pass_obj
def quarantine_list(cli: CliContext, show_all: bool, as_json: bool) -> None:
    """Quarantined mail, newest first, with why it was not taken."""
    from console.operations.mail import list_quarantine
    from console.untrusted import one_line

    rows = list_quarantine(cli.desk, by=cli.acting_login(), include_resolved=show_all)
    if as_json:
        _print_json(
            [
                {
                    "id": row.id,
                    "path": row.path,
                    "reason": row.reason,
                    "size": row.size,
                    "message_id": row.email_message_id,
                    "sender": row.sender,
                    "subject": row.subject,
                    "received_at": row.received_at,
                    "resolved_at": row.resolved_at,
                }
                for row in rows
            ]
        )
        return
    for row in rows:
        state = " resolved" if row.resolved_at else ""
        click.echo(
            f"{row.id:>6}  {row.received_at:%Y-%m-%d %H:%M}{state}  "
            f"{one_line(row.sender) or '-'}  {one_line(row.subject) or '-'}\n"
            f"        {one_line(row.reason)}\n        {one_line(row.path)}"
        )


@quarantine.command("resolve")
@_db_option
@_as_option
@click.argument("quarantine_id", type=int)
@click.option("--note", required=True, metavar="TEXT", help="What was done about it.")
@click.pass_obj
def quarantine_resolve(cli: CliContext, quarantine_id: int, note: str) -> None:
    """Mark a quarantined mail as dealt with (the file and the record stay)."""
    from console.operations.mail import resolve_quarantine

    resolve_quarantine(cli.desk, quarantine_id, by=cli.acting_login(), note=note)


# Notices -----------------------------------------------------------------------------


@main.group()
def notices() -> None:
    """The outbox: confirmations, answers and archive notices to customers."""


def _delivery_line(delivery) -> str:
    from console.untrusted import one_line

    state = delivery.state.value if delivery.state else "taken over by another sender"
    error = f": {one_line(delivery.error)}" if delivery.error else ""
    outgoing = delivery.outgoing
    what = (
        f" (ticket {outgoing.number}) by {outgoing.channel.value} to {one_line(outgoing.recipient)}"
        if outgoing
        else ""
    )
    return f"{state} notice {delivery.notice_id}{what}{error}"


@notices.command("send")
@_db_option
@click.option("--watch", is_flag=True, help="Keep running, sending notices as they fall due.")
@click.pass_obj
def notices_send(cli: CliContext, watch: bool) -> None:
    """Deliver due notices: e-mail through SMTP, Keeper messages to the gateway's
    spool folder. A failed delivery is retried later with backoff."""
    from console.notices.outbox import send_due, send_forever

    desk = cli.desk
    if watch:
        click.echo("sending notices as they fall due (ctrl+c stops)", err=True)
        with suppress(KeyboardInterrupt):
            send_forever(desk, on_delivery=lambda d: click.echo(_delivery_line(d)))
        return
    summary = send_due(desk, on_delivery=lambda d: click.echo(_delivery_line(d)))
    click.echo(str(summary))


@notices.command("list")
@_db_option
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["pending", "sending", "sent", "failed"]),
    help="Only these states (repeat for several).",
)
@click.option("--ticket", "number", type=int, help="Only this ticket's notices.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@_json_option
@click.pass_obj
def notices_list(
    cli: CliContext, states: tuple[str, ...], number: int | None, limit: int, as_json: bool
) -> None:
    """The outbox, newest first, with attempts and the last error."""
    from dataclasses import asdict

    from console.notices.outbox import list_notices
    from console.untrusted import one_line
    from models import NoticeState

    rows = list_notices(
        cli.desk,
        states=frozenset(NoticeState(state) for state in states),
        number=number,
        limit=limit,
    )
    if as_json:
        _print_json([asdict(row) for row in rows])
        return
    for row in rows:
        when = (
            f"sent {row.sent_at:%Y-%m-%d %H:%M}"
            if row.sent_at
            else f"next {row.next_attempt_at:%Y-%m-%d %H:%M}"
        )
        error = f"\n        {one_line(row.last_error)}" if row.last_error else ""
        click.echo(
            f"{row.id:>6}  {row.state:<7} {row.kind:<8} ticket {row.number}  "
            f"{row.channel}:{one_line(row.recipient)}  attempts {row.attempts}  {when}{error}"
        )


@notices.command("retry")
@_db_option
@_as_option
@click.argument("notice_id", type=int)
@click.pass_obj
def notices_retry(cli: CliContext, notice_id: int) -> None:
    """Put a failed notice back in the outbox, due now."""
    from console.notices.outbox import retry_notice

    retry_notice(cli.desk, notice_id, by=cli.acting_login())


# Operators ----------------------------------------------------------------------


@main.group()
def operator() -> None:
    """The people who work the desk."""


_ROLES = click.Choice(["operator", "supervisor", "security"])


def _password_option(command: Callable) -> Callable:
    return click.option(
        "--password-prompt",
        is_flag=True,
        help="Ask for the person's PostgreSQL password (leave out where people sign in "
        "by certificate, LDAP or GSSAPI).",
    )(command)


def _password(cli: CliContext, login: str, prompt: bool) -> str | None:
    """Asked only of someone who may set it, and only where there are passwords."""
    if not prompt:
        return None
    from console.identity import Duty

    if cli.desk.db.is_sqlite:
        raise click.UsageError("--password-prompt is for PostgreSQL: SQLite has no passwords")
    cli.desk.db.identity.check(Duty.admin)
    return click.prompt(f"password for {login}", hide_input=True, confirmation_prompt=True)


@operator.command("add")
@_db_option
@click.argument("login")
@click.option("--name", required=True)
@click.option("--role", "role_name", required=True, type=_ROLES)
@_password_option
@click.pass_obj
def operator_add(
    cli: CliContext, login: str, name: str, role_name: str, password_prompt: bool
) -> None:
    """Add an operator, supervisor or security officer.

    On PostgreSQL also their login role, in their role's group. Takes a member
    of wm_admin (on SQLite, the owner of the database file)."""
    from console import operations

    password = _password(cli, login, password_prompt)
    operations.add_operator(cli.desk, login, name=name, role_name=role_name, password=password)


@operator.command("list")
@_db_option
@_json_option
@click.pass_obj
def operator_list(cli: CliContext, as_json: bool) -> None:
    """Everyone who may log in, with their role.

    On PostgreSQL also their login role (LOGIN or NOLOGIN, its groups) and,
    marked !, where the two disagree."""
    from console import operations

    people = operations.list_people(cli.desk)
    if as_json:
        _print_json([_person_json(p) for p in people])
        return
    for p in people:
        state = "" if p.active else "  (deactivated)"
        click.echo(f"{p.login:<16} {p.role.value:<10} {p.name}{state}{_database_side(p)}")


def _person_json(person) -> dict[str, Any]:
    data = {
        "login": person.login,
        "name": person.name,
        "role": person.role.value,
        "active": person.active,
    }
    if person.has_role is not None:
        data["database_role"] = {
            "exists": person.has_role,
            "can_login": person.can_login,
            "groups": list(person.groups),
        }
        data["mismatch"] = person.mismatch
    return data


def _database_side(person) -> str:
    if person.has_role is None:
        return ""
    side = "  [no role]"
    if person.has_role:
        login = "LOGIN" if person.can_login else "NOLOGIN"
        side = f"  [{login} {', '.join(person.groups) or 'no group'}]"
    return side + (f"  ! {person.mismatch}" if person.mismatch else "")


@operator.command("set-role")
@_db_option
@click.argument("login")
@click.argument("role_name", metavar="ROLE", type=_ROLES)
@click.pass_obj
def operator_set_role(cli: CliContext, login: str, role_name: str) -> None:
    """Change an operator's role (on PostgreSQL, their group too)."""
    from console import operations

    operations.set_operator_role(cli.desk, login, role_name)


@operator.command("deactivate")
@_db_option
@click.argument("login")
@click.pass_obj
def operator_deactivate(cli: CliContext, login: str) -> None:
    """Stop an operator from acting (their history stays).

    On PostgreSQL their role may no longer sign in and leaves its group."""
    from console import operations

    operations.set_operator_active(cli.desk, login, False)


@operator.command("activate")
@_db_option
@click.argument("login")
@_password_option
@click.pass_obj
def operator_activate(cli: CliContext, login: str, password_prompt: bool) -> None:
    """Let an operator act again.

    On PostgreSQL their role may sign in again; also how an admin enables an
    operator carried over as NOLOGIN by `db upgrade`."""
    from console import operations

    password = _password(cli, login, password_prompt)
    operations.set_operator_active(cli.desk, login, True, password=password)


# Monitoring -----------------------------------------------------------------------


@main.command()
@_db_option
@click.option("--json", "as_json", is_flag=True, help="JSON for scripts.")
@click.option("--prometheus", is_flag=True, help="Prometheus text exposition format.")
@click.pass_obj
def stats(cli: CliContext, as_json: bool, prometheus: bool) -> None:
    """The dashboard's numbers: open work, SLA, escalations waiting, operator load."""
    from console.formatting import stats_text
    from console.reads.stats import desk_stats, prometheus_text

    if as_json and prometheus:
        raise click.UsageError("choose one of --json and --prometheus")
    numbers = desk_stats(cli.desk)
    if as_json:
        _print_json(numbers.as_json())
    elif prometheus:
        click.echo(prometheus_text(numbers), nl=False)
    else:
        click.echo(stats_text(numbers))


# Benchmarks -----------------------------------------------------------------------


@main.group()
def bench() -> None:
    """Speed and memory figures, measured on this machine."""


@bench.command("queue")
@click.option("--db", "db_url", metavar="URL", help="Benchmark database (default: a temp file).")
@click.option("--postgres", is_flag=True, help="On a throwaway PostgreSQL server instead.")
@click.option("--tickets", default=1_000_000, show_default=True, type=click.IntRange(1000))
@click.option("--seed", default=7, show_default=True, type=int)
def bench_queue(db_url: str | None, postgres: bool, tickets: int, seed: int) -> None:
    """Demo load time, queue page, facet-count and search times at N tickets."""
    from console.bench.queue import run_queue_benchmark

    run_queue_benchmark(db_url, tickets=tickets, seed=seed, postgres=postgres, echo=click.echo)


@bench.command("intake")
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Benchmark database, topped up with demo tickets to --tickets "
    "(default: a temporary SQLite file).",
)
@click.option("--tickets", default=1_000_000, show_default=True, type=click.IntRange(0))
@click.option("--messages", default=10_000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=7, show_default=True, type=int)
def bench_intake(db_url: str | None, tickets: int, messages: int, seed: int) -> None:
    """Mails per second through the intake into a desk of N tickets."""
    from console.bench.intake import run_intake_benchmark

    run_intake_benchmark(db_url, tickets=tickets, messages=messages, seed=seed, echo=click.echo)


@bench.command("ui")
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="A demo database to measure on (default: one in the temp dir, built on first use).",
)
@click.option("--tickets", default=1_000_000, show_default=True, type=click.IntRange(1000))
@click.option(
    "--compare",
    default=100_000,
    show_default=True,
    type=click.IntRange(0),
    help="Rows for the stock DataTable beside it (0: skip).",
)
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1), help="Median of N.")
def bench_ui(db_url: str | None, tickets: int, compare: int, seed: int, runs: int) -> None:
    """The console as a person feels it: start-up, filter, step, PgDn, end, another
    console's change, memory — and the stock DataTable holding every row."""
    from screens.bench import run_ui_benchmark

    run_ui_benchmark(
        db_url, tickets=tickets, compare=compare, seed=seed, runs=runs, echo=click.echo
    )


@bench.command("dashboard")
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="A demo database to measure on (default: one in the temp dir, built on first use).",
)
@click.option("--postgres", is_flag=True, help="On a throwaway PostgreSQL server instead.")
@click.option("--tickets", default=1_000_000, show_default=True, type=click.IntRange(1000))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option(
    "--refreshes", default=20, show_default=True, type=click.IntRange(1), help="Commits timed."
)
def bench_dashboard(
    db_url: str | None, postgres: bool, tickets: int, seed: int, refreshes: int
) -> None:
    """The dashboard: process start to first paint, another connection's commit
    to the repainted tiles, memory; beside desk_stats() alone."""
    from screens.bench import run_dashboard_benchmark

    run_dashboard_benchmark(
        db_url,
        tickets=tickets,
        seed=seed,
        postgres=postgres,
        refreshes=refreshes,
        echo=click.echo,
    )


if __name__ == "__main__":
    main()
