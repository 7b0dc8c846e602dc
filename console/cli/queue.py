"""The queue: `tickets` lists it, `take` takes from it."""

from __future__ import annotations

from typing import Any

import click

from console.cli.options import (
    CliContext,
    desk_command,
    expected_version_option,
    json_option,
    limit_option,
    split_values,
)
from console.cli.output import print_json, queue_row_json
from console.errors import DomainError


def _queue_filter(
    *,
    service: tuple[str, ...],
    status: tuple[str, ...],
    escalation: tuple[str, ...],
    assignee: tuple[str, ...],
    breached: bool,
    search: str,
    order: str,
):
    """The QueueFilter the options describe; with none, the opening view. A
    search looks through the whole desk, narrowed by the options given."""
    from console.operations.escalations import escalation_kind
    from console.reads.queue import QueueFilter
    from console.rules import validation
    from console.rules.queue_order import SortOrder

    narrowed = bool(service or status or escalation or assignee or breached)
    filters = QueueFilter(
        services=frozenset(validation.service(s) for s in split_values(service)),
        escalations=frozenset(escalation_kind(k) for k in split_values(escalation)),
        assignee=_whose(split_values(assignee), whole_desk=bool(search) and not narrowed),
        breached=breached,
        search=validation.search(search),
        search_in_view=narrowed,
        order=SortOrder(order),
    )
    if status:
        statuses = frozenset(validation.status(s) for s in split_values(status))
        filters = filters.with_(statuses=statuses)
    return filters


def _whose(values: list[str], *, whole_desk: bool) -> str:
    """--assignee as the queue takes it: one scope or login, or several joined;
    none given, a search looks at everyone's."""
    from console.reads.queue import Assignee

    if not values:
        return Assignee.anyone if whole_desk else Assignee.mine_or_unassigned
    scopes = {"none": Assignee.unassigned}
    return ",".join(dict.fromkeys(scopes.get(value, value) for value in values))


@desk_command(acting=True)
@click.option("--service", multiple=True, metavar="S", help="Service (repeat or comma-separate).")
@click.option("--status", multiple=True, metavar="S", help="Status (repeat or comma-separate).")
@click.option("--escalation", multiple=True, metavar="K", help="Escalation kind.")
@click.option(
    "--assignee",
    multiple=True,
    metavar="LOGIN|mine|none|anyone",
    help="Whose tickets (repeat or comma-separate; default: yours and the unassigned).",
)
@click.option("--breached", is_flag=True, help="Only tickets past their SLA due time.")
@click.option(
    "--search",
    metavar="TEXT",
    default="",
    help="Free text, as in the console: the whole desk, narrowed by the options given.",
)
@click.option(
    "--order",
    type=click.Choice(["sla", "age", "customer", "updated", "relevance"]),
    default="sla",
    show_default=True,
    help="sla: the queue's own (escalation, SLA due, age); age: oldest first; customer: "
    "the last customer message, newest first; updated: the last change, newest first; "
    "relevance: with --search, the best match first.",
)
@limit_option
@json_option
def tickets(cli: CliContext, limit: int, as_json: bool, **filter_options: Any) -> None:
    """List tickets in queue order. With no filter: what a new operator's console
    shows on opening (your work and the unassigned queue, live statuses only)."""
    # The queue's own order is the default, not an option asked for.
    asked_for = {**filter_options, "order": filter_options["order"] != "sla"}
    if as_json and not any(asked_for.values()) and _quickly(cli, limit):
        return
    from console.formatting import queue_table
    from console.reads.queue import Queue, viewer_id_for

    desk = cli.desk
    filters = _queue_filter(**filter_options)
    queue = Queue(desk.db, viewer_id_for(desk.db, cli.acting_login()))
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
        print_json([queue_row_json(row, desk.sla, now) for row in rows])
    else:
        click.echo(queue_table(rows, desk.sla, now))


def _quickly(cli: CliContext, limit: int) -> bool:
    """`tickets --json` with no filter, on the DB-API alone (console.reads.quick);
    False when the quick path does not cover it. Filters, a search and the text
    table take the full path."""
    from datetime import UTC, datetime

    from console.reads.quick import opening_queue
    from console.settings import load_settings

    settings = load_settings()
    rows = opening_queue(cli.db_url or settings.db, cli.login, limit)
    if rows is None:
        return False
    now = datetime.now(UTC)
    print_json([queue_row_json(row, settings.sla, now) for row in rows])
    return True


@desk_command(acting=True)
@click.argument("number", type=int, required=False)
@click.option("--next", "take_next", is_flag=True, help="The next ticket in queue order.")
@click.option("--service", multiple=True, metavar="S", help="With --next: only these services.")
@expected_version_option
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
        services = [validation.service(s) for s in split_values(service)]
        taken = operations.take_next(cli.desk, by=login, services=services)
        if taken is None:
            raise DomainError("the queue has nothing to take")
    else:
        taken = operations.take(cli.desk, number, by=login, expected_version=expected_version)
    click.echo(taken)
